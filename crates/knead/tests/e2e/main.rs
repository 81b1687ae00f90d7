//! End-to-end tests of the real `knead` binary: its commands, its server, and a browser using it.

mod browser;
mod browser_booking;
mod concurrency;
mod cli;
mod support;
mod tidy;
