//! Dispatch over the demo's mobile day (the board, a proposal, applying it, refusals), and the property that
//! applying any proposal keeps every booking guarantee, over random days booked through the booking use case.

use super::*;
use crate::accounts::create_user;
use crate::accounts::test_support::app_at;
use crate::booking;
use crate::AppError;
use jiff::ToSpan;
use knead_core::booking::{BookingInput, ContactInput};
use knead_core::calendar::end_minute_of;
use knead_core::notify::JobKind;
use knead_core::{Gender, User};
use knead_store::JobFilter;
use proptest::prelude::*;

/// 09:00 in Helsinki on Monday 1 June 2026; the demo's mobile day is then Wednesday 3 June.
fn now() -> Timestamp {
    "2026-06-01T06:00:00Z".parse().unwrap()
}

async fn demo() -> (App, User) {
    let app = app_at(now()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), now()).await.unwrap();
    let manager =
        create_user(&app, "dispatcher@example.test", "Dana Fictional", "manager", "a long and quiet evening 42")
            .await
            .unwrap();
    (app, manager)
}

async fn demo_day() -> (App, User, Date) {
    let (app, manager) = demo().await;
    assert_eq!(knead_demo::load_day(app.store(), now()).await.unwrap(), 7, "every demo visit is booked");
    (app, manager, knead_demo::demo_day(jiff::civil::date(2026, 6, 1)))
}

fn orders(p: &Proposal) -> Vec<MoveOrder> {
    p.moves
        .iter()
        .map(|m| MoveOrder {
            booking_id: m.booking_id,
            revision: m.revision,
            start: m.to_start,
            therapist_ids: m.to_therapists.clone(),
        })
        .collect()
}

fn day_of<'a>(board: &'a DayBoard, name: &str) -> &'a TherapistDay {
    board.therapists.iter().find(|t| t.name.starts_with(name)).unwrap()
}

#[tokio::test]
async fn the_board_shows_each_route_and_what_may_move() {
    let (app, _, date) = demo_day().await;
    assert_eq!(date, jiff::civil::date(2026, 6, 3));
    let board = board(&app, date).await.unwrap();
    let (liza, theo, ines) = (day_of(&board, "Liza"), day_of(&board, "Théo"), day_of(&board, "Ines"));
    assert_eq!((liza.visits.len(), theo.visits.len(), ines.visits.len()), (3, 3, 1));
    assert!(liza.visits.iter().chain(&theo.visits).all(|v| v.fixed.is_none() && v.arrival.is_some()));
    assert_eq!(ines.visits[0].fixed, Some(Fixed::Named));
    assert!(liza.travel_min > 0 && theo.travel_min > 0);
    assert_eq!(board.travel_min, board.therapists.iter().map(|t| t.travel_min).sum::<i64>());
}

#[tokio::test]
async fn a_proposal_saves_driving_within_what_clients_left_open() {
    let (app, _, date) = demo_day().await;
    let proposal = propose(&app, date).await.unwrap();
    assert!(proposal.travel_saved_min() > 0, "the crossed day has driving to save");
    assert!(!proposal.moves.is_empty());
    let before = board(&app, date).await.unwrap();
    let named = day_of(&before, "Ines").visits[0].booking_id;
    assert!(proposal.moves.iter().all(|m| m.booking_id != named), "a chosen therapist stays");
    for m in &proposal.moves {
        let v = before.therapists.iter().flat_map(|t| &t.visits).find(|v| v.booking_id == m.booking_id).unwrap();
        assert!(v.arrival.unwrap().contains(m.to_start), "within the accepted window");
    }
    // Theo's day goes back to Hakaniemi, Liza's to Kamppi, but Jonna (in Hakaniemi) asked for a woman.
    let after = &proposal.after;
    let jonna = day_of(&before, "Liza").visits.iter().find(|v| v.client_first_name == "Jonna").unwrap().booking_id;
    assert!(day_of(after, "Théo").visits.iter().all(|v| v.at.lat > 60.175 && v.booking_id != jonna));
    let liza = day_of(after, "Liza");
    assert!(liza.visits.iter().all(|v| v.at.lat < 60.170 || v.booking_id == jonna), "{liza:?}");
    let again = propose(&app, date).await.unwrap();
    assert_eq!(again.moves, proposal.moves, "the same day gives the same proposal");
}

#[tokio::test]
async fn applying_moves_every_booking_at_once_and_tells_each_client() {
    let (app, manager, date) = demo_day().await;
    let proposal = propose(&app, date).await.unwrap();
    let written = apply(&app, date, &orders(&proposal), &manager).await.unwrap();
    assert_eq!(written.len(), proposal.moves.len());
    let now_board = board(&app, date).await.unwrap();
    assert_eq!(now_board.travel_min, proposal.after.travel_min);
    for m in &proposal.moves {
        let b = app.store().booking(m.booking_id).await.unwrap();
        assert_eq!((b.start, b.therapist_ids()), (m.to_start, m.to_therapists.clone()));
        let changes = app.store().booking_changes(m.booking_id).await.unwrap();
        assert!(!changes.is_empty() && changes.iter().all(|c| c.by == Some(manager.id)));
        let filter = JobFilter { booking: Some(m.booking_id), limit: 50, ..JobFilter::default() };
        let jobs = app.store().jobs(&filter).await.unwrap();
        assert_eq!(jobs.iter().filter(|j| j.kind == JobKind::BookingChanged).count(), 1, "told once");
    }
    // The same plan again was made from revisions that are gone.
    let stale = apply(&app, date, &orders(&proposal), &manager).await;
    assert!(matches!(stale, Err(AppError::Conflict { code: crate::ConflictCode::Stale, .. })), "{stale:?}");
    let next = propose(&app, date).await.unwrap();
    assert!(next.moves.is_empty(), "nothing better after the re-plan: {:?}", next.moves);
}

#[tokio::test]
async fn moves_a_re_plan_may_not_make_are_refused_and_nothing_changes() {
    let (app, manager, date) = demo_day().await;
    let before = board(&app, date).await.unwrap();
    let (liza, ines, theo) = (day_of(&before, "Liza"), day_of(&before, "Ines"), day_of(&before, "Théo"));
    let (free, named) = (&liza.visits[0], &ines.visits[0]);
    let jonna = liza.visits.iter().find(|v| v.asks == Some(Gender::Female)).expect("Jonna asked for a woman");
    let order = |v: &DayVisit, start: Timestamp, to: TherapistId| MoveOrder {
        booking_id: v.booking_id,
        revision: v.revision,
        start,
        therapist_ids: vec![to],
    };
    let cases = [
        (order(named, named.start, liza.therapist), "fixed", "moves[0].booking_id"),
        (order(free, free.start + 2.hours(), liza.therapist), "outside_arrival_window", "moves[0].start"),
        (order(free, free.start, TherapistId(9_999)), "invalid", "moves[0].therapist_ids"),
        (order(jonna, jonna.start, theo.therapist), "gender_preference", "moves[0].therapist_ids"),
    ];
    for (o, code, field) in cases {
        match apply(&app, date, &[o], &manager).await {
            Err(AppError::Invalid(e)) => assert_eq!((e.0[0].code, e.0[0].field.as_str()), (code, field), "{e:?}"),
            other => panic!("expected {code}, got {other:?}"),
        }
    }
    // A move into another visit's time passes the window but not the booking rule.
    let clash = order(free, free.start + 1.hours(), theo.therapist);
    let refused = apply(&app, date, &[clash], &manager).await;
    assert!(matches!(refused, Err(AppError::Invalid(_) | AppError::Unavailable(_))), "{refused:?}");
    assert_eq!(board(&app, date).await.unwrap().therapists, before.therapists, "nothing was written");
    let empty = apply(&app, date, &[], &manager).await;
    assert!(matches!(empty, Err(AppError::Invalid(_))));
}

/// A random home visit: where (around central Helsinki), when (on the 15-minute grid), how open.
#[derive(Debug, Clone)]
struct Wanted {
    lat: f64,
    lon: f64,
    minute: i64,
    window: i64,
    named: Option<usize>,
    asks: Option<Gender>,
}

fn wanted() -> impl Strategy<Value = Wanted> {
    (
        60.160f64..60.185,
        24.925f64..24.960,
        36i64..68,
        prop::sample::select(vec![0i64, 30, 60, 120]),
        prop::option::weighted(0.2, 0usize..3),
        prop::option::weighted(0.3, prop::sample::select(vec![Gender::Female, Gender::Male])),
    )
        .prop_map(|(lat, lon, quarter, window, named, asks)| Wanted {
            lat,
            lon,
            minute: quarter * 15,
            window,
            named,
            asks,
        })
}

/// Books what it can of `wanted` on the demo's mobile day through the booking use case (refusals skipped).
async fn book_day(app: &App, date: Date, wanted: &[Wanted]) {
    let settings = app.store().practice_settings().await.unwrap();
    let service = app
        .store()
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Massage with oil at home")
        .unwrap();
    let mobile: Vec<TherapistId> = app
        .store()
        .schedules()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.offers(service.id))
        .map(|s| s.therapist_id)
        .collect();
    for (i, w) in wanted.iter().enumerate() {
        let start = instant_of(knead_core::calendar::local_minute(settings.zone(), date, w.minute));
        let input = BookingInput {
            service_id: service.id.0,
            start: start.to_string(),
            therapist_ids: w.named.map(|n| vec![mobile[n % mobile.len()].0]),
            address: Some(format!("{} Fictional Street", i + 1)),
            lat: Some(w.lat),
            lon: Some(w.lon),
            client: Some(ContactInput {
                name: format!("Guest{i} Fictional"),
                email: format!("guest{i}@example.test"),
                phone: "040 555 0100".into(),
            }),
            arrival_window_minutes: Some(w.window),
            therapist_gender: w.asks.map(|g| g.as_str().to_string()),
            ..BookingInput::default()
        };
        let _ = booking::book(app, &input.validate().unwrap(), None, None, format!("fp-{i}")).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever the day, applying its proposal keeps every booking guarantee: each visit inside its therapist's
    /// hours with the drives it needs (the core's rule, run here on the final day), no two visits of a therapist
    /// overlapping, each start inside the window its client accepted, chosen therapists kept, a new therapist
    /// of the gender the client asked for; and the day drives no more than before.
    #[test]
    fn applying_a_proposal_keeps_every_booking_guarantee(wanted in prop::collection::vec(wanted(), 2..12)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (app, manager) = demo().await;
            let date = jiff::civil::date(2026, 6, 3);
            book_day(&app, date, &wanted).await;
            let before = Loaded::read(&app, date).await.unwrap();
            let proposal = propose(&app, date).await.unwrap();
            // A proposal saves driving, or proposes nothing: no client is moved for nothing.
            prop_assert!(proposal.moves.is_empty() || proposal.after.travel_min < proposal.before.travel_min);
            if !proposal.moves.is_empty() {
                apply(&app, date, &orders(&proposal), &manager).await.unwrap();
            }
            let after = Loaded::read(&app, date).await.unwrap();
            prop_assert_eq!(after.bookings.len(), before.bookings.len());
            let travel = crate::booking::travel_model(&after.settings);
            for b in &after.bookings {
                let was = before.bookings.iter().find(|x| x.id == b.id).unwrap();
                match was.arrival {
                    Some(w) => prop_assert!(w.contains(b.start)),
                    None => prop_assert_eq!(b.start, was.start),
                }
                if was.therapists_named {
                    prop_assert_eq!(b.therapist_ids(), was.therapist_ids());
                }
                let Where::Mobile { at, .. } = &b.place else { continue };
                for v in &b.visits {
                    let schedule = after.schedules.iter().find(|s| s.therapist_id == v.therapist_id).unwrap();
                    if !was.therapist_ids().contains(&v.therapist_id) {
                        prop_assert!(Gender::meets(was.therapist_gender, schedule.gender), "booking {}", b.id.0);
                    }
                    let others = super::plan::stops_of(&after, v.therapist_id, b.id);
                    for o in &others {
                        prop_assert!(o.end <= minute_of(v.block_start) || end_minute_of(v.block_end) <= o.start);
                    }
                    let day = schedule.route_day(after.zone(), date, others, &travel);
                    let buffer = minute_of(b.start) - minute_of(v.block_start);
                    let fits = day.check(minute_of(b.start), minute_of(b.end) - minute_of(b.start), buffer, *at, &travel);
                    prop_assert!(fits.is_ok(), "booking {} no longer fits: {:?}", b.id.0, fits);
                }
            }
            Ok(())
        })?;
    }
}
