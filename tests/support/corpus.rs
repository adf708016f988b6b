//! The malformed and awkward documents of `tests/corpus/`, each with the outcome it must have.
//!
//! A case is `NAME.yaml` (or `.json`) plus `NAME.expect`, lines of `key: value`:
//!
//! ```text
//! # why the case exists
//! outcome: ok | error
//! selection: all | tag:NAME        (default: all)
//! pointer: /json/pointer           (error: the pointer the error must name; empty = root)
//! message: substring               (error: part of the message)
//! operations: N                    (ok: how many operations the client must have)
//! snapshot: src/models/x.rs          (ok, repeatable: an emitted file pinned by insta)
//! roundtrip: Type {json}             (ok, repeatable: decodes as models::Type and re-encodes
//!                                     to the same JSON)
//! refuse: Type field {json}          (ok, repeatable: fails to decode, naming `field`)
//! encode: Union Variant {arm} => {json}  (ok, repeatable: the arm decoded from `{arm}`, in
//!                                     that variant, encodes to `{json}`)
//! ```

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use airflow_codegen::{Config, EmitConfig, Error, Generated, Selection, Templates};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error { pointer: String, message: String },
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub document: PathBuf,
    pub selection: Selection,
    pub outcome: Outcome,
    pub operations: Option<usize>,
    pub snapshots: Vec<String>,
    /// Model name and a JSON payload that must survive decoding and re-encoding.
    pub round_trips: Vec<(String, String)>,
    /// Model name, the field its error must name, and a JSON payload the schema forbids.
    pub refusals: Vec<(String, String, String)>,
    /// Union name, variant, the arm's JSON and the JSON the union must encode it as.
    pub encodings: Vec<[String; 4]>,
}

pub fn dir() -> PathBuf {
    xtask::root().join("tests").join("corpus")
}

/// Every case, sorted by name; fails on a document without a manifest or a bad manifest.
pub fn cases() -> Result<Vec<Case>, String> {
    let dir = dir();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // `.gitattributes` keeps the documents byte-exact.
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    names.sort();
    let mut cases = Vec::new();
    for path in &names {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        match ext {
            "expect" => {
                let document = ["yaml", "json"]
                    .iter()
                    .map(|e| path.with_extension(e))
                    .find(|p| p.is_file())
                    .ok_or_else(|| format!("{stem}.expect has no {stem}.yaml or {stem}.json"))?;
                let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
                cases.push(parse(&stem, document, &text)?);
            }
            "yaml" | "json" => {
                if !path.with_extension("expect").is_file() {
                    return Err(format!("{stem}.{ext} has no {stem}.expect"));
                }
            }
            _ => return Err(format!("unexpected file {} in the corpus", path.display())),
        }
    }
    Ok(cases)
}

fn parse(name: &str, document: PathBuf, text: &str) -> Result<Case, String> {
    let mut outcome = None;
    let mut selection = Selection::All;
    let mut pointer = None;
    let mut message = None;
    let mut operations = None;
    let (mut snapshots, mut round_trips, mut refusals) = (Vec::new(), Vec::new(), Vec::new());
    let mut encodings = Vec::new();
    let words = |value: &str, n: usize| -> Result<Vec<String>, String> {
        let parts: Vec<String> = value.splitn(n, ' ').map(str::to_string).collect();
        match parts.len() == n {
            true => Ok(parts),
            false => Err(format!("{name}.expect: `{value}` needs {n} parts")),
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("{name}.expect: `{line}` is not `key: value`"))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        match key.trim() {
            "outcome" => outcome = Some(value),
            "selection" => {
                selection = match value.strip_prefix("tag:") {
                    Some(tag) => Selection::Tags(vec![tag.to_string()]),
                    None if value == "all" => Selection::All,
                    None => return Err(format!("{name}.expect: selection `{value}`")),
                }
            }
            "pointer" => pointer = Some(value),
            "message" => message = Some(value),
            "operations" => {
                operations = Some(
                    value
                        .parse()
                        .map_err(|_| format!("{name}.expect: operations `{value}`"))?,
                )
            }
            "snapshot" => snapshots.push(value),
            "roundtrip" => {
                let [ty, json] = <[String; 2]>::try_from(words(&value, 2)?).unwrap();
                round_trips.push((ty, json));
            }
            "refuse" => {
                let [ty, field, json] = <[String; 3]>::try_from(words(&value, 3)?).unwrap();
                refusals.push((ty, field, json));
            }
            "encode" => {
                let [ty, variant, rest] = <[String; 3]>::try_from(words(&value, 3)?).unwrap();
                let Some((arm, json)) = rest.split_once(" => ") else {
                    return Err(format!("{name}.expect: encode needs `ARM => JSON`"));
                };
                encodings.push([ty, variant, arm.to_string(), json.to_string()]);
            }
            other => return Err(format!("{name}.expect: unknown key `{other}`")),
        }
    }
    let outcome = match outcome.as_deref() {
        Some("ok") => Outcome::Ok,
        Some("error") => Outcome::Error {
            pointer: pointer.ok_or_else(|| format!("{name}.expect: an error needs `pointer:`"))?,
            message: message.ok_or_else(|| format!("{name}.expect: an error needs `message:`"))?,
        },
        other => return Err(format!("{name}.expect: outcome {other:?}")),
    };
    Ok(Case {
        name: name.to_string(),
        document,
        selection,
        outcome,
        operations,
        snapshots,
        round_trips,
        refusals,
        encodings,
    })
}

pub fn templates() -> Templates {
    Templates::load(&xtask::root().join("templates")).expect("templates/ loads")
}

/// The crate name a case's client gets.
pub fn crate_name(case: &str) -> String {
    format!("corpus-{}", case.replace('_', "-"))
}

pub fn config(selection: Selection, crate_name: &str, standalone: bool) -> Config {
    Config {
        selection,
        emit: EmitConfig {
            crate_name: crate_name.to_string(),
            crate_version: "0.1.0".into(),
            standalone,
            generated_by: "the corpus test".into(),
            package: Default::default(),
        },
        history: None,
        supported_from: None,
        // Each case pins what the generator refuses, and where; skipping is tested on its own.
        strict: true,
    }
}

/// `tests/round_trip.rs` for a case's client: its payloads decoded and re-encoded, and its
/// refusals; `None` when the case has neither.
pub fn round_trip_tests(case: &Case) -> Option<String> {
    if case.round_trips.is_empty() && case.refusals.is_empty() && case.encodings.is_empty() {
        return None;
    }
    let models = format!("{}::models", crate_name(&case.name).replace('-', "_"));
    let mut out = String::from("//! Written by tests/corpus.rs from the case's manifest.\n");
    for (i, (ty, json)) in case.round_trips.iter().enumerate() {
        out.push_str(&format!(
            r##"
#[test]
fn round_trip_{i}() {{
    let sent: serde_json::Value = serde_json::from_str(r#"{json}"#).unwrap();
    let decoded: {models}::{ty} = serde_json::from_value(sent.clone()).unwrap();
    let again = serde_json::to_value(&decoded).unwrap();
    assert_eq!(again, sent, "{{decoded:?}}");
}}
"##
        ));
    }
    for (i, (ty, field, json)) in case.refusals.iter().enumerate() {
        out.push_str(&format!(
            r##"
#[test]
fn refusal_{i}() {{
    let error = serde_json::from_str::<{models}::{ty}>(r#"{json}"#).unwrap_err();
    assert!(error.to_string().contains("{field}"), "{{error}}");
}}
"##
        ));
    }
    for (i, [ty, variant, arm, json]) in case.encodings.iter().enumerate() {
        out.push_str(&format!(
            r##"
#[test]
fn encoding_{i}() {{
    let arm = serde_json::from_str(r#"{arm}"#).unwrap();
    let encoded = serde_json::to_value({models}::{ty}::{variant}(arm)).unwrap();
    let expected: serde_json::Value = serde_json::from_str(r#"{json}"#).unwrap();
    assert_eq!(encoded, expected);
}}
"##
        ));
    }
    Some(out)
}

/// How one run ended.
#[derive(Debug)]
// One value per corpus case, moved once: its size costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
pub enum Run {
    Returned(Result<Generated, Error>),
    Panicked(String),
    /// Still running when the watchdog gave up on it.
    Hung,
}

/// Runs `work` on its own thread, catching panics, giving up after `limit`. A hung thread is
/// left behind (threads cannot be killed); the test then fails and the process ends with it.
pub fn guarded<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(result.map_err(|p| panic_message(&*p)));
        })
        .map_err(|e| format!("spawning: {e}"))?;
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => Err(format!("panicked: {panic}")),
        Err(_) => Err(format!("did not return within {} s", limit.as_secs())),
    }
}

/// Generates `text` under the watchdog.
pub fn run_guarded(text: String, config: Config, templates: Templates, limit: Duration) -> Run {
    match guarded(limit, move || {
        airflow_codegen::generate(&text, &config, &templates)
    }) {
        Ok(result) => Run::Returned(result),
        Err(e) if e.starts_with("panicked: ") => Run::Panicked(e["panicked: ".len()..].into()),
        Err(_) => Run::Hung,
    }
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic payload)".into())
}

/// Runs cargo with a target folder of its own and warnings denied; stderr on failure.
pub fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    xtask::test_all::cargo_strict(dir, target, args)
}
