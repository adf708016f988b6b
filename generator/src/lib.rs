//! Turns an OpenAPI 3.1 (or 3.0) document into a typed async Rust client crate.
//!
//! The pipeline is `load` (text → normalised `openapiv3` model) → `ir` (operations and a
//! type arena, names decided) → `emit` (Rust source, formatted once). See ARCHITECTURE.md.

pub mod error;
pub mod ir;
pub mod load;

pub use error::{Error, Result};
