//! Rewrites OpenAPI 3.1 / JSON Schema 2020-12 constructs into the 3.0 shapes that `openapiv3`
//! carries, keeping what 3.0 cannot say in `x-` extensions the IR reads back.
//!
//! - `type: [X, "null"]`, `anyOf`/`oneOf` with a `{type: null}` arm → `nullable: true`
//!   (a lone `$ref` arm becomes a one-element `allOf`, since 3.0 ignores `$ref` siblings);
//! - `const: v` → `enum: [v]` plus `x-const: v`;
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum` + boolean flag;
//! - `prefixItems` → `x-prefix-items` (a tuple);
//! - `examples: [..]` → `example`;
//! - a string with a `contentMediaType` (and no `contentEncoding`) → `format: binary`;
//! - Kubernetes' `int-or-string` (a format, or an `x-`) → an integer or string `anyOf`;
//! - boolean schemas → `{}` / `{not: {}}`; `{type: null}` alone → `x-null: true`;
//! - a blank `description` or `summary` is dropped: it says no more than a missing one;
//! - a missing `paths` or operation `responses` (optional in 3.1) becomes empty;
//! - a `mutualTLS` security scheme (3.1), or an API key without `in`, is dropped; an OAuth2
//!   flow without `scopes` gets none; a request body that can hold nothing is dropped.

use serde_json::{json, Map, Value};

/// Extension keys the IR builder reads back.
pub const X_CONST: &str = "x-const";
pub const X_PREFIX_ITEMS: &str = "x-prefix-items";
pub const X_NULL: &str = "x-null";

pub fn document(doc: &mut Value) {
    drop_blank_prose(doc, false);
    // openapiv3 knows no `mutualTLS` scheme (3.1): a client certificate is the TLS layer's.
    // An API key that says not where it goes cannot be sent; a flow's `scopes` may be none.
    if let Some(Value::Object(schemes)) = doc.pointer_mut("/components/securitySchemes") {
        let sendable = |s: &Value| s["type"] != "apiKey" || s["in"].is_string();
        schemes.retain(|_, s| s["type"] != "mutualTLS" && sendable(s));
        let flows = schemes.values_mut().filter_map(|s| s.get_mut("flows"));
        for flows in flows.filter_map(Value::as_object_mut) {
            for flow in flows.values_mut().filter_map(Value::as_object_mut) {
                flow.entry("scopes").or_insert_with(|| json!({}));
            }
        }
    }
    if let Value::Object(root) = doc {
        for (key, child) in root.iter_mut() {
            walk_document(child, key == "components");
        }
        // openapiv3 requires `paths` and each operation's `responses`, which 3.1 made optional.
        let paths = root.entry("paths").or_insert_with(|| json!({}));
        for (_, item) in paths.as_object_mut().into_iter().flatten() {
            let members = item.as_object_mut().into_iter().flatten();
            let operations = members.filter(|(key, _)| !key.starts_with("x-"));
            // A body that can hold nothing (Stripe's, on every GET) is no body.
            let empty = json!({"type": "object", "properties": {}, "additionalProperties": false});
            for op in operations.filter_map(|(_, op)| op.as_object_mut()) {
                op.entry("responses").or_insert(json!({}));
                let media = op.get("requestBody").and_then(|b| b["content"].as_object());
                if media.is_some_and(|m| m.values().all(|m| m["schema"] == empty)) {
                    op.remove("requestBody");
                }
            }
        }
    }
}

/// `response`: the value is a response, whose description 3.0 requires (kept as it is).
fn drop_blank_prose(value: &mut Value, response: bool) {
    match value {
        Value::Object(map) => {
            map.retain(|key, v| {
                let prose = key == "summary" || (key == "description" && !response);
                !(prose && v.as_str().is_some_and(|text| text.trim().is_empty()))
            });
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    // Values, not prose: kept as written.
                    "example" | "examples" | "default" | "enum" | "const" => {}
                    "responses" => {
                        let responses = child.as_object_mut().into_iter().flatten();
                        responses.for_each(|(_, r)| drop_blank_prose(r, true));
                    }
                    _ => drop_blank_prose(child, false),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| drop_blank_prose(v, false)),
        _ => {}
    }
}

/// Finds schema positions outside of schemas (components, parameters, media types).
/// `components` is true for the value of the root's `components` key.
fn walk_document(value: &mut Value, components: bool) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "schema" {
                    schema(child);
                } else if key == "schemas" && components {
                    if let Value::Object(schemas) = child {
                        schemas.values_mut().for_each(schema);
                    }
                } else {
                    walk_document(child, false);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk_document(v, false)),
        _ => {}
    }
}

/// Normalises one schema and everything nested in it.
fn schema(value: &mut Value) {
    if let Value::Bool(b) = value {
        *value = if *b { json!({}) } else { json!({ "not": {} }) };
        return;
    }
    let Value::Object(map) = value else { return };
    ref_siblings(map);

    map.retain(|key, v| key != "items" || *v != Value::Bool(false));
    for key in ["items", "additionalProperties", "not"] {
        let child = map.get_mut(key);
        if let Some(child) = child.filter(|c| key != "additionalProperties" || !c.is_boolean()) {
            schema(child);
        }
    }
    for key in ["properties", "$defs", "definitions", "patternProperties"] {
        if let Some(Value::Object(props)) = map.get_mut(key) {
            props.values_mut().for_each(schema);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(arms)) = map.get_mut(key) {
            arms.iter_mut().for_each(schema);
        }
    }

    type_list(map);
    describing_arms(map);
    null_arms(map, "anyOf");
    null_arms(map, "oneOf");
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![value.clone()]));
        map.insert(X_CONST.into(), value);
    }
    int_or_string(map);
    exclusive_bound(map, "exclusiveMinimum", "minimum");
    exclusive_bound(map, "exclusiveMaximum", "maximum");
    if let Some(prefix) = map.remove("prefixItems") {
        map.insert(X_PREFIX_ITEMS.into(), prefix);
        map.entry("type").or_insert_with(|| "array".into());
    }
    if let Some(first) = map.remove("examples").and_then(|e| e.get(0).cloned()) {
        map.entry("example").or_insert(first);
    }
    let string = map.get("type").and_then(Value::as_str) == Some("string");
    if string && map.contains_key("contentMediaType") && !map.contains_key("contentEncoding") {
        map.entry("format").or_insert_with(|| "binary".into());
    }
    if map.get("type").and_then(Value::as_str) == Some("null") {
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
        map.insert(X_NULL.into(), Value::Bool(true));
    }
}

/// Whether a schema has a keyword that gives it a shape; an `allOf` arm with none only describes.
fn shaped(arm: &Value) -> bool {
    let shape = "$ref type properties items allOf anyOf oneOf enum required";
    shape.split(' ').any(|key| arm.get(key).is_some())
}

/// `allOf` arms that only describe (Box's `{nullable: false}`, a `{description: …}`) are left
/// out, what they say moving up: kept, they made a merge of a string and nothing an object.
fn describing_arms(map: &mut Map<String, Value>) {
    let Some(Value::Array(arms)) = map.get_mut("allOf") else {
        return;
    };
    let (kept, described): (Vec<_>, Vec<_>) = std::mem::take(arms).into_iter().partition(shaped);
    *arms = kept;
    for (key, value) in described.iter().filter_map(Value::as_object).flatten() {
        map.entry(key.clone()).or_insert(value.clone());
    }
}

/// 3.1 lets `$ref` have siblings (`default`, `description`); 3.0 readers drop them, so the
/// reference moves into a one-element `allOf` that keeps them.
fn ref_siblings(map: &mut Map<String, Value>) {
    if map.len() > 1 {
        if let Some(reference) = map.remove("$ref") {
            map.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
    }
}

/// `type: [X, "null"]` → `type: X, nullable: true`; several non-null types → `anyOf`.
fn type_list(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let names = types.iter().filter_map(|t| t.as_str().map(str::to_string));
    let (nulls, mut names): (Vec<_>, Vec<_>) = names.partition(|t| t == "null");
    if names.len() > 1 {
        map.remove("type");
        let arms = names.into_iter().map(|t| json!({ "type": t })).collect();
        map.insert("anyOf".into(), Value::Array(arms));
    } else {
        let only = names.pop().unwrap_or_else(|| "null".into());
        map.insert("type".into(), Value::String(only));
    }
    if !nulls.is_empty() {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// Removes `{type: null}` arms (normalised before this runs, so marked `x-null`) and schemars'
/// shapeless `{nullable: true}`; with one arm left, merges it into the parent.
fn null_arms(map: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(arms)) = map.get_mut(key) else {
        return;
    };
    let before = arms.len();
    let yes = Some(&Value::Bool(true));
    arms.retain(|arm| arm.get(X_NULL) != yes && (arm.get("nullable") != yes || shaped(arm)));
    if arms.len() == before {
        return;
    }
    let arm = (arms.len() < 2).then(|| arms.pop());
    map.insert("nullable".into(), Value::Bool(true));
    let Some(arm) = arm else { return };
    map.remove(key);
    match arm {
        None => {
            map.insert(X_NULL.into(), Value::Bool(true));
        }
        Some(Value::Object(arm)) if arm.contains_key("$ref") => {
            map.insert("allOf".into(), Value::Array(vec![Value::Object(arm)]));
        }
        Some(Value::Object(arm)) => {
            for (k, v) in arm {
                // The parent's own title/description/default win over the arm's.
                map.entry(k).or_insert(v);
            }
        }
        Some(_) => {}
    }
}

fn int_or_string(map: &mut Map<String, Value>) {
    let format = map.get("format").and_then(Value::as_str) == Some("int-or-string");
    if format || map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        map.retain(|key, _| key != "type" && key != "format");
        map.entry("anyOf")
            .or_insert(json!([{ "type": "integer" }, { "type": "string" }]));
    }
}

fn exclusive_bound(map: &mut Map<String, Value>, key: &str, bound: &str) {
    if let Some(n @ Value::Number(_)) = map.get(key).cloned() {
        map.insert(bound.into(), n);
        map.insert(key.into(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn norm(mut v: Value) -> Value {
        schema(&mut v);
        v
    }

    #[test]
    fn any_of_with_null_becomes_nullable() {
        let v = norm(json!({
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
            "title": "T"
        }));
        assert_eq!(
            v,
            json!({"type": "string", "format": "date-time", "nullable": true, "title": "T"})
        );
    }

    #[test]
    fn nullable_ref_becomes_single_all_of() {
        let v = norm(json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}));
        assert_eq!(
            v,
            json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
    }

    #[test]
    fn nullable_union_keeps_remaining_arms() {
        let v = norm(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}));
        assert_eq!(
            v,
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn type_list_with_null() {
        assert_eq!(
            norm(json!({"type": ["integer", "null"]})),
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            norm(json!({"type": ["integer", "string"]})),
            json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
    }

    #[test]
    fn int_or_string_becomes_union() {
        let union = json!({"anyOf": [{"type": "integer"}, {"type": "string"}]});
        assert_eq!(
            norm(json!({"type": "string", "format": "int-or-string"})),
            union
        );
        let nullable = json!({"x-kubernetes-int-or-string": true, "nullable": true});
        let mut expected = union.clone();
        expected["x-kubernetes-int-or-string"] = true.into();
        expected["nullable"] = true.into();
        assert_eq!(norm(nullable), expected);
    }

    #[test]
    fn const_becomes_enum_and_extension() {
        let v = norm(json!({"type": "string", "const": "delete"}));
        assert_eq!(
            v,
            json!({"type": "string", "enum": ["delete"], "x-const": "delete"})
        );
    }

    #[test]
    fn numeric_exclusive_minimum() {
        let v = norm(json!({"type": "integer", "exclusiveMinimum": 0}));
        assert_eq!(
            v,
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
    }

    #[test]
    fn prefix_items_become_tuple_extension() {
        let v = norm(json!({
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": ["integer", "null"]}],
            "minItems": 2
        }));
        let items = json!([{"type": "string"}, {"type": "integer", "nullable": true}]);
        assert_eq!(
            v,
            json!({"type": "array", "minItems": 2, "x-prefix-items": items})
        );
    }

    #[test]
    fn examples_array_becomes_example() {
        assert_eq!(
            norm(json!({"type": "string", "examples": ["a", "b"]})),
            json!({"type": "string", "example": "a"})
        );
    }

    #[test]
    fn ref_with_siblings_keeps_them() {
        let v = norm(json!({"$ref": "#/components/schemas/X", "default": "fail"}));
        assert_eq!(
            v,
            json!({"default": "fail", "allOf": [{"$ref": "#/components/schemas/X"}]})
        );
    }

    #[test]
    fn null_only_and_boolean_schemas() {
        assert_eq!(
            norm(json!({"type": "null"})),
            json!({"nullable": true, "x-null": true})
        );
        assert_eq!(norm(json!(true)), json!({}));
        assert_eq!(
            norm(json!({"items": false, "type": "array"})),
            json!({"type": "array"})
        );
    }

    #[test]
    fn nested_schemas_are_reached() {
        let parameter = json!({"name": "x", "in": "query", "schema": {"type": ["string", "null"]}});
        let mut doc = json!({
            "paths": {"/a": {"get": {"parameters": [parameter]}}},
            "components": {"schemas": {"A": {"properties": {"b": {"items": {"const": 1}}}}}}
        });
        document(&mut doc);
        assert_eq!(
            doc["paths"]["/a"]["get"]["parameters"][0]["schema"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["b"]["items"],
            json!({"enum": [1], "x-const": 1})
        );
    }
}
