//! Assertions on the client's errors, and on followed logs.

use std::fmt::Debug;

use airflow_client::models::HttpExceptionResponseDetail;
use airflow_client::{ApiError, Error, ErrorBody};

/// The API error of `result`, which must have failed with `status`.
#[track_caller]
pub fn api_error<T: Debug>(result: Result<T, Error>, status: u16) -> ApiError {
    match result {
        Err(Error::Api(e)) if e.status == status => *e,
        other => panic!("expected the server to answer {status}, got {other:?}"),
    }
}

/// The `detail` sentence of an `HTTPExceptionResponse` error (401, 403, 404 and 409 bodies).
#[track_caller]
pub fn detail(error: &ApiError) -> &str {
    match &error.body {
        ErrorBody::HttpExceptionResponse(body) => match &body.detail {
            HttpExceptionResponseDetail::String(text) => text,
            other => panic!("expected a string detail, got {other:?}"),
        },
        other => panic!(
            "expected an HTTPExceptionResponse body, got {other:?} (raw: {})",
            error.raw
        ),
    }
}

/// The `detail` sentence of a body the spec does not declare for that status (the client keeps
/// it as untyped JSON).
#[track_caller]
pub fn json_detail(error: &ApiError) -> &str {
    match &error.body {
        ErrorBody::Json(body) => body["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("no string detail in {body}")),
        other => panic!("expected an untyped JSON body, got {other:?}"),
    }
}

/// The first FastAPI validation error of a 422 body, as `(type, msg)`.
#[track_caller]
pub fn validation(error: &ApiError) -> (&str, &str) {
    match &error.body {
        ErrorBody::HttpValidationError(body) => {
            let first = body
                .detail
                .as_deref()
                .and_then(<[_]>::first)
                .unwrap_or_else(|| panic!("no detail in {}", error.raw));
            (first.r#type.as_str(), first.msg.as_str())
        }
        other => panic!("expected an HTTPValidationError body, got {other:?}"),
    }
}

/// The clear error of an operation the server is too old for: it names the release that
/// added the operation and the server's version.
#[track_caller]
pub fn unsupported<T: Debug>(result: Result<T, Error>, since: &str, server: (u32, u32, u32)) {
    let (major, minor, patch) = server;
    match result {
        Err(Error::Unsupported {
            since: added,
            server: version,
            ..
        }) if added == since && version.starts_with(&format!("{major}.{minor}.{patch}")) => {}
        other => panic!(
            "expected Error::Unsupported (since {since}, server {major}.{minor}.{patch}), got {other:?}"
        ),
    }
}

/// The clear error of a parameter the server is too old for, which it would ignore: nothing
/// was sent, and the error names the parameter, the release that added it and the server.
#[track_caller]
pub fn unsupported_parameter<T: Debug>(
    result: Result<T, Error>,
    parameter: &str,
    since: &str,
    server: (u32, u32, u32),
) {
    let (major, minor, patch) = server;
    match result {
        Err(Error::UnsupportedParameter {
            parameter: name,
            since: added,
            server: version,
            ..
        }) if name == parameter
            && added == since
            && version.starts_with(&format!("{major}.{minor}.{patch}")) => {}
        other => panic!(
            "expected Error::UnsupportedParameter ({parameter} since {since}, server {major}.{minor}.{patch}), got {other:?}"
        ),
    }
}

/// A followed log gave each line of the finished log exactly as often as the finished log has
/// it, and nothing else twice. A running try's reads may carry a line the finished log does not
/// (Airflow 3.3 notes that it "Could not read served logs" while the worker's log server is not
/// up): such a line may come once.
#[track_caller]
pub fn assert_each_line_once<T: Ord + Debug + Clone>(followed: &[T], finished: &[T]) {
    use std::collections::BTreeMap;
    let count = |lines: &[T]| {
        let mut counts = BTreeMap::<T, usize>::new();
        for line in lines {
            *counts.entry(line.clone()).or_default() += 1;
        }
        counts
    };
    let (got, want) = (count(followed), count(finished));
    for (line, times) in &want {
        assert_eq!(
            got.get(line),
            Some(times),
            "{line:?} in the followed log: {followed:?}"
        );
    }
    for (line, times) in &got {
        assert!(
            *times == 1 || want.contains_key(line),
            "{line:?} came {times} times"
        );
    }
}
