//! Issue 10's browser tests (to be written).
