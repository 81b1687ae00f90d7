//! The sign-in rate limit: attempts per client address and per email, so neither one address guessing many
//! accounts nor many addresses guessing one account gets far.

use crate::error::WebError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Login attempts allowed: per client address and per email address, so neither one address
/// guessing many accounts nor many addresses guessing one account gets far.
pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_email: DefaultKeyedRateLimiter<String>,
}

/// Past this many remembered keys, idle ones are forgotten, so the limiter's memory stays bounded
/// without a background task.
const LIMITER_KEYS: usize = 10_000;

impl LoginLimiter {
    /// `per_minute` attempts per address and per email, with that many in a burst.
    pub fn new(per_minute: u32) -> LoginLimiter {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(n).allow_burst(n);
        LoginLimiter { by_ip: RateLimiter::keyed(quota), by_email: RateLimiter::keyed(quota) }
    }

    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), WebError> {
        if self.by_ip.len() + self.by_email.len() > LIMITER_KEYS {
            self.by_ip.retain_recent();
            self.by_email.retain_recent();
        }
        let wait = |not_until: governor::NotUntil<governor::clock::QuantaInstant>| WebError::RateLimited {
            retry_after_secs: not_until
                .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()))
                .as_secs()
                .max(1),
        };
        if let Some(ip) = ip {
            self.by_ip.check_key(&ip).map_err(wait)?;
        }
        self.by_email.check_key(&email.trim().to_lowercase()).map_err(wait)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_limit_stops_a_burst_for_one_email() {
        let limiter = LoginLimiter::new(3);
        for _ in 0..3 {
            limiter.check(None, "a@example.com").unwrap();
        }
        assert!(matches!(limiter.check(None, "A@example.com "), Err(WebError::RateLimited { .. })));
        limiter.check(None, "b@example.com").unwrap();
    }
}
