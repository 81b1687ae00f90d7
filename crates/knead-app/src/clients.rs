//! Clients: the client record, found or made for every booking, signing up, staff's lists and the client's
//! file (contact, bookings, intake versions, screenings, clearances), with who may see what: staff see every
//! client, a therapist only their own clients, a client only themselves.
//!
//! Reading a client's file reads health information and leaves one audit entry; contact details alone do not.

use crate::{App, AppError, AppResult, NotFoundAs};
use jiff::civil::Date;
use knead_core::booking::{Booking, BookingStatus, Contact};
use knead_core::calendar::{add_days, check_date, instant_of, local_date, local_day};
use knead_core::intake::{
    Action, AuditEvent, Clearance, Client, ClientDraft, ClientId, ClientInput, IntakeVersion, ScreeningRecord,
};
use knead_core::places::fold;
use knead_core::{Password, Role, TherapistId, User};
use knead_store::{BookingFilter, ClientSummary};

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

/// The therapist profile a therapist's login belongs to (none for other roles, or an unlinked login).
pub(crate) async fn therapist_of(app: &App, user: &User) -> AppResult<Option<TherapistId>> {
    if user.role != Role::Therapist {
        return Ok(None);
    }
    Ok(app.store().therapist_for_user(user.id).await?)
}

/// Whether `viewer` may see this client's record: a manager any, a therapist their own clients (a booking
/// with a visit of theirs), a client only their own record.
pub(crate) async fn may_see(app: &App, viewer: &User, client: &Client) -> AppResult<bool> {
    Ok(match viewer.role {
        Role::Manager => true,
        Role::Client => client.user_id == Some(viewer.id),
        Role::Therapist => match therapist_of(app, viewer).await? {
            Some(me) => app.store().is_client_of(client.id, me).await?,
            None => false,
        },
    })
}

/// The client if `viewer` may see it; `NotFound` otherwise, the same answer as for an unknown id.
pub(crate) async fn visible(app: &App, viewer: &User, id: ClientId) -> AppResult<Client> {
    let client = app.store().client(id).await.not_found_as("client")?;
    if may_see(app, viewer, &client).await? {
        Ok(client)
    } else {
        Err(AppError::NotFound { what: "client" })
    }
}

fn is_staff(user: &User) -> bool {
    matches!(user.role, Role::Manager | Role::Therapist)
}

/// Today in the practice's zone (a date of birth may not be after it).
async fn today(app: &App) -> AppResult<Date> {
    let settings = app.store().practice_settings().await?;
    Ok(local_date(settings.zone(), app.now()))
}

/// One read of health information, recorded before what was read is returned.
pub(crate) async fn record_read(
    app: &App,
    viewer: Option<&User>,
    client: Option<ClientId>,
    record: &'static str,
    record_id: String,
) -> AppResult<()> {
    let event =
        AuditEvent { at: app.now(), actor: viewer.map(|u| u.id), client, action: Action::Read, record, record_id };
    app.store().record_access(&event).await?;
    Ok(())
}

/// Staff create a client record (managers and therapists).
pub async fn create_client(app: &App, staff: &User, input: &ClientInput) -> AppResult<Client> {
    if !is_staff(staff) {
        return Err(AppError::NotFound { what: "client" });
    }
    let draft = input.validate(today(app).await?)?;
    Ok(app.store().create_client(&draft, None, app.now()).await?)
}

/// Staff change a client's contact details, date of birth or saved addresses.
pub async fn update_client(app: &App, staff: &User, id: ClientId, input: &ClientInput) -> AppResult<Client> {
    if !is_staff(staff) {
        return Err(AppError::NotFound { what: "client" });
    }
    visible(app, staff, id).await?;
    let draft = input.validate(today(app).await?)?;
    app.store().update_client(id, &draft).await.not_found_as("client")
}

/// Clients whose name, email or phone contains `q` (case- and accent-insensitive), by name; all when `q` is
/// blank. A therapist sees only their own clients.
pub async fn search(app: &App, viewer: &User, q: &str) -> AppResult<Vec<ClientSummary>> {
    let therapist = match viewer.role {
        Role::Manager => None,
        Role::Therapist => match therapist_of(app, viewer).await? {
            Some(me) => Some(me),
            None => return Ok(Vec::new()),
        },
        Role::Client => return Err(AppError::NotFound { what: "client" }),
    };
    let all = app.store().client_summaries(therapist).await?;
    let wanted = Needle::new(q);
    Ok(all.into_iter().filter(|s| wanted.finds(&s.client)).collect())
}

/// What a search looks for: folded text, and for a query that looks like a phone number its digits, so
/// `040 123` finds `+358 40 123 4567`'s `40 123` however it was spaced.
struct Needle {
    text: String,
    digits: Option<String>,
}

impl Needle {
    fn new(q: &str) -> Needle {
        let text = fold(q.trim());
        let phone_like = q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        Needle { text, digits: (phone_like && !digits.is_empty()).then_some(digits) }
    }

    fn finds(&self, c: &Client) -> bool {
        if self.text.is_empty() {
            return true;
        }
        let in_text =
            [c.name.as_str(), c.email.as_str(), c.phone.as_str()].iter().any(|f| fold(f).contains(&self.text));
        in_text
            || self.digits.as_ref().is_some_and(|d| {
                let phone: String = c.phone.chars().filter(char::is_ascii_digit).collect();
                phone.contains(d.as_str())
            })
    }
}

/// The client's file, if `viewer` may see it (`NotFound` otherwise: whether it exists is nobody else's
/// business). One audit entry for the read.
pub async fn file(app: &App, viewer: &User, id: ClientId) -> AppResult<ClientFile> {
    let client = visible(app, viewer, id).await?;
    let store = app.store();
    let bookings = store.bookings_of_client(id).await?;
    let intakes = store.intakes(id).await?;
    let screenings = store.client_screenings(id).await?;
    let clearances = store.clearances(id).await?;
    // Other people's records and how a booking was typed are for staff, not for the client.
    let (same_email, name_mismatches) = if is_staff(viewer) {
        let same: Vec<Client> =
            store.clients_by_email(&client.email).await?.into_iter().filter(|c| c.id != id).collect();
        let mismatches = bookings.iter().filter(|b| !client.same_name(&b.client.name)).cloned().collect();
        (same, mismatches)
    } else {
        (Vec::new(), Vec::new())
    };
    record_read(app, Some(viewer), Some(id), "client_file", id.0.to_string()).await?;
    Ok(ClientFile { client, bookings, intakes, screenings, clearances, same_email, name_mismatches })
}

/// The client record without health information (contact only), if `viewer` may see it. No audit entry.
pub async fn contact(app: &App, viewer: &User, id: ClientId) -> AppResult<Client> {
    visible(app, viewer, id).await
}

/// The signed-in client's own record, made (and linked) on first use.
pub async fn own_record(app: &App, user: &User) -> AppResult<Client> {
    if user.role != Role::Client {
        return Err(AppError::NotFound { what: "client" });
    }
    if let Some(found) = app.store().client_for_user(user.id).await? {
        return Ok(found);
    }
    let draft = ClientDraft {
        name: user.name.clone(),
        email: user.email.clone(),
        phone: String::new(),
        date_of_birth: None,
        addresses: Vec::new(),
    };
    Ok(app.store().create_client(&draft, Some(user.id), app.now()).await?)
}

/// A new client account with its client record, signed in by the caller afterwards. An email already used
/// by a login is `Conflict { field: "email" }`. An existing client record with the same email (a guest's
/// bookings) is not linked silently: the new account gets its own record and staff see the shared email.
pub async fn sign_up(app: &App, input: &SignUp) -> AppResult<(User, Client)> {
    let details = ClientInput {
        name: input.name.clone(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        date_of_birth: None,
        addresses: Vec::new(),
    };
    // Every problem at once: the contact details and the password's strength.
    let draft = match (details.validate(today(app).await?), Password::parse_new("password", &input.password)) {
        (Ok(draft), Ok(_)) => draft,
        (draft, password) => {
            let mut errors = draft.err().unwrap_or_default();
            if let Err(e) = password {
                errors.push(e);
            }
            return Err(errors.into());
        }
    };
    let user = crate::accounts::create_user(app, draft.email.as_str(), &draft.name, "client", &input.password).await?;
    let client = app.store().create_client(&draft, Some(user.id), app.now()).await?;
    Ok((user, client))
}

/// The client record a booking belongs to: the one staff named, the signed-in client's own, or for a guest
/// the one record with this email and name; otherwise a new one (a same-email record with another name is
/// left alone and shows to staff as a mismatch).
///
/// `staff_pick` is refused unless `user` is staff who may see that client (a therapist: their own clients);
/// an unknown or hidden one is a 422 on `client_id`.
pub async fn for_booking(
    app: &App,
    staff_pick: Option<ClientId>,
    user: Option<&User>,
    contact: &Contact,
) -> AppResult<Client> {
    match existing_for_booking(app, staff_pick, user, contact).await? {
        Some(found) => Ok(found),
        None => new_for_booking(app, contact).await,
    }
}

/// A new record for a guest whose details found none (see [`existing_for_booking`]).
pub(crate) async fn new_for_booking(app: &App, contact: &Contact) -> AppResult<Client> {
    Ok(app.store().create_client(&ClientDraft::of_contact(contact), None, app.now()).await?)
}

/// [`for_booking`] without making a record: `None` for a guest booking for the first time, whose record the
/// booking's own transaction then makes (see `NewBooking::new_client_record`).
pub async fn existing_for_booking(
    app: &App,
    staff_pick: Option<ClientId>,
    user: Option<&User>,
    contact: &Contact,
) -> AppResult<Option<Client>> {
    if let Some(id) = staff_pick {
        let Some(staff) = user.filter(|u| is_staff(u)) else {
            return Err(AppError::field("not_allowed", "client_id", "only staff book for a client by their id"));
        };
        return match visible(app, staff, id).await {
            Ok(client) => Ok(Some(client)),
            Err(AppError::NotFound { .. }) => Err(AppError::field("unknown", "client_id", "no client has this id")),
            Err(e) => Err(e),
        };
    }
    if let Some(user) = user.filter(|u| u.role == Role::Client) {
        return own_record(app, user).await.map(Some);
    }
    let found = app.store().clients_by_email(&contact.email).await?;
    Ok(found.into_iter().find(|c| c.same_name(&contact.name)))
}

/// The longest stretch a bookings list covers.
pub const MAX_LIST_DAYS: i64 = 31;

/// Staff's list of bookings by day, therapist and status (a therapist sees only their own visits).
pub async fn bookings(app: &App, viewer: &User, q: &BookingsQuery) -> AppResult<Vec<Booking>> {
    let therapist = match viewer.role {
        Role::Manager => q.therapist,
        Role::Therapist => match therapist_of(app, viewer).await? {
            Some(me) if q.therapist.is_none_or(|t| t == me) => Some(me),
            _ => return Ok(Vec::new()),
        },
        Role::Client => return Err(AppError::NotFound { what: "booking" }),
    };
    let days = q.days.unwrap_or(1);
    if !(1..=MAX_LIST_DAYS).contains(&days) {
        return Err(AppError::field("out_of_range", "days", format!("must be between 1 and {MAX_LIST_DAYS}")));
    }
    let settings = app.store().practice_settings().await?;
    let tz = settings.zone();
    let first = match q.date {
        Some(d) => check_date("date", d)?,
        None => local_date(tz, app.now()),
    };
    let last = add_days(first, days - 1);
    let filter = BookingFilter {
        from: instant_of(local_day(tz, first).origin),
        to: instant_of(local_day(tz, last).end),
        therapist,
        status: q.status,
    };
    Ok(app.store().bookings_filtered(&filter).await?)
}
