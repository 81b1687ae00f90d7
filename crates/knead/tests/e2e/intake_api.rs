//! Issue 10's end-to-end API tests on both databases (to be written).
