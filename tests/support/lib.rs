//! Shared helpers for the test suites.

pub mod corpus;
pub mod faults;
pub mod mock;
