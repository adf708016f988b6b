//! Response bodies shaped like what an Airflow 3 API server sends, following the spec's
//! schemas: nulls where a task has not run yet, a nested `dag_version`, free-form
//! `rendered_fields`, and a state newer than this client.

use serde_json::{json, Value};

/// `base` with the keys of `changes` replaced (top level only).
pub fn with(mut base: Value, changes: Value) -> Value {
    let (Value::Object(base_map), Value::Object(changes)) = (&mut base, changes) else {
        panic!("`with` merges two JSON objects");
    };
    base_map.extend(changes);
    base
}

pub fn dag_version() -> Value {
    json!({
        "id": "0193f6a1-2b3c-7d4e-8f90-a1b2c3d4e5f6",
        "version_number": 4,
        "dag_id": "etl_daily",
        "bundle_name": "dags-folder",
        "bundle_version": null,
        "created_at": "2023-12-28T09:15:42.118000Z",
        "dag_display_name": "ETL daily",
        "bundle_url": null
    })
}

/// A finished, successful, unmapped task instance.
pub fn task_instance() -> Value {
    json!({
        "id": "0194c3a8-5e1d-7a2b-9c3d-4e5f60718293",
        "task_id": "extract data",
        "dag_id": "etl_daily",
        "dag_run_id": "manual__2024-01-01T00:00:00+00:00",
        "map_index": -1,
        "logical_date": "2024-01-01T00:00:00Z",
        "run_after": "2024-01-01T00:00:00Z",
        "start_date": "2024-01-01T00:00:05.123456Z",
        "end_date": "2024-01-01T00:01:10.654321Z",
        "duration": 65.530865,
        "state": "success",
        "try_number": 2,
        "max_tries": 3,
        "task_display_name": "Extract data",
        "dag_display_name": "ETL daily",
        "hostname": "worker-7.airflow.svc.cluster.local",
        "unixname": "airflow",
        "pool": "default_pool",
        "pool_slots": 1,
        "queue": "default",
        "priority_weight": 3,
        "operator": "_PythonDecoratedOperator",
        "operator_name": "@task",
        "queued_when": "2024-01-01T00:00:01.501Z",
        "scheduled_when": "2024-01-01T00:00:00.912Z",
        "pid": 48213,
        "executor": null,
        "executor_config": "{}",
        "note": null,
        "rendered_map_index": null,
        "rendered_fields": {
            "op_args": [],
            "op_kwargs": {"source": "s3://raw/2024-01-01/", "limit": 5000},
            "templates_dict": null,
            "templates_exts": null
        },
        "trigger": null,
        "triggerer_job": null,
        "dag_version": dag_version()
    })
}

/// A deferred task instance waiting on a trigger run by a triggerer.
pub fn deferred_task_instance() -> Value {
    with(
        task_instance(),
        json!({
            "id": "0194c3a8-5e1d-7a2b-9c3d-4e5f60718294",
            "task_id": "wait for file",
            "task_display_name": "wait for file",
            "state": "deferred",
            "end_date": null,
            "duration": null,
            "try_number": 1,
            "operator": "FileSensor",
            "operator_name": "FileSensor",
            "note": "waiting on the partner upload",
            "rendered_fields": {"filepath": "/data/incoming/2024-01-01.csv"},
            "trigger": {
                "id": 117,
                "classpath": "airflow.providers.standard.triggers.file.FileTrigger",
                "kwargs": "{'filepath': '/data/incoming/2024-01-01.csv', 'poke_interval': 30.0}",
                "created_date": "2024-01-01T00:00:07.004Z",
                "queue": null,
                "triggerer_id": 3
            },
            "triggerer_job": {
                "id": 3,
                "dag_id": null,
                "state": "running",
                "job_type": "TriggererJob",
                "start_date": "2023-12-31T22:00:00Z",
                "end_date": null,
                "latest_heartbeat": "2024-01-01T00:00:58.3Z",
                "executor_class": null,
                "hostname": "triggerer-0",
                "unixname": "airflow"
            }
        }),
    )
}

/// A mapped task instance of `extract data` that has not started, in a state this client does
/// not know, with no dag version.
pub fn mapped_task_instance(map_index: i64) -> Value {
    with(
        task_instance(),
        json!({
            "id": format!("0194c3a8-5e1d-7a2b-9c3d-4e5f607182{:02}", 10 + map_index),
            "map_index": map_index,
            "logical_date": null,
            "start_date": null,
            "end_date": null,
            "duration": null,
            "state": "some_future_state",
            "try_number": 0,
            "hostname": null,
            "unixname": null,
            "queue": null,
            "priority_weight": null,
            "queued_when": null,
            "scheduled_when": null,
            "pid": null,
            "rendered_map_index": format!("partition={map_index}"),
            "dag_version": null
        }),
    )
}

/// One earlier try of `extract data`, from the task instance history table.
pub fn task_instance_try(try_number: i64, state: &str) -> Value {
    json!({
        "task_id": "extract data",
        "dag_id": "etl_daily",
        "dag_run_id": "manual__2024-01-01T00:00:00+00:00",
        "map_index": -1,
        "start_date": "2024-01-01T00:00:02Z",
        "end_date": "2024-01-01T00:00:03.5Z",
        "duration": 1.5,
        "state": state,
        "try_number": try_number,
        "max_tries": 3,
        "task_display_name": "Extract data",
        "dag_display_name": "ETL daily",
        "hostname": "worker-2.airflow.svc.cluster.local",
        "unixname": "airflow",
        "pool": "default_pool",
        "pool_slots": 1,
        "queue": "default",
        "priority_weight": 3,
        "operator": "_PythonDecoratedOperator",
        "operator_name": "@task",
        "queued_when": "2024-01-01T00:00:01Z",
        "scheduled_when": null,
        "pid": 301,
        "executor": "CeleryExecutor",
        "executor_config": "{}",
        "dag_version": dag_version()
    })
}

pub fn collection(task_instances: Vec<Value>) -> Value {
    json!({
        "total_entries": task_instances.len(),
        "task_instances": task_instances
    })
}

/// A human-in-the-loop request nobody has answered yet.
pub fn hitl_detail() -> Value {
    json!({
        "options": ["Approve", "Reject"],
        "subject": "Load 12,345 rows into production?",
        "body": "Staged rows: **12,345**. Rejected rows: 2.",
        "defaults": ["Reject"],
        "multiple": false,
        "params": {
            "reason": {"value": null, "schema": {"type": ["string", "null"]}, "description": "Why?"}
        },
        "assigned_users": [{"id": "7", "name": "alice"}],
        "created_at": "2024-01-01T00:02:00.250Z",
        "responded_by_user": null,
        "responded_at": null,
        "chosen_options": null,
        "params_input": {},
        "response_received": false,
        "task_instance": with(
            task_instance(),
            json!({"task_id": "approve load", "task_display_name": "approve load",
                   "state": "awaiting_input", "end_date": null, "duration": null})
        )
    })
}

/// An answered request from an earlier try.
pub fn hitl_detail_history() -> Value {
    with(
        hitl_detail(),
        json!({
            "responded_by_user": {"id": "7", "name": "alice"},
            "responded_at": "2024-01-01T00:05:00Z",
            "chosen_options": ["Reject"],
            "params_input": {"reason": "row counts look wrong"},
            "response_received": true,
            "task_instance": with(
                task_instance_try(1, "failed"),
                json!({"task_id": "approve load", "task_display_name": "approve load"})
            )
        }),
    )
}
