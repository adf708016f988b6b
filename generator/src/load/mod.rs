//! Load: text → YAML value → 3.1 constructs rewritten into 3.0 shapes → `openapiv3::OpenAPI`,
//! keeping the text to find an error's line in.

mod lines;
pub mod normalise;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use crate::error::{join, percent_decode, SpecError, SpecResult};

/// A loaded document: the 3.0-shaped model plus what is needed to point back into the source.
#[derive(Debug)]
pub struct Document {
    pub api: openapiv3::OpenAPI,
    /// Schemas a `$ref` reaches outside `components/schemas` (a parameter's schema, a nested
    /// definition), by reference as written, with their pointers: the 3.0 model has no other way.
    pub schemas_elsewhere: BTreeMap<String, (String, ReferenceOr<Schema>)>,
    /// The names of the webhooks (3.1): requests the API sends, which a client has no method for.
    pub webhooks: Vec<String>,
    /// The source text, read again for a line number only when an error needs one.
    source: String,
}

impl Document {
    /// Adds the source line to an error that has a pointer.
    pub fn locate(&self, error: SpecError) -> SpecError {
        locate(&self.source, error)
    }
}

fn locate(source: &str, error: SpecError) -> SpecError {
    let line = lines::line_of(source, &error.pointer);
    error.with_line(line)
}

/// Parses and normalises `text` (YAML or JSON).
pub fn load(text: &str) -> SpecResult<Document> {
    let mut value = parse(text)?;
    check_version(&value).map_err(|e| locate(text, e))?;
    normalise::document(&mut value);
    let api = model(&value, "").map_err(|shallow| locate(text, refine(&value, shallow)))?;
    let schemas_elsewhere = schemas_elsewhere(&value).map_err(|e| locate(text, e))?;
    let webhooks = entries(&value, "webhooks").map(|(name, _)| name.clone());
    Ok(Document {
        api,
        schemas_elsewhere,
        webhooks: webhooks.collect(),
        source: text.to_string(),
    })
}

/// YAML (a superset of the JSON we meet) into a JSON value.
pub fn parse(text: &str) -> SpecResult<Value> {
    if text.trim().is_empty() {
        return Err(SpecError::at("", "the document is empty")
            .with_hint("point --spec at an OpenAPI 3.0 or 3.1 document"));
    }
    // A byte-order mark is not part of the document (editors on Windows add one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Through serde_yaml's own value, which refuses a key written twice (a JSON value would
    // keep the last one silently, hiding half of what the author wrote); keys YAML leaves
    // unquoted (`200:`) become strings on the way.
    let yaml = yaml_value(text);
    // YAML refuses some JSON (escapes of a character past U+FFFF, C1 control characters in a
    // string): a document that is JSON is then read as such, unless a key is written twice.
    let refused = yaml.as_ref().err().map(ToString::to_string);
    if refused.is_some_and(|e| !e.contains("duplicate")) {
        if let Ok(json) = serde_json::from_str(text) {
            return Ok(json);
        }
    }
    let invalid =
        |e: &dyn std::fmt::Display| SpecError::at("", format!("not valid YAML or JSON: {e}"));
    let yaml = yaml.map_err(|e| invalid(&e).with_line(e.location().map(|l| l.line())))?;
    serde_json::to_value(yaml)
        .map_err(|e| invalid(&e).with_hint("mapping keys must be strings, numbers or booleans"))
}

/// `text` as YAML's own value. An integer past 64 bits, which that value cannot hold (OpenAI
/// writes i64's bounds as JavaScript rounds them), becomes the nearest one that fits.
fn yaml_value(text: &str) -> Result<serde_yaml::Value, serde_yaml::Error> {
    let mut text = text.to_string();
    loop {
        let error = match serde_yaml::from_str(&text) {
            Err(e) if e.to_string().contains("128, expected any YAML value") => e,
            other => return other,
        };
        let at = error.location().map_or(text.len(), |l| l.index());
        let rest = text.get(at..).unwrap_or_default();
        let digits = rest.find(|c: char| c != '-' && !c.is_ascii_digit());
        let digits = digits.unwrap_or(rest.len());
        if digits == 0 {
            return Err(error);
        }
        let negative = rest.starts_with('-');
        let nearest = if negative { i64::MIN } else { i64::MAX };
        text.replace_range(at..at + digits, &nearest.to_string());
    }
}

fn check_version(value: &Value) -> SpecResult<()> {
    let Some(root) = value.as_object() else {
        return Err(SpecError::at("", "the document is not a mapping")
            .with_hint("an OpenAPI document is an object with `openapi`, `info` and `paths`"));
    };
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => Ok(()),
        Some(v) => Err(
            SpecError::at("/openapi", format!("OpenAPI version {v} is not supported"))
                .with_hint("use an OpenAPI 3.0.x or 3.1.x document"),
        ),
        None if root.contains_key("swagger") => Err(SpecError::at(
            "/swagger",
            "Swagger 2.0 documents are not supported",
        )
        .with_hint("convert the document to OpenAPI 3 first")),
        None => Err(
            SpecError::at("/openapi", "missing the `openapi` version field")
                .with_hint("add `openapi: 3.1.0` (or 3.0.x)"),
        ),
    }
}

/// Deserialises `value` (at `pointer`) as `T`, or says where below `pointer` and why not.
fn model<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> SpecResult<T> {
    use serde_path_to_error::Segment;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let segments = e.path().iter();
        let at = segments.fold(pointer.to_string(), |at, segment| match segment {
            Segment::Seq { index } => format!("{at}/{index}"),
            Segment::Map { key } | Segment::Enum { variant: key } => join(&at, key),
            Segment::Unknown => at,
        });
        SpecError::at(at, format!("does not fit the OpenAPI model: {}", e.inner()))
    })
}

/// Every schema a local `$ref` lands on outside `components/schemas`; a reference that lands
/// elsewhere or nowhere is left for the IR to report where it is written.
fn schemas_elsewhere(doc: &Value) -> SpecResult<BTreeMap<String, (String, ReferenceOr<Schema>)>> {
    let mut references = BTreeSet::new();
    collect_references(doc, &mut references);
    let mut found = BTreeMap::new();
    for reference in references {
        let Some(pointer) = reference.strip_prefix('#').map(percent_decode) else {
            continue;
        };
        let component = pointer.strip_prefix("/components/schemas/");
        if component.is_some_and(|name| !name.contains('/')) || !is_schema_position(&pointer) {
            continue;
        }
        if let Some(target) = doc.pointer(&pointer) {
            let schema = model(target, &pointer)?;
            found.insert(reference, (pointer, schema));
        }
    }
    Ok(found)
}

fn collect_references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.insert(reference.clone());
            }
            map.values().for_each(|v| collect_references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, found)),
        _ => {}
    }
}

/// The component sections OpenAPI defines, of which only `schemas` holds schemas.
const SECTIONS: &str = "schemas responses parameters examples requestBodies headers \
    securitySchemes links callbacks pathItems";

/// Whether the place `pointer` names holds a schema, by the key that leads there.
fn is_schema_position(pointer: &str) -> bool {
    let mut tokens = pointer.rsplit('/');
    let (last, parent) = (tokens.next().unwrap_or(""), tokens.next().unwrap_or(""));
    // A component section OpenAPI does not define (`components/enums`) can hold only schemas.
    let component = pointer.strip_prefix("/components/");
    let section = component.and_then(|c| c.split_once('/'));
    let known = |section| SECTIONS.split_whitespace().any(|s| s == section);
    section.is_some_and(|(section, name)| !name.contains('/') && !known(section))
        || matches!(last, "schema" | "items" | "additionalProperties" | "not")
        || matches!(
            parent,
            "schemas" | "properties" | "$defs" | "definitions" | "anyOf" | "oneOf" | "allOf"
        )
}

/// Where and why `value` is not a `ReferenceOr<T>`, which is untagged and so hides where
/// inside `T` the error is: a value without `$ref` is probed as `T` itself.
fn probe_item<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Option<SpecError> {
    match value.get("$ref").is_some() {
        true => model::<openapiv3::ReferenceOr<T>>(value, pointer).err(),
        false => model::<T>(value, pointer).err(),
    }
}

fn entries<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = (&'v String, &'v Value)> {
    value[key].as_object().into_iter().flatten()
}

/// Where `value` does not fit the model, given the error deserialising it whole gave
/// (`shallow`): paths and components deserialise through maps that lose the error's position,
/// so the parts are tried one by one to find the deepest place that does not fit.
fn refine(value: &Value, shallow: SpecError) -> SpecError {
    use openapiv3::{Operation, Parameter, PathItem, RequestBody, Response, SecurityScheme};
    const METHODS: &str = "get put post delete options head patch trace";
    let mut found = Vec::new();
    for (path, item) in entries(value, "paths") {
        let item_pointer = join("/paths", path);
        found.push(model::<PathItem>(item, &item_pointer).err());
        for method in METHODS.split(' ') {
            let Some(op) = item.get(method) else { continue };
            let op_pointer = join(&item_pointer, method);
            found.push(model::<Operation>(op, &op_pointer).err());
            for (code, response) in entries(op, "responses") {
                let pointer = join(&join(&op_pointer, "responses"), code);
                found.push(probe_item::<Response>(response, &pointer));
            }
            let params = op.get("parameters").and_then(Value::as_array);
            for (i, param) in params.into_iter().flatten().enumerate() {
                let pointer = format!("{op_pointer}/parameters/{i}");
                found.push(probe_item::<Parameter>(param, &pointer));
            }
            if let Some(body) = op.get("requestBody") {
                let pointer = join(&op_pointer, "requestBody");
                found.push(probe_item::<RequestBody>(body, &pointer));
            }
        }
    }
    let components = value.get("components").unwrap_or(&Value::Null);
    for (name, schema) in entries(components, "schemas") {
        let pointer = join("/components/schemas", name);
        found.push(probe_item::<Schema>(schema, &pointer));
    }
    for (name, scheme) in entries(components, "securitySchemes") {
        let pointer = join("/components/securitySchemes", name);
        found.push(probe_item::<SecurityScheme>(scheme, &pointer));
    }
    let deep = found.into_iter().flatten().max_by_key(|e| e.pointer.len());
    deep.filter(|deep| deep.pointer.len() > shallow.pointer.len())
        .unwrap_or(shallow)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = "\
openapi: 3.1.0
info:
  title: t
  version: '1'
paths:
  /a:
    get:
      responses:
        '200':
          description: five
          content: 7
";
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
        assert!(
            e.message.contains("duplicate entry with key \"info\""),
            "{e}"
        );
        let text = "\u{feff}\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        200: {description: ok}
";
        let doc = load(text).unwrap();
        assert_eq!(doc.api.paths.paths.len(), 1);
    }

    #[test]
    fn loads_a_minimal_31_document() {
        let doc = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n").unwrap();
        assert!(doc.api.paths.paths.is_empty());
    }
}
