//! The manager's pages: the dashboard, the lists of services, therapists and articles (`listing`), and what
//! availability is made from — the index of therapists' hours and calendars (here), each therapist's
//! schedule with time off and dated hours (`schedule`), the clinics and rooms (`clinics`), the practice's
//! booking settings (`settings`) and how drives are priced (`travel`). Every page here needs a signed-in manager.

mod clinics;
mod listing;
mod schedule;
mod settings;
mod travel;

use crate::auth::Manager;
use crate::error::WebError;
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Html;
use knead_app::calendar;
use knead_app::catalog::{Services, Therapists};
use knead_app::content::Articles;
use knead_app::listing::Audience;
use knead_core::calendar::TherapistSchedule;
use knead_core::Therapist;
use listing::Managed;
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/manage", get(dashboard))
        .merge(listing::routes::<Services>())
        .merge(listing::routes::<Therapists>())
        .merge(listing::routes::<Articles>())
        .route("/manage/calendar", get(calendar_index))
        .merge(schedule::routes())
        .merge(clinics::routes())
        .merge(settings::routes())
        .merge(travel::routes())
}

/// The trail above a manager's page: "Manage", then each `(path, label)` in turn.
fn crumbs(trail: &[(&str, &str)]) -> Markup {
    html! {
        p.crumbs {
            a href="/manage" { "Manage" }
            @for (path, label) in trail { " / " a href=(path) { (label) } }
        }
    }
}

/// The trail above the calendar's pages: Manage / Calendar.
fn calendar_crumbs() -> Markup {
    crumbs(&[("/manage/calendar", "Calendar")])
}

/// `?saved=...`: what the post that redirected here saved, to confirm it.
#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

impl SavedQuery {
    /// The confirmation to show, if the query names something these pages save.
    fn notice(&self) -> Option<&'static str> {
        match self.saved.as_deref()? {
            "hours" => Some("The hours were saved."),
            "time_off" => Some("The time off was added."),
            "time_off_deleted" => Some("The time off was removed."),
            "override" => Some("The date's hours were saved."),
            "clinic" => Some("The clinic was added."),
            "settings" => Some("The settings were saved."),
            _ => None,
        }
    }
}

async fn dashboard(State(state): State<AppState>, Manager(caller): Manager) -> Html<String> {
    Frame::signed_in(&state, &caller).page("Manage", dashboard_view())
}

fn dashboard_view() -> Markup {
    let sections = [
        (Services::PATH, Services::PLURAL, "What you sell: length, price, where, add-ons."),
        (Therapists::PATH, Therapists::PLURAL, "Public profiles: credentials, modalities, languages."),
        (Articles::PATH, Articles::PLURAL, "Educational articles in Markdown."),
        (
            "calendar",
            "Calendar and booking",
            "Therapists' hours, time off and calendars; clinics and rooms; booking settings.",
        ),
    ];
    html! {
        h1 { "Manage the practice" }
        div.grid {
            @for (path, title, text) in sections {
                article.card { h3 { a href={ "/manage/" (path) } { (title) } } p { (text) } }
            }
        }
    }
}

/// The manager's way in to availability: every bookable therapist's hours and calendar, the clinics and
/// the settings.
async fn calendar_index(State(state): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    // The public list is the therapists clients can book; archived ones have no calendar to keep.
    let therapists = knead_app::listing::list::<Therapists>(state.app(), Audience::Public).await?;
    let schedules = calendar::schedules(state.app()).await?;
    Ok(Frame::signed_in(&state, &caller).page("Calendar", calendar_index_view(&therapists, &schedules)))
}

fn calendar_index_view(therapists: &[Therapist], schedules: &[TherapistSchedule]) -> Markup {
    html! {
        (crumbs(&[]))
        h1 { "Calendar and booking" }
        p {
            a href="/manage/clinics" { "Clinics and rooms" } " · " a href="/manage/settings" { "Booking settings" }
            " · " a href="/manage/travel" { "Travel times" }
        }
        table.list {
            thead { tr { th { "Therapist" } th { "Hours" } th { span.visually-hidden { "Calendar" } } } }
            tbody {
                @for t in therapists {
                    @let has_hours = schedules.iter().any(|s| s.therapist_id == t.id);
                    tr {
                        td { (t.name) }
                        td { a href={ "/manage/therapists/" (t.id.0) "/schedule" } { @if has_hours { "Hours and time off" } @else { "Set hours" } } }
                        td {
                            a href={ "/manage/therapists/" (t.id.0) "/calendar" } { "Day" } " · "
                            a href={ "/manage/therapists/" (t.id.0) "/calendar?view=week" } { "Week" }
                        }
                    }
                }
            }
        }
    }
}
