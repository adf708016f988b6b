//! A document's release history: in which release each operation, parameter, schema,
//! property and enum value first appeared (and, if ever, last did), read from the index
//! `cargo xtask history` writes next to the pinned spec. The IR reads it to tell what every
//! supported release sends from what only newer ones do.

use std::collections::BTreeMap;
use std::fmt::Write as _;

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
    #[serde(default)]
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

    /// The index as text: a header, then one line per entry, sorted, so a new release reads
    /// as a small diff.
    pub fn to_text(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            let _ = writeln!(out, "# {line}");
        }
        let _ = writeln!(out, "product: {}", self.product);
        let _ = writeln!(out, "releases: [{}]", self.releases.join(", "));
        if let Some(v) = &self.version {
            let _ = writeln!(out, "version: {{path: {}, field: {}}}", v.path, v.field);
        }
        let flat = |out: &mut String, name: &str, entries: &BTreeMap<String, Span>| {
            if !entries.is_empty() {
                let _ = writeln!(out, "{name}:");
                for (key, span) in entries {
                    let _ = writeln!(out, "  {}: {}", yaml_key(key), span.to_text());
                }
            }
        };
        let nested =
            |out: &mut String, name: &str, groups: &BTreeMap<String, BTreeMap<String, Span>>| {
                if !groups.is_empty() {
                    let _ = writeln!(out, "{name}:");
                    for (group, entries) in groups {
                        let _ = writeln!(out, "  {}:", yaml_key(group));
                        for (key, span) in entries {
                            let _ = writeln!(out, "    {}: {}", yaml_key(key), span.to_text());
                        }
                    }
                }
            };
        flat(&mut out, "operations", &self.operations);
        nested(&mut out, "parameters", &self.parameters);
        flat(&mut out, "schemas", &self.schemas);
        nested(&mut out, "properties", &self.properties);
        nested(&mut out, "enum_values", &self.enum_values);
        out
    }

    /// Where `release` is among the releases, when it is one.
    pub fn position(&self, release: &str) -> Option<usize> {
        self.releases.iter().position(|r| r == release)
    }
}

impl Span {
    fn to_text(&self) -> String {
        let mut parts = vec![format!("since: {}", self.since)];
        if let Some(until) = &self.until {
            parts.push(format!("until: {until}"));
        }
        if let Some(required) = &self.required {
            parts.push(format!("required: {required}"));
        }
        format!("{{{}}}", parts.join(", "))
    }
}

/// A key as YAML reads it back: quoted when it is not a plain word.
fn yaml_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !key.starts_with(['-', '.'])
        && !matches!(
            key,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        );
    if plain && key.parse::<f64>().is_err() {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_reads_back_as_the_same_index() {
        let mut history = History {
            product: "Airflow".into(),
            releases: vec!["3.0.0".into(), "3.1.0".into(), "3.2.0".into()],
            version: Some(VersionEndpoint {
                path: "/api/v2/version".into(),
                field: "version".into(),
            }),
            ..History::default()
        };
        let span = |since: &str| Span {
            since: since.into(),
            until: None,
            required: None,
        };
        history.operations.insert("get_hitl".into(), span("3.1.0"));
        history
            .parameters
            .entry("list".into())
            .or_default()
            .insert("cursor".into(), span("3.2.0"));
        history.properties.entry("Ti".into()).or_default().insert(
            "queue".into(),
            Span {
                until: Some("3.1.0".into()),
                required: Some("3.1.0".into()),
                ..span("3.0.0")
            },
        );
        history
            .enum_values
            .entry("State".into())
            .or_default()
            .insert("null".into(), span("3.2.0"));
        history
            .enum_values
            .entry("Accept".into())
            .or_default()
            .insert("*/*".into(), span("3.2.0"));
        let text = history.to_text("written by a test");
        assert!(
            text.starts_with("# written by a test\nproduct: Airflow\n"),
            "{text}"
        );
        assert_eq!(History::parse(&text).unwrap(), history, "{text}");
    }
}
