//! The PostgreSQL adapter: for practices that run several knead servers against one database.
//!
//! Behaves exactly like the SQLite adapter (the conformance stories prove it); the differences are
//! PostgreSQL's own types (`timestamptz`, `jsonb`, `boolean`) and its named constraints in errors.

use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{
    AddOn, Article, ArticleDraft, ArticleId, Email, Kind, NewUser, Place, Role, Service, ServiceDraft, ServiceId, Slug,
    Therapist, TherapistDraft, TherapistId, User, UserId,
};
use knead_store::{
    AccountStore, CatalogStore, ContentStore, NewSession, SessionRecord, Store, StoreError, StoreResult,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use std::time::Duration;
use time::OffsetDateTime;

mod scheduling;
pub mod testing;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A knead store on one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`); the database must exist.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        PostgresStore::connect_with_max(url, 10).await
    }

    pub(crate) async fn connect_with_max(url: &str, max_connections: u32) -> StoreResult<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Some(Duration::from_secs(600)))
            // Recycled now and then so a failover or a server-side setting change reaches every connection.
            .max_lifetime(Some(Duration::from_secs(3600)))
            .connect(url)
            .await
            .map_err(StoreError::other)?;
        Ok(PostgresStore { pool })
    }

    /// Applies any migrations not yet applied; safe to run from several servers at once (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::other)
    }

    /// Closes every connection; waits for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// PostgreSQL keeps microseconds, so the instant is truncated here rather than rounded by the server:
/// the same value then comes back as SQLite would give it.
fn pg_time(ts: Timestamp) -> OffsetDateTime {
    let nanos = i128::from(ts.as_microsecond()) * 1_000;
    // jiff's range (years -9999..=9999) lies inside time's, so this cannot fail.
    OffsetDateTime::from_unix_timestamp_nanos(nanos).expect("a jiff timestamp fits in time's range")
}

fn from_pg_time(t: OffsetDateTime) -> Timestamp {
    // Only values written through `pg_time` are read back, so the fallback is unreachable in practice.
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Maps a database error, turning a broken unique rule into the field a caller must change.
fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::RowNotFound = e {
        return StoreError::NotFound;
    }
    if let Some(db) = e.as_database_error() {
        if db.is_unique_violation() {
            return StoreError::Conflict { field: conflict_field(db.constraint().unwrap_or_default()) };
        }
    }
    StoreError::other(e)
}

/// The input field behind a unique constraint, by the constraint's name in the migrations.
fn conflict_field(constraint: &str) -> &'static str {
    if constraint == "users_email_key" {
        "email"
    } else if constraint.ends_with("_slug_key") {
        "slug"
    } else {
        // Keys the caller does not choose (session and token hashes); as in the SQLite adapter.
        "id"
    }
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: OffsetDateTime,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: UserId(r.id),
            email: Email::from_trusted(r.email),
            name: r.name,
            role: Role::parse("role", &r.role).unwrap_or(Role::Client),
            created_at: from_pg_time(r.created_at),
        }
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.created_at";

#[derive(FromRow)]
struct ServiceRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    duration_minutes: i32,
    price_cents: i64,
    modality: String,
    place: String,
    kind: String,
    buffer_minutes: i32,
    archived: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    add_on_names: Vec<String>,
    add_on_prices: Vec<i64>,
    add_on_minutes: Vec<i32>,
}

impl From<ServiceRow> for Service {
    fn from(r: ServiceRow) -> Service {
        let add_ons = r
            .add_on_names
            .into_iter()
            .zip(r.add_on_prices)
            .zip(r.add_on_minutes)
            .map(|((name, price_cents), extra_minutes)| AddOn {
                name,
                price_cents,
                extra_minutes: extra_minutes.into(),
            })
            .collect();
        Service {
            id: ServiceId(r.id),
            slug: Slug::from_trusted(r.slug),
            name: r.name,
            description: r.description,
            duration_minutes: r.duration_minutes.into(),
            price_cents: r.price_cents,
            modality: r.modality,
            place: Place::parse("place", &r.place).unwrap_or(Place::Mobile),
            kind: Kind::parse("kind", &r.kind).unwrap_or(Kind::Individual),
            buffer_minutes: r.buffer_minutes.into(),
            add_ons,
            archived: r.archived,
            created_at: from_pg_time(r.created_at),
            updated_at: from_pg_time(r.updated_at),
        }
    }
}

/// The add-ons come as three arrays in position order from the same statement as the service, so a
/// reader never sees a service with another version's add-ons (one statement, one snapshot).
const SERVICE_COLUMNS: &str = "s.id, s.slug, s.name, s.description, s.duration_minutes, s.price_cents, s.modality, \
     s.place, s.kind, s.buffer_minutes, s.archived, s.created_at, s.updated_at, \
     array(select a.name from service_add_ons a where a.service_id = s.id order by a.position) as add_on_names, \
     array(select a.price_cents from service_add_ons a where a.service_id = s.id order by a.position) as add_on_prices, \
     array(select a.extra_minutes from service_add_ons a where a.service_id = s.id order by a.position) as add_on_minutes";

#[derive(FromRow)]
struct TherapistRow {
    id: i64,
    slug: String,
    name: String,
    credentials: String,
    registration_number: String,
    bio: String,
    modalities: Json<Vec<String>>,
    conditions: Json<Vec<String>>,
    languages: Json<Vec<String>>,
    archived: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<TherapistRow> for Therapist {
    fn from(r: TherapistRow) -> Therapist {
        Therapist {
            id: TherapistId(r.id),
            slug: Slug::from_trusted(r.slug),
            name: r.name,
            credentials: r.credentials,
            registration_number: r.registration_number,
            bio: r.bio,
            modalities: r.modalities.0,
            conditions: r.conditions.0,
            languages: r.languages.0,
            archived: r.archived,
            created_at: from_pg_time(r.created_at),
            updated_at: from_pg_time(r.updated_at),
        }
    }
}

const THERAPIST_COLUMNS: &str = "id, slug, name, credentials, registration_number, bio, modalities, conditions, \
     languages, archived, created_at, updated_at";

#[derive(FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    body_markdown: String,
    archived: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<ArticleRow> for Article {
    fn from(r: ArticleRow) -> Article {
        Article {
            id: ArticleId(r.id),
            slug: Slug::from_trusted(r.slug),
            title: r.title,
            summary: r.summary,
            body_markdown: r.body_markdown,
            archived: r.archived,
            created_at: from_pg_time(r.created_at),
            updated_at: from_pg_time(r.updated_at),
        }
    }
}

const ARTICLE_COLUMNS: &str = "id, slug, title, summary, body_markdown, archived, created_at, updated_at";

impl PostgresStore {
    async fn write_add_ons(tx: &mut sqlx::PgConnection, service_id: i64, add_ons: &[AddOn]) -> StoreResult<()> {
        sqlx::query("delete from service_add_ons where service_id = $1")
            .bind(service_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if add_ons.is_empty() {
            return Ok(());
        }
        // One statement for all add-ons: arrays unnested side by side, positions from their order.
        let names: Vec<&str> = add_ons.iter().map(|a| a.name.as_str()).collect();
        let prices: Vec<i64> = add_ons.iter().map(|a| a.price_cents).collect();
        let minutes: Vec<i64> = add_ons.iter().map(|a| a.extra_minutes).collect();
        sqlx::query(
            "insert into service_add_ons (service_id, position, name, price_cents, extra_minutes) \
             select $1, (a.ord - 1)::integer, a.name, a.price_cents, a.extra_minutes \
             from unnest($2::text[], $3::bigint[], $4::bigint[]) with ordinality as a(name, price_cents, extra_minutes, ord)",
        )
        .bind(service_id)
        .bind(&names)
        .bind(&prices)
        .bind(&minutes)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User> {
        let row = sqlx::query_as::<_, UserRow>(
            "insert into users as u (email, name, role, password_hash, created_at) values ($1, $2, $3, $4, $5) \
             returning u.id, u.email, u.name, u.role, u.created_at",
        )
        .bind(user.email.as_str())
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(password_hash)
        .bind(pg_time(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.into())
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<User> {
        sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users u where u.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(User::from)
            .ok_or(StoreError::NotFound)
    }

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
        }
        let row = sqlx::query_as::<_, Row>(&format!(
            "select {USER_COLUMNS}, u.password_hash from users u where u.email = $1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| (r.user.into(), r.password_hash)))
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users u order by u.id"))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.0)
        .bind(&s.csrf_token)
        .bind(pg_time(s.created_at))
        .bind(pg_time(s.expires_at))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            csrf_token: String,
            expires_at: OffsetDateTime,
        }
        let row = sqlx::query_as::<_, Row>(&format!(
            "select {USER_COLUMNS}, s.csrf_token, s.expires_at from sessions s join users u on u.id = s.user_id \
             where s.token_hash = $1 and s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(pg_time(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| SessionRecord {
            user: r.user.into(),
            csrf_token: r.csrf_token,
            expires_at: from_pg_time(r.expires_at),
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("delete from sessions where token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("delete from sessions where expires_at <= $1")
            .bind(pg_time(now))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(&self, user_id: UserId, name: &str, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("insert into api_tokens (user_id, name, token_hash, created_at) values ($1, $2, $3, $4)")
            .bind(user_id.0)
            .bind(name)
            .bind(token_hash)
            .bind(pg_time(now))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query_as::<_, UserRow>(&format!(
            "select {USER_COLUMNS} from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(User::from))
    }
}

#[async_trait]
impl CatalogStore for PostgresStore {
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>> {
        // `collate "C"` orders names byte by byte, as SQLite does, so both backends list alike.
        let rows = sqlx::query_as::<_, ServiceRow>(&format!(
            "select {SERVICE_COLUMNS} from services s where not s.archived or $1 order by s.name collate \"C\", s.id"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Service::from).collect())
    }

    async fn service(&self, id: ServiceId) -> StoreResult<Service> {
        sqlx::query_as::<_, ServiceRow>(&format!("select {SERVICE_COLUMNS} from services s where s.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Service::from)
            .ok_or(StoreError::NotFound)
    }

    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service> {
        sqlx::query_as::<_, ServiceRow>(&format!("select {SERVICE_COLUMNS} from services s where s.slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Service::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_service(&self, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "insert into services (slug, name, description, duration_minutes, price_cents, modality, place, kind, \
             buffer_minutes, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $10) returning id",
        )
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.description)
        .bind(d.duration_minutes)
        .bind(d.price_cents)
        .bind(&d.modality)
        .bind(d.place.as_str())
        .bind(d.kind.as_str())
        .bind(d.buffer_minutes)
        .bind(pg_time(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        Self::write_add_ons(&mut tx, id, &d.add_ons).await?;
        tx.commit().await.map_err(map_err)?;
        self.service(ServiceId(id)).await
    }

    async fn update_service(&self, id: ServiceId, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        // A refused update (taken slug, bad add-on) rolls back when `tx` drops, so nothing half-changes.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query(
            "update services set slug = $2, name = $3, description = $4, duration_minutes = $5, price_cents = $6, \
             modality = $7, place = $8, kind = $9, buffer_minutes = $10, updated_at = $11 where id = $1",
        )
        .bind(id.0)
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.description)
        .bind(d.duration_minutes)
        .bind(d.price_cents)
        .bind(&d.modality)
        .bind(d.place.as_str())
        .bind(d.kind.as_str())
        .bind(d.buffer_minutes)
        .bind(pg_time(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::write_add_ons(&mut tx, id.0, &d.add_ons).await?;
        tx.commit().await.map_err(map_err)?;
        self.service(id).await
    }

    async fn set_service_archived(&self, id: ServiceId, archived: bool, now: Timestamp) -> StoreResult<Service> {
        set_archived(&self.pool, "services", id.0, archived, now).await?;
        self.service(id).await
    }

    async fn list_therapists(&self, include_archived: bool) -> StoreResult<Vec<Therapist>> {
        let rows = sqlx::query_as::<_, TherapistRow>(&format!(
            "select {THERAPIST_COLUMNS} from therapists where not archived or $1 order by name collate \"C\", id"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Therapist::from).collect())
    }

    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!("select {THERAPIST_COLUMNS} from therapists where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Therapist::from)
            .ok_or(StoreError::NotFound)
    }

    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!("select {THERAPIST_COLUMNS} from therapists where slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Therapist::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_therapist(&self, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!(
            "insert into therapists (slug, name, credentials, registration_number, bio, modalities, conditions, \
             languages, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9) \
             returning {THERAPIST_COLUMNS}"
        ))
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.credentials)
        .bind(&d.registration_number)
        .bind(&d.bio)
        .bind(Json(&d.modalities))
        .bind(Json(&d.conditions))
        .bind(Json(&d.languages))
        .bind(pg_time(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
        .map(Therapist::from)
    }

    async fn update_therapist(&self, id: TherapistId, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!(
            "update therapists set slug = $2, name = $3, credentials = $4, registration_number = $5, bio = $6, \
             modalities = $7, conditions = $8, languages = $9, updated_at = $10 where id = $1 \
             returning {THERAPIST_COLUMNS}"
        ))
        .bind(id.0)
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.credentials)
        .bind(&d.registration_number)
        .bind(&d.bio)
        .bind(Json(&d.modalities))
        .bind(Json(&d.conditions))
        .bind(Json(&d.languages))
        .bind(pg_time(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Therapist::from)
        .ok_or(StoreError::NotFound)
    }

    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist> {
        set_archived(&self.pool, "therapists", id.0, archived, now).await?;
        self.therapist(id).await
    }
}

#[async_trait]
impl ContentStore for PostgresStore {
    async fn list_articles(&self, include_archived: bool) -> StoreResult<Vec<Article>> {
        let rows = sqlx::query_as::<_, ArticleRow>(&format!(
            "select {ARTICLE_COLUMNS} from articles where not archived or $1 order by created_at desc, id desc"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Article::from).collect())
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!("select {ARTICLE_COLUMNS} from articles where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Article::from)
            .ok_or(StoreError::NotFound)
    }

    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!("select {ARTICLE_COLUMNS} from articles where slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Article::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_article(&self, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!(
            "insert into articles (slug, title, summary, body_markdown, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, false, $5, $5) returning {ARTICLE_COLUMNS}"
        ))
        .bind(d.slug.as_str())
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_markdown)
        .bind(pg_time(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
        .map(Article::from)
    }

    async fn update_article(&self, id: ArticleId, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!(
            "update articles set slug = $2, title = $3, summary = $4, body_markdown = $5, updated_at = $6 \
             where id = $1 returning {ARTICLE_COLUMNS}"
        ))
        .bind(id.0)
        .bind(d.slug.as_str())
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_markdown)
        .bind(pg_time(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Article::from)
        .ok_or(StoreError::NotFound)
    }

    async fn set_article_archived(&self, id: ArticleId, archived: bool, now: Timestamp) -> StoreResult<Article> {
        set_archived(&self.pool, "articles", id.0, archived, now).await?;
        self.article(id).await
    }
}

/// `table` is one of our own table names, never input.
async fn set_archived(pool: &PgPool, table: &'static str, id: i64, archived: bool, now: Timestamp) -> StoreResult<()> {
    let done = sqlx::query(&format!("update {table} set archived = $2, updated_at = $3 where id = $1"))
        .bind(id)
        .bind(archived)
        .bind(pg_time(now))
        .execute(pool)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_constraints_name_the_field_to_change() {
        assert_eq!(conflict_field("users_email_key"), "email");
        assert_eq!(conflict_field("services_slug_key"), "slug");
        assert_eq!(conflict_field("articles_slug_key"), "slug");
        assert_eq!(conflict_field("sessions_pkey"), "id");
    }

    #[test]
    fn timestamps_keep_microseconds_and_drop_nanoseconds() {
        let ts: Timestamp = "2026-03-01T15:00:00.123456789Z".parse().unwrap();
        let back = from_pg_time(pg_time(ts));
        assert_eq!(back, "2026-03-01T15:00:00.123456Z".parse::<Timestamp>().unwrap());
        let before_1970: Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(from_pg_time(pg_time(before_1970)), before_1970);
    }
}
