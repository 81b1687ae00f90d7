//! Clients: the client record, found or made for every booking, signing up, staff's lists and the client's
//! file (contact, bookings, intake versions, screenings, clearances), with who may see what: staff see every
//! client, a therapist only their own clients, a client only themselves.
//!
//! SKELETON: signatures agreed for issue 10; the app work fills in every body.

use crate::{App, AppResult};
use knead_core::booking::{Booking, BookingStatus, Contact};
use knead_core::intake::{Clearance, Client, ClientId, ClientInput, IntakeVersion, ScreeningRecord};
use knead_core::{TherapistId, User};
use knead_store::ClientSummary;

/// A client's file as staff (or the client) see it. Reading it is one audit entry.
#[derive(Debug, Clone)]
pub struct ClientFile {
    pub client: Client,
    /// Newest first.
    pub bookings: Vec<Booking>,
    /// Newest first.
    pub intakes: Vec<IntakeVersion>,
    /// Newest first.
    pub screenings: Vec<ScreeningRecord>,
    /// Newest first.
    pub clearances: Vec<Clearance>,
    /// Other client records that share this email (never merged silently), for staff to look at.
    pub same_email: Vec<Client>,
    /// This client's bookings whose typed name differs from the record's name, for staff to look at.
    pub name_mismatches: Vec<Booking>,
}

/// A staff list's filter of bookings, as the page or API gives it (local date in the practice's zone).
#[derive(Debug, Clone, Default)]
pub struct BookingsQuery {
    /// One local date; today when absent.
    pub date: Option<jiff::civil::Date>,
    /// How many days from `date` (1 to 31; 1 when absent).
    pub days: Option<i64>,
    pub therapist: Option<TherapistId>,
    pub status: Option<BookingStatus>,
}

/// What a client types to sign up.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
}

/// Staff create a client record (managers and therapists).
pub async fn create_client(app: &App, staff: &User, input: &ClientInput) -> AppResult<Client> {
    let _ = (app, staff, input);
    todo!("create_client")
}

/// Staff change a client's contact details, date of birth or saved addresses.
pub async fn update_client(app: &App, staff: &User, id: ClientId, input: &ClientInput) -> AppResult<Client> {
    let _ = (app, staff, id, input);
    todo!("update_client")
}

/// Clients whose name, email or phone contains `q` (case- and accent-insensitive), by name; all when `q` is
/// blank. A therapist sees only their own clients.
pub async fn search(app: &App, viewer: &User, q: &str) -> AppResult<Vec<ClientSummary>> {
    let _ = (app, viewer, q);
    todo!("search")
}

/// The client's file, if `viewer` may see it (`NotFound` otherwise: whether it exists is nobody else's
/// business). One audit entry for the read.
pub async fn file(app: &App, viewer: &User, id: ClientId) -> AppResult<ClientFile> {
    let _ = (app, viewer, id);
    todo!("file")
}

/// The client record without health information (contact only), if `viewer` may see it. No audit entry.
pub async fn contact(app: &App, viewer: &User, id: ClientId) -> AppResult<Client> {
    let _ = (app, viewer, id);
    todo!("contact")
}

/// The signed-in client's own record, made (and linked) on first use.
pub async fn own_record(app: &App, user: &User) -> AppResult<Client> {
    let _ = (app, user);
    todo!("own_record")
}

/// A new client account with its client record, signed in by the caller afterwards. An email already used
/// by a login is `Conflict { field: "email" }`. An existing client record with the same email (a guest's
/// bookings) is not linked silently: the new account gets its own record and staff see the shared email.
pub async fn sign_up(app: &App, input: &SignUp) -> AppResult<(User, Client)> {
    let _ = (app, input);
    todo!("sign_up")
}

/// The client record a booking belongs to: the one staff named, the signed-in client's own, or for a guest
/// the one record with this email and name; otherwise a new one (a same-email record with another name is
/// left alone and shows to staff as a mismatch).
pub async fn for_booking(
    app: &App,
    staff_pick: Option<ClientId>,
    user: Option<&User>,
    contact: &Contact,
) -> AppResult<Client> {
    let _ = (app, staff_pick, user, contact);
    todo!("for_booking")
}

/// Staff's list of bookings by day, therapist and status (a therapist sees only their own visits).
pub async fn bookings(app: &App, viewer: &User, q: &BookingsQuery) -> AppResult<Vec<Booking>> {
    let _ = (app, viewer, q);
    todo!("bookings")
}
