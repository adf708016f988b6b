//! The few calls outside the Task Instance tag that the setup needs (pools, Dags, Dag runs),
//! made with the client's own HTTP client and credentials.

use airflow_client::Client;
use serde_json::{json, Value};

/// Percent-encodes a path segment (run ids hold `+` and `:`).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends `method path` with an optional JSON body; answers the status and the JSON body
/// (`Value::Null` when the body is empty or not JSON).
pub async fn send(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value), String> {
    let url = client.url(path);
    let http = client.http();
    let request = match method {
        "GET" => http.get(&url),
        "POST" => http.post(&url),
        "PATCH" => http.patch(&url),
        other => return Err(format!("raw::send does not do {other}")),
    };
    let mut request = client
        .authorize(request)
        .header("accept", "application/json");
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|e| format!("{method} {path}: reading the body: {e}"))?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// `GET path`, which must answer 200.
pub async fn get(client: &Client, path: &str) -> Result<Value, String> {
    match send(client, "GET", path, None).await? {
        (200, body) => Ok(body),
        (status, body) => Err(format!("GET {path}: {status} {body}")),
    }
}

pub async fn get_status(client: &Client, path: &str) -> Result<u16, String> {
    Ok(send(client, "GET", path, None).await?.0)
}

pub async fn unpause(client: &Client, dag: &str) -> Result<(), String> {
    match send(
        client,
        "PATCH",
        &format!("/api/v2/dags/{dag}"),
        Some(json!({"is_paused": false})),
    )
    .await?
    {
        (200, body) if body["is_paused"] == false => Ok(()),
        (status, body) => Err(format!("unpausing {dag}: {status} {body}")),
    }
}

/// Triggers a run of `dag` with id `run` (no logical date, as the UI's "Trigger" does).
pub async fn trigger(client: &Client, dag: &str, run: &str) -> Result<(), String> {
    let body = json!({"dag_run_id": run, "logical_date": null});
    match send(
        client,
        "POST",
        &format!("/api/v2/dags/{dag}/dagRuns"),
        Some(body),
    )
    .await?
    {
        (200, body) if body["dag_run_id"] == run => Ok(()),
        (status, body) => Err(format!("triggering {dag}/{run}: {status} {body}")),
    }
}

/// The state of a Dag run.
pub async fn run_state(client: &Client, dag: &str, run: &str) -> Result<String, String> {
    let run_path = format!("/api/v2/dags/{dag}/dagRuns/{}", encode(run));
    let body = get(client, &run_path).await?;
    body["state"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("run {dag}/{run} has no state: {body}"))
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn run_ids_are_encoded() {
        assert_eq!(
            encode("manual__2024-01-01T00:00:00+00:00"),
            "manual__2024-01-01T00%3A00%3A00%2B00%3A00"
        );
    }
}
