//! How availability prices drives: the practice's straight-line estimate, or road times from OSRM with what they
//! served since the server started, how many drives fell back to straight lines and why, last.

use super::calendar_crumbs;
use crate::auth::Manager;
use crate::error::WebError;
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Html;
use jiff::tz::TimeZone;
use knead_app::calendar;
use knead_app::travel::{self, RoadStatus, TravelStatus};
use maud::{html, Markup};

pub(super) fn routes() -> Routes {
    Routes::new().route("/manage/travel", get(travel_page))
}

async fn travel_page(State(state): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    let status = travel::status(state.app()).await?;
    let settings = calendar::settings(state.app()).await?;
    Ok(Frame::signed_in(&state, &caller).page("Travel times", travel_view(&status, settings.zone())))
}

fn travel_view(status: &TravelStatus, tz: &TimeZone) -> Markup {
    html! {
        (calendar_crumbs())
        h1 { "Travel times" }
        @match status {
            TravelStatus::StraightLines { road_factor, speed_kmh } => {
                p {
                    "Drives are estimated from straight lines: the distance times a road factor of " (road_factor)
                    ", at " (speed_kmh) " km/h (both in " a href="/manage/settings" { "booking settings" } ")."
                }
                p { "For drive times along real roads, start knead with " code { "--osrm-url" } " (or " code { "osrm_url" }
                    " in its configuration file) pointing at an OSRM server for your area." }
            }
            TravelStatus::Roads(road) => (roads_view(road, tz)),
        }
    }
}

fn roads_view(s: &RoadStatus, tz: &TimeZone) -> Markup {
    let drives = s.pairs_from_roads + s.pairs_fell_back;
    let share =
        |n: u64| if drives == 0 { String::new() } else { format!(" ({:.1} %)", 100.0 * n as f64 / drives as f64) };
    html! {
        p { "Drives are priced along roads by " strong { (s.router) } ". Figures since the server started." }
        table.list {
            tbody {
                tr { th { "Drives priced by road" } td { (s.pairs_from_roads) (share(s.pairs_from_roads)) } }
                tr { th { "Drives that fell back to straight lines" } td { (s.pairs_fell_back) (share(s.pairs_fell_back)) } }
                tr { th { "Requests to the router" } td { (s.requests) @if s.failed_requests > 0 { " (" (s.failed_requests) " failed)" } } }
                tr { th { "Pairs of places remembered" } td { (s.cached_pairs) } }
                tr {
                    th { "Last fallback" }
                    td {
                        @match &s.last_fallback {
                            None => "None",
                            Some(last) => {
                                (crate::pages::page_locale().wall_clock.date_time(tz, last.at)) ": " (last.pairs)
                                " drives on straight lines, because " (last.reason.to_string())
                            }
                        }
                    }
                }
            }
        }
        p {
            "A drive falls back to a straight line when the router knows no road between the two places (a place on a "
            "private road, or at the edge of the map) or does not answer; availability and booking go on either way."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::{with_page_locale, PageLocale};
    use knead_app::travel::{FallbackReason, LastFallback};
    use knead_core::calendar::{Locale, TimeFormat, WallClock};

    #[test]
    fn the_road_status_shows_what_fell_back_and_why_in_the_practice_zone() {
        let status = RoadStatus {
            router: "OSRM at http://127.0.0.1:5000".into(),
            pairs_from_roads: 900,
            pairs_fell_back: 100,
            requests: 12,
            failed_requests: 1,
            cached_pairs: 5_000,
            last_fallback: Some(LastFallback {
                at: "2026-06-01T09:30:00Z".parse().unwrap(),
                pairs: 7,
                reason: FallbackReason::RouterFailed("no answer within 2 s".into()),
            }),
        };
        let helsinki = TimeZone::get("Europe/Helsinki").unwrap();
        let european = PageLocale {
            wall_clock: WallClock { time_format: TimeFormat::H24, locale: Locale::EnGb },
            zone: helsinki.clone(),
        };
        let page = with_page_locale(european, || travel_view(&TravelStatus::Roads(status.clone()), &helsinki));
        let page = page.into_string();
        let north_american = PageLocale { wall_clock: WallClock::default(), zone: helsinki.clone() };
        let twelve = with_page_locale(north_american, || travel_view(&TravelStatus::Roads(status), &helsinki));
        assert!(twelve.into_string().contains("Jun 1, 2026, 12:30 pm: 7 drives"), "on a 12-hour clock");
        for shown in [
            "OSRM at http://127.0.0.1:5000",
            "900 (90.0 %)",
            "100 (10.0 %)",
            "12 (1 failed)",
            "5000",
            "1 Jun 2026, 12:30: 7 drives on straight lines, because the router did not answer: no answer within 2 s",
        ] {
            assert!(page.contains(shown), "{shown} in {page}");
        }
        let lines = TravelStatus::StraightLines { road_factor: 1.3, speed_kmh: 30.0 };
        let page = travel_view(&lines, &TimeZone::UTC).into_string();
        assert!(page.contains("straight lines: the distance times a road factor of 1.3, at 30 km/h"), "{page}");
    }
}
