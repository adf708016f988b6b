//! Human-in-the-loop details of a task instance.

use airflow_client::apis::GetHitlDetailsParams;
use airflow_client::apis::MapIndex;
use airflow_client::apis::TryNumber;
use airflow_client::models::{HitlUser, TaskInstanceState, UpdateHitlDetailPayload};
use serde_json::json;

use super::*;

/// The HITL task `approve load` of the run, then `rest`.
fn approve_path(rest: &str) -> String {
    format!("{RUN_PATH}/taskInstances/approve%20load{rest}")
}

fn alice() -> HitlUser {
    serde_json::from_value(json!({"id": "7", "name": "alice"})).unwrap()
}

#[tokio::test]
async fn get_hitl_detail_decodes_an_unanswered_request() {
    let (server, api) = serve_json(200, fixtures::hitl_detail()).await;

    let detail = api
        .get_hitl_detail(DAG, RUN, "approve load", MapIndex(-1))
        .await
        .expect("decodes");

    assert_no_body(
        &only_request(&server),
        "GET",
        &approve_path("/-1/hitlDetails"),
    );
    assert_eq!(detail.options, ["Approve", "Reject"]);
    assert_eq!(
        detail.defaults.as_deref(),
        Some(&["Reject".to_string()][..])
    );
    assert_eq!(detail.multiple, Some(false));
    assert_eq!(detail.assigned_users, Some(vec![alice()]));
    assert_eq!(detail.created_at, at("2024-01-01T00:02:00.250Z"));
    assert_eq!(
        (detail.responded_by_user, detail.responded_at),
        (None, None)
    );
    assert_eq!(detail.chosen_options, None);
    assert_eq!(detail.response_received, Some(false));
    let params = detail.params.expect("params");
    assert_eq!(
        params["reason"]["schema"],
        json!({"type": ["string", "null"]})
    );
    assert_eq!(
        detail.task_instance.state,
        Some(TaskInstanceState::AwaitingInput)
    );
}

#[tokio::test]
async fn update_hitl_detail_sends_the_choice_and_decodes_the_answer() {
    let answer = json!({
        "responded_by": {"id": "7", "name": "alice"},
        "responded_at": "2024-01-01T00:04:31.870Z",
        "chosen_options": ["Approve"],
        "params_input": {"reason": "row counts match the source"}
    });
    let (server, api) = serve_json(200, answer).await;
    let mut input = serde_json::Map::new();
    input.insert("reason".into(), json!("row counts match the source"));
    let payload = UpdateHitlDetailPayload::new(["Approve"]).params_input(input);

    let response = api
        .update_hitl_detail(DAG, RUN, "approve load", MapIndex(-1), &payload)
        .await
        .expect("decodes");

    let expected = json!({
        "chosen_options": ["Approve"],
        "params_input": {"reason": "row counts match the source"}
    });
    let target = approve_path("/-1/hitlDetails");
    assert_json_body(&only_request(&server), "PATCH", &target, expected);
    assert_eq!(response.responded_by, alice());
    assert_eq!(response.responded_at, at("2024-01-01T00:04:31.870Z"));
    assert_eq!(response.chosen_options, ["Approve"]);
}

#[tokio::test]
async fn get_hitl_detail_try_detail_decodes_an_answered_try() {
    let (server, api) = serve_json(200, fixtures::hitl_detail_history()).await;

    let detail = api
        .get_hitl_detail_try_detail(DAG, RUN, "approve load", MapIndex(-1), TryNumber(1))
        .await
        .expect("decodes");

    let target = approve_path("/-1/hitlDetails/tries/1");
    assert_no_body(&only_request(&server), "GET", &target);
    assert_eq!(detail.responded_by_user, Some(alice()));
    assert_eq!(detail.responded_at, Some(at("2024-01-01T00:05:00Z")));
    assert_eq!(
        detail.chosen_options.as_deref(),
        Some(&["Reject".to_string()][..])
    );
    assert_eq!(
        detail.params_input.expect("params input")["reason"],
        json!("row counts look wrong")
    );
    assert_eq!(detail.task_instance.try_number, 1);
    assert_eq!(detail.task_instance.state, Some(TaskInstanceState::Failed));
}

#[tokio::test]
async fn get_hitl_details_filters_and_decodes_the_collection() {
    let body = json!({
        "hitl_details": [fixtures::hitl_detail(), fixtures::hitl_detail()],
        "total_entries": 2
    });
    let (server, api) = serve_json(200, body).await;
    let params = GetHitlDetailsParams::default()
        .limit(10)
        .order_by(["-created_at"])
        .task_id_pattern("approve")
        .response_received(false)
        .responded_by_user_name(["alice", "bob smith"])
        .body_search("rows & counts")
        .created_at_gte(at("2024-01-01T00:00:00Z"));

    let details = api
        .get_hitl_details(DAG, RUN, &params)
        .await
        .expect("decodes");

    let query = "limit=10&order_by=-created_at\
        &task_id_pattern=approve\
        &response_received=false\
        &responded_by_user_name=alice&responded_by_user_name=bob%20smith\
        &body_search=rows%20%26%20counts\
        &created_at_gte=2024-01-01T00%3A00%3A00Z";
    let target = format!("{RUN_PATH}/hitlDetails?{query}");
    assert_no_body(&only_request(&server), "GET", &target);
    assert_eq!(details.total_entries, 2);
    assert_eq!(
        details.hitl_details[1].subject,
        "Load 12,345 rows into production?"
    );
}
