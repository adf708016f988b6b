//! How the models decode and encode: missing, duplicate and unknown keys, escaped keys,
//! absent versus null.

use airflow_client::models::{
    ClearTaskInstancesBody, StructuredLogMessage, TaskInstanceResponse, TaskInstanceState,
};
use airflow_client::Maybe;
use serde_json::{json, Value};

use super::fixtures;

fn decode(text: &str) -> Result<TaskInstanceResponse, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

fn without(mut value: Value, key: &str) -> Value {
    value
        .as_object_mut()
        .expect("an object")
        .remove(key)
        .expect("the key is there");
    value
}

/// Servers leave nulls out (Airflow 3.1.8 sends no `queue` where 3.3.2 sends `"queue": null`):
/// a missing nullable key reads as `None`, and writes back as `null`.
#[test]
fn a_missing_nullable_key_reads_as_none() {
    let text = without(fixtures::task_instance(), "queue").to_string();
    let decoded = decode(&text).unwrap();
    assert_eq!(decoded.queue, None);
    assert_eq!(
        serde_json::to_value(&decoded).unwrap()["queue"],
        Value::Null
    );
}

#[test]
fn a_missing_required_key_is_an_error_naming_it() {
    let text = without(fixtures::task_instance(), "task_id").to_string();
    let err = decode(&text).unwrap_err();
    assert!(err.contains("missing field `task_id`"), "{err}");
}

#[test]
fn a_key_sent_twice_is_an_error_naming_it() {
    let text = fixtures::task_instance().to_string();
    let text = text.replacen('{', r#"{"pool": "other_pool","#, 1);
    let err = decode(&text).unwrap_err();
    assert!(err.contains("duplicate field `pool`"), "{err}");
}

#[test]
fn unknown_keys_are_skipped_whatever_their_shape() {
    let extra = json!({"added_in_4_0": {"nested": [1, {"deep": null}]}, "flag": true});
    let text = fixtures::with(fixtures::task_instance(), extra).to_string();
    let decoded = decode(&text).unwrap();
    assert_eq!(decoded.task_id, "extract data");
    assert_eq!(decoded.state, Some(TaskInstanceState::Success));
}

#[test]
fn escaped_keys_match_their_field() {
    let text = fixtures::task_instance()
        .to_string()
        .replace(r#""task_id""#, r#""task\u005fid""#);
    assert!(text.contains(r"task\u005fid"));
    let decoded = decode(&text).unwrap();
    assert_eq!(decoded.task_id, "extract data");
}

#[test]
fn a_wrong_value_type_names_what_was_expected() {
    let text = fixtures::with(fixtures::task_instance(), json!({"try_number": "two"})).to_string();
    let err = decode(&text).unwrap_err();
    assert!(err.contains("invalid type: string \"two\""), "{err}");
    let err = decode(r#""a string""#).unwrap_err();
    assert!(err.contains("struct TaskInstanceResponse"), "{err}");
}

#[test]
fn a_decoded_response_encodes_back_to_the_same_json() {
    let sent = fixtures::task_instance();
    let decoded: TaskInstanceResponse = serde_json::from_value(sent.clone()).unwrap();
    let encoded = serde_json::to_value(&decoded).unwrap();
    let again: TaskInstanceResponse = serde_json::from_value(encoded.clone()).unwrap();
    assert_eq!(again, decoded);
    // Nulls stay nulls and the nested objects keep every key.
    assert_eq!(encoded["executor"], Value::Null);
    assert_eq!(encoded["rendered_fields"], sent["rendered_fields"]);
    assert_eq!(
        encoded["dag_version"]["bundle_name"],
        sent["dag_version"]["bundle_name"]
    );
}

#[test]
fn absent_null_and_value_decode_apart_and_encode_back() {
    let text = r#"{"note": null, "dag_run_id": "manual__1", "dry_run": null}"#;
    let body: ClearTaskInstancesBody = serde_json::from_str(text).unwrap();
    assert_eq!(body.note, Maybe::Null);
    assert_eq!(body.dag_run_id, Maybe::Value("manual__1".into()));
    assert_eq!(body.end_date, Maybe::Absent);
    assert_eq!(body.dry_run, None);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"note": null, "dag_run_id": "manual__1"})
    );
}

#[test]
fn extra_keys_are_kept_and_written_back() {
    let line = json!({"timestamp": "2024-01-01T00:00:05Z", "event": "started", "level": "info"});
    let message: StructuredLogMessage = serde_json::from_value(line.clone()).unwrap();
    assert_eq!(message.extra.len(), 1);
    assert_eq!(message.extra["level"], json!("info"));
    assert_eq!(serde_json::to_value(&message).unwrap(), line);
}
