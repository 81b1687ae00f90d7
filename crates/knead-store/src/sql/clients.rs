//! The clients port over SQL: client records, the versions of their health history, screenings,
//! clearances, and the audit log, each change of health information written with its audit entry in one
//! transaction under the audit lock.

use super::booking::{booking_select, one_booking, read_booking_list, BOOKING_BY_ID};
use super::{DbError, DbErrorKind, Locks, Param, Row, Rows, SqlDatabase, SqlTransaction};
use crate::{BookingFilter, ClientStore, ClientSummary, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId};
use knead_core::intake::audit::GENESIS;
use knead_core::intake::screening::Reason;
use knead_core::intake::{
    Action, Assessment, AuditEntry, AuditEvent, Clearance, Client, ClientDraft, ClientId, HealthHistory, IntakeVersion,
    Level, ScreeningAnswers, ScreeningId, ScreeningRecord,
};
use knead_core::{Email, TherapistId, UserId};

macro_rules! client_columns {
    () => {
        "id, name, email, phone, date_of_birth, addresses, user_id, created_at"
    };
}

const CLIENT_BY_ID: &str = concat!("select ", client_columns!(), " from clients where id = $1");
const CLIENT_FOR_USER: &str = concat!("select ", client_columns!(), " from clients where user_id = $1");
/// `$1` is an `Email`, lowercased when parsed; `lower(email)` is what the index holds.
const CLIENTS_BY_EMAIL: &str =
    concat!("select ", client_columns!(), " from clients where lower(email) = $1 order by created_at, id");
const INSERT_CLIENT: &str = concat!(
    "insert into clients (name, email, phone, date_of_birth, addresses, user_id, created_at) \
     values ($1, $2, $3, $4, $5, $6, $7) returning ",
    client_columns!()
);
const UPDATE_CLIENT: &str = concat!(
    "update clients set name = $2, email = $3, phone = $4, date_of_birth = $5, addresses = $6 \
     where id = $1 returning ",
    client_columns!()
);
/// Every client (or, when `$1` is not null, those with a visit by that therapist) with their counts.
const CLIENT_SUMMARIES: &str = concat!(
    "select ",
    client_columns!(),
    ", (select count(*) from bookings b where b.client_id = c.id) as bookings, \
     coalesce((select max(i.version) from intakes i where i.client_id = c.id), 0) as intake_version \
     from clients c where $1 is null or exists (select 1 from bookings b join visits v on v.booking_id = b.id \
     where b.client_id = c.id and v.therapist_id = $1)"
);
const IS_CLIENT_OF: &str = "select exists (select 1 from bookings b join visits v on v.booking_id = b.id \
     where b.client_id = $1 and v.therapist_id = $2) as seen";

const BOOKINGS_OF_CLIENT: &str =
    concat!(booking_select!(), "where b.client_id = $1 order by b.starts_at desc, b.id desc, v.therapist_id, v.id");
/// Bookings starting in `[$1, $2)`, of therapist `$3` when it is not null (the status is filtered in Rust).
const BOOKINGS_BETWEEN: &str = concat!(
    booking_select!(),
    "where b.starts_at >= $1 and b.starts_at < $2 and ($3 is null or exists (select 1 from visits w \
     where w.booking_id = b.id and w.therapist_id = $3)) order by b.starts_at, b.id, v.therapist_id, v.id"
);

/// The next version is one past the client's last (under the audit lock, so two submissions take turns).
const INSERT_INTAKE: &str = "insert into intakes (client_id, version, answers, submitted_by, created_at) \
     select $1, coalesce(max(version), 0) + 1, $2, $3, $4 from intakes where client_id = $1 \
     returning client_id, version, answers, submitted_by, created_at";
const INTAKES: &str = "select client_id, version, answers, submitted_by, created_at from intakes \
     where client_id = $1 order by version desc";

macro_rules! screening_select {
    () => {
        "select id, answers, level, reasons, client_id, booking_id, created_at from screenings "
    };
}
const INSERT_SCREENING: &str = "insert into screenings (id, answers, level, reasons, client_id, booking_id, \
     created_at) values ($1, $2, $3, $4, $5, $6, $7)";
const SCREENING_BY_ID: &str = concat!(screening_select!(), "where id = $1");
const CLIENT_SCREENINGS: &str = concat!(screening_select!(), "where client_id = $1 order by created_at desc, id");
const EMERGENCY_SCREENINGS: &str =
    concat!(screening_select!(), "where level = 'emergency' and created_at >= $1 order by created_at desc, id");
const CLAIM_SCREENING: &str = "update screenings set client_id = $2 where id = $1 and client_id is null";
const SCREENING_EXISTS: &str = "select id from screenings where id = $1";

/// Releases a held booking; no row when it is not held (or not there).
const RELEASE_HOLD: &str = "update bookings set awaiting_clearance = false \
     where id = $1 and status = 'confirmed' and awaiting_clearance";
const BOOKING_EXISTS: &str = "select id from bookings where id = $1";
const INSERT_CLEARANCE: &str = "insert into clearances (booking_id, cleared_by, note, recorded_by, recorded_at) \
     values ($1, $2, $3, $4, $5)";
const CLEARANCE_BY_BOOKING: &str = "select c.booking_id, c.cleared_by, c.note, c.recorded_by, c.recorded_at \
     from clearances c where c.booking_id = $1";
const CLIENT_CLEARANCES: &str = "select c.booking_id, c.cleared_by, c.note, c.recorded_by, c.recorded_at \
     from clearances c join bookings b on b.id = c.booking_id where b.client_id = $1 \
     order by c.recorded_at desc, c.booking_id desc";

macro_rules! audit_columns {
    () => {
        "id, at, actor, client_id, action, record, record_id, prev_hash, hash"
    };
}
const LAST_AUDIT_HASH: &str = "select id, hash from audit_log order by id desc limit 1";
const INSERT_AUDIT: &str = concat!(
    "insert into audit_log (at, actor, client_id, action, record, record_id, prev_hash, hash) \
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ",
    audit_columns!()
);
const AUDIT_AFTER: &str = concat!("select ", audit_columns!(), " from audit_log where id > $1 order by id limit $2");
const RECENT_AUDIT: &str = concat!(
    "select ",
    audit_columns!(),
    " from audit_log where $1 is null or client_id = $1 order by id desc limit $2"
);

/// An insert's failure: what it points at is missing (`NotFound`), or its one unique rule, which guards
/// `field`, was broken.
pub(super) fn refused(e: DbError, field: &'static str) -> StoreError {
    match e.kind() {
        DbErrorKind::ForeignKeyViolation => StoreError::NotFound,
        DbErrorKind::UniqueViolation { .. } => StoreError::Conflict { field },
        _ => e.into(),
    }
}

fn read_client(r: &mut Row<'_>) -> StoreResult<Client> {
    let id = ClientId(r.id("id")?);
    Ok(Client {
        id,
        name: r.text("name")?,
        email: r.parsed("email", "an email address", |s| Email::parse("email", s).ok())?,
        phone: r.text("phone")?,
        date_of_birth: r.opt_date("date_of_birth")?,
        addresses: r.json("addresses", "a list of saved addresses")?,
        user_id: r.opt_int("user_id")?.map(UserId),
        created_at: r.time("created_at")?,
    })
}

fn read_clients(mut rows: Rows) -> StoreResult<Vec<Client>> {
    rows.read("clients").map(|mut r| read_client(&mut r)).collect()
}

fn one_client(rows: Rows) -> StoreResult<Client> {
    read_clients(rows)?.pop().ok_or(StoreError::NotFound)
}

/// The client record a guest's first booking makes, in the booking's transaction: their contact details alone.
pub(super) async fn insert_for_booking(
    tx: &mut dyn super::SqlTransaction,
    contact: &knead_core::booking::Contact,
    now: Timestamp,
) -> Result<ClientId, super::booking::Failure> {
    let [name, email, phone, born, addresses] = draft_params(&ClientDraft::of_contact(contact))?;
    let params = [name, email, phone, born, addresses, Param::Int(None), now.into()];
    Ok(one_client(tx.query(INSERT_CLIENT, &params).await?)?.id)
}

fn draft_params(d: &ClientDraft) -> StoreResult<[Param; 5]> {
    Ok([
        (&d.name).into(),
        d.email.as_str().into(),
        (&d.phone).into(),
        d.date_of_birth.into(),
        Param::json(&d.addresses)?,
    ])
}

fn read_intakes(mut rows: Rows) -> StoreResult<Vec<IntakeVersion>> {
    rows.read("intakes")
        .map(|mut r| {
            let client = r.int("client_id")?;
            let version = r.int("version")?;
            r.name_by_pair("intakes", client, version);
            Ok(IntakeVersion {
                client: ClientId(client),
                version,
                history: r.json::<HealthHistory>("answers", "a health history")?,
                submitted_by: r.opt_int("submitted_by")?.map(UserId),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

fn read_screenings(mut rows: Rows) -> StoreResult<Vec<ScreeningRecord>> {
    rows.read("screenings")
        .map(|mut r| {
            let id = r.text("id")?;
            // The id names the row in errors only once it is known to be an id, not some stored text.
            let id = ScreeningId::parse("id", &id).map_err(|_| r.corrupt("column id: not a screening id"))?;
            r.name_by("screenings", id.0.clone());
            let answers = r.json::<ScreeningAnswers>("answers", "a complete set of screening answers")?;
            let level = r.parsed("level", "a screening level", Level::parse)?;
            let reasons = r.json::<Vec<Reason>>("reasons", "a list of reasons")?;
            Ok(ScreeningRecord {
                id,
                answers,
                assessment: Assessment { level, reasons },
                client: r.opt_int("client_id")?.map(ClientId),
                booking: r.opt_int("booking_id")?.map(BookingId),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

fn read_clearances(mut rows: Rows) -> StoreResult<Vec<Clearance>> {
    rows.read("clearances")
        .map(|mut r| {
            let booking_id = BookingId(r.id("booking_id")?);
            Ok(Clearance {
                booking_id,
                cleared_by: r.text("cleared_by")?,
                note: r.text("note")?,
                recorded_by: UserId(r.int("recorded_by")?),
                recorded_at: r.time("recorded_at")?,
            })
        })
        .collect()
}

fn read_audit(mut rows: Rows) -> StoreResult<Vec<AuditEntry>> {
    rows.read("audit_log")
        .map(|mut r| {
            let id = r.id("id")?;
            Ok(AuditEntry {
                id,
                at: r.time("at")?,
                actor: r.opt_int("actor")?.map(UserId),
                client: r.opt_int("client_id")?.map(ClientId),
                action: r.parsed("action", "an audit action", Action::parse)?,
                record: r.text("record")?,
                record_id: r.text("record_id")?,
                prev_hash: r.text("prev_hash")?,
                hash: r.text("hash")?,
            })
        })
        .collect()
}

/// Appends `event` to the chain, after the last entry. The transaction must hold the audit lock (PostgreSQL)
/// or the write lock (SQLite), so no other append reads the same last entry; the unique `prev_hash` is the
/// backstop.
pub(super) async fn append_audit(tx: &mut dyn SqlTransaction, event: &AuditEvent) -> StoreResult<AuditEntry> {
    // Hashed as stored: to the microsecond, as both databases keep instants.
    let at = Timestamp::from_microsecond(event.at.as_microsecond()).map_err(StoreError::other)?;
    let event = AuditEvent { at, ..event.clone() };
    let mut last = tx.query(LAST_AUDIT_HASH, &[]).await?;
    let prev = match last.first("audit_log") {
        None => GENESIS.to_string(),
        Some(mut r) => {
            r.id("id")?;
            r.text("hash")?
        }
    };
    let hash = event.hash_after(&prev);
    let params = [
        at.into(),
        event.actor.into(),
        event.client.into(),
        event.action.as_str().into(),
        event.record.into(),
        (&event.record_id).into(),
        (&prev).into(),
        (&hash).into(),
    ];
    read_audit(tx.query(INSERT_AUDIT, &params).await?)?
        .pop()
        .ok_or_else(|| StoreError::corrupt("audit_log", "?", "no row came back"))
}

#[async_trait]
impl<D: SqlDatabase> ClientStore for D {
    async fn create_client(&self, draft: &ClientDraft, user: Option<UserId>, now: Timestamp) -> StoreResult<Client> {
        let [name, email, phone, born, addresses] = draft_params(draft)?;
        let params = [name, email, phone, born, addresses, user.into(), now.into()];
        let rows = self.query(INSERT_CLIENT, &params).await.map_err(|e| refused(e, "user_id"))?;
        one_client(rows)
    }

    async fn client(&self, id: ClientId) -> StoreResult<Client> {
        one_client(self.query(CLIENT_BY_ID, &[id.into()]).await?)
    }

    async fn update_client(&self, id: ClientId, draft: &ClientDraft) -> StoreResult<Client> {
        let [name, email, phone, born, addresses] = draft_params(draft)?;
        one_client(self.query(UPDATE_CLIENT, &[id.into(), name, email, phone, born, addresses]).await?)
    }

    async fn client_for_user(&self, user: UserId) -> StoreResult<Option<Client>> {
        Ok(read_clients(self.query(CLIENT_FOR_USER, &[user.into()]).await?)?.pop())
    }

    async fn clients_by_email(&self, email: &Email) -> StoreResult<Vec<Client>> {
        read_clients(self.query(CLIENTS_BY_EMAIL, &[email.as_str().to_lowercase().as_str().into()]).await?)
    }

    async fn client_summaries(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<ClientSummary>> {
        let mut rows = self.query(CLIENT_SUMMARIES, &[Param::Int(therapist.map(|t| t.0))]).await?;
        let mut out: Vec<ClientSummary> = rows
            .read("clients")
            .map(|mut r| {
                let client = read_client(&mut r)?;
                Ok(ClientSummary { client, bookings: r.int("bookings")?, intake_version: r.int("intake_version")? })
            })
            .collect::<StoreResult<_>>()?;
        // By name, byte by byte (as every list), then by id so namesakes keep one order.
        out.sort_by(|a, b| a.client.name.cmp(&b.client.name).then(a.client.id.cmp(&b.client.id)));
        Ok(out)
    }

    async fn is_client_of(&self, client: ClientId, therapist: TherapistId) -> StoreResult<bool> {
        let mut rows = self.query(IS_CLIENT_OF, &[client.into(), therapist.into()]).await?;
        let mut r =
            rows.first("bookings").ok_or_else(|| StoreError::corrupt("bookings", "?", "no answer came back"))?;
        r.bool("seen")
    }

    async fn bookings_of_client(&self, client: ClientId) -> StoreResult<Vec<Booking>> {
        read_booking_list(self.query(BOOKINGS_OF_CLIENT, &[client.into()]).await?)
    }

    async fn bookings_filtered(&self, filter: &BookingFilter) -> StoreResult<Vec<Booking>> {
        let params = [filter.from.into(), filter.to.into(), Param::Int(filter.therapist.map(|t| t.0))];
        let mut bookings = read_booking_list(self.query(BOOKINGS_BETWEEN, &params).await?)?;
        // The status is two columns (see migration 0010); the booking as read has it whole.
        if let Some(status) = filter.status {
            bookings.retain(|b| b.status == status);
        }
        Ok(bookings)
    }

    async fn add_intake(
        &self,
        client: ClientId,
        history: &HealthHistory,
        submitted_by: Option<UserId>,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<IntakeVersion> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [client.into(), Param::json(history)?, submitted_by.into(), now.into()];
        let rows = tx.query(INSERT_INTAKE, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let version = read_intakes(rows)?.pop().ok_or(StoreError::NotFound)?;
        append_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn intakes(&self, client: ClientId) -> StoreResult<Vec<IntakeVersion>> {
        read_intakes(self.query(INTAKES, &[client.into()]).await?)
    }

    async fn save_screening(&self, s: &ScreeningRecord, audit: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [
            (&s.id.0).into(),
            Param::json(&s.answers)?,
            s.assessment.level.as_str().into(),
            Param::json(&s.assessment.reasons)?,
            s.client.into(),
            s.booking.map(|b| b.0).into(),
            s.created_at.into(),
        ];
        tx.execute(INSERT_SCREENING, &params).await.map_err(|e| refused(e, "id"))?;
        append_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn screening(&self, id: &ScreeningId) -> StoreResult<ScreeningRecord> {
        read_screenings(self.query(SCREENING_BY_ID, &[(&id.0).into()]).await?)?.pop().ok_or(StoreError::NotFound)
    }

    async fn claim_screening(&self, id: &ScreeningId, client: ClientId) -> StoreResult<()> {
        let claimed = self
            .execute(CLAIM_SCREENING, &[(&id.0).into(), client.into()])
            .await
            .map_err(|e| e.missing_on_foreign_key())?;
        if claimed == 0 && self.query(SCREENING_EXISTS, &[(&id.0).into()]).await?.is_empty() {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn client_screenings(&self, client: ClientId) -> StoreResult<Vec<ScreeningRecord>> {
        read_screenings(self.query(CLIENT_SCREENINGS, &[client.into()]).await?)
    }

    async fn emergency_screenings(&self, since: Timestamp) -> StoreResult<Vec<ScreeningRecord>> {
        read_screenings(self.query(EMERGENCY_SCREENINGS, &[since.into()]).await?)
    }

    async fn record_clearance(
        &self,
        c: &Clearance,
        audit: &AuditEvent,
        jobs: &[knead_core::notify::NewJob],
    ) -> StoreResult<Booking> {
        let mut tx = self.write(&Locks::audit()).await?;
        // The update takes the booking's row lock, and its condition is tested on the row as it is then.
        if tx.execute(RELEASE_HOLD, &[c.booking_id.into()]).await? == 0 {
            return Err(match tx.query(BOOKING_EXISTS, &[c.booking_id.into()]).await?.is_empty() {
                true => StoreError::NotFound,
                false => StoreError::Conflict { field: "status" },
            });
        }
        let params =
            [c.booking_id.into(), (&c.cleared_by).into(), (&c.note).into(), c.recorded_by.into(), c.recorded_at.into()];
        tx.execute(INSERT_CLEARANCE, &params).await.map_err(|e| refused(e, "status"))?;
        append_audit(&mut *tx, audit).await?;
        super::notify::insert_jobs(&mut *tx, Some(c.booking_id), jobs, c.recorded_at).await?;
        let booking = one_booking(tx.query(BOOKING_BY_ID, &[c.booking_id.into()]).await?)?;
        tx.commit().await?;
        Ok(booking)
    }

    async fn clearances(&self, client: ClientId) -> StoreResult<Vec<Clearance>> {
        read_clearances(self.query(CLIENT_CLEARANCES, &[client.into()]).await?)
    }

    async fn clearance(&self, booking: BookingId) -> StoreResult<Option<Clearance>> {
        Ok(read_clearances(self.query(CLEARANCE_BY_BOOKING, &[booking.into()]).await?)?.pop())
    }

    async fn record_access(&self, event: &AuditEvent) -> StoreResult<AuditEntry> {
        let mut tx = self.write(&Locks::audit()).await?;
        let entry = append_audit(&mut *tx, event).await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn audit_entries(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        read_audit(self.query(AUDIT_AFTER, &[after.into(), limit.into()]).await?)
    }

    async fn recent_audit(&self, client: Option<ClientId>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        read_audit(self.query(RECENT_AUDIT, &[client.into(), limit.into()]).await?)
    }
}
