//! A document's release history: in which release each operation, parameter, schema,
//! property and enum value first appeared (and, if ever, last did), read from the index
//! `cargo xtask history` writes next to the pinned spec. The IR reads it to tell what every
//! supported release sends from what only newer ones do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The index. Only what is not in every release has an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// What the releases are releases of (`Airflow`), for "Since Airflow 3.1.0".
    pub product: String,
    /// Every release the index covers, oldest first.
    pub releases: Vec<String>,
    /// Where a server tells its version, when the API has such an endpoint.
    pub version: Option<VersionEndpoint>,
    /// By method and path, as a client sends them (`GET /api/v2/version`).
    #[serde(default)]
    pub operations: BTreeMap<String, Span>,
    /// By method and path, then parameter name.
    #[serde(default)]
    pub parameters: BTreeMap<String, BTreeMap<String, Span>>,
    /// By component schema name.
    #[serde(default)]
    pub schemas: BTreeMap<String, Span>,
    /// By component schema name, then property name.
    #[serde(default)]
    pub properties: BTreeMap<String, BTreeMap<String, Span>>,
    /// By component schema name, then value.
    #[serde(default)]
    pub enum_values: BTreeMap<String, BTreeMap<String, Span>>,
}

/// `GET path` answers an object whose `field` is the server's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionEndpoint {
    pub path: String,
    pub field: String,
}

/// The releases that have something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The first release that has it.
    pub since: String,
    /// The last release that has it, when a later one dropped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// For a property or parameter: the first release from which every later one requires
    /// it, when that is later than `since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
}

impl History {
    pub fn parse(text: &str) -> Result<History> {
        let history: History =
            serde_yaml::from_str(text).map_err(|e| Error::History(e.to_string()))?;
        if history.releases.is_empty() {
            return Err(Error::History("it lists no releases".into()));
        }
        Ok(history)
    }

    pub fn position(&self, release: &str) -> Option<usize> {
        self.releases.iter().position(|r| r == release)
    }
}
