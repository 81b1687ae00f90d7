//! End-to-end tests of the real `knead` binary: its commands, its server, and a browser using it.

mod browser;
mod cli;
mod support;
mod tidy;
