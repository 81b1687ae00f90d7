//! `knead serve`: the web layer's router behind our own accept loop on hyper's HTTP/1 connections.
//!
//! `axum::serve` has no header-read timeout and takes every connection, so clients that open connections
//! and never finish a request could hold them all and use up the file descriptors. Here a connection
//! whose request headers are not complete in time is closed, each client may hold only so many, and the
//! total stays below the open-files limit; a refused connection is closed at once, unread.

use crate::admission::{Admission, Refusal};
use crate::config::ConnectionSettings;
use crate::open_files;
use anyhow::{bail, Result};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long open connections may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Refused connections are reported at most this often, as a count, so a flood does not flood the log.
const REFUSALS_REPORTED_EVERY: Duration = Duration::from_secs(10);

/// The limits the accept loop keeps.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub per_client: usize,
    pub total: usize,
}

impl Limits {
    /// The configured limits, with the total checked against (or, when not set, derived from) the
    /// open-files limit after raising it as far as allowed.
    pub fn within_open_files(settings: &ConnectionSettings) -> Result<Limits> {
        let fitting = open_files::raise_limit().map(open_files::connections_within);
        let total = match (settings.max_connections, fitting) {
            (Some(wanted), Some(fitting)) if wanted > fitting => bail!(
                "max_connections is {wanted}, but the open-files limit leaves room for {fitting} (it keeps {} \
                 for the database and refusals): raise the limit (ulimit -n) or lower max_connections",
                open_files::RESERVED
            ),
            (Some(wanted), _) => wanted,
            (None, Some(fitting)) => fitting,
            (None, None) => DEFAULT_TOTAL_WITHOUT_LIMIT,
        };
        Ok(Limits { header_read_timeout: settings.header_read_timeout, per_client: settings.per_client, total })
    }
}

/// The total where the platform reports no open-files limit.
const DEFAULT_TOTAL_WITHOUT_LIMIT: usize = 10_000;

/// Serves `router` on `listener` until `shutdown` completes, then lets open connections finish (for up
/// to [`SHUTDOWN_GRACE`]).
pub async fn run(listener: TcpListener, router: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let admission = Admission::new(limits.per_client, limits.total);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut refusals = RefusalReport::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    wait_after_accept_error(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ticket = match admission.admit(peer.ip()) {
            Ok(ticket) => ticket,
            Err(why) => {
                drop(stream);
                refusals.count(why, admission.open());
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // Handlers read the client's address (for throttling sign-ins) as axum's ConnectInfo.
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // Timeouts and clients that hang up are everyday events, not the server's failures.
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(ticket);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("connections still open after the shutdown grace period"),
    }
}

/// Waits a moment after a failed accept: when descriptors run out the same error repeats at once, and
/// retrying in a tight loop would take the processor from the connections being served.
async fn wait_after_accept_error(e: &std::io::Error) {
    use std::io::ErrorKind;
    // A client that gave up between arriving and being accepted is no reason to wait.
    if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused) {
        return;
    }
    tracing::warn!(error = %e, "could not accept a connection");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Counts refused connections and logs how many: the first at once, then, with the next refusal after
/// [`REFUSALS_REPORTED_EVERY`], how many there were since.
#[derive(Default)]
struct RefusalReport {
    client_full: u64,
    server_full: u64,
    last_report: Option<Instant>,
}

impl RefusalReport {
    fn count(&mut self, why: Refusal, open: usize) {
        match why {
            Refusal::ClientFull => self.client_full += 1,
            Refusal::ServerFull => self.server_full += 1,
        }
        if self.last_report.is_none_or(|at| at.elapsed() >= REFUSALS_REPORTED_EVERY) {
            tracing::warn!(
                client_at_limit = self.client_full,
                server_at_limit = self.server_full,
                open,
                "refused connections (counts since the last report)"
            );
            *self = RefusalReport { last_report: Some(Instant::now()), ..RefusalReport::default() };
        }
    }
}
