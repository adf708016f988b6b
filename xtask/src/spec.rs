//! The files of `spec/`, by name: `fetch-spec` writes the documents, `history` the release
//! history, and a regen reads them. Each release's REST document is kept under the same name
//! beside its wheel.

/// The REST API document.
pub const REST_FILE: &str = "v2-rest-api-generated.yaml";
/// The simple auth manager's document.
pub const AUTH_FILE: &str = "simple-auth-manager-generated.yaml";
/// The release history index.
pub const HISTORY_FILE: &str = "history.yaml";
