//! Booking in Chromium: tests arrive with the pages.
