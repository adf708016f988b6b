//! Shared helpers for the test suites.

pub mod mock;
