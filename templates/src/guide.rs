// requires-operations: get_task_instances post_clear_task_instances get_log get_task_instance get_mapped_task_instance
// requires-names: GetLogAccept::ApplicationXNdjson GetLogResponse::Ndjson GetLogResponse::Json GetLogParams::token GetLogParams::accept GetLogParams::map_index TaskInstanceApi::get_task_instances_stream GetTaskInstancesParams::state GetTaskInstancesParams::limit ClearTaskInstancesBody::task_ids ClearTaskInstancesBody::dag_run_id ClearTaskInstancesBody::only_failed ClearTaskInstancesBody::dry_run
//! A walk from logging in to listing task instances, clearing the failed ones and tailing a
//! log. Every block compiles (they are doctests); none runs against a server here.
//!
//! # 1. Connect
//!
//! A token you already have goes in with [`Client::new`](crate::Client::new); a username and
//! password are exchanged for one at the server's token endpoint, and exchanged again once
//! if the token expires mid-session. The token never shows in `Debug` output or errors.
//!
//! ```no_run
//! # async fn example() -> Result<(), airflow_client::Error> {
//! use std::time::Duration;
//! use airflow_client::{Client, RetryPolicy};
//!
//! let client = Client::builder("http://localhost:8080")
//!     .timeout(Duration::from_secs(30))
//!     .retry_policy(RetryPolicy { attempts: 5, ..RetryPolicy::default() })
//!     .login("admin", "admin")
//!     .await?;
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! # 2. List the task instances of a run
//!
//! Required parameters are arguments; optional ones are set on a `...Params` value. Paged
//! lists have a `_stream` twin that walks every page with one page in memory.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::apis::GetTaskInstancesParams;
//! use airflow_client::models::TaskInstanceState;
//! use futures_util::TryStreamExt;
//!
//! let api = client.task_instance();
//! let run = "manual__2024-01-01T00:00:00+00:00"; // sent as ...%3A00%2B00%3A00
//! let page = api
//!     .get_task_instances("etl", run, &GetTaskInstancesParams::default().state([TaskInstanceState::Failed]).limit(20))
//!     .await?;
//! println!("{} failed", page.task_instances.len());
//!
//! let everything = GetTaskInstancesParams::default();
//! let mut all = api.get_task_instances_stream("etl", run, &everything, 500);
//! while let Some(ti) = all.try_next().await? {
//!     // States the client does not know arrive as `TaskInstanceState::Unknown(..)`.
//!     println!("{} {:?}", ti.task_id, ti.state);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # 3. Clear the failed ones
//!
//! A dry run answers what would be cleared; `task_ids` takes plain ids and `(id, map_index)`
//! pairs alike.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::models::ClearTaskInstancesBody;
//!
//! let body = ClearTaskInstancesBody::default()
//!     .dag_run_id("manual__2024-01-01T00:00:00+00:00")
//!     .task_ids(vec!["extract".into(), ("load", 3).into()])
//!     .only_failed(true)
//!     .dry_run(true);
//! let would_clear = client.task_instance().post_clear_task_instances("etl", &body).await?;
//! println!("{} would be cleared", would_clear.task_instances.len());
//! # Ok(())
//! # }
//! ```
//!
//! # 4. Read and tail a log
//!
//! `get_log` answers JSON or, with `accept: application/x-ndjson`, a stream of lines read as
//! they arrive. [`follow_log`](crate::TaskInstanceApi::follow_log) keeps reading until the try
//! ends.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::logs::FollowLog;
//! use futures_util::TryStreamExt;
//!
//! let api = client.task_instance();
//! let mut log = api.follow_log(FollowLog::new("etl", "manual__2024-01-01T00:00:00+00:00", "load", 1));
//! while let Some(message) = log.try_next().await? {
//!     println!("{}", message.event);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # 5. Handle errors
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) {
//! use airflow_client::{Error, ErrorBody};
//!
//! match client.task_instance().get_task_instance("etl", "run", "missing").await {
//!     Ok(ti) => println!("{:?}", ti.state),
//!     Err(Error::Api(e)) if e.status == 404 => {
//!         if let ErrorBody::HttpExceptionResponse(body) = &e.body {
//!             println!("not found: {:?}", body.detail);
//!         }
//!     }
//!     Err(other) => println!("{other}"),
//! }
//! # }
//! ```
