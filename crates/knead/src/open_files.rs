//! The open-files limit: every connection holds a file descriptor, so the server raises its soft limit as
//! far as the hard limit allows and keeps its connections below it, with room left for the database and
//! for accepting (and closing) connections it refuses.

/// Descriptors kept back from connections: the listener, the database pool and files, logs, and the one a
/// refused connection holds while it is closed.
pub const RESERVED: u64 = 256;

/// Raises the soft open-files limit to the hard limit and returns the limit now in force (`None` where
/// the platform has no such limit).
#[cfg(unix)]
pub fn raise_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    // Linux refuses a soft limit above fs.nr_open (1,048,576 unless changed) even when the hard one is
    // unlimited, so "unlimited" is asked for as that.
    const NR_OPEN_DEFAULT: u64 = 1 << 20;
    let limit = getrlimit(Resource::Nofile);
    let wanted = limit.maximum.unwrap_or(NR_OPEN_DEFAULT);
    if limit.current.is_some_and(|current| current < wanted) {
        if let Err(e) = setrlimit(Resource::Nofile, Rlimit { current: Some(wanted), maximum: limit.maximum }) {
            tracing::warn!(error = %e, "could not raise the open-files limit");
        }
    }
    Some(getrlimit(Resource::Nofile).current.unwrap_or(NR_OPEN_DEFAULT))
}

#[cfg(not(unix))]
pub fn raise_limit() -> Option<u64> {
    None
}

/// How many connections fit under an open-files limit of `limit` (at least one).
pub fn connections_within(limit: u64) -> usize {
    usize::try_from(limit.saturating_sub(RESERVED).max(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_leave_room_for_the_database_and_refusals() {
        assert_eq!(connections_within(20_000), 19_744);
        assert_eq!(connections_within(100), 1, "never none");
    }

    #[cfg(unix)]
    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let raised = raise_limit().unwrap();
        let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile).maximum;
        assert!(hard.is_none_or(|hard| raised == hard), "{raised} vs {hard:?}");
    }
}
