//! The web layer's tests: the router in-process, over in-memory SQLite with the demo practice.

mod accessibility;
mod api;
mod auth;
mod booking_api;
mod booking_pages;
mod chair_days;
mod client_pages;
mod clients_api;
mod clinics;
mod groups;
mod intake_api;
mod intake_pages;
mod locale;
mod manage_booking;
mod matrix;
mod openapi;
mod pages;
mod places;
mod practice_details;
mod records_api;
mod records_pages;
mod safety;
mod support;
mod time_off;
mod visits;
