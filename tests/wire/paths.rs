//! Path parameters: every one percent-encoded so an id can never change which resource a call
//! addresses.

use airflow_client::apis::DeleteTaskInstanceParams;
use airflow_client::apis::MapIndex;
use airflow_client::apis::TryNumber;
use airflow_client::Error;
use serde_json::json;

use super::*;

#[tokio::test]
async fn reserved_and_non_ascii_characters_are_encoded_in_every_segment() {
    let (server, api) = serve_json(200, fixtures::hitl_detail_history()).await;

    api.get_hitl_detail_try_detail("ünï.dag-1", RUN, "a b/c?d#e%f", MapIndex(-1), TryNumber(3))
        .await
        .expect("decodes");

    let target = "/api/v2/dags/%C3%BCn%C3%AF.dag-1\
        /dagRuns/manual__2024-01-01T00%3A00%3A00%2B00%3A00\
        /taskInstances/a%20b%2Fc%3Fd%23e%25f/-1/hitlDetails/tries/3";
    assert_no_body(&only_request(&server), "GET", target);
}

/// `.` and `..` are valid Airflow ids (`^[\w.-]+$`) and valid values of the spec's
/// `type: string`, but URL parsing removes dot segments (even written `%2E%2E`), so the
/// request would address another resource. Here `DELETE .../taskInstances/..` lands on
/// `.../dagRuns/{run}/`, and when the server redirects the trailing slash away (FastAPI does,
/// with a 307) the client follows it with `DELETE .../dagRuns/{run}`: it deletes the DAG run.
/// The call must fail with `Error::Request` before anything is sent instead.
#[tokio::test]
async fn a_dot_segment_id_never_reaches_another_resource() {
    for task_id in ["..", "."] {
        let redirect = Reply::status(307).header("location", RUN_PATH);
        let (server, api) = serve([redirect, Reply::json(200, &json!(null))]).await;

        let result = api
            .delete_task_instance(DAG, RUN, task_id, &DeleteTaskInstanceParams::default())
            .await;

        let sent: Vec<_> = server
            .requests()
            .into_iter()
            .map(|r| format!("{} {}", r.method, r.target))
            .collect();
        assert!(
            sent.is_empty()
                && matches!(
                    result,
                    Err(Error::Request {
                        operation: "delete_task_instance",
                        ..
                    })
                ),
            "task id {task_id:?}: expected Error::Request and nothing sent, got {result:?} after sending {sent:#?}"
        );
    }
}
