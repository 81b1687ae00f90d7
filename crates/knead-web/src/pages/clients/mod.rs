//! Staff's client pages: the client list with search, a client's file, new clients, the bookings list and
//! the audit log.

use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
}
