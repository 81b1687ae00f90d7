//! The catalog port over SQL: services with their add-ons, and therapist profiles.

use super::{returned_id, Locks, Param, Row, Rows, SqlDatabase, SqlTransaction};
use crate::{CatalogStore, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{
    AddOn, Gender, Kind, Place, Service, ServiceDraft, ServiceId, Slug, Therapist, TherapistDraft, TherapistId,
};

/// A service and its add-ons in one statement (one snapshot: never a service with another version's
/// add-ons), one row per add-on, grouped in Rust.
macro_rules! service_select {
    () => {
        "select s.id, s.slug, s.name, s.description, s.duration_minutes, s.price_cents, s.modality, s.place, \
         s.kind, s.buffer_minutes, s.archived, s.created_at, s.updated_at, a.position as add_on_position, \
         a.name as add_on_name, a.price_cents as add_on_price_cents, a.extra_minutes as add_on_extra_minutes \
         from services s left join service_add_ons a on a.service_id = s.id "
    };
}

/// How many columns of `service_select!` are the service's own.
const SERVICE_WIDTH: usize = 13;

const SERVICE_BY_ID: &str = concat!(service_select!(), "where s.id = $1 order by a.position");
const SERVICE_BY_SLUG: &str = concat!(service_select!(), "where s.slug = $1 order by a.position");
const LIST_SERVICES: &str = concat!(service_select!(), "where not s.archived or $1 order by s.id, a.position");
const CREATE_SERVICE: &str = "insert into services (slug, name, description, duration_minutes, price_cents, \
     modality, place, kind, buffer_minutes, archived, created_at, updated_at) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $10) returning id";
const UPDATE_SERVICE: &str = "update services set slug = $2, name = $3, description = $4, duration_minutes = $5, \
     price_cents = $6, modality = $7, place = $8, kind = $9, buffer_minutes = $10, updated_at = $11 where id = $1";
const ARCHIVE_SERVICE: &str = "update services set archived = $2, updated_at = $3 where id = $1";
const DELETE_ADD_ONS: &str = "delete from service_add_ons where service_id = $1";
const INSERT_ADD_ON: &str = "insert into service_add_ons (service_id, position, name, price_cents, extra_minutes) \
     values ($1, $2, $3, $4, $5)";

macro_rules! therapist_columns {
    () => {
        "id, slug, name, credentials, registration_number, bio, modalities, conditions, languages, gender, \
         archived, created_at, updated_at"
    };
}

const THERAPIST_BY_ID: &str = concat!("select ", therapist_columns!(), " from therapists where id = $1");
const THERAPIST_BY_SLUG: &str = concat!("select ", therapist_columns!(), " from therapists where slug = $1");
const LIST_THERAPISTS: &str =
    concat!("select ", therapist_columns!(), " from therapists where not archived or $1 order by id");
const CREATE_THERAPIST: &str = concat!(
    "insert into therapists (slug, name, credentials, registration_number, bio, modalities, conditions, \
     languages, gender, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $10) \
     returning ",
    therapist_columns!()
);
const UPDATE_THERAPIST: &str = concat!(
    "update therapists set slug = $2, name = $3, credentials = $4, registration_number = $5, bio = $6, \
     modalities = $7, conditions = $8, languages = $9, gender = $10, updated_at = $11 where id = $1 returning ",
    therapist_columns!()
);
const ARCHIVE_THERAPIST: &str =
    concat!("update therapists set archived = $2, updated_at = $3 where id = $1 returning ", therapist_columns!());

fn slug(r: &mut Row<'_>) -> StoreResult<Slug> {
    r.parsed("slug", "a slug", |s| Slug::parse("slug", s).ok())
}

/// The service's own columns; the row's id is already read.
fn read_service(r: &mut Row<'_>, id: i64) -> StoreResult<Service> {
    Ok(Service {
        id: ServiceId(id),
        slug: slug(r)?,
        name: r.text("name")?,
        description: r.text("description")?,
        duration_minutes: r.int("duration_minutes")?,
        price_cents: r.int("price_cents")?,
        modality: r.text("modality")?,
        place: r.parsed("place", "a known place", |s| Place::parse("place", s).ok())?,
        kind: r.parsed("kind", "a known kind", |s| Kind::parse("kind", s).ok())?,
        buffer_minutes: r.int("buffer_minutes")?,
        add_ons: Vec::new(),
        archived: r.bool("archived")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Services from `service_select!` rows, in the order their first rows come.
fn read_services(mut rows: Rows) -> StoreResult<Vec<Service>> {
    let mut services: Vec<Service> = Vec::new();
    for mut r in rows.read("services") {
        let id = r.id("id")?;
        if services.last().is_some_and(|s| s.id.0 == id) {
            r.seek(SERVICE_WIDTH);
        } else {
            services.push(read_service(&mut r, id)?);
        }
        if r.next_is_null() {
            continue;
        }
        let position = r.int("add_on_position")?;
        r.name_by_pair("service_add_ons", id, position);
        let add_on = AddOn {
            name: r.text("add_on_name")?,
            price_cents: r.int("add_on_price_cents")?,
            extra_minutes: r.int("add_on_extra_minutes")?,
        };
        if let Some(service) = services.last_mut() {
            service.add_ons.push(add_on);
        }
    }
    Ok(services)
}

fn one_service(rows: Rows) -> StoreResult<Service> {
    read_services(rows)?.pop().ok_or(StoreError::NotFound)
}

fn read_therapist(r: &mut Row<'_>) -> StoreResult<Therapist> {
    let id = r.id("id")?;
    Ok(Therapist {
        id: TherapistId(id),
        slug: slug(r)?,
        name: r.text("name")?,
        credentials: r.text("credentials")?,
        registration_number: r.text("registration_number")?,
        bio: r.text("bio")?,
        modalities: r.json("modalities", "a list of labels")?,
        conditions: r.json("conditions", "a list of labels")?,
        languages: r.json("languages", "a list of labels")?,
        gender: r.opt_parsed("gender", "a gender", Gender::parse)?,
        archived: r.bool("archived")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn read_therapists(mut rows: Rows) -> StoreResult<Vec<Therapist>> {
    rows.read("therapists").map(|mut r| read_therapist(&mut r)).collect()
}

fn one_therapist(rows: Rows) -> StoreResult<Therapist> {
    read_therapists(rows)?.pop().ok_or(StoreError::NotFound)
}

/// Names sort byte by byte (SQLite's default collation); equal names keep the id order they came in.
fn by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| name(a).cmp(name(b)));
}

fn service_params(d: &ServiceDraft) -> [Param; 9] {
    [
        d.slug.as_str().into(),
        (&d.name).into(),
        (&d.description).into(),
        d.duration_minutes.into(),
        d.price_cents.into(),
        (&d.modality).into(),
        d.place.as_str().into(),
        d.kind.as_str().into(),
        d.buffer_minutes.into(),
    ]
}

fn therapist_params(d: &TherapistDraft) -> StoreResult<[Param; 9]> {
    Ok([
        d.slug.as_str().into(),
        (&d.name).into(),
        (&d.credentials).into(),
        (&d.registration_number).into(),
        (&d.bio).into(),
        Param::json(&d.modalities)?,
        Param::json(&d.conditions)?,
        Param::json(&d.languages)?,
        d.gender.map(Gender::as_str).into(),
    ])
}

/// Replaces a service's add-ons, keeping their order as their positions.
async fn write_add_ons(tx: &mut dyn SqlTransaction, service: i64, add_ons: &[AddOn]) -> StoreResult<()> {
    tx.execute(DELETE_ADD_ONS, &[service.into()]).await?;
    for (position, a) in (0i64..).zip(add_ons) {
        let params = [service.into(), position.into(), (&a.name).into(), a.price_cents.into(), a.extra_minutes.into()];
        tx.execute(INSERT_ADD_ON, &params).await?;
    }
    Ok(())
}

#[async_trait]
impl<D: SqlDatabase> CatalogStore for D {
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>> {
        let mut services = read_services(self.query(LIST_SERVICES, &[include_archived.into()]).await?)?;
        by_name(&mut services, |s| &s.name);
        Ok(services)
    }

    async fn service(&self, id: ServiceId) -> StoreResult<Service> {
        one_service(self.query(SERVICE_BY_ID, &[id.into()]).await?)
    }

    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service> {
        one_service(self.query(SERVICE_BY_SLUG, &[slug.into()]).await?)
    }

    async fn create_service(&self, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        let mut tx = self.write(&Locks::none()).await?;
        let mut params = service_params(d).to_vec();
        params.push(now.into());
        let rows = tx.query(CREATE_SERVICE, &params).await.map_err(|e| e.unique_as("slug"))?;
        let id = returned_id(rows, "services")?;
        write_add_ons(&mut *tx, id, &d.add_ons).await?;
        let service = one_service(tx.query(SERVICE_BY_ID, &[id.into()]).await?)?;
        tx.commit().await?;
        Ok(service)
    }

    async fn update_service(&self, id: ServiceId, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        // A refused update (taken slug) rolls back when `tx` drops, so nothing half-changes.
        let mut tx = self.write(&Locks::none()).await?;
        let mut params = vec![id.into()];
        params.extend(service_params(d));
        params.push(now.into());
        if tx.execute(UPDATE_SERVICE, &params).await.map_err(|e| e.unique_as("slug"))? == 0 {
            return Err(StoreError::NotFound);
        }
        write_add_ons(&mut *tx, id.0, &d.add_ons).await?;
        let service = one_service(tx.query(SERVICE_BY_ID, &[id.into()]).await?)?;
        tx.commit().await?;
        Ok(service)
    }

    async fn set_service_archived(&self, id: ServiceId, archived: bool, now: Timestamp) -> StoreResult<Service> {
        if self.execute(ARCHIVE_SERVICE, &[id.into(), archived.into(), now.into()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        self.service(id).await
    }

    async fn list_therapists(&self, include_archived: bool) -> StoreResult<Vec<Therapist>> {
        let mut therapists = read_therapists(self.query(LIST_THERAPISTS, &[include_archived.into()]).await?)?;
        by_name(&mut therapists, |t| &t.name);
        Ok(therapists)
    }

    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist> {
        one_therapist(self.query(THERAPIST_BY_ID, &[id.into()]).await?)
    }

    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist> {
        one_therapist(self.query(THERAPIST_BY_SLUG, &[slug.into()]).await?)
    }

    async fn create_therapist(&self, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        let mut params = therapist_params(d)?.to_vec();
        params.push(now.into());
        one_therapist(self.query(CREATE_THERAPIST, &params).await.map_err(|e| e.unique_as("slug"))?)
    }

    async fn update_therapist(&self, id: TherapistId, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        let mut params = vec![id.into()];
        params.extend(therapist_params(d)?);
        params.push(now.into());
        one_therapist(self.query(UPDATE_THERAPIST, &params).await.map_err(|e| e.unique_as("slug"))?)
    }

    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist> {
        one_therapist(self.query(ARCHIVE_THERAPIST, &[id.into(), archived.into(), now.into()]).await?)
    }
}
