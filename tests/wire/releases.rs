//! Every task-instance-bearing response decodes as each supported release sends it: the
//! fixtures (3.3.2's shape) cut down to the keys that release's schemas have, per the release
//! history in `spec/history.yaml`, and again with every null left out, as some servers write
//! them.

use airflow_client::models::{
    HitlDetail, HitlDetailHistory, TaskInstanceCollectionResponse, TaskInstanceHistoryResponse,
    TaskInstanceResponse,
};
use airflow_codegen::History;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::fixtures;

/// The pinned document and its release history.
struct Releases {
    document: Value,
    history: History,
}

impl Releases {
    fn load() -> Releases {
        let spec = xtask::root().join("spec");
        let text = std::fs::read_to_string(spec.join("v2-rest-api-generated.yaml")).unwrap();
        let history = std::fs::read_to_string(spec.join("history.yaml")).unwrap();
        Releases {
            document: airflow_codegen::load::parse(&text).unwrap(),
            history: History::parse(&history).unwrap(),
        }
    }

    /// Whether `release` has property `property` of schema `schema`.
    fn has(&self, schema: &str, property: &str, release: &str) -> bool {
        let span = self
            .history
            .properties
            .get(schema)
            .and_then(|p| p.get(property));
        self.within(span, release)
    }

    /// Whether `release` has schema `schema` at all.
    fn has_schema(&self, schema: &str, release: &str) -> bool {
        self.within(self.history.schemas.get(schema), release)
    }

    fn within(&self, span: Option<&airflow_codegen::history::Span>, release: &str) -> bool {
        let at = |r: &str| self.history.position(r).unwrap();
        let Some(span) = span else {
            return true;
        };
        let now = at(release);
        at(&span.since) <= now && span.until.as_deref().is_none_or(|until| now <= at(until))
    }

    /// `value`, an instance of component schema `schema`, with only the keys `release` has,
    /// at every depth.
    fn as_of(&self, value: &mut Value, schema: &str, release: &str) {
        let properties = &self.document["components"]["schemas"][schema]["properties"];
        let Value::Object(object) = value else {
            return;
        };
        object.retain(|key, _| self.has(schema, key, release));
        for (key, child) in object.iter_mut() {
            for nested in referenced(&properties[key]) {
                match child {
                    Value::Array(items) => {
                        for item in items {
                            self.as_of(item, &nested, release);
                        }
                    }
                    _ => self.as_of(child, &nested, release),
                }
            }
        }
    }
}

/// The component schemas a property schema refers to, directly or through `anyOf`/`items`.
fn referenced(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        out.extend(
            reference
                .strip_prefix("#/components/schemas/")
                .map(String::from),
        );
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for arm in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(referenced(arm));
        }
    }
    if let Some(items) = schema.get("items") {
        out.extend(referenced(items));
    }
    out
}

/// `value` without the keys whose value is null, at every depth.
fn without_nulls(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|_, v| !v.is_null());
            object.values_mut().for_each(without_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(without_nulls),
        _ => {}
    }
}

fn decodes<T: DeserializeOwned>(releases: &Releases, fixture: &Value, schema: &str) -> usize {
    let mut checked = 0;
    // A release without the schema has no operation that answers with it.
    let having = releases
        .history
        .releases
        .iter()
        .filter(|r| releases.has_schema(schema, r));
    for release in having {
        let mut sent = fixture.clone();
        releases.as_of(&mut sent, schema, release);
        for (how, body) in [
            ("as is", sent.clone()),
            ("without nulls", {
                let mut bare = sent;
                without_nulls(&mut bare);
                bare
            }),
        ] {
            if let Err(e) = serde_json::from_value::<T>(body.clone()) {
                panic!(
                    "{schema} as Airflow {release} sends it ({how}) does not decode: {e}\n{body:#}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_task_instance_response_decodes_as_each_release_sends_it() {
    let releases = Releases::load();
    let ti = fixtures::task_instance();
    let checked = decodes::<TaskInstanceResponse>(&releases, &ti, "TaskInstanceResponse")
        + decodes::<TaskInstanceResponse>(
            &releases,
            &fixtures::deferred_task_instance(),
            "TaskInstanceResponse",
        )
        + decodes::<TaskInstanceHistoryResponse>(
            &releases,
            &fixtures::task_instance_try(2, "success"),
            "TaskInstanceHistoryResponse",
        )
        + decodes::<TaskInstanceCollectionResponse>(
            &releases,
            &fixtures::collection(vec![ti, fixtures::mapped_task_instance(3)]),
            "TaskInstanceCollectionResponse",
        )
        + decodes::<HitlDetail>(&releases, &fixtures::hitl_detail(), "HITLDetail")
        + decodes::<HitlDetailHistory>(
            &releases,
            &fixtures::hitl_detail_history(),
            "HITLDetailHistory",
        );
    // Twice (as is, without nulls) for each release that has the schema.
    assert!(checked >= 6 * 2 * 7, "{checked} cases");
}

/// The releases' shapes differ, or the test above checks nothing: Airflow 3.0.0's task
/// instance has fewer keys than the fixture.
#[test]
fn older_releases_really_send_fewer_keys() {
    let releases = Releases::load();
    let fixture = fixtures::task_instance();
    let mut oldest = fixture.clone();
    releases.as_of(&mut oldest, "TaskInstanceResponse", "3.0.0");
    let cut: Vec<&String> = fixture
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| oldest.get(k.as_str()).is_none())
        .collect();
    assert!(cut.contains(&&"dag_display_name".to_string()), "{cut:?}");
}
