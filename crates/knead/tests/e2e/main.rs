//! End-to-end tests of the real `knead` binary: its commands, its server, and a browser using it.

mod audit_cli;
mod browser;
mod browser_accessibility;
mod browser_booking;
mod browser_chair_days;
mod browser_dispatch;
mod browser_intake;
mod browser_records;
mod calendar_files;
mod chair_days;
mod cli;
mod concurrency;
mod connections;
mod crash;
mod intake_api;
mod later;
mod notifications;
mod places;
mod records_api;
mod referral_export;
mod support;
mod tidy;
mod vrptw;
