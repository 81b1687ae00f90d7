//! The embedded SQLite adapter: knead's default store, a single file created on first run.
//!
//! Writes go through short transactions; WAL mode lets pages read while a write commits, and
//! `synchronous = full` means an acknowledged write survives a crash or power loss.

use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{
    AddOn, Article, ArticleDraft, ArticleId, Email, Kind, NewUser, Place, Role, Service, ServiceDraft, ServiceId, Slug,
    Therapist, TherapistDraft, TherapistId, User, UserId,
};
use knead_store::{
    AccountStore, CatalogStore, ContentStore, NewSession, SessionRecord, Store, StoreError, StoreResult,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

mod scheduling;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A knead store on one SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::other)?
            .create_if_missing(true)
            .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // An in-memory database lives in one connection; more would each see an empty database.
        let max = if memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
            .max_lifetime(if memory { None } else { Some(Duration::from_secs(3600)) })
            .connect_with(options)
            .await
            .map_err(StoreError::other)?;
        Ok(SqliteStore { pool })
    }

    /// A fresh, migrated in-memory database; for tests.
    pub async fn in_memory() -> StoreResult<SqliteStore> {
        let store = SqliteStore::connect("sqlite::memory:").await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::other)
    }
}

pub(crate) fn micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

pub(crate) fn from_micros(v: i64) -> Timestamp {
    Timestamp::from_microsecond(v).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Maps a database error, turning a broken unique rule into the field a caller must change.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::RowNotFound = e {
        return StoreError::NotFound;
    }
    if let Some(db) = e.as_database_error() {
        if db.is_unique_violation() {
            // SQLite names the column, not the constraint: "UNIQUE constraint failed: services.slug".
            let msg = db.message();
            let field = if msg.contains(".email") {
                "email"
            } else if msg.contains(".slug") {
                "slug"
            } else {
                "id"
            };
            return StoreError::Conflict { field };
        }
    }
    StoreError::other(e)
}

fn labels_to_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn labels_from_json(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: UserId(r.id),
            email: Email::from_trusted(r.email),
            name: r.name,
            role: Role::parse("role", &r.role).unwrap_or(Role::Client),
            created_at: from_micros(r.created_at),
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
    duration_minutes: i64,
    price_cents: i64,
    modality: String,
    place: String,
    kind: String,
    buffer_minutes: i64,
    archived: bool,
    created_at: i64,
    updated_at: i64,
}

impl ServiceRow {
    fn into_service(self, add_ons: Vec<AddOn>) -> Service {
        Service {
            id: ServiceId(self.id),
            slug: Slug::from_trusted(self.slug),
            name: self.name,
            description: self.description,
            duration_minutes: self.duration_minutes,
            price_cents: self.price_cents,
            modality: self.modality,
            place: Place::parse("place", &self.place).unwrap_or(Place::Mobile),
            kind: Kind::parse("kind", &self.kind).unwrap_or(Kind::Individual),
            buffer_minutes: self.buffer_minutes,
            add_ons,
            archived: self.archived,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        }
    }
}

#[derive(FromRow)]
struct AddOnRow {
    service_id: i64,
    name: String,
    price_cents: i64,
    extra_minutes: i64,
}

#[derive(FromRow)]
struct TherapistRow {
    id: i64,
    slug: String,
    name: String,
    credentials: String,
    registration_number: String,
    bio: String,
    modalities: String,
    conditions: String,
    languages: String,
    archived: bool,
    created_at: i64,
    updated_at: i64,
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
            modalities: labels_from_json(&r.modalities),
            conditions: labels_from_json(&r.conditions),
            languages: labels_from_json(&r.languages),
            archived: r.archived,
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

#[derive(FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    body_markdown: String,
    archived: bool,
    created_at: i64,
    updated_at: i64,
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
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

const SERVICE_COLUMNS: &str = "id, slug, name, description, duration_minutes, price_cents, modality, place, kind, \
     buffer_minutes, archived, created_at, updated_at";
const THERAPIST_COLUMNS: &str = "id, slug, name, credentials, registration_number, bio, modalities, conditions, \
     languages, archived, created_at, updated_at";
const ARTICLE_COLUMNS: &str = "id, slug, title, summary, body_markdown, archived, created_at, updated_at";

impl SqliteStore {
    async fn add_ons_of(&self, ids: Option<i64>) -> StoreResult<Vec<AddOnRow>> {
        sqlx::query_as::<_, AddOnRow>(
            "select service_id, name, price_cents, extra_minutes from service_add_ons \
             where ?1 is null or service_id = ?1 order by service_id, position",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)
    }

    async fn service_where(&self, clause: &str, bind: SqlValue<'_>) -> StoreResult<Service> {
        let sql = format!("select {SERVICE_COLUMNS} from services where {clause}");
        let query = sqlx::query_as::<_, ServiceRow>(&sql);
        let query = match bind {
            SqlValue::Int(v) => query.bind(v),
            SqlValue::Text(v) => query.bind(v),
        };
        let row = query.fetch_optional(&self.pool).await.map_err(map_err)?.ok_or(StoreError::NotFound)?;
        let add_ons = self.add_ons_of(Some(row.id)).await?.into_iter().map(add_on).collect();
        Ok(row.into_service(add_ons))
    }

    async fn write_add_ons(tx: &mut sqlx::SqliteConnection, service_id: i64, add_ons: &[AddOn]) -> StoreResult<()> {
        sqlx::query("delete from service_add_ons where service_id = ?1")
            .bind(service_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for (position, a) in add_ons.iter().enumerate() {
            sqlx::query(
                "insert into service_add_ons (service_id, position, name, price_cents, extra_minutes) \
                 values (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(service_id)
            .bind(position as i64)
            .bind(&a.name)
            .bind(a.price_cents)
            .bind(a.extra_minutes)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        Ok(())
    }
}

enum SqlValue<'a> {
    Int(i64),
    Text(&'a str),
}

fn add_on(r: AddOnRow) -> AddOn {
    AddOn { name: r.name, price_cents: r.price_cents, extra_minutes: r.extra_minutes }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User> {
        let id: i64 = sqlx::query_scalar(
            "insert into users (email, name, role, password_hash, created_at) values (?1, ?2, ?3, ?4, ?5) returning id",
        )
        .bind(user.email.as_str())
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(password_hash)
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        self.user_by_id(UserId(id)).await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<User> {
        sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users u where u.id = ?1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(User::from)
            .ok_or(StoreError::NotFound)
    }

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>> {
        let row: Option<(i64, String)> = sqlx::query_as("select id, password_hash from users where email = ?1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        match row {
            Some((id, hash)) => Ok(Some((self.user_by_id(UserId(id)).await?, hash))),
            None => Ok(None),
        }
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
            "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.0)
        .bind(&s.csrf_token)
        .bind(micros(s.created_at))
        .bind(micros(s.expires_at))
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
            expires_at: i64,
        }
        let row = sqlx::query_as::<_, Row>(&format!(
            "select {USER_COLUMNS}, s.csrf_token, s.expires_at from sessions s join users u on u.id = s.user_id \
             where s.token_hash = ?1 and s.expires_at > ?2"
        ))
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| SessionRecord {
            user: r.user.into(),
            csrf_token: r.csrf_token,
            expires_at: from_micros(r.expires_at),
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("delete from sessions where token_hash = ?1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("delete from sessions where expires_at <= ?1")
            .bind(micros(now))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(&self, user_id: UserId, name: &str, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("insert into api_tokens (user_id, name, token_hash, created_at) values (?1, ?2, ?3, ?4)")
            .bind(user_id.0)
            .bind(name)
            .bind(token_hash)
            .bind(micros(now))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query_as::<_, UserRow>(&format!(
            "select {USER_COLUMNS} from api_tokens t join users u on u.id = t.user_id where t.token_hash = ?1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(User::from))
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>> {
        let rows = sqlx::query_as::<_, ServiceRow>(&format!(
            "select {SERVICE_COLUMNS} from services where archived = 0 or ?1 order by name, id"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut add_ons = self.add_ons_of(None).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let id = row.id;
                let mine = add_ons.extract_if(.., |a| a.service_id == id).map(add_on).collect();
                row.into_service(mine)
            })
            .collect())
    }

    async fn service(&self, id: ServiceId) -> StoreResult<Service> {
        self.service_where("id = ?1", SqlValue::Int(id.0)).await
    }

    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service> {
        self.service_where("slug = ?1", SqlValue::Text(slug)).await
    }

    async fn create_service(&self, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "insert into services (slug, name, description, duration_minutes, price_cents, modality, place, kind, \
             buffer_minutes, archived, created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?10) \
             returning id",
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
        .bind(micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        Self::write_add_ons(&mut tx, id, &d.add_ons).await?;
        tx.commit().await.map_err(map_err)?;
        self.service(ServiceId(id)).await
    }

    async fn update_service(&self, id: ServiceId, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query(
            "update services set slug = ?2, name = ?3, description = ?4, duration_minutes = ?5, price_cents = ?6, \
             modality = ?7, place = ?8, kind = ?9, buffer_minutes = ?10, updated_at = ?11 where id = ?1",
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
        .bind(micros(now))
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
            "select {THERAPIST_COLUMNS} from therapists where archived = 0 or ?1 order by name, id"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Therapist::from).collect())
    }

    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!("select {THERAPIST_COLUMNS} from therapists where id = ?1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Therapist::from)
            .ok_or(StoreError::NotFound)
    }

    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist> {
        sqlx::query_as::<_, TherapistRow>(&format!("select {THERAPIST_COLUMNS} from therapists where slug = ?1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Therapist::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_therapist(&self, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        let id: i64 = sqlx::query_scalar(
            "insert into therapists (slug, name, credentials, registration_number, bio, modalities, conditions, \
             languages, archived, created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9) returning id",
        )
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.credentials)
        .bind(&d.registration_number)
        .bind(&d.bio)
        .bind(labels_to_json(&d.modalities))
        .bind(labels_to_json(&d.conditions))
        .bind(labels_to_json(&d.languages))
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        self.therapist(TherapistId(id)).await
    }

    async fn update_therapist(&self, id: TherapistId, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        let done = sqlx::query(
            "update therapists set slug = ?2, name = ?3, credentials = ?4, registration_number = ?5, bio = ?6, \
             modalities = ?7, conditions = ?8, languages = ?9, updated_at = ?10 where id = ?1",
        )
        .bind(id.0)
        .bind(d.slug.as_str())
        .bind(&d.name)
        .bind(&d.credentials)
        .bind(&d.registration_number)
        .bind(&d.bio)
        .bind(labels_to_json(&d.modalities))
        .bind(labels_to_json(&d.conditions))
        .bind(labels_to_json(&d.languages))
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.therapist(id).await
    }

    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist> {
        set_archived(&self.pool, "therapists", id.0, archived, now).await?;
        self.therapist(id).await
    }
}

#[async_trait]
impl ContentStore for SqliteStore {
    async fn list_articles(&self, include_archived: bool) -> StoreResult<Vec<Article>> {
        let rows = sqlx::query_as::<_, ArticleRow>(&format!(
            "select {ARTICLE_COLUMNS} from articles where archived = 0 or ?1 order by created_at desc, id desc"
        ))
        .bind(include_archived)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Article::from).collect())
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!("select {ARTICLE_COLUMNS} from articles where id = ?1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Article::from)
            .ok_or(StoreError::NotFound)
    }

    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article> {
        sqlx::query_as::<_, ArticleRow>(&format!("select {ARTICLE_COLUMNS} from articles where slug = ?1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Article::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_article(&self, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        let id: i64 = sqlx::query_scalar(
            "insert into articles (slug, title, summary, body_markdown, archived, created_at, updated_at) \
             values (?1, ?2, ?3, ?4, 0, ?5, ?5) returning id",
        )
        .bind(d.slug.as_str())
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_markdown)
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        self.article(ArticleId(id)).await
    }

    async fn update_article(&self, id: ArticleId, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        let done = sqlx::query(
            "update articles set slug = ?2, title = ?3, summary = ?4, body_markdown = ?5, updated_at = ?6 where id = ?1",
        )
        .bind(id.0)
        .bind(d.slug.as_str())
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_markdown)
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.article(id).await
    }

    async fn set_article_archived(&self, id: ArticleId, archived: bool, now: Timestamp) -> StoreResult<Article> {
        set_archived(&self.pool, "articles", id.0, archived, now).await?;
        self.article(id).await
    }
}

/// `table` is one of our own table names, never input.
async fn set_archived(
    pool: &SqlitePool,
    table: &'static str,
    id: i64,
    archived: bool,
    now: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query(&format!("update {table} set archived = ?2, updated_at = ?3 where id = ?1"))
        .bind(id)
        .bind(archived)
        .bind(micros(now))
        .execute(pool)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
