//! How error answers reach the caller: documented bodies typed, anything else kept as JSON or
//! text, with the status, the operation and the raw body.

use airflow_client::apis::MapIndex;
use std::fmt::Debug;

use airflow_client::apis::{GetHitlDetailsParams, GetTaskInstancesParams, PatchTaskInstanceParams};
use airflow_client::models::{
    BulkBodyBulkTaskInstanceBody, HttpExceptionResponse, HttpExceptionResponseDetail,
    PatchTaskInstanceBody, ValidationErrorLocItem,
};
use airflow_client::{ApiError, Error, ErrorBody};
use serde_json::json;

use super::*;

/// The `Error::Api` of a failed call.
fn api_error<T: Debug>(result: Result<T, Error>) -> ApiError {
    match result.as_ref().err().and_then(Error::api) {
        Some(error) => error.clone(),
        None => panic!("expected Error::Api, got {result:?}"),
    }
}

fn http_exception(detail: &str) -> ErrorBody {
    ErrorBody::HttpExceptionResponse(
        serde_json::from_value(serde_json::json!({ "detail": detail })).unwrap(),
    )
}

#[tokio::test]
async fn unauthorized_is_a_typed_http_exception() {
    let reply = Reply::json(401, &json!({"detail": "Not authenticated"}))
        .header("www-authenticate", "Bearer");
    let (_server, api) = serve([reply]).await;

    let error = api_error(api.get_task_instance(DAG, RUN, TASK).await);

    assert_eq!((error.operation, error.status), ("get_task_instance", 401));
    assert_eq!(error.body, http_exception("Not authenticated"));
    assert_eq!(error.raw, r#"{"detail":"Not authenticated"}"#);
}

#[tokio::test]
async fn not_found_is_a_typed_http_exception() {
    let detail = "The Mapped Task Instance with dag_id: `etl_daily`, run_id: `manual__2024-01-01T00:00:00+00:00`, task_id: `extract data`, and map_index: `9` was not found";
    let (_server, api) = serve_json(404, json!({ "detail": detail })).await;

    let result = api
        .get_mapped_task_instance(DAG, RUN, TASK, MapIndex(9))
        .await;

    assert_eq!(result.as_ref().err().and_then(Error::status), Some(404));
    let error = api_error(result);
    assert_eq!(error.operation, "get_mapped_task_instance");
    assert_eq!(error.body, http_exception(detail));
}

#[tokio::test]
async fn conflict_with_an_object_detail_keeps_the_object() {
    let body = json!({"detail": {
        "reason": "Unique constraint violation",
        "statement": "UPDATE task_instance SET note=? WHERE task_instance.id = ?",
        "orig_error": "UNIQUE constraint failed: task_instance_note.ti_id"
    }});
    let (_server, api) = serve_json(409, body.clone()).await;
    let patch = PatchTaskInstanceBody::default().note("x");

    let error = api_error(
        api.patch_task_instance(DAG, RUN, TASK, &PatchTaskInstanceParams::default(), &patch)
            .await,
    );

    assert_eq!(error.status, 409);
    let ErrorBody::HttpExceptionResponse(HttpExceptionResponse {
        detail: HttpExceptionResponseDetail::Object(detail),
        ..
    }) = error.body
    else {
        panic!("expected an object detail, got {:?}", error.body);
    };
    assert_eq!(json!(detail), body["detail"]);
}

#[tokio::test]
async fn validation_errors_decode_string_and_integer_locations() {
    let body = json!({"detail": [
        {
            "type": "enum",
            "loc": ["body", "actions", 0, "update", "entities", 1, "new_state"],
            "msg": "Input should be 'removed', 'scheduled', 'queued', 'running', 'success', 'restarting', 'failed', 'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped', 'deferred' or 'awaiting_input'",
            "input": "done",
            "ctx": {"expected": "'removed', 'scheduled', 'queued', 'running', 'success', 'restarting', 'failed', 'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped', 'deferred' or 'awaiting_input'"}
        },
        {
            "type": "missing",
            "loc": ["body", "actions", 1, "delete", "entities"],
            "msg": "Field required",
            "input": {"action": "delete"}
        }
    ]});
    let (_server, api) = serve_json(422, body).await;

    let error = api_error(
        api.bulk_task_instances(
            DAG,
            RUN,
            &BulkBodyBulkTaskInstanceBody::new(Vec::<
                airflow_client::models::BulkBodyBulkTaskInstanceBodyActionsItem,
            >::new()),
        )
        .await,
    );

    assert_eq!(
        (error.operation, error.status),
        ("bulk_task_instances", 422)
    );
    let ErrorBody::HttpValidationError(validation) = error.body else {
        panic!("expected a validation error, got {:?}", error.body);
    };
    let detail = validation.detail.expect("validation details");
    use ValidationErrorLocItem::{Integer, String as Key};
    assert_eq!(
        detail[0].loc,
        [
            Key("body".into()),
            Key("actions".into()),
            Integer(0),
            Key("update".into()),
            Key("entities".into()),
            Integer(1),
            Key("new_state".into())
        ]
    );
    assert_eq!(detail[0].r#type, "enum");
    assert_eq!(detail[0].input, Some(json!("done")));
    assert!(detail[0]
        .ctx
        .as_ref()
        .is_some_and(|c| c.contains_key("expected")));
    assert_eq!(detail[1].msg, "Field required");
    assert_eq!(detail[1].input, Some(json!({"action": "delete"})));
}

#[tokio::test]
async fn a_proxy_html_page_is_kept_as_text() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
    let response = format!(
        "HTTP/1.1 502 Bad Gateway\r\nServer: nginx/1.25.3\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
        html.len()
    );
    // A GET is retried on 502 (three attempts by default); the last answer is the error.
    let replies = [
        Reply::raw(response.clone()),
        Reply::raw(response.clone()),
        Reply::raw(response),
    ];
    let (server, api) = serve(replies).await;

    let error = api_error(
        api.get_task_instances(DAG, RUN, &GetTaskInstancesParams::default())
            .await,
    );

    assert_eq!(server.requests().len(), 3);
    assert_eq!((error.operation, error.status), ("get_task_instances", 502));
    assert_eq!(error.body, ErrorBody::Text(html.into()));
    assert_eq!(error.raw, html);
}

#[tokio::test]
async fn an_undocumented_json_error_is_kept_as_json() {
    let body = json!({"message": "Forbidden by policy: ip 10.0.0.7 is not allowed"});
    let (_server, api) = serve_json(403, body.clone()).await;

    let error = api_error(api.get_task_instance(DAG, RUN, TASK).await);

    assert_eq!(error.status, 403);
    assert_eq!(error.body, ErrorBody::Json(body));
}

#[tokio::test]
async fn an_empty_error_body_is_empty() {
    let (_server, api) = serve([Reply::status(500)]).await;

    let error = api_error(
        api.get_hitl_details(DAG, RUN, &GetHitlDetailsParams::default())
            .await,
    );

    assert_eq!((error.operation, error.status), ("get_hitl_details", 500));
    assert_eq!(error.body, ErrorBody::Empty);
    assert_eq!(error.raw, "");
}

#[tokio::test]
async fn a_success_that_is_not_json_is_a_decode_error() {
    let page = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=\"/oauth2/start\"></form></body></html>";
    let (_server, api) = serve([Reply::status(200).body("text/html; charset=utf-8", page)]).await;

    let result = api.get_task_instance(DAG, RUN, TASK).await;

    match result {
        Err(Error::Decode {
            operation,
            status,
            body,
            ..
        }) => {
            assert_eq!((operation, status), ("get_task_instance", 200));
            assert_eq!(body, page);
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

/// One item of a long page that does not decode is found by the field the error names.
#[tokio::test]
async fn a_decode_error_names_the_field_where_it_stopped() {
    let mut items: Vec<serde_json::Value> = (0..5).map(|_| fixtures::task_instance()).collect();
    items[3]["try_number"] = json!("three");
    let (_server, api) = serve_json(200, fixtures::collection(items)).await;

    let error = api
        .get_task_instances(DAG, RUN, &Default::default())
        .await
        .unwrap_err();

    match &error {
        Error::Decode { path, .. } => assert_eq!(path, "task_instances[3].try_number"),
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("could not decode the 200 response at `task_instances[3].try_number`"),
        "{error}"
    );
}

/// The path a decode error names, for bodies gone wrong in each way a page can: a bad value
/// deep in an item, a field missing (the path of its object), a body spread over lines,
/// brackets, commas and quotes inside strings before the bad value, a body cut short.
#[tokio::test]
async fn a_decode_error_names_the_path_for_each_shape_of_body() {
    let item = |change: serde_json::Value| {
        let mut item = fixtures::task_instance();
        for (key, value) in change.as_object().unwrap() {
            match value {
                serde_json::Value::Null => drop(item.as_object_mut().unwrap().remove(key)),
                value => item[key] = value.clone(),
            }
        }
        item
    };
    let page = |bad: serde_json::Value| {
        let items = vec![fixtures::task_instance(), fixtures::task_instance(), bad];
        fixtures::collection(items)
    };
    // Written out, so the strings come before the bad value whatever order a map keeps.
    let good = fixtures::task_instance().to_string();
    let tricky = r#"{"note": "say \"hi [", "rendered_fields": {"a": ["}", "\\", {"[": ",,"}]}, "try_number": "three"}"#;
    let cases: Vec<(String, &str)> = vec![
        (page(item(json!({"state": 7}))).to_string(), "task_instances[2].state"),
        (
            page(item(json!({"dag_version": {"id": "0194c3a8-5e1d-7a2b-9c3d-4e5f60718293", "version_number": "two"}}))).to_string(),
            "task_instances[2].dag_version.version_number",
        ),
        (page(item(json!({"task_id": null}))).to_string(), "task_instances[2]"),
        (
            format!(r#"{{"task_instances": [{good}, {good}, {tricky}], "total_entries": 3}}"#),
            "task_instances[2].try_number",
        ),
        (
            serde_json::to_string_pretty(&page(item(json!({"run_after": "yesterday"})))).unwrap(),
            "task_instances[2].run_after",
        ),
        (json!({"task_instances": [], "total_entries": "many"}).to_string(), "total_entries"),
        (json!({"total_entries": 0}).to_string(), ""),
        (json!([1, 2]).to_string(), "[0]"),
    ];
    let whole = page(item(json!({}))).to_string();
    let cut = whole[..whole.find("\"default_pool\"").unwrap() + 5].to_string();
    for (body, expected) in cases.into_iter().chain([(cut, "task_instances[0].pool")]) {
        let reply = Reply::status(200).body("application/json", body.clone());
        let (_server, api) = serve([reply]).await;

        let error = api
            .get_task_instances(DAG, RUN, &Default::default())
            .await
            .unwrap_err();

        match &error {
            Error::Decode { path, .. } => assert_eq!(path, expected, "{error}\n{body}"),
            other => panic!("expected Error::Decode, got {other:?}"),
        }
    }
}

/// The server's message is one call away, and `Display` shows it rather than raw JSON.
#[tokio::test]
async fn detail_gives_the_message_or_the_validation_problems() {
    use airflow_client::{Detail, Problem};

    let missing = "The Task Instance with dag_id: `etl_daily` was not found";
    let (_server, api) = serve_json(404, json!({ "detail": missing })).await;
    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();
    assert_eq!(error.detail(), Some(Detail::Message(missing.into())));
    assert_eq!(
        error.to_string(),
        format!("get_task_instance: the server answered 404: {missing}")
    );

    let invalid = json!({"detail": [{
        "type": "string_too_long",
        "loc": ["body", "note"],
        "msg": "String should have at most 1000 characters",
        "input": "x",
        "ctx": {"max_length": 1000}
    }, {
        "type": "int_parsing",
        "loc": ["query", "map_index", 0],
        "msg": "Input should be a valid integer",
        "input": "a"
    }]});
    let (_server, api) = serve_json(422, invalid).await;
    let body = PatchTaskInstanceBody::default().note("x");
    let error = api_error(
        api.patch_task_instance(DAG, RUN, TASK, &PatchTaskInstanceParams::default(), &body)
            .await,
    );
    let Detail::Invalid(problems) = error.detail() else {
        panic!("expected validation problems, got {:?}", error.detail());
    };
    assert_eq!(
        problems,
        [
            Problem {
                location: vec!["body".into(), "note".into()],
                message: "String should have at most 1000 characters".into()
            },
            Problem {
                location: vec!["query".into(), "map_index".into(), "0".into()],
                message: "Input should be a valid integer".into()
            }
        ]
    );
    assert_eq!(
        error.detail().to_string(),
        "body.note: String should have at most 1000 characters; query.map_index.0: Input should be a valid integer"
    );

    let (_server, api) =
        serve([Reply::status(400).body("text/html", "<html>Bad request</html>")]).await;
    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();
    assert_eq!(
        error.detail(),
        Some(Detail::Body("<html>Bad request</html>".into()))
    );

    // An empty list names no problem: it is shown as it came rather than as nothing.
    let (_server, api) = serve_json(422, json!({ "detail": [] })).await;
    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();
    assert_eq!(error.detail(), Some(Detail::Other(json!([]))));
    assert_eq!(
        error.to_string(),
        "get_task_instance: the server answered 422: []"
    );
}

/// An operation newer than the server: its 404 or 405 becomes `Error::Unsupported`, naming
/// the operation, the release that added it and the server's version, asked once per client.
#[tokio::test]
async fn an_operation_the_server_lacks_says_so() {
    use airflow_client::apis::PatchTaskGroupInstancesParams;

    let (server, api) = serve([
        Reply::status(405).body("application/json", r#"{"detail":"Method Not Allowed"}"#),
        Reply::json(200, &json!({"version": "3.1.8", "git_version": null})),
        Reply::status(405).body("application/json", r#"{"detail":"Method Not Allowed"}"#),
    ])
    .await;
    let body = PatchTaskInstanceBody::default().note("n");
    let params = PatchTaskGroupInstancesParams::default();

    let first = api
        .patch_task_group_instances(DAG, RUN, GROUP, &params, &body)
        .await
        .unwrap_err();
    let again = api
        .patch_task_group_instances_dry_run(DAG, RUN, GROUP, &body)
        .await
        .unwrap_err();

    let Error::Unsupported {
        operation,
        since,
        server: version,
        status,
    } = &first
    else {
        panic!("expected Error::Unsupported, got {first:?}");
    };
    assert_eq!(
        (*operation, *since, version.as_str(), *status),
        ("patch_task_group_instances", "3.3.0", "3.1.8", 405)
    );
    assert_eq!(
        first.to_string(),
        "patch_task_group_instances: the server runs Airflow 3.1.8, and this operation needs 3.3.0 or newer (the server answered 405)"
    );
    assert!(matches!(again, Error::Unsupported { .. }), "{again:?}");
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets.iter().filter(|t| *t == "/api/v2/version").count(),
        1,
        "the version is asked once: {targets:#?}"
    );
}

/// A 404 from a server new enough to have the operation is the server's own answer.
#[tokio::test]
async fn a_new_enough_server_keeps_its_404() {
    let (_server, api) = serve([
        Reply::json(404, &json!({"detail": "Task instance not found"})),
        Reply::json(200, &json!({"version": "3.3.2"})),
    ])
    .await;
    let error = api_error(
        api.delete_task_instance(DAG, RUN, TASK, &Default::default())
            .await,
    );
    assert_eq!(error.status, 404);
}

/// A parameter newer than the server would be ignored there, the answer looking like an
/// unfiltered one: the call fails before anything but the version is asked, and a call that
/// leaves it unset, or goes to a new enough server, is sent as usual.
#[tokio::test]
async fn a_parameter_the_server_lacks_fails_the_call_unsent() {
    let page = json!({"task_instances": [], "total_entries": 0});
    let (server, api) = serve([
        Reply::json(200, &json!({"version": "3.0.6", "git_version": null})),
        Reply::json(200, &page),
    ])
    .await;
    let newer = GetTaskInstancesParams::default().task_group_id("group");

    let error = api.get_task_instances(DAG, RUN, &newer).await.unwrap_err();
    let unset = api
        .get_task_instances(DAG, RUN, &GetTaskInstancesParams::default().limit(5))
        .await;

    let Error::UnsupportedParameter {
        operation,
        parameter,
        since,
        server: version,
    } = &error
    else {
        panic!("expected Error::UnsupportedParameter, got {error:?}");
    };
    assert_eq!(
        (*operation, *parameter, *since, version.as_str()),
        ("get_task_instances", "task_group_id", "3.1.6", "3.0.6")
    );
    assert_eq!(
        error.to_string(),
        "get_task_instances: the server runs Airflow 3.0.6, and the `task_group_id` parameter needs 3.1.6 or newer (an older server would ignore it, so nothing was sent)"
    );
    assert_eq!(error.status(), None);
    unset.expect("a call without it is sent");
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/api/v2/version".to_string(),
            format!("{RUN_PATH}/taskInstances?limit=5"),
        ]
    );

    let (server, api) = serve([
        Reply::json(200, &json!({"version": "3.1.8", "git_version": null})),
        Reply::json(200, &page),
    ])
    .await;
    api.get_task_instances(DAG, RUN, &newer)
        .await
        .expect("a new enough server is asked");
    assert_eq!(
        server.requests()[1].target,
        format!("{RUN_PATH}/taskInstances?task_group_id=group")
    );
}
