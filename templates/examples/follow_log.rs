// requires-operations: get_log get_task_instance get_mapped_task_instance
// requires-names: GetLogAccept::ApplicationXNdjson GetLogResponse::Ndjson GetLogResponse::Json GetLogParams::accept GetLogParams::map_index TaskInstancesLogResponseContent::StructuredLogMessageList TaskInstancesLogResponseContent::StringList
//! Prints a task instance's log as it is written, until the try ends.
//!
//! `cargo run --example follow_log -- http://localhost:8080 admin admin DAG_ID RUN_ID TASK_ID TRY`

use airflow_client::apis::TryNumber;
use airflow_client::logs::FollowLog;
use airflow_client::{Client, TryStreamExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, password, dag_id, run_id, task_id, try_number] = args.as_slice() else {
        return Err("usage: follow_log URL USER PASSWORD DAG_ID RUN_ID TASK_ID TRY".into());
    };
    let client = Client::builder(url.as_str()).login(user, password).await?;
    let api = client.task_instance();
    let mut log = api.follow_log(FollowLog::new(
        dag_id,
        run_id,
        task_id,
        TryNumber(try_number.parse()?),
    ));
    while let Some(message) = log.try_next().await? {
        let when = message
            .timestamp
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        println!("{when} {}", message.event);
    }
    Ok(())
}
