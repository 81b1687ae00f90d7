//! Issue 10's tests: see the module's own doc once written.
