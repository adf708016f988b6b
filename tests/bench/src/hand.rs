//! The floor for decoding with serde: the structs someone would write by hand for the same
//! page, with the same field types as the generated models (uuid, chrono, `serde_json::Map`
//! for the free-form `rendered_fields`), plain `#[derive(Deserialize)]` and nothing else.
//! Two deliberate simplifications a hand-writer would make: `state` is a `String` rather than
//! an open enum, and required-but-nullable fields are plain `Option`s (missing is accepted).
//!
//! `Serialize` is derived only so the fixture test can check that these structs and the
//! generated models read the same values; it plays no part in decoding.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
pub struct Page {
    pub task_instances: Vec<TaskInstance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_entries: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_entries_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TaskInstance {
    pub id: Uuid,
    pub task_id: String,
    pub dag_id: String,
    pub dag_run_id: String,
    pub map_index: i64,
    pub logical_date: Option<DateTime<Utc>>,
    pub run_after: DateTime<Utc>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub duration: Option<f64>,
    pub state: Option<String>,
    pub try_number: i64,
    pub max_tries: i64,
    pub task_display_name: String,
    pub dag_display_name: String,
    pub hostname: Option<String>,
    pub unixname: Option<String>,
    pub pool: String,
    pub pool_slots: i64,
    pub queue: Option<String>,
    pub priority_weight: Option<i64>,
    pub operator: Option<String>,
    pub operator_name: Option<String>,
    pub queued_when: Option<DateTime<Utc>>,
    pub scheduled_when: Option<DateTime<Utc>>,
    pub pid: Option<i64>,
    pub executor: Option<String>,
    pub executor_config: String,
    pub note: Option<String>,
    pub rendered_map_index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered_fields: Option<serde_json::Map<String, serde_json::Value>>,
    pub trigger: Option<Trigger>,
    pub triggerer_job: Option<Job>,
    pub dag_version: Option<DagVersion>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Trigger {
    pub id: i64,
    pub classpath: String,
    pub kwargs: String,
    pub created_date: DateTime<Utc>,
    pub queue: Option<String>,
    pub triggerer_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub dag_id: Option<String>,
    pub state: Option<String>,
    pub job_type: Option<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub latest_heartbeat: Option<DateTime<Utc>>,
    pub executor_class: Option<String>,
    pub hostname: Option<String>,
    pub unixname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dag_display_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DagVersion {
    pub id: Uuid,
    pub version_number: i64,
    pub dag_id: String,
    pub bundle_name: Option<String>,
    pub bundle_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub dag_display_name: String,
    pub bundle_url: Option<String>,
}
