//! Property test: seeded pseudo-random mutations of real documents (the pinned spec and a few
//! corpus cases) never panic or hang the generator, and every error it returns has a message
//! and a JSON pointer that names a place in the mutated document (and is not the emitter
//! owning up to invalid Rust).
//!
//! Deterministic: a fixed seed drives an xorshift generator, so a failure reproduces with the
//! same iteration number; the failing document is written to `target/fuzz-failures/`.
//! Runs load → IR → emit directly, a fixed number of iterations, no timing assertion.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use airflow_codegen::{emit, ir, load, EmitConfig, Error, Selection, SpecError, Templates};
use airflow_codegen_tests::corpus::{guarded, templates};
use serde_json::{json, Map, Value};

const SEED: u64 = 0x5eed_a1f1_0c0d_e9e2;
const ITERATIONS: usize = 300;
/// Per iteration; only a hang comes near it.
const WATCHDOG: Duration = Duration::from_secs(120);

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

type Path = Vec<Seg>;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn pointer(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Every node's path, in document order.
fn paths(value: &Value) -> Vec<Path> {
    fn walk(value: &Value, here: &mut Path, out: &mut Vec<Path>) {
        out.push(here.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    here.push(Seg::Key(k.clone()));
                    walk(v, here, out);
                    here.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    here.push(Seg::Index(i));
                    walk(v, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn get_mut<'v>(value: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut node = value;
    for seg in path {
        node = match (seg, node) {
            (Seg::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn get<'v>(value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut node = value;
    for seg in path {
        node = match (seg, node) {
            (Seg::Key(k), Value::Object(map)) => map.get(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Strings that stress naming, escaping and parsing.
const AWKWARD: &[&str] = &[
    "",
    "type",
    "self",
    "Self",
    "crate",
    "1st",
    "a-b",
    "a b",
    "fooBar",
    "foo_bar",
    "日本語",
    "{id}",
    "/",
    "~",
    "#/components/schemas/",
    "null",
    "Unknown",
    "é",
    "\u{0}",
];

const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null", "str", "",
];

fn random_value(rng: &mut Rng, donor: &Value) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(rng.next() as i64 % 1000 - 500),
        3 => json!(1.5),
        4 => json!(rng.pick(AWKWARD).copied().unwrap_or("")),
        5 => json!([]),
        6 => json!({}),
        7 => json!({ "type": rng.pick(TYPES).copied().unwrap_or("string") }),
        _ => donor.clone(),
    }
}

/// Applies one mutation; returns its description.
fn mutate(doc: &mut Value, rng: &mut Rng) -> String {
    let all = paths(doc);
    // Bias towards the interesting parts: schemas and operations.
    let interesting: Vec<&Path> = all
        .iter()
        .filter(|p| {
            p.len() > 1 && matches!(&p[0], Seg::Key(k) if k == "components" || k == "paths")
        })
        .collect();
    let target: Path = match rng.pick(&interesting) {
        Some(p) => (*p).clone(),
        None => match rng.pick(&all) {
            Some(p) => p.clone(),
            None => return "nothing to mutate".into(),
        },
    };
    let donor = rng
        .pick(&all)
        .and_then(|p| get(doc, p))
        .cloned()
        .unwrap_or(Value::Null);
    let at = pointer(&target);
    match rng.below(10) {
        // Delete a key (or an array element).
        0 => {
            let Some((last, parent)) = target.split_last() else {
                return "delete: root".into();
            };
            match (get_mut(doc, parent), last) {
                (Some(Value::Object(map)), Seg::Key(k)) => {
                    map.shift_remove(k);
                }
                (Some(Value::Array(items)), Seg::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                }
                _ => {}
            }
            format!("delete {at}")
        }
        // Replace a value with another JSON type.
        1 => {
            let new = random_value(rng, &donor);
            if let Some(node) = get_mut(doc, &target) {
                *node = new;
            }
            format!("replace {at}")
        }
        // Duplicate a subtree elsewhere: into an object under a new key, or an array.
        2 => {
            let key = rng.pick(AWKWARD).copied().unwrap_or("x").to_string();
            match get_mut(doc, &target) {
                Some(Value::Object(map)) => {
                    map.insert(key, donor);
                }
                Some(Value::Array(items)) => items.push(donor),
                Some(node) => *node = donor,
                None => {}
            }
            format!("duplicate a subtree into {at}")
        }
        // Rename a `$ref`: to another component, to nothing, to something malformed.
        3 => {
            let refs: Vec<&Path> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(k)) if k == "$ref"))
                .collect();
            let components: Vec<String> = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let Some(path) = rng.pick(&refs).map(|p| (*p).clone()) else {
                return "rename $ref: none".into();
            };
            let new = match rng.below(5) {
                0 => format!(
                    "#/components/schemas/{}",
                    rng.pick(&components).map_or("X", |s| s.as_str())
                ),
                1 => "#/components/schemas/DoesNotExist".into(),
                2 => "#/components/parameters/limit".into(),
                3 => "#".into(),
                _ => "other.yaml#/Foo".into(),
            };
            if let Some(node) = get_mut(doc, &path) {
                *node = Value::String(new);
            }
            format!("rename $ref at {}", pointer(&path))
        }
        // Empty a list or an object.
        4 => {
            match get_mut(doc, &target) {
                Some(Value::Array(items)) => items.clear(),
                Some(Value::Object(map)) => map.clear(),
                _ => {}
            }
            format!("empty {at}")
        }
        // Insert null.
        5 => {
            if let Some(node) = get_mut(doc, &target) {
                *node = Value::Null;
            }
            format!("null at {at}")
        }
        // Swap union arms, or turn a schema's composition keyword into another.
        6 => {
            let unions: Vec<&Path> = all
                .iter()
                .filter(|p| {
                    matches!(p.last(), Some(Seg::Key(k)) if k == "anyOf" || k == "oneOf" || k == "allOf")
                })
                .collect();
            let Some(path) = rng.pick(&unions).map(|p| (*p).clone()) else {
                return "swap arms: none".into();
            };
            let rename = rng.chance(30);
            if rename {
                if let Some((Seg::Key(old), parent)) = path.split_last() {
                    if let Some(Value::Object(map)) = get_mut(doc, parent) {
                        let keywords = ["anyOf", "oneOf", "allOf"];
                        let new = keywords[rng.below(3)];
                        if let Some(arms) = map.shift_remove(old) {
                            map.insert(new.into(), arms);
                        }
                    }
                }
            } else if let Some(Value::Array(arms)) = get_mut(doc, &path) {
                arms.reverse();
                if arms.len() > 2 {
                    arms.swap(0, 1);
                }
            }
            format!("swap arms at {}", pointer(&path))
        }
        // Rename a key, e.g. a property to a keyword or `type` to a typo.
        7 => {
            let Some((Seg::Key(old), parent)) = target.split_last() else {
                return format!("rename key: {at} is not a key");
            };
            let new = rng.pick(AWKWARD).copied().unwrap_or("x").to_string();
            if let Some(Value::Object(map)) = get_mut(doc, parent) {
                if let Some(v) = map.shift_remove(old) {
                    map.insert(new, v);
                }
            }
            format!("rename key {at}")
        }
        // Change a schema's `type`.
        8 => {
            let typed: Vec<&Path> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(k)) if k == "type"))
                .collect();
            let Some(path) = rng.pick(&typed).map(|p| (*p).clone()) else {
                return "retype: none".into();
            };
            let new = if rng.chance(30) {
                json!([
                    rng.pick(TYPES).copied().unwrap_or("string"),
                    rng.pick(TYPES).copied().unwrap_or("null")
                ])
            } else {
                json!(rng.pick(TYPES).copied().unwrap_or("string"))
            };
            if let Some(node) = get_mut(doc, &path) {
                *node = new;
            }
            format!("retype {}", pointer(&path))
        }
        // Make a schema recursive: point one of its properties at itself.
        _ => {
            let names: Vec<String> = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let Some(name) = rng.pick(&names).cloned() else {
                return "recurse: no components".into();
            };
            let reference = format!(
                "#/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            let escaped = name.replace('~', "~0").replace('/', "~1");
            if let Some(Value::Object(schema)) =
                doc.pointer_mut(&format!("/components/schemas/{escaped}"))
            {
                let props = schema
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(props) = props {
                    props.insert("again".into(), json!({ "$ref": reference }));
                }
            }
            format!("make {name} recursive")
        }
    }
}

/// Does `pointer` name a node of `doc`, or a missing key of an object that exists?
fn resolves(doc: &Value, pointer: &str) -> bool {
    if pointer.is_empty() || doc.pointer(pointer).is_some() {
        return true;
    }
    match pointer.rsplit_once('/') {
        Some((parent, _)) => parent.is_empty() || doc.pointer(parent).is_some(),
        None => false,
    }
}

/// Block-style YAML (scalars and keys as JSON strings, which YAML reads the same), so the line
/// index of block documents is exercised too.
fn block_yaml(value: &Value) -> String {
    fn scalar(value: &Value) -> String {
        match value {
            Value::Object(_) => "{}".into(),
            Value::Array(_) => "[]".into(),
            other => other.to_string(),
        }
    }
    fn nonempty(value: &Value) -> bool {
        match value {
            Value::Object(map) => !map.is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => false,
        }
    }
    fn write(value: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    let key = Value::String(k.clone()).to_string();
                    if nonempty(v) {
                        out.push_str(&format!("{pad}{key}:\n"));
                        write(v, indent + 2, out);
                    } else {
                        out.push_str(&format!("{pad}{key}: {}\n", scalar(v)));
                    }
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for v in items {
                    if nonempty(v) {
                        out.push_str(&format!("{pad}-\n"));
                        write(v, indent + 2, out);
                    } else {
                        out.push_str(&format!("{pad}- {}\n", scalar(v)));
                    }
                }
            }
            other => out.push_str(&format!("{pad}{}\n", scalar(other))),
        }
    }
    let mut out = String::new();
    write(value, 0, &mut out);
    out
}

/// Load → IR → emit, the way `generate` runs them but without rustfmt.
fn pipeline(text: &str, selection: &Selection, templates: &Templates) -> Result<usize, SpecError> {
    let doc = load::load(text)?;
    let api = ir::build(&doc, selection).map_err(|e| doc.locate(e))?;
    let config = EmitConfig {
        crate_name: "fuzzed".into(),
        crate_version: "0.1.0".into(),
        standalone: true,
        generated_by: "the fuzz test".into(),
        package: Default::default(),
    };
    let files = emit::emit(&api, &config, templates).map_err(|e| match e {
        Error::Spec(e) => doc.locate(e),
        other => panic!("the templates, not the document: {other}"),
    })?;
    Ok(files.len())
}

fn seeds() -> Vec<(String, Value)> {
    let root = xtask::root();
    let mut seeds = Vec::new();
    for (name, path) in [
        ("pinned spec", root.join("spec/v2-rest-api-generated.yaml")),
        (
            "recursive_schemas",
            root.join("tests/corpus/recursive_schemas.yaml"),
        ),
        ("unions", root.join("tests/corpus/unions.yaml")),
        (
            "openapi30_nullable",
            root.join("tests/corpus/openapi30_nullable.yaml"),
        ),
        (
            "case_collisions",
            root.join("tests/corpus/case_collisions.yaml"),
        ),
        (
            "rust_keywords",
            root.join("tests/corpus/rust_keywords.yaml"),
        ),
    ] {
        let text = std::fs::read_to_string(&path).expect("seed document reads");
        let value = load::parse(&text).expect("seed document parses");
        seeds.push((name.to_string(), value));
    }
    seeds
}

/// The pinned spec cut down to the operations of a few tags and the component schemas they
/// reach, so one iteration costs milliseconds, not a second, in a debug build.
fn slice(spec: &Value, rng: &mut Rng) -> (Value, Selection) {
    let mut tags: Vec<String> = spec
        .pointer("/paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.pointer("/tags/0").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    tags.sort();
    tags.dedup();
    let chosen: Vec<String> = (0..2).filter_map(|_| rng.pick(&tags).cloned()).collect();
    let mut doc = spec.clone();
    if let Some(Value::Object(paths)) = doc.pointer_mut("/paths") {
        paths.retain(|_, item| {
            item.as_object().is_some_and(|ops| {
                ops.values().any(|op| {
                    op.pointer("/tags/0")
                        .and_then(Value::as_str)
                        .is_some_and(|t| chosen.iter().any(|c| c == t))
                })
            })
        });
    }
    // Keep the component schemas the kept paths reach, following references transitively.
    let mut reached: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    refs(doc.pointer("/paths").unwrap_or(&Value::Null), &mut pending);
    refs(
        doc.pointer("/components/parameters")
            .unwrap_or(&Value::Null),
        &mut pending,
    );
    while let Some(name) = pending.pop() {
        if reached.contains(&name) {
            continue;
        }
        if let Some(schema) = spec.pointer(&format!("/components/schemas/{name}")) {
            refs(schema, &mut pending);
        }
        reached.push(name);
    }
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| reached.contains(name));
    }
    let selection = if rng.chance(50) {
        Selection::All
    } else {
        Selection::Tags(chosen)
    };
    (doc, selection)
}

/// Names of the component schemas `value` refers to.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/components/schemas/") {
                            out.push(name.to_string());
                        }
                    }
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn mutated_documents_never_panic_and_errors_point_into_the_document() {
    let seeds = seeds();
    let templates = templates();
    let mut rng = Rng(SEED);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut error_kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut time_by_kind: BTreeMap<&str, (usize, Duration)> = BTreeMap::new();
    let started = Instant::now();
    for iteration in 0..ITERATIONS {
        // Every 50th iteration mutates the whole pinned spec, with every tag; the others a slice
        // of it (60%) or a corpus document.
        let whole = iteration % 50 == 0;
        let (seed_name, seed) = &seeds[if whole || rng.chance(60) {
            0
        } else {
            1 + rng.below(seeds.len() - 1)
        }];
        let (mut doc, selection) = if whole || seed_name != "pinned spec" {
            (seed.clone(), Selection::All)
        } else {
            slice(seed, &mut rng)
        };
        let count = 1 + rng.below(3);
        let mutations: Vec<String> = (0..count).map(|_| mutate(&mut doc, &mut rng)).collect();
        let text = if rng.chance(50) {
            serde_json::to_string_pretty(&doc).expect("a value serialises")
        } else {
            block_yaml(&doc)
        };
        let mut normalised = doc.clone();
        load::normalise::document(&mut normalised);

        let iteration_started = Instant::now();
        let run = {
            let text = text.clone();
            let selection = selection.clone();
            let templates = templates.clone();
            guarded(WATCHDOG, move || pipeline(&text, &selection, &templates))
        };
        let kind = if seed_name != "pinned spec" {
            "corpus seed"
        } else if whole {
            "whole pinned spec"
        } else {
            "pinned spec slice"
        };
        let entry = time_by_kind.entry(kind).or_insert((0, Duration::ZERO));
        entry.0 += 1;
        entry.1 += iteration_started.elapsed();
        let problem = match run {
            Err(e) => Some(e),
            Ok(Ok(_)) => {
                *outcomes.entry("ok").or_default() += 1;
                None
            }
            Ok(Err(e)) => {
                *outcomes.entry("error").or_default() += 1;
                let kind: String = e
                    .message
                    .split(['`', ':', '('])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .chars()
                    .take(60)
                    .collect();
                *error_kinds.entry(kind).or_default() += 1;
                if e.message.trim().is_empty() {
                    Some(format!("an error without a message: {e:?}"))
                } else if e
                    .hint
                    .as_deref()
                    .is_some_and(|h| h.contains("generator bug"))
                {
                    Some(format!("the generator reports a bug of its own: {e}"))
                } else if !(e.pointer.is_empty() || e.pointer.starts_with('/')) {
                    Some(format!("pointer `{}` is not a JSON pointer", e.pointer))
                } else if !resolves(&doc, &e.pointer) && !resolves(&normalised, &e.pointer) {
                    Some(format!(
                        "pointer `{}` names nothing in the document: {e}",
                        e.pointer
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            let dir = xtask::root().join("target").join("fuzz-failures");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("iteration-{iteration}.txt"));
            let _ = std::fs::write(&file, &text);
            failures.push(format!(
                "iteration {iteration} (seed {seed_name}, {selection:?}, mutations: {}): {problem}\n    document: {}",
                mutations.join("; "),
                file.display()
            ));
        }
    }
    println!(
        "fuzz: {ITERATIONS} iterations in {:.1} s from seed {SEED:#x}: {} generated, {} clean errors, {} failures",
        started.elapsed().as_secs_f64(),
        outcomes.get("ok").copied().unwrap_or(0),
        outcomes.get("error").copied().unwrap_or(0),
        failures.len()
    );
    for (kind, n) in &error_kinds {
        println!("  error {n:>3}x {kind}");
    }
    for (kind, (n, time)) in &time_by_kind {
        println!("  {kind}: {n} iterations, {:.1} s", time.as_secs_f64());
    }
    assert!(
        failures.is_empty(),
        "{} of {ITERATIONS} mutated documents broke the generator:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert_eq!(
        outcomes.values().sum::<usize>(),
        ITERATIONS,
        "every iteration ends in a result"
    );
}
