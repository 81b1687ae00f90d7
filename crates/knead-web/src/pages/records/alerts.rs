//! What the dashboards (`/manage` for the manager, `/account` for a therapist) show of the care records:
//! episodes whose response asks for action, and notes left unsigned for over a day, each linking to the
//! record. Neither reads a record's content, so neither is an audited read.

use super::status_label;
use crate::auth::Caller;
use crate::error::WebError;
use crate::state::AppState;
use knead_app::records::{episodes, notes};
use maud::{html, Markup};

/// The alerts and the overdue drafts of `caller` (a therapist's own; every one for a manager).
pub(crate) async fn section(state: &AppState, caller: &Caller) -> Result<Markup, WebError> {
    let app = state.app();
    let alerts = episodes::alerts(app, &caller.user).await?;
    let drafts = notes::overdue_drafts(app, &caller.user).await?;
    let date_time = crate::pages::clients::date_time;
    Ok(html! {
        section #care-alerts aria-labelledby="care-alerts-heading" {
            h2 #care-alerts-heading { "Clients not responding to care" }
            @if alerts.is_empty() {
                p.meta { "None: every active episode is responding or too early to judge." }
            } @else {
                p.hint { "The clinic policy asks you to act on these." }
                ul.alerts {
                    @for a in &alerts {
                        li class={ "alert " (a.response.status.as_str()) } {
                            a href={ "/manage/episodes/" (a.episode.id.0) } { (a.client_name) ": " (a.episode.title()) }
                            " — " strong { (status_label(a.response.status)) }
                            @if let Some(since) = a.response.since { " since " (crate::ui::full_date(since)) }
                            ". " (a.response.recommendation)
                            @if a.response.rescreen { " " strong { "Repeat the red-flag screening." } }
                        }
                    }
                }
            }
        }
        section #overdue-notes aria-labelledby="overdue-notes-heading" {
            h2 #overdue-notes-heading { "Notes unsigned for over 24 hours" }
            @if drafts.is_empty() {
                p.meta { "None." }
            } @else {
                ul.plain {
                    @for n in &drafts {
                        li {
                            a href=(super::notes::draft_link(n)) { "Draft note of " (date_time(n.content.started_at)) }
                            ", started " (date_time(n.created_at)) " · "
                            a href={ "/manage/episodes/" (n.episode_id.0) } { "its episode" }
                        }
                    }
                }
            }
        }
    })
}
