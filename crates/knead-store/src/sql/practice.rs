//! The practice over SQL: its own details (one row), and its clinics with their rooms — added, replaced
//! under the clinic's booking lock, archived and restored.
//!
//! A removed room keeps its row, because past visits point at it: it is marked archived, and its name gets
//! its id appended so the clinic may name a new room as the old one was called (room names are unique within
//! a clinic).

use super::booking::point;
use super::{returned_id, DbError, Locks, Rows, SqlDatabase, SqlTransaction};
use crate::{BusyRoom, ClinicError, StoreError, StoreResult};
use jiff::Timestamp;
use knead_core::booking::{Clinic, ClinicDraft, ClinicId, Room, RoomId};
use knead_core::practice::PracticeDetails;

pub(super) const PRACTICE_DETAILS: &str = "select name, phone, email, address from practice_details where id = 1";
const SAVE_PRACTICE_DETAILS: &str = "insert into practice_details (id, name, phone, email, address) \
     values (1, $1, $2, $3, $4) on conflict (id) do update set name = excluded.name, phone = excluded.phone, \
     email = excluded.email, address = excluded.address";

/// Clinics and their rooms in one statement, one row per room the clinic still has.
macro_rules! clinic_select {
    () => {
        "select c.id, c.name, c.address, c.lat, c.lon, c.archived, r.id as room_id, r.name as room_name \
         from clinics c left join rooms r on r.clinic_id = c.id and not r.archived "
    };
}

/// How many columns of `clinic_select!` are the clinic's own.
const CLINIC_WIDTH: usize = 6;

const CLINICS: &str = concat!(clinic_select!(), "order by c.id, r.id");
const CLINIC_BY_ID: &str = concat!(clinic_select!(), "where c.id = $1 order by r.id");
const CREATE_CLINIC: &str = "insert into clinics (name, address, lat, lon) values ($1, $2, $3, $4) returning id";
const UPDATE_CLINIC: &str = "update clinics set name = $2, address = $3, lat = $4, lon = $5 where id = $1";
const SET_CLINIC_ARCHIVED: &str = "update clinics set archived = $2 where id = $1";
const CREATE_ROOM: &str = "insert into rooms (clinic_id, name) values ($1, $2)";
const RENAME_ROOM: &str = "update rooms set name = $2 where id = $1";
const REMOVE_ROOM: &str = "update rooms set archived = true, name = $2 where id = $1";
/// The clinic's rooms with an active visit ending after `$2`, and when the first of those visits starts.
const BUSY_ROOMS: &str = "select r.id, r.name, min(v.block_start) as next_visit from rooms r \
     join visits v on v.room_id = r.id where r.clinic_id = $1 and v.active and v.block_end > $2 \
     group by r.id, r.name order by r.id";

pub(super) fn read_details(mut rows: Rows) -> StoreResult<PracticeDetails> {
    let Some(mut r) = rows.first("practice_details") else { return Ok(PracticeDetails::default()) };
    r.now_reading("practice_details", 1);
    let (name, phone) = (r.opt_text("name")?, r.opt_text("phone")?);
    let (email, address) = (r.opt_text("email")?, r.opt_text("address")?);
    // Only the field's name is reported: the practice's own details are not secret, but a row's contents
    // never go into an error.
    PracticeDetails::from_stored(name, phone, email, address).map_err(|errors| {
        let columns: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        r.corrupt(format!("column {}: not a valid detail", columns.join(", ")))
    })
}

pub(super) async fn save_details<D: SqlDatabase>(db: &D, d: &PracticeDetails) -> StoreResult<()> {
    let params = [
        d.name.as_ref().into(),
        d.phone.as_ref().map(|p| p.as_str()).into(),
        d.email.as_ref().into(),
        d.address.as_ref().into(),
    ];
    db.execute(SAVE_PRACTICE_DETAILS, &params).await?;
    Ok(())
}

fn read_clinics(mut rows: Rows) -> StoreResult<Vec<Clinic>> {
    let mut clinics: Vec<Clinic> = Vec::new();
    for mut r in rows.read("clinics") {
        let id = r.id("id")?;
        if clinics.last().is_some_and(|c| c.id.0 == id) {
            r.seek(CLINIC_WIDTH);
        } else {
            let (name, address) = (r.text("name")?, r.text("address")?);
            let (lat, lon) = (r.float("lat")?, r.float("lon")?);
            let at = point(lat, lon).ok_or_else(|| r.corrupt("columns lat, lon: not a place on earth"))?;
            let archived = r.bool("archived")?;
            let rooms = Vec::new();
            clinics.push(Clinic { id: ClinicId(id), name, address, lat: at.lat, lon: at.lon, rooms, archived });
        }
        if r.next_is_null() {
            continue;
        }
        let room = r.int("room_id")?;
        r.now_reading("rooms", room);
        let room = Room { id: RoomId(room), name: r.text("room_name")? };
        if let Some(clinic) = clinics.last_mut() {
            clinic.rooms.push(room);
        }
    }
    Ok(clinics)
}

pub(super) async fn clinics<D: SqlDatabase>(db: &D) -> StoreResult<Vec<Clinic>> {
    let mut clinics = read_clinics(db.query(CLINICS, &[]).await?)?;
    // By name byte by byte, as SQLite's default collation orders; equal names keep id order.
    clinics.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(clinics)
}

async fn clinic_in(tx: &mut dyn SqlTransaction, id: ClinicId) -> StoreResult<Clinic> {
    read_clinics(tx.query(CLINIC_BY_ID, &[id.into()]).await?)?.pop().ok_or(StoreError::NotFound)
}

pub(super) async fn clinic<D: SqlDatabase>(db: &D, id: ClinicId) -> StoreResult<Clinic> {
    read_clinics(db.query(CLINIC_BY_ID, &[id.into()]).await?)?.pop().ok_or(StoreError::NotFound)
}

pub(super) async fn create_clinic<D: SqlDatabase>(db: &D, d: &ClinicDraft) -> StoreResult<Clinic> {
    let mut tx = db.write(&Locks::none()).await?;
    let params = [(&d.name).into(), (&d.address).into(), d.at.lat.into(), d.at.lon.into()];
    let id = returned_id(tx.query(CREATE_CLINIC, &params).await?, "clinics")?;
    // One insert per room, in order, so room ids follow the order the rooms were given.
    for room in &d.rooms {
        tx.execute(CREATE_ROOM, &[id.into(), (&room.name).into()]).await?;
    }
    let clinic = clinic_in(tx.as_mut(), ClinicId(id)).await?;
    tx.commit().await?;
    Ok(clinic)
}

/// The lock a booking at the clinic takes, so a change to its rooms or its archiving waits for a booking
/// being written there (and the reverse).
fn clinic_lock(id: ClinicId) -> Locks {
    Locks { clinic: Some(id), ..Locks::none() }
}

pub(super) async fn update_clinic<D: SqlDatabase>(
    db: &D,
    id: ClinicId,
    d: &ClinicDraft,
    now: Timestamp,
) -> Result<Clinic, ClinicError> {
    let mut tx = db.write(&clinic_lock(id)).await?;
    let current = clinic_in(tx.as_mut(), id).await?;
    if let Some(index) = d.rooms.iter().position(|r| r.id.is_some_and(|id| !current.rooms.iter().any(|c| c.id == id))) {
        return Err(ClinicError::UnknownRoom { index });
    }
    let removed: Vec<&Room> =
        current.rooms.iter().filter(|room| !d.rooms.iter().any(|kept| kept.id == Some(room.id))).collect();
    if !removed.is_empty() {
        let mut busy = Vec::new();
        for mut r in tx.query(BUSY_ROOMS, &[id.into(), now.into()]).await?.read("rooms") {
            let room = RoomId(r.id("id")?);
            let (name, next_visit) = (r.text("name")?, r.time("next_visit")?);
            if removed.iter().any(|gone| gone.id == room) {
                busy.push(BusyRoom { id: room, name, next_visit });
            }
        }
        if !busy.is_empty() {
            return Err(ClinicError::RoomsInUse(busy));
        }
    }

    let params = [id.into(), (&d.name).into(), (&d.address).into(), d.at.lat.into(), d.at.lon.into()];
    tx.execute(UPDATE_CLINIC, &params).await?;
    for room in &removed {
        let retired_name = format!("{} (removed #{})", room.name, room.id.0);
        tx.execute(REMOVE_ROOM, &[room.id.0.into(), (&retired_name).into()]).await?;
    }
    // Renames pass through a name no one can type (validation refuses control characters), so two rooms
    // may swap names without meeting the one-name-per-clinic rule halfway.
    let renamed: Vec<(RoomId, &str)> = d
        .rooms
        .iter()
        .filter_map(|kept| {
            let id = kept.id?;
            let before = current.rooms.iter().find(|c| c.id == id)?;
            (before.name != kept.name).then_some((id, kept.name.as_str()))
        })
        .collect();
    for (room, _) in &renamed {
        let passing_name = format!("\u{1}{}", room.0);
        tx.execute(RENAME_ROOM, &[room.0.into(), (&passing_name).into()]).await?;
    }
    for (room, name) in &renamed {
        tx.execute(RENAME_ROOM, &[room.0.into(), (*name).into()]).await?;
    }
    for room in d.rooms.iter().filter(|r| r.id.is_none()) {
        tx.execute(CREATE_ROOM, &[id.into(), (&room.name).into()]).await?;
    }
    let clinic = clinic_in(tx.as_mut(), id).await?;
    tx.commit().await?;
    Ok(clinic)
}

impl From<DbError> for ClinicError {
    fn from(e: DbError) -> ClinicError {
        ClinicError::Store(e.into())
    }
}

pub(super) async fn set_clinic_archived<D: SqlDatabase>(db: &D, id: ClinicId, archived: bool) -> StoreResult<Clinic> {
    let mut tx = db.write(&clinic_lock(id)).await?;
    if tx.execute(SET_CLINIC_ARCHIVED, &[id.into(), archived.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    let clinic = clinic_in(tx.as_mut(), id).await?;
    tx.commit().await?;
    Ok(clinic)
}
