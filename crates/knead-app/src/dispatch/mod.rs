//! Dispatch: one practice day on a board, every therapist's route side by side; a re-plan of it by the day
//! optimizer (`knead-routing`'s [`knead_routing::day`]); and applying that re-plan in one transaction.
//!
//! - [`board`]: the day as booked, therapist by therapist, with each visit's place, window and whether a re-plan
//!   may move it ([`Fixed`] says why not).
//! - [`propose`] ([`plan`]): what the optimizer would change, as moves with the travel saved. Nothing is written.
//! - [`apply`]: writes a proposal's moves after checking each against the booking rules again; the store
//!   re-checks on fresh data under the therapists' locks and writes all or nothing, recording each change for
//!   its client and queueing the message that tells them.
//!
//! What a re-plan may change is what the client left open: the therapist, unless the client chose one, and the
//! start within the arrival window the client accepted (a fixed start otherwise). Clinic visits (rooms), visits
//! starting within the practice's lead time, and days a manager overrode (a visit outside the therapist's hours)
//! stay as they are.

mod apply;
mod plan;
#[cfg(test)]
mod tests;

pub use apply::{apply, MoveOrder};
pub use plan::{propose, Proposal, ProposedMove};

use crate::travel::Travel;
use crate::{App, AppResult};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_core::booking::{ArrivalWindow, Booking, BookingId, Where};
use knead_core::calendar::{
    check_date, instant_of, local_date, local_day, minute_of, PracticeSettings, TherapistSchedule,
};
use knead_core::geo::{GeoPoint, TravelTimes};
use knead_core::{Gender, Kind, ServiceId, TherapistId};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Why a re-plan leaves a visit where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed {
    /// The client chose the therapist.
    Named,
    /// A clinic visit: its room is booked with it.
    Clinic,
    /// It starts within the practice's lead time (or has started).
    Soon,
    /// Its therapist's day has a visit outside their hours (a manager's override): that day is left alone.
    OverriddenDay,
    /// A chair-massage day or a spa party: its sheet is laid out on its time and therapists.
    Group,
}

impl Fixed {
    pub fn as_str(self) -> &'static str {
        match self {
            Fixed::Named => "named_therapist",
            Fixed::Clinic => "clinic",
            Fixed::Soon => "soon",
            Fixed::OverriddenDay => "overridden_day",
            Fixed::Group => "group",
        }
    }

    /// In a sentence, for the board.
    pub fn describe(self) -> &'static str {
        match self {
            Fixed::Named => "the client chose this therapist",
            Fixed::Clinic => "a clinic visit keeps its room",
            Fixed::Soon => "starts too soon to change",
            Fixed::OverriddenDay => "this therapist's day has a visit outside their hours",
            Fixed::Group => "a chair-massage day or spa party keeps its time and therapists",
        }
    }
}

/// One visit on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct DayVisit {
    pub booking_id: BookingId,
    /// The booking's revision when read: a re-plan made from it is refused once it changes.
    pub revision: i64,
    pub service_id: ServiceId,
    pub service: String,
    /// The client's first name (staff see the rest on the visit's page).
    pub client_first_name: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The time blocked in the therapist's day: the treatment with set-up and pack-up.
    pub block_start: Timestamp,
    pub block_end: Timestamp,
    pub at: GeoPoint,
    /// The street address, or the clinic's name.
    pub place: String,
    pub arrival: Option<ArrivalWindow>,
    /// `None` when a re-plan may move it.
    pub fixed: Option<Fixed>,
    /// In a couples visit, the other therapist.
    pub with: Option<TherapistId>,
    /// The therapist's gender the client asked for: a re-plan gives the visit only to such a therapist.
    pub asks: Option<Gender>,
}

/// One therapist's day.
#[derive(Debug, Clone, PartialEq)]
pub struct TherapistDay {
    pub therapist: TherapistId,
    pub name: String,
    pub base: GeoPoint,
    /// Working windows on the date.
    pub windows: Vec<(Timestamp, Timestamp)>,
    /// By start.
    pub visits: Vec<DayVisit>,
    /// Minutes of driving: from base to each window's first visit, between visits, and home after the last.
    pub travel_min: i64,
}

/// A practice day, therapist by therapist.
#[derive(Debug, Clone)]
pub struct DayBoard {
    pub date: Date,
    pub zone: TimeZone,
    pub therapists: Vec<TherapistDay>,
    pub travel_min: i64,
}

/// The day as booked, every working therapist's route side by side.
pub async fn board(app: &App, date: Date) -> AppResult<DayBoard> {
    let day = Loaded::read(app, date).await?;
    let travel = day.travel(app, &day.points()).await;
    Ok(day.board(&travel))
}

/// What a dispatch use case reads once: the settings, the therapists who work that day and every active booking
/// with a visit of theirs on it.
#[derive(Clone)]
pub(crate) struct Loaded {
    pub date: Date,
    pub settings: PracticeSettings,
    pub schedules: Vec<TherapistSchedule>,
    pub names: HashMap<TherapistId, String>,
    pub services: HashMap<ServiceId, String>,
    /// Chair-massage and spa-party services: their bookings stay where they are.
    pub group_services: HashSet<ServiceId>,
    pub bookings: Vec<Booking>,
    /// Each clinic's place and name, for the visits there.
    pub clinics: HashMap<i64, (GeoPoint, String)>,
    pub now: Timestamp,
}

impl Loaded {
    pub async fn read(app: &App, date: Date) -> AppResult<Loaded> {
        check_date("date", date)?;
        let store = app.store();
        let settings = store.practice_settings().await?;
        let tz = settings.zone().clone();
        let day = local_day(&tz, date);
        let (from, to) = (instant_of(day.origin), instant_of(day.end));
        let schedules: Vec<TherapistSchedule> =
            store.schedules().await?.into_iter().filter(|s| !s.windows_on(&tz, date).is_empty()).collect();
        let mut bookings: BTreeMap<BookingId, Booking> = BTreeMap::new();
        for s in &schedules {
            for b in store.therapist_bookings(s.therapist_id, from, to).await? {
                bookings.insert(b.id, b);
            }
        }
        let names = store.list_therapists(true).await?.into_iter().map(|t| (t.id, t.name)).collect();
        let all_services = store.list_services(true).await?;
        let group_services =
            all_services.iter().filter(|s| matches!(s.kind, Kind::Chair | Kind::Party)).map(|s| s.id).collect();
        let services = all_services.into_iter().map(|s| (s.id, s.name)).collect();
        let bookings = bookings.into_values().filter(|b| b.status.is_active()).collect();
        let clinics = store.clinics().await?.into_iter().map(|c| (c.id.0, (c.at(), c.name.clone()))).collect();
        Ok(Loaded { date, settings, schedules, names, services, group_services, bookings, clinics, now: app.now() })
    }

    pub fn zone(&self) -> &TimeZone {
        self.settings.zone()
    }

    /// Every base and every visit's place, for the travel model to price.
    pub fn points(&self) -> Vec<GeoPoint> {
        let bases = self.schedules.iter().map(|s| s.base);
        let places = self.bookings.iter().filter_map(|b| match &b.place {
            Where::Mobile { at, .. } => Some(*at),
            Where::Clinic(id) => self.clinics.get(&id.0).map(|c| c.0),
        });
        bases.chain(places).collect()
    }

    /// The practice's travel model over `points`: road times when a router is set (gathered in one round),
    /// else straight lines.
    pub async fn travel(&self, app: &App, points: &[GeoPoint]) -> Travel {
        let model = crate::booking::travel_model(&self.settings);
        match app.current_road_travel().await {
            None => Travel::Straight(model),
            Some(road) => {
                let ask_all = |travel: &dyn TravelTimes| {
                    for &a in points {
                        for &b in points {
                            travel.minutes(a, b);
                        }
                    }
                };
                Travel::Road(road.run_owned(None, model, self.now, ask_all).await.1)
            }
        }
    }

    /// The day as it would be after `moves`: each moved booking at its new start with its new therapists (visits
    /// keep their set-up and pack-up; a couple's halves keep their order).
    pub fn moved(&self, moves: &[ProposedMove]) -> Loaded {
        let mut day = self.clone();
        for m in moves {
            if let Some(b) = day.bookings.iter_mut().find(|b| b.id == m.booking_id) {
                let shift = m.to_start.duration_since(b.start);
                b.start = m.to_start;
                b.end = b.end.saturating_add(shift).unwrap_or(b.end);
                for (v, &t) in b.visits.iter_mut().zip(&m.to_therapists) {
                    v.therapist_id = t;
                    v.block_start = v.block_start.saturating_add(shift).unwrap_or(v.block_start);
                    v.block_end = v.block_end.saturating_add(shift).unwrap_or(v.block_end);
                }
            }
        }
        day
    }

    /// Why a re-plan may not move `b`, if it may not (its therapists' days aside).
    pub fn fixed(&self, b: &Booking) -> Option<Fixed> {
        let soon = minute_of(self.now) + self.settings.lead_minutes;
        if b.therapists_named {
            Some(Fixed::Named)
        } else if self.group_services.contains(&b.service_id) {
            Some(Fixed::Group)
        } else if matches!(b.place, Where::Clinic(_)) {
            Some(Fixed::Clinic)
        } else if minute_of(b.start) < soon || local_date(self.zone(), b.start) != self.date {
            Some(Fixed::Soon)
        } else {
            None
        }
    }

    /// Therapists with a visit that is not inside one of their windows: their day is left as it is.
    pub fn overridden(&self) -> Vec<TherapistId> {
        let mut out = Vec::new();
        for s in &self.schedules {
            let windows = s.windows_on(self.zone(), self.date);
            let outside =
                self.bookings.iter().flat_map(|b| &b.visits).filter(|v| v.therapist_id == s.therapist_id).any(|v| {
                    let (from, to) = (minute_of(v.block_start), knead_core::calendar::end_minute_of(v.block_end));
                    !windows.iter().any(|&(open, close)| open <= from && to <= close)
                });
            if outside {
                out.push(s.therapist_id);
            }
        }
        out
    }

    /// The day as booked, therapist by therapist, its drives priced by `travel`.
    pub fn board(&self, travel: &dyn TravelTimes) -> DayBoard {
        let tz = self.zone().clone();
        let overridden = self.overridden();
        let mut therapists = Vec::with_capacity(self.schedules.len());
        for s in &self.schedules {
            let mut visits: Vec<DayVisit> = Vec::new();
            for b in &self.bookings {
                for v in b.visits.iter().filter(|v| v.therapist_id == s.therapist_id) {
                    let (at, place) = match &b.place {
                        Where::Mobile { at, address } => (*at, address.clone()),
                        Where::Clinic(id) => {
                            self.clinics.get(&id.0).cloned().unwrap_or_else(|| (s.base, "a clinic".into()))
                        }
                    };
                    let fixed = match overridden.iter().any(|t| b.visits.iter().any(|v| v.therapist_id == *t)) {
                        true => Some(Fixed::OverriddenDay),
                        false => self.fixed(b),
                    };
                    visits.push(DayVisit {
                        booking_id: b.id,
                        revision: b.revision,
                        service_id: b.service_id,
                        service: self.services.get(&b.service_id).cloned().unwrap_or_default(),
                        client_first_name: b.client.name.split_whitespace().next().unwrap_or("").to_string(),
                        start: b.start,
                        end: b.end,
                        block_start: v.block_start,
                        block_end: v.block_end,
                        at,
                        place,
                        arrival: b.arrival,
                        fixed,
                        with: b.visits.iter().map(|o| o.therapist_id).find(|t| *t != s.therapist_id),
                        asks: b.therapist_gender,
                    });
                }
            }
            visits.sort_by_key(|v| (v.block_start, v.booking_id));
            let windows = s.windows_on(&tz, self.date);
            let travel_min = route_travel(s.base, &windows, &visits, travel);
            therapists.push(TherapistDay {
                therapist: s.therapist_id,
                name: self.names.get(&s.therapist_id).cloned().unwrap_or_default(),
                base: s.base,
                windows: windows.iter().map(|&(a, b)| (instant_of(a), instant_of(b))).collect(),
                visits,
                travel_min,
            });
        }
        therapists.sort_by(|a, b| a.name.cmp(&b.name));
        let travel_min = therapists.iter().map(|t| t.travel_min).sum();
        DayBoard { date: self.date, zone: tz, therapists, travel_min }
    }
}

/// A day's driving as the optimizer counts it: each window a tour from base and back, visits in time order
/// (a visit outside every window is a tour of its own).
pub(crate) fn route_travel(
    base: GeoPoint,
    windows: &[(i64, i64)],
    visits: &[DayVisit],
    travel: &dyn TravelTimes,
) -> i64 {
    let mut tours: BTreeMap<usize, Vec<GeoPoint>> = BTreeMap::new();
    for (i, v) in visits.iter().enumerate() {
        let from = minute_of(v.block_start);
        let tour = windows.iter().position(|&(open, close)| open <= from && from < close).unwrap_or(windows.len() + i);
        tours.entry(tour).or_default().push(v.at);
    }
    let minutes = |a: GeoPoint, b: GeoPoint| i64::from(travel.minutes(a, b));
    tours
        .values()
        .map(|stops| {
            let mut at = base;
            let mut sum = 0;
            for &next in stops {
                sum += minutes(at, next);
                at = next;
            }
            sum + minutes(at, base)
        })
        .sum()
}

/// The manager with this email, who a re-plan applied from the command line is recorded as made by.
pub async fn manager_by_email(app: &App, email: &str) -> AppResult<knead_core::User> {
    let user = crate::accounts::user_by_email(app, email).await?;
    if user.role != knead_core::Role::Manager {
        return Err(crate::AppError::field("not_a_manager", "as", "only a manager may apply a re-plan"));
    }
    Ok(user)
}
