//! The sign-in limits. Guessing is refused per client address and per (email, address), so one address
//! cannot guess at many accounts nor at one. Wrong passwords for one email from many addresses only slow
//! that email's sign-ins down, never refuse them: a refusal per email alone would let any stranger lock the
//! real user out with ten wrong passwords.

use crate::error::WebError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many remembered keys, idle ones are forgotten, so the limiter's memory stays bounded
/// without a background task.
const LIMITER_KEYS: usize = 10_000;

/// Wrong passwords for one email are forgotten after this long without another.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);

/// The slow-down for the first wrong password past the free ones; it doubles with each further one.
const FIRST_DELAY: Duration = Duration::from_millis(250);

/// The longest one sign-in is held back.
const MAX_DELAY: Duration = Duration::from_secs(5);

pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_email_and_ip: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    /// Recent wrong passwords per email, from any address: (count, when the last one came).
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// Wrong passwords per email allowed before sign-ins for it slow down.
    free_failures: u32,
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl LoginLimiter {
    /// `per_minute` attempts per address and per (email, address), with that many in a burst; as many wrong
    /// passwords per email before its sign-ins slow down.
    pub fn new(per_minute: u32) -> LoginLimiter {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(n).allow_burst(n);
        LoginLimiter {
            by_ip: RateLimiter::keyed(quota),
            by_email_and_ip: RateLimiter::keyed(quota),
            failures: Mutex::new(HashMap::new()),
            free_failures: n.get(),
        }
    }

    /// Counts one sign-in attempt for `email` from `ip`: refused (429 with the wait) past the limit per
    /// address or per (email, address); otherwise how long to hold the attempt back before checking the
    /// password.
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<Duration, WebError> {
        if self.by_ip.len() + self.by_email_and_ip.len() > LIMITER_KEYS {
            self.by_ip.retain_recent();
            self.by_email_and_ip.retain_recent();
        }
        self.check_address(ip)?;
        let email = email_key(email);
        self.by_email_and_ip.check_key(&(email.clone(), ip)).map_err(too_many)?;
        Ok(self.delay_for(&email))
    }

    /// Counts one attempt from `ip` that names no email (a second-factor code).
    pub fn check_address(&self, ip: Option<IpAddr>) -> Result<(), WebError> {
        match ip {
            Some(ip) => self.by_ip.check_key(&ip).map_err(too_many),
            None => Ok(()),
        }
    }

    /// Records a wrong password for `email`.
    pub fn failed(&self, email: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() > LIMITER_KEYS {
            failures.retain(|_, (_, last)| now.duration_since(*last) < FAILURE_MEMORY);
        }
        let entry = failures.entry(email_key(email)).or_insert((0, now));
        if now.duration_since(entry.1) >= FAILURE_MEMORY {
            entry.0 = 0;
        }
        *entry = (entry.0.saturating_add(1), now);
    }

    /// Forgets `email`'s wrong passwords once the right one is given.
    pub fn succeeded(&self, email: &str) {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&email_key(email));
    }

    fn delay_for(&self, email: &str) -> Duration {
        let failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(&(count, last)) = failures.get(email) else { return Duration::ZERO };
        if last.elapsed() >= FAILURE_MEMORY || count <= self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (count - self.free_failures - 1).min(16);
        FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
    }
}

fn too_many(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> WebError {
    let now = governor::clock::Clock::now(&governor::clock::DefaultClock::default());
    WebError::RateLimited { retry_after_secs: not_until.wait_time_from(now).as_secs().max(1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([192, 0, 2, last]))
    }

    #[test]
    fn one_address_is_refused_past_the_limit_for_one_email_and_for_many() {
        let limiter = LoginLimiter::new(3);
        for _ in 0..3 {
            limiter.check(ip(1), "a@example.com").unwrap();
        }
        assert!(matches!(limiter.check(ip(1), "A@example.com "), Err(WebError::RateLimited { .. })));
        assert!(matches!(limiter.check(ip(1), "b@example.com"), Err(WebError::RateLimited { .. })));
        limiter.check(ip(2), "a@example.com").unwrap();
    }

    #[test]
    fn wrong_passwords_from_many_addresses_slow_one_email_down_but_never_refuse_it() {
        let limiter = LoginLimiter::new(10);
        for last in 0..10 {
            assert_eq!(limiter.check(ip(last), "victim@example.com").unwrap(), Duration::ZERO);
            limiter.failed("victim@example.com");
        }
        assert_eq!(limiter.check(ip(100), "victim@example.com").unwrap(), Duration::ZERO);
        limiter.failed("victim@example.com");
        assert_eq!(limiter.check(ip(101), "victim@example.com").unwrap(), FIRST_DELAY);
        for _ in 0..40 {
            limiter.failed("victim@example.com");
        }
        assert_eq!(limiter.check(ip(102), "victim@example.com").unwrap(), MAX_DELAY);
        assert_eq!(limiter.check(ip(103), "someone-else@example.com").unwrap(), Duration::ZERO);
        limiter.succeeded("victim@example.com");
        assert_eq!(limiter.check(ip(104), "victim@example.com").unwrap(), Duration::ZERO);
    }
}
