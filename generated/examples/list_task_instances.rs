// Written by hand in the generator's templates/examples/list_task_instances.rs, and copied here when the client is generated. Change it there, not here.

//! Lists every task instance of a DAG run, page by page.
//!
//! `cargo run --example list_task_instances -- http://localhost:8080 admin admin DAG_ID RUN_ID`

use airflow_client::apis::GetTaskInstancesParams;
use airflow_client::{Client, TryStreamExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, password, dag_id, run_id] = args.as_slice() else {
        return Err("usage: list_task_instances URL USER PASSWORD DAG_ID RUN_ID".into());
    };
    let client = Client::builder(url.as_str()).login(user, password).await?;
    let api = client.task_instance();
    let params = GetTaskInstancesParams::default();
    let mut instances = api.get_task_instances_stream(dag_id, run_id, &params, 100);
    while let Some(ti) = instances.try_next().await? {
        let state = ti
            .state
            .as_ref()
            .map_or("none".to_string(), ToString::to_string);
        println!(
            "{:<40} map {:>4}  try {}  {state}",
            ti.task_id, ti.map_index, ti.try_number
        );
    }
    Ok(())
}
