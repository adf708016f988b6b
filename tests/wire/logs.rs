//! Logs: JSON in both content shapes, NDJSON streaming, and the external log URL.

use airflow_client::apis::TryNumber;
use airflow_client::apis::{GetExternalLogUrlParams, GetLogParams, GetLogResponse};
use airflow_client::models::{GetLogAccept, StructuredLogMessage, TaskInstancesLogResponseContent};
use serde_json::json;

use super::*;

const SOURCE: &str = "/opt/airflow/logs/dag_id=etl_daily/run_id=manual__2024-01-01T00:00:00+00:00/task_id=extract data/attempt=2.log";

/// The lines an Airflow 3 API server sends for a task's structured log.
fn structured_lines() -> Vec<serde_json::Value> {
    vec![
        json!({"event": "::group::Log message source details", "sources": [SOURCE]}),
        json!({"event": "::endgroup::"}),
        json!({"timestamp": "2024-01-01T00:00:05.200311Z", "level": "info",
               "event": "Task instance is in running state", "logger": "task.stdout"}),
        json!({"timestamp": "2024-01-01T00:01:10.512Z", "level": "error",
               "event": "Task failed with exception", "logger": "task",
               "error_detail": [{"exc_type": "KeyError", "exc_value": "'rows'",
                                 "frames": [{"filename": "/opt/airflow/dags/etl.py",
                                             "lineno": 42, "name": "extract"}]}]}),
    ]
}

/// The structured lines as decoded: timestamp and event typed, the rest kept as extra keys.
fn assert_structured(messages: &[StructuredLogMessage]) {
    let events: Vec<_> = messages.iter().map(|m| m.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "::group::Log message source details",
            "::endgroup::",
            "Task instance is in running state",
            "Task failed with exception"
        ]
    );
    assert_eq!(messages[0].timestamp, None);
    assert_eq!(messages[0].extra["sources"], json!([SOURCE]));
    assert_eq!(
        messages[2].timestamp,
        Some(at("2024-01-01T00:00:05.200311Z"))
    );
    assert_eq!(messages[2].extra["logger"], json!("task.stdout"));
    assert_eq!(messages[3].extra["level"], json!("error"));
    assert_eq!(
        messages[3].extra["error_detail"][0]["frames"][0]["lineno"],
        json!(42)
    );
    assert!(!messages[3].extra.contains_key("event"));
}

/// An NDJSON body in HTTP chunks, the way a streaming response arrives.
fn chunked_ndjson(lines: &[serde_json::Value]) -> Vec<u8> {
    let mut body = String::new();
    for line in lines {
        let chunk = format!("{line}\n");
        body.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    body.push_str("0\r\n\r\n");
    body.into_bytes()
}

#[tokio::test]
async fn get_log_as_json_with_structured_messages() {
    let body = json!({"content": structured_lines(), "continuation_token": null});
    let (server, api) = serve_json(200, body).await;
    let params = GetLogParams::default()
        .full_content(true)
        .map_index(-1)
        .token("eyJlbmRfb2Zmc2V0Ijo0MDk2fQ==")
        .accept(GetLogAccept::ApplicationJson);

    let log = api
        .get_log(DAG, RUN, TASK, TryNumber(2), &params)
        .await
        .expect("decodes");

    let request = only_request(&server);
    let target =
        ti_path("/logs/2?full_content=true&map_index=-1&token=eyJlbmRfb2Zmc2V0Ijo0MDk2fQ%3D%3D");
    assert_no_body(&request, "GET", &target);
    assert_eq!(request.header_values("accept"), ["application/json"]);
    let GetLogResponse::Json(log) = log else {
        panic!("expected the JSON form, got {log:?}");
    };
    assert_eq!(log.continuation_token, None);
    let TaskInstancesLogResponseContent::StructuredLogMessageList(messages) = log.content else {
        panic!("expected structured messages, got {:?}", log.content);
    };
    assert_structured(&messages);
}

#[tokio::test]
async fn get_log_as_json_with_plain_lines() {
    let body = json!({
        "content": [
            "*** Found logs in s3:",
            "***   * s3://airflow-logs/dag_id=etl_daily/run_id=manual__2024-01-01T00:00:00+00:00/task_id=extract data/attempt=1.log",
            "[2024-01-01, 00:00:02 UTC] {taskinstance.py:1956} INFO - Dependencies all met"
        ],
        "continuation_token": "eyJlbmRfb2Zmc2V0IjogMjA0OH0"
    });
    let (server, api) = serve_json(200, body).await;

    let log = api
        .get_log(DAG, RUN, TASK, TryNumber(1), &GetLogParams::default())
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path("/logs/1"));
    let GetLogResponse::Json(log) = log else {
        panic!("expected the JSON form, got {log:?}");
    };
    assert_eq!(
        log.continuation_token.as_deref(),
        Some("eyJlbmRfb2Zmc2V0IjogMjA0OH0")
    );
    let TaskInstancesLogResponseContent::StringList(lines) = log.content else {
        panic!("expected plain lines, got {:?}", log.content);
    };
    assert_eq!(lines.len(), 3);
    assert!(lines[2].ends_with("INFO - Dependencies all met"));
}

#[tokio::test]
async fn get_log_as_ndjson_streams_structured_messages() {
    let reply = Reply::status(200)
        .header("airflow-continuation-token", "eyJlbmRfb2Zmc2V0IjogOTYxMn0")
        .header("transfer-encoding", "chunked")
        .body("application/x-ndjson", chunked_ndjson(&structured_lines()));
    let (server, api) = serve([reply]).await;
    let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);

    let log = api
        .get_log(DAG, RUN, TASK, TryNumber(2), &params)
        .await
        .expect("answers");

    let request = only_request(&server);
    assert_no_body(&request, "GET", &ti_path("/logs/2"));
    assert_eq!(request.header_values("accept"), ["application/x-ndjson"]);
    let GetLogResponse::Ndjson(mut stream) = log else {
        panic!("expected a stream, got {log:?}");
    };
    assert_eq!(
        stream.header("Airflow-Continuation-Token"),
        Some("eyJlbmRfb2Zmc2V0IjogOTYxMn0")
    );
    let mut messages = Vec::new();
    while let Some(message) = stream.next::<StructuredLogMessage>().await {
        messages.push(message.expect("each line decodes"));
    }
    assert_structured(&messages);
}

#[tokio::test]
async fn get_external_log_url_decodes_the_url() {
    let url = "https://grafana.example.com/explore?left=%7B%22queries%22%3A%5B%7B%22expr%22%3A%22%7Btask_id%3D%5C%22extract%20data%5C%22%7D%22%7D%5D%7D";
    let (server, api) = serve_json(200, json!({ "url": url })).await;
    let params = GetExternalLogUrlParams::default().map_index(-1);

    let external = api
        .get_external_log_url(DAG, RUN, TASK, TryNumber(2), &params)
        .await
        .expect("decodes");

    let target = ti_path("/externalLogUrl/2?map_index=-1");
    assert_no_body(&only_request(&server), "GET", &target);
    assert_eq!(external.url, url);
}

/// An NDJSON reply with `events` as log lines and, when given, a continuation token.
pub(crate) fn ndjson_reply(events: &[&str], token: Option<&str>) -> Reply {
    let lines: Vec<serde_json::Value> = events
        .iter()
        .map(|e| json!({"event": e, "level": "info"}))
        .collect();
    let reply = Reply::status(200)
        .header("transfer-encoding", "chunked")
        .body("application/x-ndjson", chunked_ndjson(&lines));
    match token {
        Some(token) => reply.header("airflow-continuation-token", token),
        None => reply,
    }
}

pub(crate) fn task_in_state(state: &str) -> Reply {
    task_at_try(json!(state), 1)
}

fn task_at_try(state: serde_json::Value, try_number: i64) -> Reply {
    let mut ti = fixtures::task_instance();
    ti["state"] = state;
    ti["try_number"] = json!(try_number);
    Reply::json(200, &ti)
}

/// The events `follow_log` yields for `target`, to its end.
async fn followed(
    api: &airflow_client::TaskInstanceApi,
    target: airflow_client::logs::FollowLog,
) -> Vec<String> {
    use futures_util::TryStreamExt;

    api.follow_log(target)
        .map_ok(|m| m.event)
        .try_collect()
        .await
        .expect("follows")
}

/// A run just triggered: its instance has no try yet. Following try 1 waits for it instead of
/// asking for a log that does not exist (the server answers 404).
#[tokio::test]
async fn follow_log_waits_for_a_try_that_has_not_begun() {
    use airflow_client::logs::FollowLog;

    let (server, api) = serve([
        task_at_try(json!(null), 0),
        task_at_try(json!("scheduled"), 0),
        task_at_try(json!("running"), 1),
        ndjson_reply(&["starting"], None),
        task_at_try(json!("success"), 1),
        ndjson_reply(&["starting", "done"], None),
    ])
    .await;
    let target = FollowLog::new(DAG, RUN, TASK, TryNumber(1))
        .poll_interval(std::time::Duration::from_millis(1));

    let events = followed(&api, target).await;

    assert_eq!(events, ["starting", "done"]);
    let reads = server
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("/logs/"))
        .count();
    assert_eq!(reads, 2, "no read before the try began");
}

/// A try the instance never reaches (it was skipped): nothing to follow, the stream ends.
#[tokio::test]
async fn follow_log_of_a_try_that_never_runs_ends_empty() {
    use airflow_client::logs::FollowLog;

    let (server, api) = serve([task_at_try(json!("skipped"), 0)]).await;

    let events = followed(&api, FollowLog::new(DAG, RUN, TASK, TryNumber(1))).await;

    assert!(events.is_empty());
    assert_eq!(server.requests().len(), 1, "no log is asked for");
}

/// Airflow 3.3's NDJSON continuation token carries no position: every read of a running
/// try's log is the whole log again, and each line must still come once.
#[tokio::test]
async fn follow_log_yields_each_line_once_though_every_read_is_the_whole_log() {
    use airflow_client::logs::FollowLog;

    let token = Some(r#"{"download_logs":false}"#);
    let (server, api) = serve([
        task_in_state("running"),
        ndjson_reply(&["starting", "tick", "tick"], token),
        task_in_state("running"),
        ndjson_reply(&["starting", "tick", "tick", "tick", "working"], token),
        task_in_state("success"),
        ndjson_reply(
            &["starting", "tick", "tick", "tick", "working", "done"],
            token,
        ),
    ])
    .await;
    let target = FollowLog::new(DAG, RUN, TASK, TryNumber(1))
        .poll_interval(std::time::Duration::from_millis(1));

    let events = followed(&api, target).await;

    assert_eq!(
        events,
        ["starting", "tick", "tick", "tick", "working", "done"]
    );
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets.len(),
        6,
        "stops once the try has ended and its log is read: {targets:#?}"
    );
    for read in [&targets[1], &targets[3], &targets[5]] {
        assert!(
            read.ends_with("/logs/1"),
            "every read is of the whole log: {read}"
        );
    }
}

#[tokio::test]
async fn follow_log_without_tokens_skips_what_it_already_gave() {
    use airflow_client::logs::FollowLog;

    let (_server, api) = serve([
        task_in_state("running"),
        ndjson_reply(&["a"], None),
        task_in_state("failed"),
        ndjson_reply(&["a", "b"], None),
    ])
    .await;
    let target = FollowLog::new(DAG, RUN, TASK, TryNumber(1))
        .poll_interval(std::time::Duration::from_millis(1));

    let events = followed(&api, target).await;

    assert_eq!(
        events,
        ["a", "b"],
        "the full log read again yields only the new line"
    );
}

/// The structured messages of a log, whichever content type came back.
#[tokio::test]
async fn messages_reads_json_and_ndjson_logs_alike() {
    use airflow_client::apis::GetLogParams;

    let structured = json!({"content": [{"event": "a", "timestamp": "2024-01-01T00:00:01Z", "level": "info"}], "continuation_token": null});
    let plain = json!({"content": ["line one", "line two"], "continuation_token": null});
    let (_server, api) = serve([
        Reply::json(200, &structured),
        Reply::json(200, &plain),
        ndjson_reply(&["b", "c"], None),
    ])
    .await;
    let params = GetLogParams::default();
    let mut events = Vec::new();
    for _ in 0..3 {
        let log = api
            .get_log(DAG, RUN, TASK, TryNumber(1), &params)
            .await
            .expect("reads");
        let messages = log.messages().await.expect("decodes");
        events.push(messages.into_iter().map(|m| m.event).collect::<Vec<_>>());
    }
    assert_eq!(
        events,
        [vec!["a"], vec!["line one", "line two"], vec!["b", "c"]]
    );
}
