// Written by hand in the generator's templates/examples/clear_failed.rs, and copied here when the client is generated. Change it there, not here.

//! Clears the failed task instances of a DAG run so they run again: first a dry run that
//! shows what would be cleared, then the real thing when `--yes` is given.
//!
//! `cargo run --example clear_failed -- http://localhost:8080 admin admin DAG_ID RUN_ID [--yes]`

use airflow_client::models::ClearTaskInstancesBody;
use airflow_client::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(user), Some(password), Some(dag_id), Some(run_id)) = (
        args.first(),
        args.get(1),
        args.get(2),
        args.get(3),
        args.get(4),
    ) else {
        return Err("usage: clear_failed URL USER PASSWORD DAG_ID RUN_ID [--yes]".into());
    };
    let really = args.iter().any(|a| a == "--yes");
    let client = Client::builder(url.as_str()).login(user, password).await?;
    let body = ClearTaskInstancesBody::default()
        .dag_run_id(run_id.as_str())
        .only_failed(true)
        .dry_run(!really);
    let cleared = client
        .task_instance()
        .post_clear_task_instances(dag_id, &body)
        .await?;
    let verb = if really { "cleared" } else { "would clear" };
    for ti in &cleared.task_instances {
        println!("{verb} {} (map index {})", ti.task_id, ti.map_index);
    }
    println!("{} task instance(s)", cleared.task_instances.len());
    Ok(())
}
