//! Turns the flat rows both adapters read into the domain's nested values, in one place, so the two
//! backends cannot drift apart. Rows are grouped by owner once (a map), not filtered per owner.

use knead_core::booking::{Clinic, ClinicId, Room, RoomId};
use knead_core::calendar::{DayOverride, TherapistSchedule, TimeOff, WeeklyWindow};
use knead_core::geo::GeoPoint;
use knead_core::{ServiceId, TherapistId};
use std::collections::HashMap;

/// The rows a set of schedules is made from, each tagged with its therapist's id; order within a
/// therapist is kept.
#[derive(Debug, Default)]
pub struct ScheduleRows {
    /// Therapist id, home base, service radius (km), in the order the schedules are returned.
    pub bases: Vec<(i64, GeoPoint, f64)>,
    pub services: Vec<(i64, ServiceId)>,
    pub weekly: Vec<(i64, WeeklyWindow)>,
    pub overrides: Vec<(i64, DayOverride)>,
    pub time_off: Vec<(i64, TimeOff)>,
}

fn group<T>(rows: Vec<(i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for (owner, row) in rows {
        map.entry(owner).or_default().push(row);
    }
    map
}

pub fn schedules(rows: ScheduleRows) -> Vec<TherapistSchedule> {
    let mut services = group(rows.services);
    let mut weekly = group(rows.weekly);
    let mut overrides = group(rows.overrides);
    let mut time_off = group(rows.time_off);
    rows.bases
        .into_iter()
        .map(|(t, base, radius_km)| TherapistSchedule {
            therapist_id: TherapistId(t),
            base,
            radius_km,
            service_ids: services.remove(&t).unwrap_or_default(),
            weekly: weekly.remove(&t).unwrap_or_default(),
            overrides: overrides.remove(&t).unwrap_or_default(),
            time_off: time_off.remove(&t).unwrap_or_default(),
        })
        .collect()
}

/// Clinics `(id, name, address, lat, lon)` with their rooms `(clinic id, room id, name)`.
pub fn clinics(clinics: Vec<(i64, String, String, f64, f64)>, rooms: Vec<(i64, i64, String)>) -> Vec<Clinic> {
    let mut rooms =
        group(rooms.into_iter().map(|(clinic, id, name)| (clinic, Room { id: RoomId(id), name })).collect());
    clinics
        .into_iter()
        .map(|(id, name, address, lat, lon)| Clinic {
            id: ClinicId(id),
            name,
            address,
            lat,
            lon,
            rooms: rooms.remove(&id).unwrap_or_default(),
        })
        .collect()
}
