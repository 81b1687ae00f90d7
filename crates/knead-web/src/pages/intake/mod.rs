//! The client's side of intake: the red-flag screening in the booking flow, the emergency guidance, the
//! health-history form, signing up, and a client's own health history on their account.

use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
}
