// requires-operations: get_task_instances post_clear_task_instances get_log get_task_instance get_mapped_task_instance
// requires-names: GetLogAccept::ApplicationXNdjson GetLogResponse::Ndjson GetLogResponse::Json GetLogParams::accept GetLogParams::map_index TaskInstanceApi::get_task_instances_stream GetTaskInstancesParams::state GetTaskInstancesParams::limit GetTaskInstancesParams::offset GetTaskInstancesParams::cursor GetTaskInstancesParams::dag_id_prefix_pattern TaskInstancesLogResponseContent::StructuredLogMessageList TaskInstancesLogResponseContent::StringList ClearTaskInstancesBody::task_ids ClearTaskInstancesBody::dag_run_id ClearTaskInstancesBody::only_failed ClearTaskInstancesBody::dry_run
//! A walk from logging in to listing task instances, clearing the failed ones and tailing a
//! log, then what to know about errors, filters and endpoints the crate does not cover. Every
//! block compiles (they are doctests); none runs against a server here.
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
//! Required parameters are arguments, in the order the API declares them; optional ones are
//! set on a `...Params` value. Paged lists have a `_stream` twin that walks every page with
//! one page in memory; it owns its arguments, so it can be built from temporaries and moved
//! into a spawned task.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::apis::GetTaskInstancesParams;
//! use airflow_client::models::TaskInstanceState;
//! use airflow_client::TryStreamExt;
//!
//! let api = client.task_instance();
//! let run = "manual__2024-01-01T00:00:00+00:00"; // sent as ...%3A00%2B00%3A00
//! let page = api
//!     .get_task_instances("etl", run, &GetTaskInstancesParams::default().state([TaskInstanceState::Failed]).limit(20))
//!     .await?;
//! println!("{} failed", page.task_instances.len());
//!
//! let mut all = api.get_task_instances_stream("etl", run, GetTaskInstancesParams::default(), 500);
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
//! Request bodies are built like parameters: `default()` (or `new` with the required fields)
//! and a setter per field. The server clears nothing unless `dry_run` is `false`: by
//! default it answers what would be cleared. `task_ids` takes plain ids (`vec!["extract"]`, a
//! `Vec<String>`) and `(id, map_index)` pairs; a list of both names the item type.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::models::{ClearTaskInstancesBody, ClearTaskInstancesBodyTaskIdsItem as Id};
//!
//! let body = ClearTaskInstancesBody::default()
//!     .dag_run_id("manual__2024-01-01T00:00:00+00:00")
//!     .task_ids([Id::from("extract"), Id::from(("load", 3))])
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
//! they arrive; [`messages`](crate::apis::GetLogResponse::messages) gives the structured
//! messages either way. [`follow_log`](crate::TaskInstanceApi::follow_log) keeps reading a
//! running try until it ends, each line once; its stream can move into a spawned task.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::apis::{GetLogParams, TryNumber};
//! use airflow_client::logs::FollowLog;
//! use airflow_client::TryStreamExt;
//!
//! let api = client.task_instance();
//! let run = "manual__2024-01-01T00:00:00+00:00";
//! let log = api.get_log("etl", run, "load", TryNumber(1), &GetLogParams::default()).await?;
//! for message in log.messages().await? {
//!     println!("{:?} {}", message.timestamp, message.event);
//! }
//!
//! let tail = tokio::spawn(async move {
//!     let mut log = api.follow_log(FollowLog::new("etl", run, "load", TryNumber(2)));
//!     while let Some(message) = log.try_next().await? {
//!         println!("{}", message.event);
//!     }
//!     Ok::<_, airflow_client::Error>(())
//! });
//! # let _ = tail;
//! # Ok(())
//! # }
//! ```
//!
//! # 5. Handle errors
//!
//! An [`Error::Api`](crate::Error::Api) carries the status, the body typed as the API
//! documents it, and [`detail`](crate::ApiError::detail): what the server said, as a message
//! or a list of validation problems with where each is. `Display` prints that, not raw JSON.
//! A body that is not of the documented shape (a 422 whose `detail` is a sentence, a proxy's
//! HTML page) is kept as [`ErrorBody::Json`](crate::ErrorBody::Json) or `Text`, and
//! `detail()` still reads it.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) {
//! use airflow_client::{Detail, Error};
//!
//! match client.task_instance().get_task_instance("etl", "run", "missing").await {
//!     Ok(ti) => println!("{:?}", ti.state),
//!     Err(Error::Api(e)) if e.status == 404 => println!("not found: {}", e.detail()),
//!     Err(Error::Api(e)) if e.status == 422 => match e.detail() {
//!         Detail::Invalid(problems) => {
//!             for problem in problems {
//!                 println!("{}: {}", problem.location.join("."), problem.message);
//!             }
//!         }
//!         // Some checks answer 422 with a sentence rather than a list.
//!         other => println!("rejected: {other}"),
//!     },
//!     Err(other) => println!("{other}"),
//! }
//! # }
//! ```
//!
//! # 6. Filtering with pattern parameters
//!
//! Many list operations take `*_pattern` and `*_prefix_pattern` parameters
//! (`task_id_pattern`, `dag_id_prefix_pattern`, ...). Unless a parameter's own description
//! says otherwise:
//!
//! - `*_pattern` is a case-insensitive substring match (SQL `ILIKE '%term%'`): `%` matches any
//!   run of characters and `_` any one character (`%customer_%`). Convenient, but no index
//!   helps it, so it is slow on large tables.
//! - `*_prefix_pattern` matches the start of the value, case-sensitively, and can use an
//!   index: prefer it at scale. `%` and `_` are literal there, and trailing characters that
//!   are not letters or digits are dropped (`test_` matches values starting with `test`).
//! - In both, `|` separates alternatives (`extract|load`; since Airflow 3.2.0, where an older
//!   server takes `|` as a character of the term) and `~` matches everything. They take no
//!   regular expressions. `*_prefix_pattern` parameters came in 3.2.2: an older server fails
//!   the call with [`Error::UnsupportedParameter`](crate::Error::UnsupportedParameter).
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::apis::GetTaskInstancesParams;
//!
//! let params = GetTaskInstancesParams::default().dag_id_prefix_pattern("etl_|billing_");
//! let page = client.task_instance().get_task_instances("~", "~", &params).await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```
//!
//! # 7. When the network fails
//!
//! Every call is retried under the client's [`RetryPolicy`](crate::RetryPolicy) (3 attempts by
//! default, backoff from 200 ms doubling up to 30 s, with jitter): a connection refused or
//! reset, an attempt that timed out, a body cut before its end, and the statuses 408, 429,
//! 502, 503 and 504 (honouring `Retry-After`). GET, PUT and DELETE are retried; POST and PATCH
//! only with `non_idempotent`, since repeating them may repeat their effect. Any other 4xx, and
//! a body that arrived whole but does not decode, is never retried.
//!
//! [`timeout`](crate::ClientBuilder::timeout) bounds each attempt, from sending to the last
//! byte; [`deadline`](crate::ClientBuilder::deadline) bounds the whole call, retries and
//! their waits included: a retry whose wait would end past it is not made, and the call ends
//! with the answer it has.
//!
//! What a retry cannot mend reaches you once, in order, and nothing is lost silently:
//!
//! - a `_stream` yields every item before the failed page exactly once, then the error, and
//!   ends; [`resume_from`](crate::Paged::resume_from) says where a new stream picks up;
//! - an NDJSON log cut mid-body is read again, skipping the lines already given, while the
//!   policy has attempts left; then it ends with
//!   [`Error::Incomplete`](crate::Error::Incomplete), which says how many lines came;
//! - [`follow_log`](crate::TaskInstanceApi::follow_log) retries each poll the same way, and
//!   ends with the error only when a poll fails for good.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use std::time::Duration;
//! use airflow_client::apis::GetTaskInstancesParams;
//! use airflow_client::{Client, PageStart, RetryPolicy, TryStreamExt};
//!
//! let client = Client::builder("http://localhost:8080")
//!     .bearer_token("...")
//!     .timeout(Duration::from_secs(10))
//!     .deadline(Duration::from_secs(60))
//!     .retry_policy(RetryPolicy { attempts: 10, ..RetryPolicy::default() })
//!     .build()?;
//! let api = client.task_instance();
//! let mut params = GetTaskInstancesParams::default();
//! let mut resumed = 0;
//! let mut stream = api.get_task_instances_stream("etl", "~", params.clone(), 100);
//! loop {
//!     match stream.try_next().await {
//!         Ok(Some(ti)) => println!("{}", ti.task_id),
//!         Ok(None) => break,
//!         // Pick up where it stopped, a few times at most.
//!         Err(e) if e.is_transient() && resumed < 3 => {
//!             params = match stream.resume_from() {
//!                 Some(PageStart::Offset(offset)) => params.offset(offset),
//!                 Some(PageStart::Cursor(cursor)) => params.cursor(cursor),
//!                 None => return Err(e),
//!             };
//!             resumed += 1;
//!             stream = api.get_task_instances_stream("etl", "~", params.clone(), 100);
//!         }
//!         Err(e) => return Err(e),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # 8. Endpoints this crate does not cover
//!
//! [`Client::call`](crate::Client::call) sends a request to any path with the client's
//! credentials, retries and re-login, and fails with the same errors.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use airflow_client::reqwest::Method;
//!
//! let version: airflow_client::serde_json::Value =
//!     client.call(Method::GET, "/api/v2/version").send().await?;
//! let dags: airflow_client::serde_json::Value = client
//!     .call(Method::GET, "/api/v2/dags")
//!     .query("limit", &5)
//!     .send()
//!     .await?;
//! println!("{} {}", version["version"], dags["total_entries"]);
//! # Ok(())
//! # }
//! ```
//!
//! # 9. One call's options, and the response's headers
//!
//! Each operation returns a [`Pending`](crate::Pending) call. Before it is awaited, it takes
//! a timeout, a deadline or headers of its own, over the client's; `with_response` gives the
//! status and headers along with the data.
//!
//! ```no_run
//! # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
//! use std::time::Duration;
//!
//! let reply = client
//!     .task_instance()
//!     .get_task_instance("etl", "manual__2024-01-01T00:00:00+00:00", "load")
//!     .deadline(Duration::from_secs(10))
//!     .header("x-request-id", "nightly-42")
//!     .with_response()
//!     .await?;
//! println!("{} at {:?}: {:?}", reply.status, reply.headers.get("date"), reply.data.state);
//! # Ok(())
//! # }
//! ```
//!
//! # 10. Without an async runtime
//!
//! With feature `blocking`, the same calls run without one: `.wait()` where async code
//! writes `.await`, and `.wait_iter()` turns a stream into an iterator.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn example() -> Result<(), airflow_client::Error> {
//! use airflow_client::apis::GetTaskInstancesParams;
//! use airflow_client::blocking::{Wait, WaitIter};
//! use airflow_client::Client;
//!
//! let client = Client::builder("http://localhost:8080").login("admin", "admin").wait()?;
//! let api = client.task_instance();
//! let run = "manual__2024-01-01T00:00:00+00:00";
//! let load = api.get_task_instance("etl", run, "load").wait()?;
//! println!("{:?}", load.state);
//! let params = GetTaskInstancesParams::default();
//! for instance in api.get_task_instances_stream("etl", run, params, 100).wait_iter() {
//!     println!("{}", instance?.task_id);
//! }
//! # Ok(())
//! # }
//! ```
