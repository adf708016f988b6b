//! Task logs (JSON and NDJSON) and the external log URL.

use airflow_client::apis::task_instance::{GetExternalLogUrlParams, GetLogParams, GetLogResponse};
use airflow_client::apis::TaskInstanceApi;
use airflow_client::apis::TryNumber;
use airflow_client::models::{GetLogAccept, StructuredLogMessage, TaskInstancesLogResponseContent};
use airflow_client::ErrorBody;

use crate::check::{api_error, detail, json_detail, unsupported};
use crate::world::{e2e, TI_DAG};

/// The structured messages of a JSON log answer.
#[track_caller]
fn messages(response: GetLogResponse) -> Vec<StructuredLogMessage> {
    match response {
        GetLogResponse::Json(log) => {
            assert_eq!(
                log.continuation_token, None,
                "a finished task's log comes whole"
            );
            match log.content {
                TaskInstancesLogResponseContent::StructuredLogMessageList(messages) => messages,
                other => panic!("expected structured messages, got {other:?}"),
            }
        }
        other => panic!("expected a JSON log, got {other:?}"),
    }
}

/// The source header names the log file: as its second message on 3.3, among the header's
/// `sources` before.
#[track_caller]
fn assert_names_the_file(log: &[StructuredLogMessage], file: &str) {
    let second = log[1].event.ends_with(file);
    let sources = log[0].extra.get("sources").and_then(|s| s.as_array());
    let listed = sources
        .into_iter()
        .flatten()
        .any(|s| s.as_str().is_some_and(|s| s.ends_with(file)));
    assert!(second || listed, "no `{file}` in {:?}", &log[..2]);
}

#[track_caller]
fn find<'a>(messages: &'a [StructuredLogMessage], event: &str) -> &'a StructuredLogMessage {
    messages
        .iter()
        .find(|m| m.event == event)
        .unwrap_or_else(|| {
            panic!(
                "no `{event}` among {:?}",
                messages.iter().map(|m| &m.event).collect::<Vec<_>>()
            )
        })
}

#[test]
fn get_log_as_json_shows_the_failed_try() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetLogParams::default().accept(GetLogAccept::ApplicationJson);
        let log = messages(
            api.get_log(TI_DAG, &world.pristine, "flaky", TryNumber(1), &params)
                .await
                .unwrap(),
        );
        // The source header comes first and carries no timestamp.
        assert_eq!(log[0].event, "::group::Log message source details");
        assert_eq!(log[0].timestamp, None);
        assert_names_the_file(&log, "task_id=flaky/attempt=1.log");

        let printed = find(&log, "e2e: flaky try 1");
        // 3.0 logs a task's prints as `task`, later releases as `task.stdout`.
        let logger = if world.at_least("3.1.0") {
            "task.stdout"
        } else {
            "task"
        };
        assert_eq!(
            (
                printed.extra["level"].as_str(),
                printed.extra["logger"].as_str()
            ),
            (Some("info"), Some(logger))
        );
        assert!(printed.timestamp.is_some());
        let failure = find(&log, "Task failed with exception");
        assert_eq!(failure.extra["level"], "error");
        assert_eq!(failure.extra["error_detail"][0]["exc_type"], "RuntimeError");
        assert_eq!(
            failure.extra["error_detail"][0]["exc_value"],
            "e2e: flaky fails on its first try"
        );
    });
}

#[test]
fn get_log_as_ndjson_streams_the_successful_try() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
        let GetLogResponse::Ndjson(mut stream) = api
            .get_log(TI_DAG, &world.pristine, "flaky", TryNumber(2), &params)
            .await
            .unwrap()
        else {
            panic!("asked for NDJSON, got something else");
        };
        assert_eq!(stream.header("content-type"), Some("application/x-ndjson"));
        let mut events = Vec::new();
        while let Some(message) = stream.next::<StructuredLogMessage>().await {
            // NDJSON spells the missing timestamps of the header lines as `null`.
            events.push(message.expect("every line is a log message").event);
        }
        assert_eq!(events[0], "::group::Log message source details");
        assert!(events.iter().any(|e| e == "e2e: flaky try 2"), "{events:?}");
        assert!(
            events
                .iter()
                .any(|e| e == "Done. Returned value was: recovered"),
            "{events:?}"
        );
        assert!(
            !events.iter().any(|e| e == "Task failed with exception"),
            "{events:?}"
        );
    });
}

#[test]
fn get_log_of_a_mapped_instance() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetLogParams::default()
            .map_index(2)
            .full_content(true)
            .accept(GetLogAccept::ApplicationJson);
        let log = messages(
            api.get_log(TI_DAG, &world.pristine, "square", TryNumber(1), &params)
                .await
                .unwrap(),
        );
        assert_names_the_file(&log, "task_id=square/map_index=2/attempt=1.log");
        find(&log, "e2e: square of 3");
        find(&log, "Done. Returned value was: 9");
    });
}

#[test]
fn get_log_errors() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let json = GetLogParams::default().accept(GetLogAccept::ApplicationJson);
        let missing = api_error(
            api.get_log(TI_DAG, &world.pristine, "flaky", TryNumber(3), &json)
                .await,
            404,
        );
        assert_eq!(detail(&missing), "TaskInstance not found");

        // 400 and 406 are not in the spec for this operation: the body arrives untyped.
        let forged = json.clone().token("garbage");
        let bad_token = api_error(
            api.get_log(TI_DAG, &world.pristine, "flaky", TryNumber(1), &forged)
                .await,
            400,
        );
        assert_eq!(
            json_detail(&bad_token),
            "Bad Signature. Please use only the tokens provided by the API."
        );
        let text = GetLogParams::default().accept(GetLogAccept::Unknown("text/plain".into()));
        let refused = api_error(
            api.get_log(TI_DAG, &world.pristine, "flaky", TryNumber(1), &text)
                .await,
            406,
        );
        assert_eq!(
            json_detail(&refused),
            "Only application/json or application/x-ndjson is supported"
        );
    });
}

#[test]
fn get_external_log_url_needs_a_remote_log_handler() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetExternalLogUrlParams::default();
        let answer = api
            .get_external_log_url(TI_DAG, &world.pristine, "flaky", TryNumber(1), &params)
            .await;
        if !world.at_least("3.1.0") {
            return unsupported(answer, "3.1.0", world.version());
        }
        let refused = api_error(answer, 400);
        assert_eq!(
            detail(&refused),
            "Task log handler does not support external logs."
        );
        assert!(matches!(refused.body, ErrorBody::HttpExceptionResponse(_)));
        let mapped = GetExternalLogUrlParams::default().map_index(0);
        api_error(
            api.get_external_log_url(TI_DAG, &world.pristine, "square", TryNumber(1), &mapped)
                .await,
            400,
        );
    });
}
