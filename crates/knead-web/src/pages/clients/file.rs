//! A client's file, `/manage/clients/{id}`: contact details, date of birth and age, saved addresses; a
//! warning when other records share the email or a booking's typed name differs (never merged silently);
//! bookings; every version of the health history, newest first, each readable in full; screenings
//! (emergency attempts included) and clearances. Opening it is one audit entry (the app writes it).

use super::health::{history_view, level_label};
use super::{crumbs, date_time, hidden, staff_only};
use crate::auth::{Caller, SignedIn};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, full_date, when_text};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use knead_app::calendar;
use knead_app::catalog::{Services, Therapists};
use knead_app::clients::{self, ClientFile};
use knead_app::listing::{self, Audience};
use knead_core::booking::{Booking, BookingStatus};
use knead_core::calendar::local_date;
use knead_core::intake::{Client, IntakeVersion};
use knead_core::records::{Episode, EpisodeStatus, Response as CareResponse};
use knead_core::{ServiceId, TherapistId, UserId};
use maud::{html, Markup};
use std::collections::HashMap;

/// `?saved=new|details` after a post redirected here.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct FileQuery {
    saved: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<FileQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let app = state.app();
    let file = clients::file(app, &caller.user, knead_core::intake::ClientId(id)).await.map_err(hidden)?;
    tracing::info!(client_id = id, "client's file opened by staff");
    let settings = calendar::settings(app).await?;
    let services = listing::list::<Services>(app, Audience::Manager).await?.into_iter().map(|s| (s.id, s.name));
    let therapists = listing::list::<Therapists>(app, Audience::Manager).await?.into_iter().map(|t| (t.id, t.name));
    // The episodes' titles and statuses, read with the file: the page is the client's record.
    let episodes = knead_app::records::episodes::of_client(app, &caller.user, file.client.id).await.map_err(hidden)?;
    let view = FileView {
        caller: &caller,
        file: &file,
        episodes: &episodes,
        tz: settings.zone().clone(),
        today: local_date(settings.zone(), state.now()),
        services: services.collect(),
        therapists: therapists.collect(),
    };
    let notice = match q.saved.as_deref() {
        Some("new") => Some("The client was added."),
        Some("details") => Some("The client's details were saved."),
        _ => None,
    };
    let body = html! { (ui::notice(notice)) (view.render()) };
    Ok(Frame::signed_in(&state, &caller).page(&file.client.name, body).into_response())
}

/// Who did something, as staff read it (the app gives ids; names of staff accounts are not exposed yet).
pub(crate) fn actor(viewer: &Caller, client: Option<&Client>, who: Option<UserId>) -> String {
    match who {
        None => "A guest (no sign-in)".into(),
        Some(id) if id == viewer.user.id => "You".into(),
        Some(id) if client.and_then(|c| c.user_id) == Some(id) => "The client".into(),
        Some(id) => format!("Staff account {}", id.0),
    }
}

/// What a booking's status says to staff.
pub(crate) fn status_label(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Confirmed => "Confirmed",
        BookingStatus::AwaitingClearance => "Waiting for clearance",
        BookingStatus::Cancelled => "Cancelled",
    }
}

struct FileView<'a> {
    caller: &'a Caller,
    file: &'a ClientFile,
    episodes: &'a [(Episode, CareResponse)],
    tz: TimeZone,
    today: Date,
    services: HashMap<ServiceId, String>,
    therapists: HashMap<TherapistId, String>,
}

impl FileView<'_> {
    fn render(&self) -> Markup {
        let c = &self.file.client;
        html! {
            (crumbs(self.caller, &[]))
            h1 { (c.name) }
            (self.warnings())
            p.actions {
                a.button href={ "/book?client_id=" (c.id.0) } { "Book for this client" } " "
                a href={ "/manage/clients/" (c.id.0) "/edit" } { "Change details" }
            }
            h2 { "Contact" }
            (self.contact())
            h2 #episodes { "Episodes of care" }
            (self.episodes())
            h2 #bookings { "Bookings" }
            (self.bookings())
            h2 #health-history { "Health history" }
            (self.intakes())
            h2 #screenings { "Red-flag screenings" }
            (self.screenings())
            h2 #clearances { "Clearances" }
            (self.clearances())
        }
    }

    /// Records that may be the same person, or bookings typed under another name: shown, never merged.
    fn warnings(&self) -> Markup {
        let f = self.file;
        html! {
            @if !f.same_email.is_empty() || !f.name_mismatches.is_empty() {
                div.warning role="note" aria-labelledby="file-warning" {
                    p #file-warning { strong { "Check these records: nothing was merged." } }
                    @if !f.same_email.is_empty() {
                        p { "Other client records use the same email:" }
                        ul { @for o in &f.same_email { li { a href={ "/manage/clients/" (o.id.0) } { (o.name) } " (" (o.email.as_str()) ")" } } }
                    }
                    @if !f.name_mismatches.is_empty() {
                        p { "Bookings made under another name than this record’s:" }
                        ul {
                            @for b in &f.name_mismatches {
                                li { a href={ "/visits/" (b.id.0) } { (when_text(&self.tz, b.start, b.end)) } ": typed as “" (b.client.name) "”" }
                            }
                        }
                    }
                }
            }
        }
    }

    fn contact(&self) -> Markup {
        let c = &self.file.client;
        let tel: String = c.phone.chars().filter(|ch| ch.is_ascii_digit() || *ch == '+').collect();
        html! {
            dl.facts {
                dt { "Email" } dd { a href={ "mailto:" (c.email.as_str()) } { (c.email.as_str()) } }
                dt { "Phone" } dd { @if c.phone.is_empty() { "Not given" } @else { a href={ "tel:" (tel) } { (c.phone) } } }
                dt { "Date of birth" } dd {
                    @match c.date_of_birth {
                        Some(d) => { (full_date(d)) @if let Some(age) = c.age_on(self.today) { " (age " (age) ")" } }
                        None => "Not given",
                    }
                }
                dt { "Sign-in" } dd { @if c.user_id.is_some() { "Has a client account" } @else { "No account (books as a guest)" } }
                dt { "Client since" } dd { (date_time(c.created_at)) }
            }
            h3 { "Saved addresses" }
            @if c.addresses.is_empty() { p.meta { "None saved." } }
            @else { ul { @for a in &c.addresses { li { strong { (a.label) } ": " (a.address) } } } }
        }
    }

    /// Each episode with its status and the clinic policy's response, newest first, and opening one.
    fn episodes(&self) -> Markup {
        use crate::pages::records::{episode_status_label, status_label};
        html! {
            @if self.episodes.is_empty() { p.meta { "None yet." } }
            @else {
                ul.plain #episodes-list {
                    @for (e, r) in self.episodes {
                        li {
                            a href={ "/manage/episodes/" (e.id.0) } { (e.title()) }
                            " · from " (full_date(e.started_on)) " · " (episode_status_label(e.status))
                            @if e.status == EpisodeStatus::Active { " · " strong { (status_label(r.status)) } }
                        }
                    }
                }
            }
            p { a.button href={ "/manage/clients/" (self.file.client.id.0) "/episodes/new" } { "Open an episode" } }
        }
    }

    fn therapist_names(&self, b: &Booking) -> String {
        let names: Vec<String> = b
            .visits
            .iter()
            .map(|v| {
                self.therapists
                    .get(&v.therapist_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Therapist {}", v.therapist_id.0))
            })
            .collect();
        names.join(" and ")
    }

    fn bookings(&self) -> Markup {
        let list = &self.file.bookings;
        html! {
            @if list.is_empty() { p.meta { "No bookings yet." } }
            @else {
                div.table-scroll tabindex="0" role="region" aria-label="Bookings" {
                    table.bookings {
                        caption.visually-hidden { "Bookings, newest first" }
                        thead { tr { th scope="col" { "When" } th scope="col" { "Service" } th scope="col" { "Therapist" } th scope="col" { "Status" } } }
                        tbody {
                            @for b in list {
                                tr.held[b.status == BookingStatus::AwaitingClearance] {
                                    td { a href={ "/visits/" (b.id.0) } { (when_text(&self.tz, b.start, b.end)) } }
                                    td { (self.services.get(&b.service_id).map_or("Visit", String::as_str)) }
                                    td { (self.therapist_names(b)) }
                                    td { @if b.status == BookingStatus::AwaitingClearance { strong { (status_label(b.status)) } } @else { (status_label(b.status)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn version_heading(&self, v: &IntakeVersion) -> String {
        let by = actor(self.caller, Some(&self.file.client), v.submitted_by);
        format!("Version {}, {} (by {})", v.version, date_time(v.created_at), by.to_lowercase())
    }

    fn intakes(&self) -> Markup {
        let list = &self.file.intakes;
        html! {
            @if list.is_empty() {
                p.warning { "No health history given yet: ask for it before the first visit." }
            } @else {
                p.hint { "Every version is kept; the newest is first." }
                @for (i, v) in list.iter().enumerate() {
                    @if i == 0 {
                        section.intake aria-labelledby={ "intake-" (v.version) } {
                            h3 id={ "intake-" (v.version) } { (self.version_heading(v)) }
                            (history_view(v))
                        }
                    } @else {
                        details.intake {
                            summary { "Earlier: version " (v.version) ", " (date_time(v.created_at)) }
                            section aria-labelledby={ "intake-" (v.version) } {
                                h3 id={ "intake-" (v.version) } { (self.version_heading(v)) }
                                (history_view(v))
                            }
                        }
                    }
                }
            }
        }
    }

    fn screenings(&self) -> Markup {
        let list = &self.file.screenings;
        html! {
            @if list.is_empty() { p.meta { "No screenings." } }
            @else {
                div.table-scroll tabindex="0" role="region" aria-label="Screenings" {
                    table.screenings {
                        caption.visually-hidden { "Screenings, newest first" }
                        thead { tr { th scope="col" { "Date" } th scope="col" { "Level" } th scope="col" { "Reasons" } th scope="col" { "Booking" } } }
                        tbody {
                            @for s in list {
                                tr {
                                    td { (date_time(s.created_at)) }
                                    td { (level_label(s.assessment.level)) }
                                    td {
                                        @if s.assessment.reasons.is_empty() { "None" }
                                        @else { ul.reasons { @for r in &s.assessment.reasons { li { (r.message) } } } }
                                    }
                                    td {
                                        @match s.booking {
                                            Some(b) => { a href={ "/visits/" (b.0) } { "Booking " (b.0) } }
                                            None => "No booking made",
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn clearances(&self) -> Markup {
        let list = &self.file.clearances;
        html! {
            @if list.is_empty() { p.meta { "No clearances recorded." } }
            @else {
                div.table-scroll tabindex="0" role="region" aria-label="Clearances" {
                    table.clearances {
                        caption.visually-hidden { "Clearances, newest first" }
                        thead { tr { th scope="col" { "Booking" } th scope="col" { "From" } th scope="col" { "Recorded" } th scope="col" { "Note" } } }
                        tbody {
                            @for c in list {
                                tr {
                                    td { a href={ "/visits/" (c.booking_id.0) } { "Booking " (c.booking_id.0) } }
                                    td { (c.cleared_by) }
                                    td { (date_time(c.recorded_at)) " by " (actor(self.caller, Some(&self.file.client), Some(c.recorded_by)).to_lowercase()) }
                                    td { @if c.note.is_empty() { "None" } @else { (c.note) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
