//! Booking writes on PostgreSQL: a transaction begun together with its advisory locks in one round trip, and
//! ended by this adapter (sqlx's own transaction type cannot begin with more than one statement and still roll
//! back when one of them fails).

use crate::statement::{classify, execute, query};
use async_trait::async_trait;
use knead_store::sql::{DbError, Param, Rows, SqlTransaction};
use sqlx::pool::PoolConnection;
use sqlx::{Executor, PgConnection, PgPool, Postgres};

/// A write transaction: `commit`, or a rollback when dropped uncommitted (a refused booking, an error, a request
/// given up on).
pub(crate) struct PostgresWrite {
    conn: Option<PoolConnection<Postgres>>,
}

impl PostgresWrite {
    /// Begins a transaction on a pooled connection, holding the advisory locks `locks` (namespace, key) in the
    /// order given once it has begun.
    pub(crate) async fn begin(pool: &PgPool, locks: &[(i32, i32)]) -> Result<PostgresWrite, DbError> {
        let mut conn = pool.acquire().await.map_err(classify)?;
        match simple_query(&mut conn, &begin_locked(locks)).await {
            Ok(()) => Ok(PostgresWrite { conn: Some(conn) }),
            Err(e) => {
                // A lock that failed (a timeout, a cancel) leaves the transaction open and aborted.
                roll_back(conn).await;
                Err(classify(e))
            }
        }
    }

    fn conn(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("a write's connection is held until it ends")
    }
}

/// `begin` and a `pg_advisory_xact_lock` per lock, as one simple query. The keys are integers written out here,
/// never text from outside.
fn begin_locked(locks: &[(i32, i32)]) -> String {
    let mut sql = String::from("begin");
    for (namespace, key) in locks {
        sql.push_str(&format!("; select pg_advisory_xact_lock({namespace}, {key})"));
    }
    sql
}

/// Runs `sql`, one or more statements without parameters, as one simple query (sqlx sends text without
/// arguments so).
async fn simple_query(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    conn.execute(sql).await.map(|_| ())
}

/// Ends the open transaction on `conn` and gives the connection back to the pool; one that cannot be rolled back
/// is closed instead, so no one is handed a connection inside someone else's transaction.
async fn roll_back(mut conn: PoolConnection<Postgres>) {
    // sqlx first reads whatever answers a query given up on left behind.
    if simple_query(&mut conn, "rollback").await.is_err() {
        conn.close_on_drop();
    }
}

#[async_trait]
impl SqlTransaction for PostgresWrite {
    async fn query(&mut self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError> {
        query(self.conn(), sql, params).await
    }

    async fn execute(&mut self, sql: &'static str, params: &[Param]) -> Result<u64, DbError> {
        execute(self.conn(), sql, params).await
    }

    async fn commit(mut self: Box<Self>) -> Result<(), DbError> {
        let Some(mut conn) = self.conn.take() else { return Ok(()) };
        match simple_query(&mut conn, "commit").await {
            Ok(()) => Ok(()),
            Err(e) => {
                // A failed commit has ended the transaction, unless the connection broke on the way.
                roll_back(conn).await;
                Err(classify(e))
            }
        }
    }
}

impl Drop for PostgresWrite {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(roll_back(conn));
            }
            Err(_) => conn.close_on_drop(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::fresh_database;
    use crate::{PostgresStore, THERAPIST_LOCK};
    use knead_core::TherapistId;
    use knead_store::sql::{Locks, SqlDatabase};
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(10);

    fn therapist(id: i64) -> Locks {
        Locks { therapists: vec![TherapistId(id)], ..Locks::none() }
    }

    async fn version(store: &PostgresStore) -> i64 {
        let mut rows = store.query("select version from calendar_version where id = 1", &[]).await.unwrap();
        rows.first("calendar_version").unwrap().int("version").unwrap()
    }

    /// Whether the connection `store`'s pool hands out next is outside any transaction, holding no lock: a change
    /// made on it is seen at once from `observer`'s connections.
    async fn outside_a_transaction(store: &PostgresStore, observer: &PostgresStore) -> bool {
        let sql = "select count(*) as held from pg_locks where pid = pg_backend_pid() and locktype = 'advisory'";
        let mut rows = store.query(sql, &[]).await.unwrap();
        let held = rows.first("pg_locks").unwrap().int("held").unwrap();
        store.execute("update calendar_version set version = version + 1 where id = 1", &[]).await.unwrap();
        held == 0 && version(observer).await == version(store).await
    }

    #[test]
    fn a_write_begins_with_its_locks_in_one_statement_text() {
        assert_eq!(super::begin_locked(&[]), "begin");
        assert_eq!(
            super::begin_locked(&[(THERAPIST_LOCK, 2), (THERAPIST_LOCK, -9)]),
            format!(
                "begin; select pg_advisory_xact_lock({THERAPIST_LOCK}, 2); select pg_advisory_xact_lock({THERAPIST_LOCK}, -9)"
            )
        );
    }

    /// A write dropped before it ends (a refused booking, a request given up on) changes nothing, frees its locks,
    /// and its connection is handed out again outside any transaction: with one connection in the pool, every
    /// step below runs on that same connection.
    #[tokio::test]
    async fn a_write_dropped_unended_is_rolled_back_and_its_connection_reused() {
        let Some(db) = fresh_database().await else { return };
        let store = PostgresStore::connect_with_max(&db.url, 1).await.unwrap();
        let before = version(&store).await;
        let mut tx = store.write(&therapist(7)).await.unwrap();
        tx.execute("update calendar_version set version = version + 100 where id = 1", &[]).await.unwrap();
        drop(tx);
        assert_eq!(tokio::time::timeout(WAIT, version(&store)).await.unwrap(), before, "rolled back");
        assert!(outside_a_transaction(&store, &db.postgres).await);
        let again = tokio::time::timeout(WAIT, store.write(&therapist(7))).await.expect("the lock was freed");
        again.unwrap().commit().await.unwrap();
        assert!(outside_a_transaction(&store, &db.postgres).await);
        store.close().await;
        db.cleanup().await;
    }

    /// A lock that cannot be had (here: a lock timeout while another server holds it) fails the write, and leaves
    /// its connection neither inside an aborted transaction nor holding anything.
    #[tokio::test]
    async fn a_lock_that_fails_leaves_no_transaction_behind() {
        let Some(db) = fresh_database().await else { return };
        let holder = db.postgres.clone();
        let held = holder.write(&therapist(3)).await.unwrap();
        let impatient_url = format!("{}?options=-c%20lock_timeout%3D100", db.url);
        let impatient = PostgresStore::connect_with_max(&impatient_url, 1).await.unwrap();
        let refused = tokio::time::timeout(WAIT, impatient.write(&therapist(3))).await.unwrap();
        assert!(refused.is_err(), "the lock timed out");
        assert!(outside_a_transaction(&impatient, &holder).await, "and its transaction ended");
        held.commit().await.unwrap();
        impatient.write(&therapist(3)).await.unwrap().commit().await.unwrap();
        impatient.close().await;
        db.cleanup().await;
    }
}
