//! Care records: see the module's tests.
