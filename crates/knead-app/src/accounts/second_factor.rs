//! The TOTP second factor (RFC 6238: SHA-1, six digits, 30-second steps, one step of drift either way)
//! with single-use recovery codes.
//!
//! An enrolment is pending until the user confirms it with a valid code; confirming gives them
//! [`RECOVERY_CODES`] recovery codes, shown once and stored only as their SHA-256. Random codes need no slow
//! hash: whoever holds the database holds the TOTP secrets too, so a code need only resist guessing online,
//! where a waiting sign-in takes five wrong codes. Each accepted code's time step is remembered per user, so
//! a code seen over a shoulder or in a proxy log cannot be used again within its window. Managers must keep
//! theirs (`Role::needs_second_factor`); therapists and clients may set one up and turn it off.

use super::{secret_hash, user_by_email};
use crate::{App, AppError, AppResult};
use knead_core::{User, UserId};
use knead_store::StoreError;
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

/// How many recovery codes a confirmed enrolment gives.
pub const RECOVERY_CODES: usize = 10;

/// Shown in the user's authenticator app beside their email.
const ISSUER: &str = "knead";
const DIGITS: usize = 6;
const STEP_SECONDS: i64 = 30;
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Crockford's base32 alphabet: no i, l, o or u, so a code read off paper is typed right.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters in a recovery code (50 bits), shown as two groups of five.
const RECOVERY_LEN: usize = 10;

/// A new, pending enrolment: the secret to type into an authenticator app, and the same as an `otpauth://`
/// URI for a QR code.
#[derive(Clone)]
pub struct Enrolment {
    /// Base32, unpadded.
    pub secret: String,
    pub otpauth_uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// The answer to a code that is not right (or was already used).
pub(super) fn wrong_code() -> AppError {
    AppError::field(
        "wrong_code",
        "code",
        "That code is not right. Enter the current code from your app, or a recovery code.",
    )
}

fn second_factor_problem(code: &'static str, detail: &str) -> AppError {
    AppError::field(code, "second_factor", detail)
}

/// The TOTP generator for `user` with the raw `secret`, one step of drift allowed either way.
fn totp(user: &User, secret: Vec<u8>) -> TOTP {
    // Unchecked: an email may hold a colon, which the checked constructor refuses in an account name (the
    // URI encodes it); the secret's length is ours to keep.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECONDS as u64,
        secret,
        Some(ISSUER.into()),
        user.email.as_str().into(),
    )
}

/// The TOTP generator for a stored base32 secret; an unreadable secret is a corrupt user row.
fn generator(user: &User, secret: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .ok()
        .filter(|b| b.len() >= 16)
        .ok_or_else(|| StoreError::corrupt("users", user.id.0, "column totp_secret: not a base32 secret"))?;
    Ok(totp(user, bytes))
}

/// What the user typed, without spaces and dashes, in lower case, with the letters that look like digits
/// read as those digits (recovery codes have no i, l or o).
fn normalized(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'i' | 'l' => '1',
            'o' => '0',
            c => c,
        })
        .collect()
}

fn looks_like_totp(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// The time step, within one of `now`'s either way and later than `after`, whose code `code` is.
fn matching_step(totp: &TOTP, code: &str, now: jiff::Timestamp, after: Option<i64>) -> Option<i64> {
    let current = now.as_second().div_euclid(STEP_SECONDS);
    (current - 1..=current + 1).filter(|step| *step >= 0 && after.is_none_or(|after| *step > after)).find(|step| {
        let expected = totp.generate((step * STEP_SECONDS) as u64);
        bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
    })
}

/// A fresh recovery code as shown: `xxxxx-xxxxx`.
fn recovery_code() -> String {
    let mut bytes = [0u8; RECOVERY_LEN];
    rand::rng().fill_bytes(&mut bytes);
    // 256 is a multiple of 32, so every character is equally likely.
    let chars: String = bytes.iter().map(|b| RECOVERY_ALPHABET[usize::from(b & 31)] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Accepts `code` for `user`'s confirmed second factor: a current TOTP code not accepted before, or an
/// unused recovery code, which is then used up. False when it is neither (or there is no second factor).
pub(super) async fn accept_code(app: &App, user: &User, code: &str) -> AppResult<bool> {
    let Some(factor) = app.store().second_factor(user.id).await?.filter(|f| f.confirmed_at.is_some()) else {
        return Ok(false);
    };
    let code = normalized(code);
    if looks_like_totp(&code) {
        let totp = generator(user, &factor.secret)?;
        return Ok(match matching_step(&totp, &code, app.now(), factor.last_step) {
            // Atomic in the store: of two requests with one code, one wins.
            Some(step) => app.store().accept_totp_step(user.id, step).await?,
            None => false,
        });
    }
    if code.len() == RECOVERY_LEN {
        let used = app.store().use_recovery_code(user.id, &secret_hash(&code), app.now()).await?;
        if used {
            tracing::info!(user_id = user.id.0, "a recovery code was used");
        }
        return Ok(used);
    }
    Ok(false)
}

/// Starts setting up a second factor for `user`, replacing any enrolment not yet confirmed. Refused while
/// one is confirmed (turn it off first, or have it reset).
pub async fn begin_second_factor(app: &App, user: &User) -> AppResult<Enrolment> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let totp = totp(user, bytes);
    let secret = totp.get_secret_base32();
    if !app.store().begin_second_factor(user.id, &secret).await? {
        return Err(second_factor_problem("already_set_up", "A second factor is already set up."));
    }
    Ok(Enrolment { otpauth_uri: totp.get_url(), secret })
}

/// Confirms the pending enrolment with a current `code` from the user's app; returns the recovery codes,
/// shown once. A wrong code is `Invalid` on `code`; no pending enrolment is `NotFound`.
pub async fn confirm_second_factor(app: &App, user: &User, code: &str) -> AppResult<Vec<String>> {
    let factor = app.store().second_factor(user.id).await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Err(AppError::NotFound { what: "second factor waiting to be confirmed" });
    };
    let totp = generator(user, &factor.secret)?;
    let Some(step) = matching_step(&totp, &normalized(code), app.now(), None) else { return Err(wrong_code()) };
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| secret_hash(&normalized(c))).collect();
    // False when another enrolment replaced this one meanwhile: the code was for the old secret.
    if !app.store().confirm_second_factor(user.id, &factor.secret, step, &hashes, app.now()).await? {
        return Err(wrong_code());
    }
    tracing::info!(user_id = user.id.0, "a second factor was set up");
    Ok(codes)
}

/// Turns off `user`'s second factor with a current code or a recovery code. Managers may not.
pub async fn disable_second_factor(app: &App, user: &User, code: &str) -> AppResult<()> {
    if user.role.needs_second_factor() {
        let detail = format!("A {} must keep a second factor.", user.role.as_str());
        return Err(second_factor_problem("required", &detail));
    }
    if !has_second_factor(app, user.id).await? {
        return Err(AppError::NotFound { what: "second factor" });
    }
    if !accept_code(app, user, code).await? {
        return Err(wrong_code());
    }
    app.store().clear_second_factor(user.id).await?;
    tracing::info!(user_id = user.id.0, "a second factor was turned off");
    Ok(())
}

/// Whether the user has a confirmed second factor.
pub async fn has_second_factor(app: &App, user: UserId) -> AppResult<bool> {
    Ok(app.store().second_factor(user).await?.is_some_and(|f| f.confirmed_at.is_some()))
}

/// How many of the user's recovery codes are still unused.
pub async fn recovery_codes_left(app: &App, user: UserId) -> AppResult<u64> {
    Ok(app.store().recovery_codes_left(user).await?)
}

/// Removes the second factor of the user with `email`, for the command line when a phone and the recovery
/// codes are lost; a manager sets a new one up at their next sign-in.
pub async fn reset_second_factor(app: &App, email: &str) -> AppResult<User> {
    let user = user_by_email(app, email).await?;
    app.store().clear_second_factor(user.id).await?;
    tracing::info!(user_id = user.id.0, "a second factor was reset");
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{app_at, at, t0};
    use super::super::{create_user, pending_sign_in, second_step, session, sign_in, SignIn, MAX_WRONG_CODES};
    use super::*;
    use jiff::{Timestamp, ToSpan};

    /// A random value that is never a code.
    fn not_a_code() -> String {
        super::super::random_secret()
    }

    async fn person(app: &App, email: &str, role: &str) -> User {
        create_user(app, email, "Fictional Person", role, "a long enough secret").await.unwrap()
    }

    /// The code an authenticator app shows at `now` for a base32 `secret`.
    fn code_at(secret: &str, now: Timestamp) -> String {
        let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
        let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
        totp.generate(now.as_second() as u64)
    }

    /// `user` with a confirmed second factor set up at `t0()`; returns the secret and the recovery codes.
    async fn enrolled(app: &App, user: &User) -> (String, Vec<String>) {
        let enrolment = begin_second_factor(app, user).await.unwrap();
        let codes = confirm_second_factor(app, user, &code_at(&enrolment.secret, app.now())).await.unwrap();
        (enrolment.secret, codes)
    }

    fn is_wrong_code(e: &AppError) -> bool {
        matches!(e, AppError::Invalid(errors) if errors.0[0].field == "code")
    }

    async fn pending(app: &App, email: &str) -> String {
        match sign_in(app, email, "a long enough secret").await.unwrap() {
            SignIn::NeedsCode { pending } => pending,
            SignIn::Done { .. } => panic!("a second factor was expected"),
        }
    }

    #[tokio::test]
    async fn an_enrolment_is_pending_until_a_valid_code_confirms_it() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo+tabs@example.com", "therapist").await;
        let first = begin_second_factor(&app, &theo).await.unwrap();
        let enrolment = begin_second_factor(&app, &theo).await.unwrap();
        assert_ne!(first.secret, enrolment.secret, "a new enrolment replaces the pending one");
        assert_eq!(enrolment.secret.len(), 32, "160 bits in base32");
        let uri = &enrolment.otpauth_uri;
        assert!(uri.starts_with("otpauth://totp/knead:theo%2Btabs%40example.com?secret="), "{uri}");
        assert!(uri.contains(&enrolment.secret) && uri.ends_with("&issuer=knead"), "{uri}");
        assert!(!has_second_factor(&app, theo.id).await.unwrap());
        assert_eq!(format!("{enrolment:?}"), "Enrolment(<redacted>)");

        let stale = confirm_second_factor(&app, &theo, &code_at(&first.secret, t0())).await.unwrap_err();
        assert!(is_wrong_code(&stale), "{stale:?}");
        assert!(is_wrong_code(&confirm_second_factor(&app, &theo, "12345").await.unwrap_err()));
        let codes = confirm_second_factor(&app, &theo, &code_at(&enrolment.secret, t0())).await.unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'), "{codes:?}");
        assert!(has_second_factor(&app, theo.id).await.unwrap());
        assert_eq!(recovery_codes_left(&app, theo.id).await.unwrap(), 10);
        let again = begin_second_factor(&app, &theo).await.unwrap_err();
        assert!(matches!(&again, AppError::Invalid(e) if e.0[0].field == "second_factor"), "{again:?}");
        let none = confirm_second_factor(&app, &theo, "123456").await.unwrap_err();
        assert!(matches!(none, AppError::NotFound { .. }), "nothing is waiting to be confirmed");
    }

    #[tokio::test]
    async fn with_a_second_factor_signing_in_takes_a_code_and_the_password_alone_signs_nothing_in() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let (secret, _) = enrolled(&app, &mo).await;
        let app = at(app, t0() + 2.minutes());
        let waiting = pending(&app, "mo@example.com").await;
        assert!(session(&app, &waiting).await.unwrap().is_none(), "the password alone signs nothing in");
        assert!(pending_sign_in(&app, &waiting).await.unwrap().is_some());

        let (user, full) = second_step(&app, &waiting, &code_at(&secret, app.now())).await.unwrap();
        assert_eq!(user, mo);
        let signed_in = session(&app, &full).await.unwrap().unwrap();
        assert!(!signed_in.second_factor_missing);
        assert!(pending_sign_in(&app, &waiting).await.unwrap().is_none(), "the waiting sign-in ended");
        let again = second_step(&app, &waiting, &code_at(&secret, app.now())).await.unwrap_err();
        assert!(matches!(again, AppError::NotFound { .. }), "{again:?}");
    }

    #[tokio::test]
    async fn a_code_is_accepted_once_within_its_window_and_drift_of_one_step_is_allowed() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let (secret, _) = enrolled(&app, &theo).await;
        let app = at(app, t0() + 5.minutes());
        let code = code_at(&secret, app.now());
        let first = pending(&app, "theo@example.com").await;
        second_step(&app, &first, &code).await.unwrap();
        let second = pending(&app, "theo@example.com").await;
        let replay = second_step(&app, &second, &code).await.unwrap_err();
        assert!(is_wrong_code(&replay), "a code seen once is not accepted again: {replay:?}");
        // The phone runs 30 seconds behind: the previous step's code is still accepted (once).
        let app = at(app, t0() + 6.minutes());
        let behind = code_at(&secret, app.now() - 30.seconds());
        second_step(&app, &second, &behind).await.unwrap();
        let third = pending(&app, "theo@example.com").await;
        let stale = code_at(&secret, app.now() - 60.seconds());
        assert!(is_wrong_code(&second_step(&app, &third, &stale).await.unwrap_err()), "two steps is too far");
    }

    #[tokio::test]
    async fn a_recovery_code_signs_in_once_however_it_is_typed() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let (_, codes) = enrolled(&app, &mo).await;
        let waiting = pending(&app, "mo@example.com").await;
        let typed = format!(" {} ", codes[0].to_uppercase().replace('-', " "));
        second_step(&app, &waiting, &typed).await.unwrap();
        assert_eq!(recovery_codes_left(&app, mo.id).await.unwrap(), 9);
        let waiting = pending(&app, "mo@example.com").await;
        assert!(is_wrong_code(&second_step(&app, &waiting, &codes[0]).await.unwrap_err()), "used up");
        second_step(&app, &waiting, &codes[1]).await.unwrap();
    }

    #[tokio::test]
    async fn five_wrong_codes_end_the_sign_in() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let (secret, _) = enrolled(&app, &mo).await;
        let app = at(app, t0() + 1.minutes());
        let waiting = pending(&app, "mo@example.com").await;
        for _ in 1..MAX_WRONG_CODES {
            assert!(is_wrong_code(&second_step(&app, &waiting, &not_a_code()).await.unwrap_err()));
        }
        let last = second_step(&app, &waiting, "000000").await.unwrap_err();
        assert!(matches!(&last, AppError::Invalid(e) if e.0[0].code == "too_many_codes"), "{last:?}");
        let ended = second_step(&app, &waiting, &code_at(&secret, app.now())).await.unwrap_err();
        assert!(matches!(ended, AppError::NotFound { .. }), "{ended:?}");
    }

    #[tokio::test]
    async fn a_sign_in_waits_five_minutes_for_its_code() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let (secret, _) = enrolled(&app, &theo).await;
        let app = at(app, t0() + 1.minutes());
        let waiting = pending(&app, "theo@example.com").await;
        let app = at(app, t0() + 6.minutes());
        let late = second_step(&app, &waiting, &code_at(&secret, app.now())).await.unwrap_err();
        assert!(matches!(late, AppError::NotFound { .. }), "{late:?}");
    }

    #[tokio::test]
    async fn managers_keep_their_second_factor_and_others_may_turn_theirs_off_with_a_code() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let ana = person(&app, "ana@example.com", "client").await;
        enrolled(&app, &mo).await;
        let (secret, _) = enrolled(&app, &ana).await;
        let refused = disable_second_factor(&app, &mo, "123456").await.unwrap_err();
        assert!(matches!(&refused, AppError::Invalid(e) if e.0[0].field == "second_factor"), "{refused:?}");
        assert!(has_second_factor(&app, mo.id).await.unwrap());

        let app = at(app, t0() + 1.minutes());
        assert!(is_wrong_code(&disable_second_factor(&app, &ana, "123456").await.unwrap_err()));
        disable_second_factor(&app, &ana, &code_at(&secret, app.now())).await.unwrap();
        assert!(!has_second_factor(&app, ana.id).await.unwrap());
        assert_eq!(recovery_codes_left(&app, ana.id).await.unwrap(), 0);
        assert!(matches!(sign_in(&app, "ana@example.com", "a long enough secret").await.unwrap(), SignIn::Done { .. }));
        let none = disable_second_factor(&app, &ana, "123456").await.unwrap_err();
        assert!(matches!(none, AppError::NotFound { .. }), "{none:?}");
    }

    #[tokio::test]
    async fn a_reset_second_factor_is_set_up_again_at_the_next_sign_in() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        enrolled(&app, &mo).await;
        assert_eq!(reset_second_factor(&app, "MO@example.com").await.unwrap(), mo);
        let SignIn::Done { secret, .. } = sign_in(&app, "mo@example.com", "a long enough secret").await.unwrap() else {
            panic!("no code to ask for once reset")
        };
        assert!(session(&app, &secret).await.unwrap().unwrap().second_factor_missing);
        let unknown = reset_second_factor(&app, "nobody@example.com").await.unwrap_err();
        assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown:?}");
    }

    #[test]
    fn recovery_codes_are_typed_forgivingly() {
        assert_eq!(normalized(" AB1O-iLz9 "), "ab1011z9");
        assert!(looks_like_totp(&normalized("123 456")));
        assert!(!looks_like_totp("12345a"));
        let code = recovery_code();
        assert_eq!(normalized(&code).len(), RECOVERY_LEN);
        assert_eq!(normalized(&code), code.replace('-', ""), "shown codes need no mending");
    }
}
