//! The authorization matrix: every route the router has (`knead_web::route_table`, pages and API) under
//! every role — anonymous, client A, client B, therapist A, therapist B and the manager — with the path
//! filled with client A's and therapist A's ids. Each answer is held to the policy declared below: a
//! refused call gets the documented status, answers the same as for an id that does not exist, and shows
//! none of client A's private details; an allowed call shows what it should. A route the policy does not
//! name fails the test, so the matrix grows with the router.

use crate::support::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use jiff::ToSpan;
use knead_core::{Kind, Place, TherapistId};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Anonymous,
    ClientA,
    ClientB,
    TherapistA,
    TherapistB,
    Manager,
}

const ROLES: [Role; 6] =
    [Role::Anonymous, Role::ClientA, Role::ClientB, Role::TherapistA, Role::TherapistB, Role::Manager];

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Everyone, signed in or not.
    Public,
    /// Anyone signed in, for their own account.
    SignedIn,
    /// Client A's booking: its client and a manager; anyone else is told it does not exist.
    BookingOwner,
    /// Client A's own API token: only client A may revoke it; anyone else is told it does not exist.
    TokenOwner,
    /// A therapist's own calendar (a manager is sent to the practice's calendars).
    Therapist,
    /// The staff view of client A's booking: the manager and therapist A (whose visit it is); therapist B is
    /// told it does not exist, clients are refused.
    Staff,
    /// The manager only.
    Manager,
    /// Client A's record (file, health history, screening): client A, the manager and therapist A (client A
    /// has a visit with them); client B and therapist B are told it does not exist.
    ClientRecord,
    /// Any member of staff (each therapist sees only their own clients and visits in it); clients are refused.
    AnyStaff,
}

/// One route's policy: who may use it, and what an allowed answer shows for each role — a text in the
/// body, or `->` and the start of the redirect's `Location`. `{own}` is the caller's own email.
struct Rule {
    method: Method,
    path: &'static str,
    access: Access,
    shows: fn(Role) -> &'static str,
}

/// The declared policy, one line per route in the route table.
fn policy() -> Vec<Rule> {
    use Access::*;
    let rule = |method: Method, path: &'static str, access: Access, shows: fn(Role) -> &'static str| Rule {
        method,
        path,
        access,
        shows,
    };
    let (get, post, put, delete) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let patch = Method::PATCH;
    vec![
        // The public site.
        rule(get.clone(), "/", Public, |_| "Massage that comes to you"),
        rule(get.clone(), "/services", Public, |_| "Massage with oil at home"),
        rule(get.clone(), "/services/{slug}", Public, |_| "Massage with oil at home"),
        rule(get.clone(), "/therapists", Public, |_| "Ines Carvalho"),
        rule(get.clone(), "/therapists/{slug}", Public, |_| "Ines Carvalho"),
        rule(get.clone(), "/articles", Public, |_| "Articles"),
        rule(get.clone(), "/articles/{slug}", Public, |_| "sciatica"),
        rule(get.clone(), "/static/style.css", Public, |_| "body"),
        rule(get.clone(), "/static/address.js", Public, |_| "geolocation"),
        // Signing in and the account.
        rule(get.clone(), "/login", Public, |_| "login_token"),
        rule(post.clone(), "/login", Public, |_| "Sign in"),
        rule(get.clone(), "/login/code", Public, |_| "->/login"),
        rule(post.clone(), "/login/code", Public, |_| "->/login"),
        // A forgotten password: the same answer for any email; a reset needs a live link's token.
        rule(get.clone(), "/login/forgot", Public, |_| "Forgot your password?"),
        rule(post.clone(), "/login/forgot", Public, |_| "If there is an account with that email"),
        rule(get.clone(), "/login/reset", Public, |_| "This link no longer works"),
        rule(post.clone(), "/login/reset", Public, |_| "This link no longer works"),
        rule(post.clone(), "/api/v1/password-resets", Public, |_| ""),
        rule(post.clone(), "/api/v1/password-resets/complete", Public, |_| "expired"),
        rule(post.clone(), "/logout", SignedIn, |_| "->/"),
        rule(get.clone(), "/account", SignedIn, |_| "{own}"),
        rule(get.clone(), "/account/second-factor", SignedIn, |_| "second factor"),
        // A wrong code: the set-up page again; turning off a factor one does not have finds nothing.
        rule(post.clone(), "/account/second-factor", SignedIn, |_| "->/account/second-factor"),
        rule(post.clone(), "/account/second-factor/off", SignedIn, |r| match r {
            Role::Manager => "second factor",
            _ => "Not found",
        }),
        rule(get.clone(), "/account/tokens", SignedIn, |_| "Personal access tokens"),
        rule(post.clone(), "/account/tokens", SignedIn, |_| "Your new token"),
        rule(post.clone(), "/account/tokens/{id}/revoke", TokenOwner, |_| "->/account/tokens"),
        // Booking through the pages, and managing a booking.
        rule(get.clone(), "/book", Public, |_| "Massage with oil at home"),
        rule(post.clone(), "/book", Public, |_| "You're booked"),
        rule(get.clone(), "/book/where", Public, |_| "address"),
        rule(get.clone(), "/book/when", Public, |_| "/book/details?"),
        rule(get.clone(), "/book/details", Public, |_| "name=\"booking_key\""),
        rule(get.clone(), "/bookings/{id}/manage", BookingOwner, |_| VICTIM_ADDRESS),
        rule(get.clone(), "/bookings/{id}/calendar.ics", BookingOwner, |_| VICTIM_ADDRESS),
        rule(post.clone(), "/bookings/{id}/manage/cancel", BookingOwner, |_| "->/bookings/"),
        rule(post.clone(), "/bookings/{id}/manage/reschedule", BookingOwner, |_| "->/bookings/"),
        // Issue 10 client pages: the why step and the red-flag screening, signing up, the health history.
        rule(get.clone(), "/book/why", Public, |_| "What brings you"),
        rule(get.clone(), "/book/screening", Public, |_| "saddle_numbness"),
        rule(post.clone(), "/book/screening", Public, |_| "->/book/when"),
        rule(get.clone(), "/sign-up", Public, |r| match r {
            Role::Anonymous => "sign_up_token",
            _ => "->/account",
        }),
        rule(post.clone(), "/sign-up", Public, |_| "->/account"),
        rule(get.clone(), "/account/health", SignedIn, |r| match r {
            Role::ClientA | Role::ClientB => "Your health history",
            _ => "Not found",
        }),
        rule(post.clone(), "/account/health", SignedIn, |r| match r {
            Role::ClientA | Role::ClientB => "->/account/health",
            _ => "Not found",
        }),
        rule(get.clone(), "/bookings/{id}/manage/health", BookingOwner, |_| "Your health history"),
        rule(post.clone(), "/bookings/{id}/manage/health", BookingOwner, |_| "->/bookings/"),
        // Calendars.
        rule(get.clone(), "/calendar", Therapist, |r| match r {
            Role::Manager => "->/manage/calendar",
            Role::TherapistA => VICTIM_ADDRESS,
            _ => "Your calendar",
        }),
        rule(get.clone(), "/manage/therapists/{id}/calendar", Manager, |_| VICTIM_ADDRESS),
        // The staff view of a booking; each change asks for a confirmation first.
        rule(get.clone(), "/visits/{id}", Staff, |_| VICTIM_PHONE),
        rule(post.clone(), "/visits/{id}/move", Manager, |_| "Move this visit?"),
        rule(post.clone(), "/visits/{id}/reassign", Manager, |_| "Give this visit to another therapist?"),
        rule(post.clone(), "/visits/{id}/cancel", Manager, |_| "Cancel this visit?"),
        // The manager's pages.
        rule(get.clone(), "/manage", Manager, |_| "Manage the practice"),
        rule(get.clone(), "/manage/calendar", Manager, |_| "Calendar and booking"),
        rule(get.clone(), "/manage/services", Manager, |_| "Massage with oil at home"),
        rule(get.clone(), "/manage/services/new", Manager, |_| "name=\"name\""),
        rule(post.clone(), "/manage/services/new", Manager, |_| "->/manage/services"),
        rule(get.clone(), "/manage/services/{id}", Manager, |_| "Massage with oil at home"),
        rule(post.clone(), "/manage/services/{id}", Manager, |_| "->/manage/services"),
        rule(post.clone(), "/manage/services/{id}/archive", Manager, |_| "Archive it"),
        rule(post.clone(), "/manage/services/{id}/restore", Manager, |_| "->/manage/services"),
        rule(get.clone(), "/manage/therapists", Manager, |_| "Ines Carvalho"),
        rule(get.clone(), "/manage/therapists/new", Manager, |_| "name=\"name\""),
        rule(post.clone(), "/manage/therapists/new", Manager, |_| "->/manage/therapists"),
        rule(get.clone(), "/manage/therapists/{id}", Manager, |_| "Ines Carvalho"),
        rule(post.clone(), "/manage/therapists/{id}", Manager, |_| "->/manage/therapists"),
        rule(post.clone(), "/manage/therapists/{id}/archive", Manager, |_| "Archive it"),
        rule(post.clone(), "/manage/therapists/{id}/restore", Manager, |_| "->/manage/therapists"),
        rule(get.clone(), "/manage/articles", Manager, |_| "sciatica"),
        rule(get.clone(), "/manage/articles/new", Manager, |_| "name=\"title\""),
        rule(post.clone(), "/manage/articles/new", Manager, |_| "->/manage/articles"),
        rule(get.clone(), "/manage/articles/{id}", Manager, |_| "sciatica"),
        rule(post.clone(), "/manage/articles/{id}", Manager, |_| "->/manage/articles"),
        rule(post.clone(), "/manage/articles/{id}/archive", Manager, |_| "Archive it"),
        rule(post.clone(), "/manage/articles/{id}/restore", Manager, |_| "->/manage/articles"),
        rule(get.clone(), "/manage/therapists/{id}/schedule", Manager, |_| "Ines Carvalho"),
        rule(post.clone(), "/manage/therapists/{id}/schedule", Manager, |_| "->/manage/therapists/"),
        rule(post.clone(), "/manage/therapists/{id}/time-off", Manager, |_| "->/manage/therapists/"),
        rule(post.clone(), "/manage/therapists/{id}/time-off/{time_off_id}/delete", Manager, |_| {
            "->/manage/therapists/"
        }),
        rule(post.clone(), "/manage/therapists/{id}/override", Manager, |_| "->/manage/therapists/"),
        rule(get.clone(), "/manage/clinics", Manager, |_| "Korkeavuori Clinic"),
        rule(post.clone(), "/manage/clinics", Manager, |_| "->/manage/clinics"),
        rule(get.clone(), "/manage/clinics/{id}", Manager, |_| "Korkeavuori Clinic"),
        rule(post.clone(), "/manage/clinics/{id}", Manager, |_| "->/manage/clinics"),
        rule(post.clone(), "/manage/clinics/{id}/archive", Manager, |_| "Archive it"),
        rule(post.clone(), "/manage/clinics/{id}/restore", Manager, |_| "->/manage/clinics"),
        rule(get.clone(), "/manage/settings", Manager, |_| "Europe/Helsinki"),
        rule(post.clone(), "/manage/settings", Manager, |_| "->/manage/settings"),
        rule(post.clone(), "/manage/settings/details", Manager, |_| "->/manage/settings"),
        rule(get.clone(), "/manage/travel", Manager, |_| "straight lines"),
        // issue 10 staff pages: clients, their files and the bookings list for staff (a therapist sees only
        // their own clients), recording a clearance on the visit sheet, and the manager's audit log.
        rule(get.clone(), "/manage/clients", Therapist, |r| match r {
            Role::TherapistB => "Clients",
            _ => CLIENT.0,
        }),
        rule(get.clone(), "/manage/clients/new", Therapist, |_| "name=\"email\""),
        rule(post.clone(), "/manage/clients/new", Therapist, |_| "->/manage/clients/"),
        rule(get.clone(), "/manage/clients/{id}", Staff, |_| CLIENT.0),
        rule(get.clone(), "/manage/clients/{id}/edit", Staff, |_| CLIENT.0),
        rule(post.clone(), "/manage/clients/{id}/edit", Staff, |_| "->/manage/clients/"),
        rule(get.clone(), "/manage/bookings", Therapist, |r| match r {
            Role::TherapistB => "Bookings",
            _ => "Sam Lindqvist",
        }),
        rule(get.clone(), "/manage/audit", Manager, |_| "Audit log"),
        rule(get.clone(), "/manage/audit.csv", Manager, |_| "id,at,actor"),
        // Client A's booking is not held: the form is refused, saying so (the check is who may ask).
        rule(post.clone(), "/visits/{id}/clearance", Staff, |_| "not waiting for a clearance"),
        // Issue 11 pages: episodes of care, their forms, notes, referrals, the instruments, the client's
        // own program. Client A's episode (opened by therapist A) has a draft note and a draft referral.
        rule(get.clone(), "/manage/clients/{id}/episodes/new", Staff, |_| "Open an episode of care"),
        rule(post.clone(), "/manage/clients/{id}/episodes/new", Staff, |_| "->/manage/episodes/"),
        rule(get.clone(), "/manage/episodes/{id}", Staff, |_| "Clinic policy"),
        rule(post.clone(), "/manage/episodes/{id}/status", Staff, |_| "->/manage/episodes/"),
        rule(post.clone(), "/manage/episodes/{id}/measures", Staff, |_| "->/manage/episodes/"),
        // An empty plan or program is refused naming its fields (the check is who may ask).
        rule(post.clone(), "/manage/episodes/{id}/plan", Staff, |_| "The plan was not saved"),
        rule(post.clone(), "/manage/episodes/{id}/program", Staff, |_| "The program was not prescribed"),
        rule(post.clone(), "/manage/episodes/{id}/referrals", Staff, |_| "->/manage/referrals/"),
        rule(get.clone(), "/manage/episodes/{id}/notes/new", Staff, |_| "New note"),
        rule(post.clone(), "/manage/episodes/{id}/notes/new", Staff, |_| "->/manage/notes/"),
        rule(get.clone(), "/manage/notes/{id}", Staff, |_| "Draft note"),
        rule(post.clone(), "/manage/notes/{id}", Staff, |_| "->/manage/notes/"),
        // The note is a draft: an amendment is refused, saying why.
        rule(post.clone(), "/manage/notes/{id}/amend", Staff, |_| "The note was not saved"),
        rule(get.clone(), "/visits/{id}/note", Staff, |_| "->/manage/episodes/"),
        rule(get.clone(), "/manage/referrals/{id}", Staff, |_| "Referral letter"),
        rule(post.clone(), "/manage/referrals/{id}", Staff, |_| "->/manage/referrals/"),
        rule(get.clone(), "/manage/instruments", Manager, |_| "Outcome instruments"),
        rule(post.clone(), "/manage/instruments", Manager, |_| "The file was not loaded"),
        rule(get.clone(), "/account/program", SignedIn, |r| match r {
            Role::ClientA => "Knee to chest",
            Role::ClientB => "Your home program",
            _ => "Not found",
        }),
        rule(post.clone(), "/account/program/{id}/log", TokenOwner, |_| "->/account/program"),
        // The API.
        rule(get.clone(), "/healthz", Public, |_| "\"status\":\"ok\""),
        rule(get.clone(), "/api/v1/openapi.json", Public, |_| "\"openapi\""),
        rule(get.clone(), "/api/v1/me", SignedIn, |_| "{own}"),
        rule(get.clone(), "/api/v1/services", Public, |_| "Massage with oil at home"),
        rule(post.clone(), "/api/v1/services", Manager, |_| "Matrix stones"),
        rule(get.clone(), "/api/v1/services/{id}", Public, |_| "Massage with oil at home"),
        rule(put.clone(), "/api/v1/services/{id}", Manager, |_| "Matrix stones"),
        rule(post.clone(), "/api/v1/services/{id}/archive", Manager, |_| "\"archived\":true"),
        rule(post.clone(), "/api/v1/services/{id}/restore", Manager, |_| "\"archived\":false"),
        rule(get.clone(), "/api/v1/therapists", Public, |_| "Ines Carvalho"),
        rule(post.clone(), "/api/v1/therapists", Manager, |_| "Matrix Therapist"),
        rule(get.clone(), "/api/v1/therapists/{id}", Public, |_| "Ines Carvalho"),
        rule(put.clone(), "/api/v1/therapists/{id}", Manager, |_| "Matrix Therapist"),
        rule(post.clone(), "/api/v1/therapists/{id}/archive", Manager, |_| "\"archived\":true"),
        rule(post.clone(), "/api/v1/therapists/{id}/restore", Manager, |_| "\"archived\":false"),
        rule(get.clone(), "/api/v1/articles", Public, |_| "sciatica"),
        rule(post.clone(), "/api/v1/articles", Manager, |_| "Matrix article"),
        rule(get.clone(), "/api/v1/articles/{id}", Public, |_| "sciatica"),
        rule(put.clone(), "/api/v1/articles/{id}", Manager, |_| "Matrix article"),
        rule(post.clone(), "/api/v1/articles/{id}/archive", Manager, |_| "\"archived\":true"),
        rule(post.clone(), "/api/v1/articles/{id}/restore", Manager, |_| "\"archived\":false"),
        rule(get.clone(), "/api/v1/practice", Public, |_| "Korkeavuori Clinic"),
        rule(get.clone(), "/api/v1/practice/settings", Manager, |_| "Europe/Helsinki"),
        rule(put.clone(), "/api/v1/practice/settings", Manager, |_| "Europe/Helsinki"),
        rule(get.clone(), "/api/v1/practice/details", Manager, |_| "\"phone\""),
        rule(put.clone(), "/api/v1/practice/details", Manager, |_| "Matrix Practice"),
        rule(get.clone(), "/api/v1/clinics", Public, |_| "Korkeavuori Clinic"),
        rule(post.clone(), "/api/v1/clinics", Manager, |_| "Matrix Clinic"),
        rule(get.clone(), "/api/v1/clinics/{id}", Public, |_| "Korkeavuori Clinic"),
        rule(put.clone(), "/api/v1/clinics/{id}", Manager, |_| "Matrix Clinic"),
        rule(post.clone(), "/api/v1/clinics/{id}/archive", Manager, |_| "\"archived\":true"),
        rule(post.clone(), "/api/v1/clinics/{id}/restore", Manager, |_| "\"archived\":false"),
        rule(get.clone(), "/api/v1/therapists/{id}/schedule", Manager, |_| "\"weekly\""),
        rule(put.clone(), "/api/v1/therapists/{id}/schedule", Manager, |_| "\"weekly\""),
        rule(post.clone(), "/api/v1/therapists/{id}/time-off", Manager, |_| "\"start\""),
        rule(delete.clone(), "/api/v1/therapists/{id}/time-off/{time_off_id}", Manager, |_| ""),
        rule(put.clone(), "/api/v1/therapists/{id}/overrides/{date}", Manager, |_| ""),
        rule(get.clone(), "/api/v1/availability", Public, |_| "\"slots\""),
        rule(get.clone(), "/api/v1/places", Public, |_| "Yrjönkatu"),
        rule(get.clone(), "/api/v1/places/reverse", Public, |_| "Yrjönkatu"),
        rule(post.clone(), "/api/v1/bookings", Public, |_| "\"manage_url\""),
        rule(get.clone(), "/api/v1/bookings/{id}", BookingOwner, |_| VICTIM_ADDRESS),
        rule(post.clone(), "/api/v1/bookings/{id}/cancel", BookingOwner, |_| "\"cancelled\""),
        rule(post.clone(), "/api/v1/bookings/{id}/reschedule", BookingOwner, |_| VICTIM_ADDRESS),
        // Reassigning to the visit's own therapist is refused, naming the field: the check is who may ask.
        rule(post.clone(), "/api/v1/bookings/{id}/reassign", Manager, |_| "therapist_ids"),
        rule(get.clone(), "/api/v1/bookings/{id}/changes", BookingOwner, |_| "\"changes\""),
        // Issue 12: the outbox, private calendar feeds, and asking for a booking's link again.
        rule(get.clone(), "/api/v1/outbox", Manager, |_| "["),
        rule(post.clone(), "/api/v1/therapists/{id}/calendar-feed", Staff, |_| "/calendar/feed/"),
        rule(delete.clone(), "/api/v1/therapists/{id}/calendar-feed", Staff, |_| ""),
        rule(post.clone(), "/api/v1/account/calendar-feed", SignedIn, |r| match r {
            Role::Manager => "not_found",
            _ => "",
        }),
        rule(delete.clone(), "/api/v1/account/calendar-feed", SignedIn, |_| ""),
        rule(post.clone(), "/api/v1/manage-links", Public, |_| ""),
        rule(get.clone(), "/manage/outbox", Manager, |_| "Outbox"),
        rule(get.clone(), "/manage/outbox/{id}", Manager, |_| ""),
        rule(get.clone(), "/account/calendar-feed", SignedIn, |r| match r {
            Role::Manager => "Not found",
            _ => "Your calendar feed",
        }),
        rule(post.clone(), "/account/calendar-feed", SignedIn, |r| match r {
            Role::Manager => "Not found",
            _ => "",
        }),
        rule(get.clone(), "/calendar/feed/{token}", Public, |_| "Not found"),
        rule(get.clone(), "/bookings/lost-link", Public, |_| "Find your booking"),
        // Issue 12: recurring visits and the waitlist. An entry opens only with its private token, so
        // without one every role is told it does not exist.
        rule(post.clone(), "/api/v1/booking-series", Public, |_| "\"series_id\""),
        rule(post.clone(), "/api/v1/waitlist", Public, |_| "\"manage_url\""),
        rule(get.clone(), "/api/v1/waitlist", Manager, |_| "\"entries\""),
        rule(get.clone(), "/api/v1/waitlist/{id}", Public, |_| "not_found"),
        rule(post.clone(), "/api/v1/waitlist/{id}/book", Public, |_| "not_found"),
        rule(post.clone(), "/api/v1/waitlist/{id}/leave", Public, |_| "not_found"),
        rule(get.clone(), "/book/waitlist", Public, |_| "Join the waitlist"),
        rule(post.clone(), "/book/waitlist", Public, |_| "on the waitlist"),
        rule(get.clone(), "/waitlist/{id}", Public, |_| "Not found"),
        rule(post.clone(), "/waitlist/{id}/book", Public, |_| "Not found"),
        rule(post.clone(), "/waitlist/{id}/leave", Public, |_| "Not found"),
        rule(get.clone(), "/manage/waitlist", Manager, |_| "Waitlist"),
        // Issue 13: the dispatch board, the optimizer's proposal, applying it (an empty plan is refused, naming
        // `moves`: the check here is who may ask).
        rule(get.clone(), "/api/v1/dispatch/{date}", Manager, |_| "\"therapists\""),
        rule(post.clone(), "/api/v1/dispatch/{date}/proposal", Manager, |_| "\"moves\""),
        rule(post.clone(), "/api/v1/dispatch/{date}/apply", Manager, |_| "moves"),
        rule(get.clone(), "/manage/dispatch", Manager, |_| "Dispatch"),
        rule(post.clone(), "/manage/dispatch/proposal", Manager, |_| "Re-plan of"),
        rule(post.clone(), "/manage/dispatch/apply", Manager, |_| "the plan moves nothing"),
        rule(post.clone(), "/bookings/lost-link", Public, |_| "Find your booking"),
        // issue 10 API: screenings, clients and their health history, clearances, the audit log.
        rule(post.clone(), "/api/v1/screenings", Public, |_| "\"level\""),
        rule(get.clone(), "/api/v1/screenings/{id}", ClientRecord, |_| "\"urgent\""),
        rule(get.clone(), "/api/v1/clients", AnyStaff, |_| "\"clients\""),
        rule(post.clone(), "/api/v1/clients", AnyStaff, |_| "Matrix Client"),
        rule(get.clone(), "/api/v1/clients/{id}", ClientRecord, |_| "\"intakes\""),
        rule(get.clone(), "/api/v1/clients/{id}/intakes", ClientRecord, |_| "\"intakes\""),
        rule(post.clone(), "/api/v1/clients/{id}/intakes", ClientRecord, |_| "\"version\""),
        rule(get.clone(), "/api/v1/bookings", AnyStaff, |_| "\"bookings\""),
        rule(post.clone(), "/api/v1/bookings/{id}/clearance", Staff, |_| "\"confirmed\""),
        rule(get.clone(), "/api/v1/audit", Manager, |_| "\"entries\""),
        rule(get.clone(), "/api/v1/audit/export", Manager, |_| "prev_hash"),
        // Issue 11 API: client A's episode (therapist A's), its draft note and draft referral, client A's
        // program. The client reads their own episode and measures and records their own pain.
        rule(get.clone(), "/api/v1/clients/{id}/episodes", ClientRecord, |_| "\"episodes\""),
        rule(post.clone(), "/api/v1/clients/{id}/episodes", Staff, |_| "Matrix sciatica"),
        rule(get.clone(), "/api/v1/episodes/{id}", ClientRecord, |_| "\"response\""),
        rule(patch.clone(), "/api/v1/episodes/{id}", Staff, |_| "\"discharged\""),
        rule(post.clone(), "/api/v1/episodes/{id}/plans", Staff, |_| "\"version\""),
        rule(get.clone(), "/api/v1/episodes/{id}/measures", ClientRecord, |_| "\"measures\""),
        rule(post.clone(), "/api/v1/episodes/{id}/measures", ClientRecord, |_| "\"score\""),
        rule(post.clone(), "/api/v1/episodes/{id}/notes", Staff, |_| "Matrix note"),
        rule(get.clone(), "/api/v1/notes/{id}", Staff, |_| "\"versions\""),
        rule(put.clone(), "/api/v1/notes/{id}", Staff, |_| "Matrix note"),
        rule(patch.clone(), "/api/v1/notes/{id}", Staff, |_| "Matrix edit"),
        rule(post.clone(), "/api/v1/notes/{id}/sign", Staff, |_| "\"signed\""),
        // The fixture's note is a draft: an amendment is refused for it (the check is who may ask).
        rule(post.clone(), "/api/v1/notes/{id}/amendments", Staff, |_| "not_signed"),
        rule(post.clone(), "/api/v1/episodes/{id}/programs", Staff, |_| "knee_to_chest"),
        rule(get.clone(), "/api/v1/me/programs", SignedIn, |r| match r {
            Role::ClientA => "knee_to_chest",
            Role::ClientB => "\"programs\"",
            _ => "not_found",
        }),
        rule(post.clone(), "/api/v1/programs/{id}/logs", TokenOwner, |_| "\"pain\""),
        rule(post.clone(), "/api/v1/episodes/{id}/referrals", Staff, |_| "\"draft\""),
        rule(get.clone(), "/api/v1/referrals/{id}", Staff, |_| "\"reason\""),
        rule(patch.clone(), "/api/v1/referrals/{id}", Staff, |_| "Dr. Matrix"),
        rule(post.clone(), "/api/v1/referrals/{id}/sign", Staff, |_| "\"signed\""),
        rule(get.clone(), "/api/v1/referrals/{id}.pdf", Staff, |_| "%PDF"),
        rule(get.clone(), "/api/v1/referrals/{id}/fhir", Staff, |_| "Bundle"),
        rule(get.clone(), "/api/v1/instruments", AnyStaff, |_| "nprs_leg"),
        rule(post.clone(), "/api/v1/instruments", Manager, |_| "example_index"),
        // Issue 13: safety on home visits. Client A's visit is therapist A's; a check-out is of another visit
        // of theirs that the fixture checked in (a check-out needs the check-in first).
        rule(post.clone(), "/visits/{id}/check-in", Staff, |_| "->/visits/"),
        rule(post.clone(), "/visits/{id}/check-out", Staff, |_| "->/visits/"),
        rule(get.clone(), "/manage/safety", Manager, |_| "Safety: home visits"),
        rule(post.clone(), "/api/v1/bookings/{id}/check-in", Staff, |_| "\"kind\":\"in\""),
        rule(post.clone(), "/api/v1/bookings/{id}/check-out", Staff, |_| "\"kind\":\"out\""),
        rule(get.clone(), "/api/v1/bookings/{id}/checks", Staff, |_| "\"checks\""),
        rule(get.clone(), "/api/v1/safety/checks", Manager, |_| "\"visits\""),
        // Issue 14: chair days. A manager books one and reads its sheet (the matrix's service is not a chair
        // service: refused naming it); attendees sign up with the organiser's link, which only the link opens.
        rule(post.clone(), "/api/v1/chair-days", Manager, |_| "is not a chair-massage service"),
        rule(get.clone(), "/api/v1/chair-days/{id}", Manager, |_| "No such chair day"),
        rule(post.clone(), "/api/v1/chair-days/{id}/signups", Public, |_| "No such chair day"),
        rule(post.clone(), "/api/v1/parties", Manager, |_| "guest"),
        rule(get.clone(), "/chair-days/{id}/signup", Public, |_| "Not found"),
        rule(post.clone(), "/chair-days/{id}/signup", Public, |_| "Not found"),
        rule(get.clone(), "/chair-days/signups/cancel", Public, |_| "Cancel your chair massage"),
        rule(get.clone(), "/manage/chair-days", Manager, |_| "Chair-massage days"),
        rule(get.clone(), "/parties/book", Public, |_| "Book a spa party"),
        rule(post.clone(), "/parties/book", Public, |_| "Please check"),
        rule(post.clone(), "/chair-days/signups/cancel", Public, |_| "Not found"),
        // Issue 14, after booking: enquiries anyone files and managers decide; parties and their payments for
        // managers; a guest's own health check and the organiser's or host's page, which only their links open.
        rule(post.clone(), "/api/v1/group-enquiries", Public, |_| "\"status\":\"open\""),
        rule(get.clone(), "/api/v1/group-enquiries", Manager, |_| "["),
        rule(post.clone(), "/api/v1/group-enquiries/{id}/accept", Manager, |_| "No such enquiry"),
        rule(post.clone(), "/api/v1/group-enquiries/{id}/decline", Manager, |_| "No such enquiry"),
        rule(get.clone(), "/api/v1/parties", Manager, |_| "["),
        rule(get.clone(), "/api/v1/parties/{id}", Manager, |_| "No such party"),
        rule(post.clone(), "/api/v1/parties/{id}/payments", Manager, |_| "No such group"),
        rule(post.clone(), "/api/v1/party-guests/health", Public, |_| "No such guest"),
        rule(get.clone(), "/groups/{id}", Public, |_| "Not found"),
        rule(get.clone(), "/groups/enquire", Public, |_| "Plan a chair-massage day"),
        rule(post.clone(), "/groups/enquire", Public, |_| "Please check"),
        rule(get.clone(), "/parties/guests/health", Public, |_| "Not found"),
        rule(post.clone(), "/parties/guests/health", Public, |_| "Not found"),
        rule(get.clone(), "/manage/enquiries", Manager, |_| "Group enquiries"),
        rule(post.clone(), "/manage/enquiries/{id}/accept", Manager, |_| "Not found"),
        rule(post.clone(), "/manage/enquiries/{id}/decline", Manager, |_| "Not found"),
        rule(get.clone(), "/manage/parties", Manager, |_| "Spa parties"),
        rule(post.clone(), "/manage/parties/{id}/payments", Manager, |_| "Not found"),
        rule(get.clone(), "/manage/chair-days/{id}/invoice", Manager, |_| "Not found"),
    ]
}

// Client A's private details: none may reach anyone who may not see client A's booking.
const VICTIM_ADDRESS: &str = "17 Victim Crescent";
const VICTIM_PHONE: &str = "416-555-0177";
/// A client's home in the demo's central Helsinki: the address point of Kalevankatu 12.
const HOME: (f64, f64) = (60.1669, 24.9374);
const HOME_ADDRESS: &str = "12 Kalevankatu, Helsinki";
const CLIENT_B: (&str, &str) = ("client-b@demo.knead.test", "knead-matrix-client-b");
const THERAPIST_A: (&str, &str) = ("ines@demo.knead.test", "knead-matrix-therapist-a");
/// An id no record has: a refused caller must get the same answer for it as for client A's.
const MISSING_ID: &str = "987654";

/// What a refused call answers: pages send an anonymous caller to sign in; the API says 401.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Allowed,
    Refused(StatusCode),
}

fn outcome(access: Access, role: Role, api: bool) -> Outcome {
    use Outcome::*;
    let sign_in = Refused(if api { StatusCode::UNAUTHORIZED } else { StatusCode::SEE_OTHER });
    let anonymous = role == Role::Anonymous;
    match access {
        Access::Public => Allowed,
        _ if anonymous => sign_in,
        Access::SignedIn => Allowed,
        Access::BookingOwner if matches!(role, Role::ClientA | Role::Manager) => Allowed,
        Access::TokenOwner if role == Role::ClientA => Allowed,
        Access::BookingOwner | Access::TokenOwner => Refused(StatusCode::NOT_FOUND),
        Access::Therapist if matches!(role, Role::ClientA | Role::ClientB) => Refused(StatusCode::FORBIDDEN),
        Access::Therapist => Allowed,
        Access::Staff if matches!(role, Role::Manager | Role::TherapistA) => Allowed,
        Access::Staff if role == Role::TherapistB => Refused(StatusCode::NOT_FOUND),
        Access::Staff => Refused(StatusCode::FORBIDDEN),
        Access::Manager if role == Role::Manager => Allowed,
        Access::Manager => Refused(StatusCode::FORBIDDEN),
        Access::ClientRecord if matches!(role, Role::ClientA | Role::Manager | Role::TherapistA) => Allowed,
        Access::ClientRecord => Refused(StatusCode::NOT_FOUND),
        Access::AnyStaff if matches!(role, Role::ClientA | Role::ClientB) => Refused(StatusCode::FORBIDDEN),
        Access::AnyStaff => Allowed,
    }
}

/// One practice with two clients, two therapists and a manager signed in, and client A's booking with
/// therapist A.
struct Fixture {
    app: TestApp,
    sessions: BTreeMap<Role, (Auth, String)>,
    tokens: BTreeMap<Role, Auth>,
    emails: BTreeMap<Role, &'static str>,
    booking_id: i64,
    /// Client A's client record (issue 10 staff pages).
    client_id: i64,
    manage_token: String,
    booking_date: String,
    therapist_a: i64,
    service_id: i64,
    therapist_slug: String,
    article_id: i64,
    article_slug: String,
    time_off_id: i64,
    token_id: i64,
    /// The demo clinic (client B's booking is there) and its rooms.
    clinic_id: i64,
    room_ids: Vec<i64>,
    /// A later start therapist A is free at, and a free day for time off and a date's hours.
    free_start: String,
    free_day: String,
    /// Issue 10: client A's record, their urgent screening, and the visit with therapist A it holds.
    client_a_id: i64,
    screening_id: String,
    held_booking_id: i64,
    /// Issue 11: client A's episode with therapist A, its draft note and draft referral, and client A's
    /// home program on it.
    episode_id: i64,
    note_id: i64,
    referral_id: i64,
    program_id: i64,
    /// Issue 13: another home visit of client A's with therapist A, checked in.
    checked_in_booking_id: i64,
}

fn helsinki() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()
}

fn helsinki_date_in(days: i64) -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(helsinki()).date().checked_add(days.days()).unwrap()
}

/// `day` (YYYY-MM-DD) at `hour` o'clock in Helsinki, as an RFC 3339 instant.
fn helsinki_instant(day: &str, hour: i8) -> String {
    let date: jiff::civil::Date = day.parse().unwrap();
    date.at(hour, 0, 0, 0).to_zoned(helsinki()).unwrap().timestamp().to_string()
}

impl Fixture {
    /// The practice, with a browser session for each role in `signed_in` (signing in is the slow part)
    /// and an API token for every role.
    async fn new(signed_in: &[Role]) -> Fixture {
        let app = TestApp::new().await;
        knead_app::accounts::create_user(&app.app, CLIENT_B.0, "Bea Other", "client", CLIENT_B.1).await.unwrap();
        let ines_user =
            knead_app::accounts::create_user(&app.app, THERAPIST_A.0, "Ines Carvalho", "therapist", THERAPIST_A.1)
                .await
                .unwrap();
        let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap();
        app.store.link_therapist_user(ines.id, Some(ines_user.id)).await.unwrap();
        let logins = [
            (Role::ClientA, CLIENT),
            (Role::ClientB, CLIENT_B),
            (Role::TherapistA, THERAPIST_A),
            (Role::TherapistB, THERAPIST),
            (Role::Manager, MANAGER),
        ];
        let mut sessions = BTreeMap::new();
        let mut tokens = BTreeMap::new();
        let mut emails = BTreeMap::new();
        for (role, login) in logins {
            if signed_in.contains(&role) {
                let session = app.sign_in(login).await;
                let csrf = app.csrf(&session).await;
                sessions.insert(role, (session, csrf));
            }
            tokens.insert(role, app.token_for(login.0).await);
            emails.insert(role, login.0);
        }
        let token_id = knead_app::accounts::tokens_of(
            &app.app,
            app.store.credentials_by_email(&email(CLIENT.0)).await.unwrap().unwrap().0.id,
        )
        .await
        .unwrap()[0]
            .id;

        let services = app.store.list_services(false).await.unwrap();
        let massage = services.iter().find(|s| s.name == "Massage with oil at home").unwrap();
        let starts = free_starts(&app, massage.id.0, ines.id).await;
        let booked = app
            .json(
                "POST",
                "/api/v1/bookings",
                tokens.get(&Role::ClientA),
                &json!({
                    "service_id": massage.id.0, "start": starts[0], "therapist_ids": [ines.id.0],
                    "lat": HOME.0, "lon": HOME.1, "address": format!("{VICTIM_ADDRESS}, Helsinki"),
                    "client": {"name": "Sam Lindqvist", "email": CLIENT.0, "phone": VICTIM_PHONE}
                })
                .to_string(),
            )
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "client A books: {}", booked.body);
        let booked = booked.json();
        let manage_url = booked["manage_url"].as_str().unwrap();
        // Therapist B's day has client B's booking at the clinic.
        let mara = app.store.therapist_by_slug("mara-quill").await.unwrap();
        let clinic_service = services.iter().find(|s| s.kind == Kind::Individual && s.place == Place::Clinic).unwrap();
        let clinic = app.store.clinics().await.unwrap().remove(0);
        let clinic_id = clinic.id.0;
        let query = format!(
            "service_id={}&clinic_id={clinic_id}&from={}&days=14&therapist_id={}",
            clinic_service.id.0,
            helsinki_date_in(2),
            mara.id.0
        );
        let slots = app.get(&format!("/api/v1/availability?{query}")).await.json();
        let other = app
            .json(
                "POST",
                "/api/v1/bookings",
                tokens.get(&Role::ClientB),
                &json!({"service_id": clinic_service.id.0, "start": slots["slots"][0]["start"], "clinic_id": clinic_id})
                    .to_string(),
            )
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "client B books: {}", other.body);

        // Client A's urgent screening holds a second visit with therapist A until a clearance is recorded,
        // on a day of its own.
        let screened =
            app.json("POST", "/api/v1/screenings", tokens.get(&Role::ClientA), &urgent_screening().to_string()).await;
        assert_eq!(screened.status, StatusCode::CREATED, "client A's screening: {}", screened.body);
        let screening_id = screened.json()["id"].as_str().unwrap().to_string();
        let last_day = &starts.last().unwrap()[..10];
        let held_start =
            starts.iter().find(|s| s[..10] != starts[0][..10] && &s[..10] != last_day).expect("a start on another day");
        let held = app
            .json(
                "POST",
                "/api/v1/bookings",
                tokens.get(&Role::ClientA),
                &json!({
                    "service_id": massage.id.0, "start": held_start, "therapist_ids": [ines.id.0],
                    "lat": HOME.0, "lon": HOME.1, "address": format!("{VICTIM_ADDRESS}, Helsinki"),
                    "reason": "back_pain", "screening_id": screening_id
                })
                .to_string(),
            )
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "client A's held visit: {}", held.body);
        assert_eq!(held.json()["status"], "awaiting_clearance");

        // Another visit with therapist A on a day of its own, checked in by therapist A.
        let taken = [&starts[0][..10], &held_start[..10], last_day];
        let arrival_start = starts.iter().find(|s| !taken.contains(&&s[..10])).expect("a start on a fourth day");
        let arrival = app
            .json(
                "POST",
                "/api/v1/bookings",
                tokens.get(&Role::ClientA),
                &json!({
                    "service_id": massage.id.0, "start": arrival_start, "therapist_ids": [ines.id.0],
                    "lat": HOME.0, "lon": HOME.1, "address": format!("{VICTIM_ADDRESS}, Helsinki")
                })
                .to_string(),
            )
            .await;
        assert_eq!(arrival.status, StatusCode::CREATED, "client A's second visit: {}", arrival.body);
        let checked_in_booking_id = arrival.json()["id"].as_i64().unwrap();
        let no_note = knead_core::safety::CheckInput::default();
        let booking = knead_core::booking::BookingId(checked_in_booking_id);
        knead_app::safety::check_in(&app.app, &ines_user, booking, &no_note).await.unwrap();

        let free_day = helsinki_date_in(40).to_string();
        let manager = tokens.get(&Role::Manager).unwrap();
        let off = app
            .json(
                "POST",
                &format!("/api/v1/therapists/{}/time-off", ines.id.0),
                Some(manager),
                &json!({"start": helsinki_instant(&free_day, 12), "end": helsinki_instant(&free_day, 13)}).to_string(),
            )
            .await;
        assert_eq!(off.status, StatusCode::CREATED, "time off: {}", off.body);
        let article = app.store.list_articles(false).await.unwrap().into_iter().next().unwrap();
        let booking_id = booked["id"].as_i64().unwrap();
        let records = Records::new(&app, &tokens[&Role::TherapistA], booked["client_id"].as_i64().unwrap()).await;
        let client_id = app.store.booking(knead_core::booking::BookingId(booking_id)).await.unwrap().client_id;
        Fixture {
            booking_id,
            client_id: client_id.expect("client A's booking has a client record").0,
            manage_token: manage_url.split("token=").nth(1).unwrap().to_string(),
            booking_date: booked["start_local"].as_str().unwrap()[..10].to_string(),
            therapist_a: ines.id.0,
            service_id: massage.id.0,
            therapist_slug: ines.slug.to_string(),
            article_id: article.id.0,
            article_slug: article.slug.to_string(),
            time_off_id: off.json()["id"].as_i64().unwrap(),
            token_id,
            clinic_id,
            room_ids: clinic.rooms.iter().map(|r| r.id.0).collect(),
            free_start: starts.last().unwrap().clone(),
            free_day,
            client_a_id: booked["client_id"].as_i64().expect("client A's record"),
            screening_id,
            held_booking_id: held.json()["id"].as_i64().unwrap(),
            episode_id: records.episode,
            note_id: records.note,
            referral_id: records.referral,
            program_id: records.program,
            checked_in_booking_id,
            app,
            sessions,
            tokens,
            emails,
        }
    }

    /// `path` with its parameters filled with client A's and therapist A's ids (or `missing` for the ids
    /// of records a caller might not be allowed to see), and the query it needs.
    fn fill(&self, path: &str, missing: Option<&str>) -> String {
        // The page's clearance form takes the plain booking (refused with a 422, the matrix's "allowed"); the
        // API's takes the held one.
        let id = if path.starts_with("/api/") && path.ends_with("/clearance") {
            self.held_booking_id.to_string()
        } else if path.starts_with("/manage/episodes/") || path.starts_with("/api/v1/episodes/") {
            self.episode_id.to_string()
        } else if path.starts_with("/api/v1/notes/") {
            self.note_id.to_string()
        } else if path.starts_with("/api/v1/referrals/") {
            self.referral_id.to_string()
        } else if path.starts_with("/api/v1/programs/") {
            self.program_id.to_string()
        } else if path.starts_with("/manage/notes/") {
            self.note_id.to_string()
        } else if path.starts_with("/manage/referrals/") {
            self.referral_id.to_string()
        } else if path.starts_with("/account/program/") {
            self.program_id.to_string()
        } else if path.starts_with("/manage/clients/") {
            self.client_id.to_string()
        } else if path.contains("/clients/") {
            self.client_a_id.to_string()
        } else if path.contains("/screenings/") {
            self.screening_id.clone()
        } else if path.ends_with("/check-out") {
            self.checked_in_booking_id.to_string()
        } else if path.contains("/bookings/") || path.starts_with("/visits/") {
            self.booking_id.to_string()
        } else if path.contains("/tokens/") {
            self.token_id.to_string()
        } else if path.contains("/clinics/") {
            self.clinic_id.to_string()
        } else if path.contains("/therapists/") {
            self.therapist_a.to_string()
        } else if path.contains("/articles/") {
            self.article_id.to_string()
        } else {
            self.service_id.to_string()
        };
        let slug = if path.starts_with("/therapists/") {
            self.therapist_slug.clone()
        } else if path.starts_with("/articles/") {
            self.article_slug.clone()
        } else {
            "massage-with-oil-at-home".to_string()
        };
        let filled = path
            .replace("{id}", missing.unwrap_or(&id))
            .replace("{time_off_id}", missing.unwrap_or(&self.time_off_id.to_string()))
            .replace("{slug}", &slug)
            .replace("{date}", &self.free_day);
        let flow = format!("service_id={}&lat={}&lon={}&address=12+Kalevankatu", self.service_id, HOME.0, HOME.1);
        let query = match path {
            "/calendar" | "/manage/therapists/{id}/calendar" | "/manage/bookings" => {
                format!("date={}", self.booking_date)
            }
            "/book/where" => format!("service_id={}", self.service_id),
            "/book/when" | "/book/why" | "/book/waitlist" => flow,
            "/book/screening" => format!("{flow}&reason=sciatica"),
            // Helsinki's offsets start with `+`, which a query must escape.
            "/book/details" => {
                format!("{flow}&therapist_id={}&start={}", self.therapist_a, self.free_start.replace('+', "%2B"))
            }
            "/api/v1/places" => "q=yrjonkatu+15".into(),
            "/api/v1/bookings" => format!("date={}", self.booking_date),
            "/api/v1/places/reverse" => "lat=60.1672&lon=24.9402".into(),
            "/api/v1/availability" => format!(
                "service_id={}&lat={}&lon={}&from={}&days=7",
                self.service_id,
                HOME.0,
                HOME.1,
                helsinki_date_in(2)
            ),
            _ => String::new(),
        };
        if query.is_empty() {
            filled
        } else {
            format!("{filled}?{query}")
        }
    }
}

/// Every red-flag answer "no" but a history of cancer: an urgent screening.
fn urgent_screening() -> serde_json::Value {
    let mut answers = serde_json::to_value(knead_core::intake::screening::all_clear()).unwrap();
    answers["history_of_cancer"] = json!(true);
    answers
}

/// A complete health history: every question "no", consent given.
fn complete_intake() -> serde_json::Value {
    let mut body = json!({});
    for (field, _) in knead_core::intake::health::INTAKE_QUESTIONS {
        if field != "high_risk_pregnancy" {
            body[field] = json!(false);
        }
    }
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        body["consent"][element] = json!(true);
    }
    body
}

/// Client A's care records, made through the API as therapist A: an episode with a draft note, a draft
/// referral, and a home program.
struct Records {
    episode: i64,
    note: i64,
    referral: i64,
    program: i64,
}

impl Records {
    async fn new(app: &TestApp, therapist: &Auth, client: i64) -> Records {
        let post = |path: String, body: serde_json::Value| async move {
            let reply = app.json("POST", &path, Some(therapist), &body.to_string()).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
            reply.json()["id"].as_i64().unwrap()
        };
        let today = helsinki_date_in(0).to_string();
        let episode = post(
            format!("/api/v1/clients/{client}/episodes"),
            json!({"condition": "Sciatica", "side": "right", "started_on": today}),
        )
        .await;
        let note = post(
            format!("/api/v1/episodes/{episode}/notes"),
            json!({"subjective": "Matrix", "started_at": helsinki_instant(&today, 9), "duration_minutes": 60}),
        )
        .await;
        let referral = post(format!("/api/v1/episodes/{episode}/referrals"), json!({})).await;
        let program = post(
            format!("/api/v1/episodes/{episode}/programs"),
            json!({"exercises": [{"exercise": "knee_to_chest", "sets": 2, "reps": 10, "hold_seconds": 5, "per_day": 1, "days_per_week": 7}]}),
        )
        .await;
        Records { episode, note, referral, program }
    }
}

fn email(s: &str) -> knead_core::Email {
    knead_core::Email::parse("email", s).unwrap()
}

/// Starts therapist A can take for the mobile massage over the coming days, in order.
async fn free_starts(app: &TestApp, service_id: i64, therapist: TherapistId) -> Vec<String> {
    let query = format!(
        "service_id={service_id}&lat={}&lon={}&from={}&days=14&therapist_id={}",
        HOME.0,
        HOME.1,
        helsinki_date_in(3),
        therapist.0
    );
    let reply = app.get(&format!("/api/v1/availability?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let slots: Vec<String> =
        reply.json()["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect();
    assert!(slots.len() > 2, "therapist A has free starts");
    slots
}

/// A body the route would accept from a caller allowed to use it, so a refusal is about who asks.
fn json_body(fx: &Fixture, method: &Method, path: &str) -> String {
    let body = match (method.as_str(), path) {
        ("POST", "/api/v1/manage-links") => json!({ "email": "client-a@demo.knead.test" }),
        ("POST", "/api/v1/password-resets") => json!({ "email": "client-a@demo.knead.test" }),
        ("POST", "/api/v1/password-resets/complete") => {
            json!({ "token": "not-a-live-token", "password": "a long enough new password" })
        }
        ("POST", "/api/v1/dispatch/{date}/apply") => json!({ "moves": [] }),
        ("POST", "/api/v1/chair-days") => json!({
            "service_id": fx.service_id, "date": fx.free_day, "start": "13:00", "end": "15:00", "chairs": 2,
            "slot_minutes": 15, "address": HOME_ADDRESS, "lat": HOME.0, "lon": HOME.1,
            "organiser": {"name": "Olli Matrix", "email": "olli@example.com", "phone": "040 555 0199"}
        }),
        ("POST", "/api/v1/parties") => json!({
            "date": fx.free_day, "start": "13:00", "end": "15:00", "address": HOME_ADDRESS, "lat": HOME.0,
            "lon": HOME.1, "host": {"name": "Hilda Matrix", "email": "hilda@example.com", "phone": "040 555 0198"},
            "guests": [{"name": "Guest One", "service_id": fx.service_id}, {"name": "Guest Two", "service_id": fx.service_id}]
        }),
        ("POST", "/api/v1/group-enquiries") => json!({
            "kind": "party", "date": fx.free_day, "start": "13:00", "end": "15:00", "guests": 6,
            "address": HOME_ADDRESS, "contact": {"name": "Hilda Matrix", "email": "hilda@example.com", "phone": "040 555 0198"}
        }),
        ("POST", "/api/v1/parties/{id}/payments") => json!({"kind": "deposit", "amount_cents": 5000, "method": "card"}),
        ("POST", "/api/v1/party-guests/health") => json!({
            "token": "not-a-guest-link", "consent": true,
            "health": {"unwell": false, "blood_clot": false, "recent_injury": false, "blood_thinners": false,
                "fragile_bones": false, "pregnant": false}
        }),
        ("POST", "/api/v1/chair-days/{id}/signups") => json!({
            "token": "not-a-sign-up-link", "start": fx.free_start, "name": "Guest Matrix",
            "email": "guest@example.com", "consent": true
        }),
        ("POST", "/api/v1/booking-series") => json!({
            "booking": {
                "service_id": fx.service_id, "start": fx.free_start, "therapist_ids": [fx.therapist_a],
                "lat": HOME.0, "lon": HOME.1, "address": HOME_ADDRESS,
                "client": {"name": "Guest Matrix", "email": "guest@example.com", "phone": "416-555-0100"}
            },
            "every_weeks": 1, "visits": 2
        }),
        ("POST", "/api/v1/waitlist") => json!({
            "service_id": fx.service_id, "lat": HOME.0, "lon": HOME.1, "address": HOME_ADDRESS,
            "client": {"name": "Guest Matrix", "email": "guest@example.com", "phone": "416-555-0100"},
            "first_date": helsinki_date_in(3).to_string(), "last_date": helsinki_date_in(10).to_string()
        }),
        ("POST", "/api/v1/services") | ("PUT", "/api/v1/services/{id}") => json!({
            "name": "Matrix stones", "description": "Warm stones.", "duration_minutes": 60, "price_cents": 15000,
            "modality": "Hot stone", "place": "mobile", "kind": "individual", "buffer_minutes": 15, "add_ons": []
        }),
        ("POST", "/api/v1/therapists") => json!({"name": "Matrix Therapist"}),
        ("PUT", "/api/v1/therapists/{id}") => json!({"name": "Matrix Therapist", "slug": fx.therapist_slug}),
        ("POST", "/api/v1/articles") | ("PUT", "/api/v1/articles/{id}") => {
            json!({"title": "Matrix article", "body_markdown": "Text."})
        }
        ("PUT", "/api/v1/practice/settings") => json!({
            "time_zone": "Europe/Helsinki", "service_area": {"lat": 60.2, "lon": 24.9, "radius_km": 35.0},
            "grid_minutes": 15, "lead_minutes": 120, "cancel_notice_hours": 24, "travel_fee_free_km": 10.0,
            "travel_fee_cents_per_km": 100, "road_factor": 1.3, "speed_kmh": 30.0
        }),
        ("POST", "/api/v1/clinics") => json!({
            "name": "Matrix Clinic", "address": "27 Liisankatu, Helsinki", "lat": 60.1742, "lon": 24.952, "rooms": ["Room 1"]
        }),
        // The same address and rooms (client B's visit is in one), under a new name.
        ("PUT", "/api/v1/clinics/{id}") => json!({
            "name": "Matrix Clinic", "address": knead_demo::clinic().address,
            "rooms": fx.room_ids.iter().enumerate().map(|(i, id)| json!({"id": id, "name": format!("Room {}", i + 1)})).collect::<Vec<_>>()
        }),
        ("PUT", "/api/v1/practice/details") => json!({"name": "Matrix Practice", "phone": "416-555-0142"}),
        ("PUT", "/api/v1/therapists/{id}/schedule") => json!({
            "base_lat": 60.174, "base_lon": 24.9504, "radius_km": 25.0, "service_ids": [fx.service_id],
            "weekly": [{"weekday": 2, "start": "10:00", "end": "18:00"}]
        }),
        ("POST", "/api/v1/therapists/{id}/time-off") => json!({
            "start": helsinki_instant(&fx.free_day, 9), "end": helsinki_instant(&fx.free_day, 10)
        }),
        ("PUT", "/api/v1/therapists/{id}/overrides/{date}") => json!({"windows": [["10:00", "12:00"]]}),
        ("POST", "/api/v1/screenings") => serde_json::to_value(knead_core::intake::screening::all_clear()).unwrap(),
        ("POST", "/api/v1/clients") => json!({"name": "Matrix Client", "email": "matrix@example.com"}),
        ("POST", "/api/v1/clients/{id}/intakes") => complete_intake(),
        ("POST", "/api/v1/bookings/{id}/clearance") => json!({"cleared_by": "Dr. Matrix Example"}),
        ("POST", "/api/v1/bookings") => json!({
            "service_id": fx.service_id, "start": fx.free_start, "therapist_ids": [fx.therapist_a],
            "lat": HOME.0, "lon": HOME.1, "address": HOME_ADDRESS,
            "client": {"name": "Guest Matrix", "email": "guest@example.com", "phone": "416-555-0100"}
        }),
        ("POST", "/api/v1/bookings/{id}/reschedule") => json!({"start": fx.free_start}),
        ("POST", "/api/v1/clients/{id}/episodes") => {
            json!({"condition": "Matrix sciatica", "started_on": helsinki_date_in(0).to_string()})
        }
        ("PATCH", "/api/v1/episodes/{id}") => json!({"status": "discharged"}),
        ("POST", "/api/v1/episodes/{id}/plans") => {
            let mut plan = json!({
                "goals": [{"description": "Leg pain below 3/10", "instrument": "nprs_leg", "target": 3.0}],
                "techniques": [{"technique": "swedish", "aim": "pain"}], "pressure": "light",
                "visits_per_week": 1, "review_on": helsinki_date_in(14).to_string(), "consent": {}
            });
            for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
                plan["consent"][element] = json!(true);
            }
            plan
        }
        ("POST", "/api/v1/episodes/{id}/measures") => json!({"instrument": "nprs_leg", "answers": {"value": 5}}),
        ("POST", "/api/v1/episodes/{id}/notes") | ("PUT", "/api/v1/notes/{id}") => json!({
            "subjective": "Matrix note", "started_at": helsinki_instant(&helsinki_date_in(0).to_string(), 9),
            "duration_minutes": 60
        }),
        ("PATCH", "/api/v1/notes/{id}") => json!({"subjective": "Matrix edit"}),
        ("POST", "/api/v1/notes/{id}/amendments") => json!({
            "subjective": "Matrix amendment", "started_at": helsinki_instant(&helsinki_date_in(0).to_string(), 9),
            "duration_minutes": 60, "reason": "Matrix"
        }),
        ("POST", "/api/v1/episodes/{id}/programs") => json!({"exercises": [{"exercise": "knee_to_chest", "sets": 2,
            "reps": 10, "hold_seconds": 5, "per_day": 1, "days_per_week": 7}]}),
        ("POST", "/api/v1/programs/{id}/logs") => {
            json!({"on": helsinki_date_in(0).to_string(), "done": ["knee_to_chest"], "pain": 3})
        }
        ("PATCH", "/api/v1/referrals/{id}") => json!({"recipient_name": "Dr. Matrix"}),
        ("POST", "/api/v1/episodes/{id}/referrals") => json!({}),
        ("POST", "/api/v1/instruments") => {
            serde_json::from_str(include_str!("../../../../docs/instruments/example-disability-index.json")).unwrap()
        }
        ("POST", "/api/v1/bookings/{id}/reassign") => json!({"therapist_ids": [fx.therapist_a]}),
        _ => return String::new(),
    };
    body.to_string()
}

/// The form a page route would accept from a caller allowed to use it (the CSRF token is added later).
async fn form_body(fx: &Fixture, role: Role, path: &str) -> Vec<(String, String)> {
    let pairs: Vec<(&str, String)> = match path {
        "/login" => vec![("email", "nobody@example.test".into()), ("password", "not-the-password".into())],
        "/account/second-factor" | "/account/second-factor/off" => vec![("code", "000000".into())],
        "/account/tokens" => vec![("label", "matrix".into()), ("days", "30".into())],
        "/login/forgot" => vec![("email", "client-a@demo.knead.test".into())],
        "/login/reset" => vec![("token", "not-a-live-token".into()), ("password", "a long enough new password".into())],
        "/book" => {
            let auth = fx.sessions.get(&role).map(|(a, _)| a.clone());
            let path = fx.fill("/book/details", None);
            let details = match &auth {
                Some(a) => fx.app.get_as(&path, a).await,
                None => fx.app.get(&path).await,
            };
            let mut pairs = hidden_fields(&details.body, "/book");
            // A signed-in client's name and email come from their account; anyone else gives them.
            let contact = [("name", "Guest Matrix"), ("email", "guest@example.com"), ("phone", "416-555-0100")];
            pairs.extend(contact.map(|(k, v)| (k.to_string(), v.to_string())));
            return pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
        }
        "/book/waitlist" => {
            let mut pairs: Vec<(String, String)> = [
                ("service_id", fx.service_id.to_string()),
                ("lat", HOME.0.to_string()),
                ("lon", HOME.1.to_string()),
                ("address", HOME_ADDRESS.to_string()),
                ("first_date", helsinki_date_in(3).to_string()),
                ("last_date", helsinki_date_in(10).to_string()),
                ("mon", "on".into()),
                ("earliest", "9:00".into()),
                ("latest", "17:00".into()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            if !fx.sessions.contains_key(&role) {
                let contact = [
                    ("client.name", "Guest Matrix"),
                    ("client.email", "guest@example.com"),
                    ("client.phone", "416-555-0100"),
                ];
                pairs.extend(contact.map(|(k, v)| (k.to_string(), v.to_string())));
            }
            return pairs;
        }
        "/book/screening" => {
            let flow =
                [("service_id", fx.service_id.to_string()), ("lat", HOME.0.to_string()), ("lon", HOME.1.to_string())];
            let mut pairs: Vec<(String, String)> = flow.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            pairs.extend([("address".to_string(), HOME_ADDRESS.to_string()), ("reason".into(), "sciatica".into())]);
            pairs.extend(screening_all_clear());
            return pairs;
        }
        "/sign-up" => vec![
            ("name", "Matrix Newcomer".into()),
            ("email", "newcomer@example.com".into()),
            ("phone", "416-555-0199".into()),
            ("password", "a matrix password long enough".into()),
        ],
        "/manage/dispatch/proposal" => vec![("date", fx.free_day.clone())],
        "/manage/dispatch/apply" => vec![("date", fx.free_day.clone()), ("plan", String::new())],
        "/account/health" | "/bookings/{id}/manage/health" => return intake_all_clear(),
        // The second post of each, after the question: the one that acts.
        "/bookings/{id}/manage/cancel" => vec![("confirm", "yes".into())],
        "/bookings/{id}/manage/reschedule" => vec![("start", fx.free_start.clone()), ("confirm", "yes".into())],
        // The staff view's first post: the question.
        "/visits/{id}/move" => vec![("start", fx.free_start.clone())],
        // Another therapist than the visit's: the confirmation names who takes over.
        "/visits/{id}/reassign" => vec![("therapist_ids", (fx.therapist_a + 1).to_string())],
        "/manage/services/new" | "/manage/services/{id}" => vec![
            ("name", "Matrix stones".into()),
            ("description", "Warm stones.".into()),
            ("duration_minutes", "60".into()),
            ("price", "150".into()),
            ("buffer_minutes", "15".into()),
            ("modality", "Hot stone".into()),
            ("place", "mobile".into()),
            ("kind", "individual".into()),
        ],
        "/manage/therapists/new" => vec![("name", "Matrix Therapist".into())],
        "/manage/therapists/{id}" => vec![("name", "Ines Carvalho".into()), ("slug", fx.therapist_slug.clone())],
        "/manage/articles/new" | "/manage/articles/{id}" => {
            vec![("title", "Matrix article".into()), ("body_markdown", "Text.".into())]
        }
        "/manage/therapists/{id}/schedule" => {
            let manager = &fx.sessions[&Role::Manager].0;
            let page = fx.app.get_as(&fx.fill(path, None), manager).await;
            return form_fields(&page.body, &fx.fill(path, None));
        }
        "/manage/therapists/{id}/time-off" => vec![
            ("off_from_date", fx.free_day.clone()),
            ("off_from_time", "09:00".into()),
            ("off_to_date", fx.free_day.clone()),
            ("off_to_time", "10:00".into()),
        ],
        "/manage/therapists/{id}/override" => vec![
            ("ov_date", fx.free_day.clone()),
            ("ov_kind", "hours".into()),
            ("ov_0_start", "10:00".into()),
            ("ov_0_end", "12:00".into()),
        ],
        "/manage/clinics" => vec![
            ("name", "Matrix Clinic".into()),
            ("address", "27 Liisankatu, Helsinki".into()),
            ("lat", "60.1742".into()),
            ("lon", "24.952".into()),
            ("rooms", "Room 1".into()),
        ],
        "/manage/settings" => {
            let manager = &fx.sessions[&Role::Manager].0;
            let page = fx.app.get_as("/manage/settings", manager).await;
            return form_fields(&page.body, "/manage/settings");
        }
        "/manage/settings/details" => vec![("name", "Matrix Practice".into()), ("phone", "416-555-0142".into())],
        "/manage/clients/new" => vec![("name", "Matrix Client".into()), ("email", "matrix@example.com".into())],
        "/manage/clients/{id}/edit" => {
            vec![("name", "Sam Lindqvist".into()), ("email", CLIENT.0.into()), ("phone", VICTIM_PHONE.into())]
        }
        "/visits/{id}/clearance" => vec![("cleared_by", "Dr Matrix".into())],
        "/manage/clients/{id}/episodes/new" => {
            vec![("condition", "Matrix condition".into()), ("started_on", helsinki_date_in(0).to_string())]
        }
        "/manage/episodes/{id}/status" => vec![("status", "discharged".into())],
        "/manage/episodes/{id}/measures" => vec![("instrument", "nprs".into()), ("nprs_leg", "5".into())],
        "/manage/episodes/{id}/notes/new" | "/manage/notes/{id}" | "/manage/notes/{id}/amend" => vec![
            ("started_at", format!("{}T10:00", helsinki_date_in(0))),
            ("duration_minutes", "60".into()),
            ("subjective", "Matrix note".into()),
            ("action", "save".into()),
        ],
        "/manage/referrals/{id}" => vec![
            ("recipient", "physician".into()),
            ("urgency", "routine".into()),
            ("reason", "Matrix reason".into()),
            ("body", "Matrix letter".into()),
            ("action", "save".into()),
        ],
        "/account/program/{id}/log" => {
            vec![("on", helsinki_date_in(0).to_string()), ("done", "knee_to_chest".into()), ("pain", "3".into())]
        }
        "/manage/clinics/{id}" => {
            let manager = &fx.sessions[&Role::Manager].0;
            let page = fx.app.get_as(&fx.fill(path, None), manager).await;
            return form_fields(&page.body, &fx.fill(path, None));
        }
        _ => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(unescape(&tag[start..start + tag[start..].find('"')?]))
}

/// The form posting to `action`, its part of the page.
fn form_html<'a>(html: &'a str, action: &str) -> &'a str {
    let at = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("a form to {action} in {html}"));
    &html[at..at + html[at..].find("</form>").unwrap()]
}

fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    form_fields(html, action).into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

/// The fields of the form posting to `action` as the page fills them: inputs (checked boxes only),
/// the selected option of each select, and text areas.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = form_html(html, action);
    let mut fields = Vec::new();
    for tag in form.split('<').skip(1) {
        let tag_end = tag.find('>').unwrap_or(tag.len());
        let (head, rest) = (&tag[..tag_end], &tag[(tag_end + 1).min(tag.len())..]);
        let Some(name) = attr(head, "name") else { continue };
        if head.starts_with("input") {
            let checkable = head.contains("type=\"checkbox\"") || head.contains("type=\"radio\"");
            if !checkable || head.contains(" checked") {
                fields.push((name, attr(head, "value").unwrap_or_default()));
            }
        } else if head.starts_with("textarea") {
            fields.push((name, unescape(rest)));
        } else if head.starts_with("select") {
            let whole = &form[form.find(head).unwrap()..];
            let options = &whole[..whole.find("</select>").unwrap()];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
        }
    }
    fields
}

/// What one call sent and got back.
struct Call {
    label: String,
    reply: Reply,
}

async fn send(fx: &Fixture, rule: &Rule, role: Role, missing: Option<&str>) -> Call {
    let api = rule.path.starts_with("/api/") || rule.path == "/healthz";
    let mut path = fx.fill(rule.path, missing);
    let label = format!("{} {} as {role:?}", rule.method, path);
    let mut builder = Request::builder().method(rule.method.clone());
    let body = if api {
        if let Some(Auth::Bearer(t)) = fx.tokens.get(&role) {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let json = json_body(fx, &rule.method, rule.path);
        if !json.is_empty() || rule.method != Method::GET {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        Body::from(json)
    } else {
        let session = fx.sessions.get(&role);
        if let Some((Auth::Cookie(c), _)) = session {
            builder = builder.header(header::COOKIE, c);
        }
        if rule.method == Method::GET {
            Body::empty()
        } else {
            let mut pairs = form_body(fx, role, rule.path).await;
            if let Some((_, csrf)) = session {
                pairs.push(("csrf".into(), csrf.clone()));
            }
            if rule.path == "/sign-up" && session.is_none() {
                // The sign-up form's own cookie and token, fetched just now.
                let page = fx.app.get("/sign-up").await;
                let cookie = page.set_cookie().split(';').next().unwrap().to_string();
                let token = between(&page.body, "name=\"sign_up_token\" value=\"", "\"").unwrap().to_string();
                builder = builder.header(header::COOKIE, cookie);
                pairs.push(("sign_up_token".into(), token));
            }
            if rule.path == "/login" {
                // The sign-in form's own cookie and token, fetched just now; a session cookie is not sent.
                let (cookie, token) = fx.app.login_form().await;
                builder = Request::builder().method(Method::POST).header(header::COOKIE, cookie);
                pairs.retain(|(k, _)| k != "csrf");
                pairs.push(("login_token".into(), token));
            }
            builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(&pairs).unwrap())
        }
    };
    if path.is_empty() {
        path.push('/');
    }
    let reply = fx.app.send(builder.uri(&path).body(body).unwrap()).await;
    Call { label, reply }
}

/// Client A's private details, as they would appear in a page or an answer.
fn victim_markers(fx: &Fixture) -> Vec<String> {
    vec![
        CLIENT.0.to_string(),
        "Sam Lindqvist".to_string(),
        VICTIM_ADDRESS.to_string(),
        VICTIM_PHONE.to_string(),
        fx.manage_token.clone(),
    ]
}

/// Whether `role` may see client A's details in the answer to `rule`.
fn may_see_victim(rule: &Rule, role: Role) -> bool {
    match role {
        Role::ClientA | Role::Manager => true,
        Role::TherapistA => {
            rule.path == "/calendar"
                || rule.path == "/visits/{id}"
                || rule.path == "/visits/{id}/clearance"
                || rule.path == "/manage/bookings"
                || rule.path.starts_with("/manage/clients")
                // Issue 10 API: client A is therapist A's client.
                || matches!(rule.access, Access::ClientRecord | Access::AnyStaff)
                || rule.path == "/api/v1/bookings/{id}/clearance"
                // Issue 11 pages: client A's episode, its note and referral are therapist A's.
                || rule.path.starts_with("/manage/episodes")
                || rule.path.starts_with("/manage/notes")
                || rule.path.starts_with("/manage/referrals")
                || rule.path == "/visits/{id}/note"
                // Issue 11 API: the same records, and the letter that names client A.
                || rule.path.starts_with("/api/v1/episodes")
                || rule.path.starts_with("/api/v1/notes")
                || rule.path.starts_with("/api/v1/referrals")
                || rule.path == "/api/v1/clients/{id}/episodes"
        }
        _ => false,
    }
}

fn check(fx: &Fixture, rule: &Rule, role: Role, call: &Call, failures: &mut Vec<String>) {
    let api = rule.path.starts_with("/api/") || rule.path == "/healthz";
    let reply = &call.reply;
    let seen = format!("{}\n{}", reply.location(), reply.body);
    if !may_see_victim(rule, role) {
        for marker in victim_markers(fx) {
            if seen.contains(&marker) {
                failures.push(format!("{}: shows client A's {marker:?}", call.label));
            }
        }
    }
    if reply.status.is_server_error() {
        failures.push(format!("{}: {} {}", call.label, reply.status, reply.body));
        return;
    }
    match outcome(rule.access, role, api) {
        Outcome::Refused(status) => {
            if reply.status != status {
                failures.push(format!("{}: expected {status}, got {} {}", call.label, reply.status, reply.body));
            } else if status == StatusCode::SEE_OTHER && !reply.location().starts_with("/login?next=") {
                failures.push(format!("{}: expected a sign-in redirect, got {:?}", call.label, reply.location()));
            }
        }
        Outcome::Allowed => {
            let shows = (rule.shows)(role).replace("{own}", fx.emails.get(&role).copied().unwrap_or("@"));
            let ok = match shows.strip_prefix("->") {
                Some(prefix) => reply.status == StatusCode::SEE_OTHER && reply.location().starts_with(prefix),
                None => {
                    matches!(reply.status.as_u16(), 200 | 201 | 202 | 204 | 404 | 422) && reply.body.contains(&shows)
                        || shows.is_empty() && reply.status == StatusCode::NO_CONTENT
                }
            };
            if !ok {
                failures.push(format!(
                    "{}: allowed, expected {shows:?}, got {} {:?} {}",
                    call.label,
                    reply.status,
                    reply.location(),
                    reply.body.chars().take(300).collect::<String>()
                ));
            }
        }
    }
}

/// The state a refused call must not change, read as the manager and as client A.
async fn state_of(fx: &Fixture) -> Vec<String> {
    let manager = &fx.tokens[&Role::Manager];
    let mut seen = Vec::new();
    for path in [
        format!("/api/v1/bookings/{}", fx.booking_id),
        "/api/v1/services?include_archived=true".to_string(),
        "/api/v1/therapists?include_archived=true".to_string(),
        "/api/v1/articles?include_archived=true".to_string(),
        "/api/v1/practice/settings".to_string(),
        "/api/v1/practice/details".to_string(),
        "/api/v1/clinics?include_archived=true".to_string(),
        format!("/api/v1/therapists/{}/schedule", fx.therapist_a),
    ] {
        seen.push(fx.app.get_as(&path, manager).await.body);
    }
    seen.push(fx.app.get_as("/api/v1/me", &fx.tokens[&Role::ClientA]).await.body);
    for (session, _) in fx.sessions.values() {
        seen.push(fx.app.get_as("/account", session).await.status.to_string());
    }
    seen
}

#[tokio::test]
async fn every_route_under_every_role_answers_as_the_policy_says() {
    let table = knead_web::route_table();
    let policy = policy();
    let declared: BTreeSet<(String, String)> =
        policy.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    let listed: BTreeSet<(String, String)> = table.iter().map(|(m, p)| (m.to_string(), p.clone())).collect();
    let undeclared: Vec<_> = listed.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "routes without an access policy; add each to `policy()` in tests/web/matrix.rs: {undeclared:?}"
    );
    let gone: Vec<_> = declared.difference(&listed).collect();
    assert!(gone.is_empty(), "the policy names routes the router no longer has: {gone:?}");

    let shared = Fixture::new(&ROLES).await;
    let before = state_of(&shared).await;
    let mut failures = Vec::new();
    let mut requests = 0;
    let mut fresh = Vec::new();
    for rule in &policy {
        let api = rule.path.starts_with("/api/") || rule.path == "/healthz";
        for role in ROLES {
            let expected = outcome(rule.access, role, api);
            if rule.method != Method::GET && expected == Outcome::Allowed {
                // An allowed change runs on its own practice, so it cannot spoil the next check.
                fresh.push((rule, role));
                continue;
            }
            let call = send(&shared, rule, role, None).await;
            requests += 1;
            check(&shared, rule, role, &call, &mut failures);
            let has_id = rule.path.contains("{id}") || rule.path.contains("{time_off_id}");
            if let (Outcome::Refused(_), true) = (expected, has_id) {
                let other = send(&shared, rule, role, Some(MISSING_ID)).await;
                requests += 1;
                let own_id = shared.fill(rule.path, None);
                let same_body = call.reply.body.replace(&own_id, "")
                    == other.reply.body.replace(&shared.fill(rule.path, Some(MISSING_ID)), "");
                if other.reply.status != call.reply.status || !same_body {
                    failures.push(format!(
                        "{}: answers {} for client A's record but {} for a missing one; a caller who may not see it must not tell them apart",
                        call.label, call.reply.status, other.reply.status
                    ));
                }
            }
        }
    }
    let after = state_of(&shared).await;
    for (b, a) in before.iter().zip(&after) {
        if b != a {
            failures.push(format!("a refused call changed state:\nbefore {b}\nafter  {a}"));
        }
    }
    // Client A's guest link opens the booking without a session, and only that booking.
    let link = format!("/bookings/{}/manage?token={}", shared.booking_id, shared.manage_token);
    let opened = shared.app.get(&link).await;
    requests += 1;
    if opened.status != StatusCode::OK || !opened.body.contains(VICTIM_ADDRESS) {
        failures.push(format!("the guest link does not open the booking: {}", opened.status));
    }
    let api_link = format!("/api/v1/bookings/{}?token={}", shared.booking_id, shared.manage_token);
    let opened = shared.app.get(&api_link).await;
    requests += 1;
    if opened.status != StatusCode::OK || !opened.body.contains(VICTIM_ADDRESS) {
        failures.push(format!("the guest link does not open the booking in the API: {}", opened.status));
    }
    for path in [
        format!("/bookings/{}/manage?token=wrong", shared.booking_id),
        format!("/api/v1/bookings/{}?token=wrong", shared.booking_id),
    ] {
        let wrong = shared.app.get(&path).await;
        requests += 1;
        if wrong.status != StatusCode::NOT_FOUND || victim_markers(&shared).iter().any(|m| wrong.body.contains(m)) {
            failures.push(format!("GET {path}: a wrong link must be a 404 and show nothing, got {}", wrong.status));
        }
    }

    for (rule, role) in &fresh {
        let fx = Fixture::new(&[*role]).await;
        let call = send(&fx, rule, *role, None).await;
        requests += 1;
        check(&fx, rule, *role, &call, &mut failures);
    }

    // The figures the security notes quote; shown with `--nocapture`.
    let (routes, roles) = (policy.len(), ROLES.len());
    #[allow(clippy::print_stdout)]
    {
        println!("authorization matrix: {routes} routes x {roles} roles = {} checks", routes * roles);
        println!("{requests} requests, {} allowed changes each on a fresh practice", fresh.len());
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
