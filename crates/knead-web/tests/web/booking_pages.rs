//! Booking pages: tests arrive with the pages.
