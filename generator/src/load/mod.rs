//! Load: text → normalised value → `openapiv3::OpenAPI`, with a line index for error messages.

mod block;
mod halves;
mod lines;
pub mod normalise;
mod strict;

pub use lines::LineIndex;

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// A loaded document: the 3.0-shaped model plus what is needed to point back into the source.
#[derive(Debug)]
pub struct Document {
    pub api: openapiv3::OpenAPI,
    /// The `openapi` version the source declared (`3.1.0`, `3.0.3`, ...).
    pub declared_version: String,
    /// The source text, indexed for line numbers only when an error needs one.
    source: String,
}

impl Document {
    /// Adds the source line to an error that has a pointer.
    pub fn locate(&self, error: Error) -> Error {
        locate(&self.source, error)
    }
}

fn locate(source: &str, error: Error) -> Error {
    let line = LineIndex::build(source).line_of(&error.pointer);
    error.with_line(line)
}

/// How long each loading step took.
pub type Timings = Vec<(&'static str, Duration)>;

/// Parses and normalises `text` (YAML or JSON).
pub fn load(text: &str) -> Result<Document> {
    load_timed(text).map(|(doc, _)| doc)
}

/// [`load`], reporting the time of each step: parse, normalise, model.
pub fn load_timed(text: &str) -> Result<(Document, Timings)> {
    if let Some(loaded) = load_in_two(text) {
        return Ok(loaded);
    }
    let started = Instant::now();
    let mut value = parse(text)?;
    let parsed = started.elapsed();
    let declared_version = check_version(&value).map_err(|e| locate(text, e))?;
    let started = Instant::now();
    normalise::document(&mut value);
    let normalised = started.elapsed();
    let started = Instant::now();
    let api = to_model(value).map_err(|e| locate(text, e))?;
    let modelled = started.elapsed();
    Ok(loaded(
        text,
        api,
        declared_version,
        [parsed, normalised, modelled],
    ))
}

/// The document and its step timings (parse, normalise, model).
fn loaded(
    text: &str,
    api: openapiv3::OpenAPI,
    declared_version: String,
    [parsed, normalised, modelled]: [Duration; 3],
) -> (Document, Timings) {
    let doc = Document {
        api,
        declared_version,
        source: text.to_string(),
    };
    let timings = vec![
        ("parse", parsed),
        ("normalise", normalised),
        ("model", modelled),
    ];
    (doc, timings)
}

/// [`load_timed`] on two threads for a large document: each step runs on both halves at once
/// (see `halves`). `None` whenever a step does not succeed: the single-threaded path then
/// loads the document, or reports what is wrong with it.
fn load_in_two(text: &str) -> Option<(Document, Timings)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let started = Instant::now();
    let mut halves = halves::parse(body)?;
    let parsed = started.elapsed();
    let declared_version = check_version(&halves.version_root()?).ok()?;
    let started = Instant::now();
    halves.normalise();
    let mut value = halves.merge()?;
    normalise::ensure_paths(&mut value);
    let normalised = started.elapsed();
    let started = Instant::now();
    let api = model_in_two(&mut value)?;
    let modelled = started.elapsed();
    crate::parallel::drop_later(value);
    Some(loaded(
        text,
        api,
        declared_version,
        [parsed, normalised, modelled],
    ))
}

/// Loads `text` both ways and says whether the two-thread shortcut gives the model the single
/// thread gives: `None` when the document is not cut in two at all. The spec matrix holds the
/// shortcut to this on every released document.
pub fn two_threads_agree(text: &str) -> Result<Option<bool>> {
    let Some((fast, _)) = load_in_two(text) else {
        return Ok(None);
    };
    let mut value = parse(text)?;
    normalise::document(&mut value);
    let single = openapiv3::OpenAPI::deserialize(&value)
        .map_err(|e| Error::at("", format!("does not fit the OpenAPI model: {e}")))?;
    Ok(Some(fast.api == single))
}

/// Whether the block reader, when it reads `text` at all (`None`: it leaves the document to
/// serde_yaml), gives the value serde_yaml gives. The spec matrix and the fuzz tests hold the
/// reader to this.
pub fn block_reader_agrees(text: &str) -> Option<bool> {
    let fast = block::parse(text)?;
    let slow = serde_yaml::from_str::<strict::StrictValue>(text).map(|v| v.0);
    Some(slow.is_ok_and(|slow| slow == fast))
}

/// YAML (a superset of the JSON we meet) into a JSON value: block YAML as tools write it by
/// the block reader, anything else (and every error) by serde_yaml.
pub fn parse(text: &str) -> Result<Value> {
    if text.trim().is_empty() {
        return Err(Error::at("", "the document is empty")
            .with_hint("point --spec at an OpenAPI 3.0 or 3.1 document"));
    }
    // A byte-order mark is not part of the document (editors on Windows add one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    read_value(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        Error::at("", format!("not valid YAML or JSON: {e}")).with_line(line)
    })
}

/// `text`'s value: by the block reader when it reads the text, else by serde_yaml, which also
/// reports what is wrong with it.
fn read_value(text: &str) -> std::result::Result<Value, serde_yaml::Error> {
    match block::parse(text) {
        Some(value) => Ok(value),
        None => serde_yaml::from_str::<strict::StrictValue>(text).map(|v| v.0),
    }
}

fn check_version(value: &Value) -> Result<String> {
    let Some(root) = value.as_object() else {
        return Err(Error::at("", "the document is not a mapping")
            .with_hint("an OpenAPI document is an object with `openapi`, `info` and `paths`"));
    };
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => Ok(v.to_string()),
        Some(v) => Err(
            Error::at("/openapi", format!("OpenAPI version {v} is not supported"))
                .with_hint("use an OpenAPI 3.0.x or 3.1.x document"),
        ),
        None if root.contains_key("swagger") => Err(Error::at(
            "/swagger",
            "Swagger 2.0 documents are not supported",
        )
        .with_hint("convert the document to OpenAPI 3 first")),
        None => Err(Error::at("/openapi", "missing the `openapi` version field")
            .with_hint("add `openapi: 3.1.0` (or 3.0.x)")),
    }
}

fn to_model(mut value: Value) -> Result<openapiv3::OpenAPI> {
    // Plain deserialisers (on two threads) are the fast path; tracking the path costs time
    // only a failure needs, so that run is repeated with it.
    if let Some(api) = model_in_two(&mut value) {
        return Ok(api);
    }
    // Paths and components deserialise through maps that lose the error's position, so on
    // failure the parts are tried one by one to find the deepest place that does not fit.
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let shallow = Error::at(
            path_to_pointer(e.path()),
            format!("does not fit the OpenAPI model: {}", e.inner()),
        );
        refine(&value)
            .filter(|deep| deep.pointer.len() > shallow.pointer.len())
            .unwrap_or(shallow)
    })
}

/// The model with `paths` (most of a document) deserialised on a second thread. `None` when
/// either part fails: the caller then deserialises the whole, for the error's sake.
fn model_in_two(value: &mut Value) -> Option<openapiv3::OpenAPI> {
    let slot = value.as_object_mut()?.get_mut("paths")?;
    let paths = std::mem::replace(slot, Value::Object(serde_json::Map::new()));
    let (parts, api) = crate::parallel::join(
        || openapiv3::Paths::deserialize(&paths).ok(),
        || openapiv3::OpenAPI::deserialize(&*value).ok(),
    );
    if let Some(slot) = value.as_object_mut().and_then(|root| root.get_mut("paths")) {
        *slot = paths;
    }
    let mut api = api?;
    api.paths = parts?;
    Some(api)
}

/// Deserialises `value` as `T`, returning where (below `pointer`) and why it fails.
fn probe<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Option<Error> {
    let e = serde_path_to_error::deserialize::<_, T>(value).err()?;
    Some(Error::at(
        format!("{pointer}{}", path_to_pointer(e.path())),
        format!("does not fit the OpenAPI model: {}", e.inner()),
    ))
}

/// Like [`probe`] for `ReferenceOr<T>`, which is untagged and so hides where inside `T` the
/// error is: a value without `$ref` is probed as `T` itself.
fn probe_item<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Option<Error> {
    if value.get("$ref").is_some() {
        probe::<openapiv3::ReferenceOr<T>>(value, pointer)
    } else {
        probe::<T>(value, pointer)
    }
}

fn deepest(errors: impl IntoIterator<Item = Option<Error>>) -> Option<Error> {
    errors.into_iter().flatten().max_by_key(|e| e.pointer.len())
}

fn entries<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = (&'v String, &'v Value)> {
    value
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

fn refine(value: &Value) -> Option<Error> {
    use crate::error::join;
    use openapiv3::{
        Operation, Parameter, PathItem, RequestBody, Response, Schema, SecurityScheme,
    };
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut found = Vec::new();
    for (path, item) in entries(value, "paths") {
        let item_pointer = join("/paths", path);
        found.push(probe::<PathItem>(item, &item_pointer));
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_pointer = join(&item_pointer, method);
            found.push(probe::<Operation>(op, &op_pointer));
            for (code, response) in entries(op, "responses") {
                found.push(probe_item::<Response>(
                    response,
                    &join(&join(&op_pointer, "responses"), code),
                ));
            }
            for (i, param) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                found.push(probe_item::<Parameter>(
                    param,
                    &format!("{op_pointer}/parameters/{i}"),
                ));
            }
            if let Some(body) = op.get("requestBody") {
                found.push(probe_item::<RequestBody>(
                    body,
                    &join(&op_pointer, "requestBody"),
                ));
            }
        }
    }
    let components = value.get("components").unwrap_or(&Value::Null);
    for (name, schema) in entries(components, "schemas") {
        found.push(probe_item::<Schema>(
            schema,
            &join("/components/schemas", name),
        ));
    }
    for (name, scheme) in entries(components, "securitySchemes") {
        found.push(probe_item::<SecurityScheme>(
            scheme,
            &join("/components/securitySchemes", name),
        ));
    }
    deepest(found)
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer = crate::error::join(&pointer, key),
            Segment::Enum { variant } => pointer = crate::error::join(&pointer, variant),
            Segment::Unknown => {}
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-thread shortcuts against the single-threaded paths, on the pinned spec.
    #[test]
    fn loading_in_two_gives_what_loading_whole_gives() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/v2-rest-api-generated.yaml"
        );
        let text = std::fs::read_to_string(path).expect("the pinned spec");
        let whole = serde_yaml::from_str::<strict::StrictValue>(&text)
            .unwrap()
            .0;
        let halves = halves::parse(&text).expect("the pinned spec is cut in two");
        assert_eq!(halves.merge(), Some(whole.clone()));
        let (doc, _) = load_in_two(&text).expect("loads in two");
        let mut single = whole.clone();
        normalise::document(&mut single);
        assert_eq!(doc.api, openapiv3::OpenAPI::deserialize(&single).unwrap());

        let mut value = whole.clone();
        normalise::document(&mut value);
        let sequential = openapiv3::OpenAPI::deserialize(&value).unwrap();
        let in_two = model_in_two(&mut value.clone()).expect("both parts deserialise");
        assert_eq!(in_two, sequential);
        assert!(!in_two.paths.paths.is_empty());
    }

    #[test]
    fn empty_document_is_a_clear_error() {
        let e = load("").unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
    }

    #[test]
    fn yaml_syntax_error_has_a_line() {
        let e = load("openapi: 3.1.0\ninfo: [unclosed\n").unwrap_err();
        assert!(e.message.starts_with("not valid YAML"), "{e}");
        assert!(e.line.is_some(), "{e}");
    }

    #[test]
    fn swagger_two_is_refused_with_a_hint() {
        let e = load("swagger: '2.0'\ninfo: {title: x, version: '1'}\n").unwrap_err();
        assert_eq!(e.pointer, "/swagger");
        assert!(e.hint.is_some());
    }

    #[test]
    fn model_mismatch_names_the_pointer_and_line() {
        let text = "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: five\n          content: 7\n";
        let e = load(text).unwrap_err();
        assert_eq!(e.pointer, "/paths/~1a/get/responses/200/content", "{e}");
        assert_eq!(e.line, Some(11), "{e}");
    }

    #[test]
    fn duplicate_keys_are_an_error_and_numeric_keys_are_strings() {
        let e = load(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ninfo: {title: u, version: '2'}\n",
        )
        .unwrap_err();
        assert!(e.message.contains("duplicate key `info`"), "{e}");
        let doc = load("\u{feff}openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n").unwrap();
        assert_eq!(doc.api.paths.paths.len(), 1);
    }

    #[test]
    fn loads_a_minimal_31_document() {
        let doc = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n").unwrap();
        assert_eq!(doc.declared_version, "3.1.0");
        assert!(doc.api.paths.paths.is_empty());
    }
}
