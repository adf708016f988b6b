//! Operations that change task instances: patch (and its dry runs), clear, bulk, delete.

use airflow_client::apis::MapIndex;
use airflow_client::apis::{
    DeleteTaskInstanceParams, PatchTaskGroupInstancesParams, PatchTaskInstanceByMapIndexParams,
    PatchTaskInstanceDryRunByMapIndexParams, PatchTaskInstanceDryRunParams,
    PatchTaskInstanceParams,
};
use airflow_client::models::{
    BulkActionNotOnExistence, BulkActionOnExistence, BulkBodyBulkTaskInstanceBody,
    BulkBodyBulkTaskInstanceBodyActionsItem, BulkCreateActionBulkTaskInstanceBody,
    BulkDeleteActionBulkTaskInstanceBody, BulkDeleteActionBulkTaskInstanceBodyEntitiesItem,
    BulkTaskInstanceBody, BulkUpdateActionBulkTaskInstanceBody, ClearTaskInstancesBody,
    ClearTaskInstancesBodyTaskIdsItem, PatchTaskInstanceBody, TaskInstanceState,
};
use serde_json::json;

use super::fixtures::{self, with};
use super::*;

fn failed_with_note(note: Option<&str>) -> serde_json::Value {
    with(
        fixtures::task_instance(),
        json!({"state": "failed", "note": note}),
    )
}

#[tokio::test]
async fn patch_task_instance_sends_an_explicit_null_and_omits_unset_fields() {
    let body = fixtures::collection(vec![failed_with_note(None)]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default()
        .new_state(TaskInstanceState::Failed)
        .note_null()
        .include_downstream(true);
    let params = PatchTaskInstanceParams::default().update_mask(["new_state", "note"]);

    let changed = api
        .patch_task_instance(DAG, RUN, TASK, &params, &patch)
        .await
        .expect("decodes");

    let target = ti_path("?update_mask=new_state&update_mask=note");
    let expected = json!({"new_state": "failed", "note": null, "include_downstream": true});
    assert_json_body(&only_request(&server), "PATCH", &target, expected);
    assert_eq!(
        changed.task_instances[0].state,
        Some(TaskInstanceState::Failed)
    );
    assert_eq!(changed.task_instances[0].note, None);
}

#[tokio::test]
async fn patch_task_instance_by_map_index_sends_only_the_note() {
    let note = "Re-ran by hand after the S3 outage";
    let ti = with(fixtures::mapped_task_instance(2), json!({"note": note}));
    let (server, api) = serve_json(200, fixtures::collection(vec![ti])).await;
    let patch = PatchTaskInstanceBody::default().note(note);

    let changed = api
        .patch_task_instance_by_map_index(
            DAG,
            RUN,
            TASK,
            MapIndex(2),
            &PatchTaskInstanceByMapIndexParams::default(),
            &patch,
        )
        .await
        .expect("decodes");

    assert_json_body(
        &only_request(&server),
        "PATCH",
        &ti_path("/2"),
        json!({"note": note}),
    );
    assert_eq!(changed.task_instances[0].note.as_deref(), Some(note));
    assert_eq!(changed.task_instances[0].map_index, 2);
}

#[tokio::test]
async fn patch_task_instance_dry_run_lists_the_affected_instances() {
    let body = fixtures::collection(vec![fixtures::task_instance(), fixtures::task_instance()]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default()
        .new_state(TaskInstanceState::Success)
        .include_upstream(true)
        .include_past(false);
    let params = PatchTaskInstanceDryRunParams::default()
        .map_index(-1)
        .update_mask(["new_state"]);

    let affected = api
        .patch_task_instance_dry_run(DAG, RUN, TASK, &params, &patch)
        .await
        .expect("decodes");

    let target = ti_path("/dry_run?map_index=-1&update_mask=new_state");
    let expected = json!({"new_state": "success", "include_upstream": true, "include_past": false});
    assert_json_body(&only_request(&server), "PATCH", &target, expected);
    assert_eq!(affected.total_entries, Some(2));
}

#[tokio::test]
async fn patch_task_instance_dry_run_by_map_index_uses_the_path() {
    let body = fixtures::collection(vec![fixtures::mapped_task_instance(0)]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default().new_state(TaskInstanceState::Skipped);

    let affected = api
        .patch_task_instance_dry_run_by_map_index(
            DAG,
            RUN,
            TASK,
            MapIndex(0),
            &PatchTaskInstanceDryRunByMapIndexParams::default(),
            &patch,
        )
        .await
        .expect("decodes");

    let expected = json!({"new_state": "skipped"});
    assert_json_body(
        &only_request(&server),
        "PATCH",
        &ti_path("/0/dry_run"),
        expected,
    );
    assert_eq!(affected.task_instances[0].map_index, 0);
}

#[tokio::test]
async fn patch_task_group_instances_encodes_the_slash_in_the_group_id() {
    let body = fixtures::collection(vec![fixtures::task_instance()]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default()
        .new_state(TaskInstanceState::Success)
        .note("marked by the on-call");
    let params = PatchTaskGroupInstancesParams::default().update_mask(["new_state"]);

    let changed = api
        .patch_task_group_instances(DAG, RUN, GROUP, &params, &patch)
        .await
        .expect("decodes");

    let target = format!("{RUN_PATH}/taskGroupInstances/load%2Ftransform?update_mask=new_state");
    let expected = json!({"new_state": "success", "note": "marked by the on-call"});
    assert_json_body(&only_request(&server), "PATCH", &target, expected);
    assert_eq!(changed.task_instances.len(), 1);
}

#[tokio::test]
async fn patch_task_group_instances_dry_run_uses_the_dry_run_path() {
    let body = fixtures::collection(vec![fixtures::deferred_task_instance()]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default().new_state(TaskInstanceState::Failed);

    let affected = api
        .patch_task_group_instances_dry_run(DAG, RUN, GROUP, &patch)
        .await
        .expect("decodes");

    let target = format!("{RUN_PATH}/taskGroupInstances/load%2Ftransform/dry_run");
    assert_json_body(
        &only_request(&server),
        "PATCH",
        &target,
        json!({"new_state": "failed"}),
    );
    assert_eq!(
        affected.task_instances[0].state,
        Some(TaskInstanceState::Deferred)
    );
}

#[tokio::test]
async fn delete_task_instance_accepts_a_null_body() {
    let (server, api) = serve_json(200, json!(null)).await;
    let params = DeleteTaskInstanceParams::default().map_index(3);

    let deleted = api
        .delete_task_instance(DAG, RUN, TASK, &params)
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "DELETE", &ti_path("?map_index=3"));
    assert_eq!(deleted, json!(null));
}

#[tokio::test]
async fn post_clear_task_instances_sends_task_ids_with_and_without_map_index() {
    let cleared = with(
        fixtures::task_instance(),
        json!({"state": null, "end_date": null, "duration": null}),
    );
    let (server, api) = serve_json_after_version(200, fixtures::collection(vec![cleared])).await;
    let clear = ClearTaskInstancesBody::default()
        .dry_run(false)
        .end_date_null()
        .only_failed(true)
        .reset_dag_runs(true)
        .task_ids(vec![
            ClearTaskInstancesBodyTaskIdsItem::from(TASK),
            ClearTaskInstancesBodyTaskIdsItem::from(("load partition", 3)),
        ])
        .dag_run_id(RUN)
        .include_downstream(true)
        .note("Cleared after rotating the S3 credentials");

    let result = api
        .post_clear_task_instances(DAG, &clear)
        .await
        .expect("decodes");

    let expected = json!({
        "dry_run": false,
        "end_date": null,
        "only_failed": true,
        "reset_dag_runs": true,
        "task_ids": ["extract data", ["load partition", 3]],
        "dag_run_id": "manual__2024-01-01T00:00:00+00:00",
        "include_downstream": true,
        "note": "Cleared after rotating the S3 credentials"
    });
    let target = "/api/v2/dags/etl_daily/clearTaskInstances";
    assert_json_body(
        &only_request_after_version(&server),
        "POST",
        target,
        expected,
    );
    assert_eq!(result.task_instances[0].state, None);
}

#[tokio::test]
async fn bulk_task_instances_tags_each_action() {
    let response = json!({
        "create": null,
        "update": {
            "success": ["etl_daily.manual__2024-01-01T00:00:00+00:00.extract data[-1]"],
            "errors": []
        },
        "delete": {
            "success": ["wait for file"],
            "errors": [{
                "error": "The task instances with these task_ids: {('load partition', 3)} were not found",
                "status_code": 404
            }]
        }
    });
    let (server, api) = serve_json_after_version(200, response).await;
    let create =
        BulkCreateActionBulkTaskInstanceBody::new([
            BulkTaskInstanceBody::new("backfill marker").note_null()
        ])
        .action_on_existence(BulkActionOnExistence::Overwrite);
    let update = BulkUpdateActionBulkTaskInstanceBody::new([BulkTaskInstanceBody::new(TASK)
        .new_state(TaskInstanceState::Failed)
        .map_index(-1)])
    .update_mask(["new_state"])
    .action_on_non_existence(BulkActionNotOnExistence::Skip);
    let delete = BulkDeleteActionBulkTaskInstanceBody::new(vec![
        BulkDeleteActionBulkTaskInstanceBodyEntitiesItem::from("wait for file"),
        BulkTaskInstanceBody::new("load partition")
            .map_index(3)
            .into(),
    ]);
    let body = BulkBodyBulkTaskInstanceBody::new(vec![
        BulkBodyBulkTaskInstanceBodyActionsItem::Create(create),
        BulkBodyBulkTaskInstanceBodyActionsItem::Update(update),
        BulkBodyBulkTaskInstanceBodyActionsItem::Delete(delete),
    ]);

    let result = api
        .bulk_task_instances(DAG, RUN, &body)
        .await
        .expect("decodes");

    let expected = json!({"actions": [
        {
            "action": "create",
            "entities": [{"note": null, "task_id": "backfill marker"}],
            "action_on_existence": "overwrite"
        },
        {
            "action": "update",
            "entities": [{"new_state": "failed", "task_id": "extract data", "map_index": -1}],
            "update_mask": ["new_state"],
            "action_on_non_existence": "skip"
        },
        {
            "action": "delete",
            "entities": ["wait for file", {"task_id": "load partition", "map_index": 3}]
        }
    ]});
    let target = format!("{RUN_PATH}/taskInstances");
    assert_json_body(
        &only_request_after_version(&server),
        "PATCH",
        &target,
        expected,
    );
    assert_eq!(result.create, None);
    let update = result.update.expect("an update result");
    assert_eq!(
        update.success.as_deref(),
        Some(&["etl_daily.manual__2024-01-01T00:00:00+00:00.extract data[-1]".to_string()][..])
    );
    let delete_errors = result.delete.and_then(|d| d.errors).expect("delete errors");
    assert_eq!(delete_errors[0]["status_code"], json!(404));
}
