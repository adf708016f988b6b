// requires-operations: get_log get_task_instance get_mapped_task_instance
// requires-names: GetLogAccept::ApplicationXNdjson GetLogResponse::Ndjson GetLogResponse::Json GetLogParams::token GetLogParams::accept GetLogParams::map_index
//! Following a task instance's log while it runs, like `tail -f`.

use std::time::Duration;

use futures_core::Stream;
use futures_util::stream;

use crate::apis::{GetLogParams, GetLogResponse, TaskInstanceApi};
use crate::models::{GetLogAccept, StructuredLogMessage, TaskInstanceState};
use crate::{Error, NdjsonStream};

/// The header in which the server hands out the continuation token of an NDJSON log.
pub const CONTINUATION_HEADER: &str = "airflow-continuation-token";

/// Which log to follow and how often to look for more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowLog {
    /// The DAG.
    pub dag_id: String,
    /// The DAG run.
    pub dag_run_id: String,
    /// The task.
    pub task_id: String,
    /// The try whose log to read (tries count from 1).
    pub try_number: i64,
    /// The map index of a mapped task instance.
    pub map_index: Option<i64>,
    /// How long to wait before asking again while the try is still running.
    pub poll_interval: Duration,
}

impl FollowLog {
    /// Follows try `try_number` of a task instance, polling every two seconds.
    pub fn new(
        dag_id: impl Into<String>,
        dag_run_id: impl Into<String>,
        task_id: impl Into<String>,
        try_number: i64,
    ) -> Self {
        FollowLog {
            dag_id: dag_id.into(),
            dag_run_id: dag_run_id.into(),
            task_id: task_id.into(),
            try_number,
            map_index: None,
            poll_interval: Duration::from_secs(2),
        }
    }

    /// Follows one map index of a mapped task.
    pub fn map_index(mut self, map_index: i64) -> Self {
        self.map_index = Some(map_index);
        self
    }

    /// How long to wait between polls.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}

struct Follower<'a> {
    api: &'a TaskInstanceApi,
    target: FollowLog,
    token: Option<String>,
    /// Lines already yielded, to skip when the server gives no continuation token.
    seen: usize,
    skip: usize,
    lines: Option<NdjsonStream>,
    /// The try had ended when the current read began: this read is the last.
    last_read: bool,
}

impl TaskInstanceApi {
    /// Every log message of one try, as it is written: reads the NDJSON log, then keeps
    /// asking with the continuation token until the try has ended and its log is drained.
    pub fn follow_log(
        &self,
        target: FollowLog,
    ) -> impl Stream<Item = Result<StructuredLogMessage, Error>> + '_ {
        let follower = Follower {
            api: self,
            target,
            token: None,
            seen: 0,
            skip: 0,
            lines: None,
            last_read: false,
        };
        Box::pin(stream::try_unfold(follower, |mut f| async move {
            loop {
                if let Some(lines) = f.lines.as_mut() {
                    match lines.next::<StructuredLogMessage>().await {
                        Some(message) => {
                            let message = message?;
                            if f.skip > 0 {
                                f.skip -= 1;
                                continue;
                            }
                            f.seen += 1;
                            return Ok(Some((message, f)));
                        }
                        None => {
                            if let Some(token) = lines.header(CONTINUATION_HEADER) {
                                f.token = Some(token.to_string());
                            }
                            f.lines = None;
                            if f.last_read {
                                return Ok(None);
                            }
                            tokio::time::sleep(f.target.poll_interval).await;
                        }
                    }
                }
                f.last_read = f.try_has_ended().await?;
                f.lines = Some(f.read().await?);
                f.skip = if f.token.is_some() { 0 } else { f.seen };
            }
        }))
    }
}

impl Follower<'_> {
    /// Whether the followed try is over: a final state, or a later try has begun.
    async fn try_has_ended(&self) -> Result<bool, Error> {
        let t = &self.target;
        let ti = match t.map_index {
            Some(index) => {
                self.api
                    .get_mapped_task_instance(&t.dag_id, &t.dag_run_id, &t.task_id, index)
                    .await?
            }
            None => {
                self.api
                    .get_task_instance(&t.dag_id, &t.dag_run_id, &t.task_id)
                    .await?
            }
        };
        let ended = matches!(
            ti.state,
            Some(
                TaskInstanceState::Success
                    | TaskInstanceState::Failed
                    | TaskInstanceState::Skipped
                    | TaskInstanceState::UpstreamFailed
                    | TaskInstanceState::Removed
                    | TaskInstanceState::UpForRetry
            )
        );
        Ok(ended || ti.try_number > t.try_number)
    }

    /// The log from the continuation token on (from the start without one), as lines.
    async fn read(&self) -> Result<NdjsonStream, Error> {
        let t = &self.target;
        let mut params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
        if let Some(index) = t.map_index {
            params = params.map_index(index);
        }
        if let Some(token) = &self.token {
            params = params.token(token.clone());
        }
        match self
            .api
            .get_log(&t.dag_id, &t.dag_run_id, &t.task_id, t.try_number, &params)
            .await?
        {
            GetLogResponse::Ndjson(lines) => Ok(lines),
            GetLogResponse::Json(_) => Err(Error::Request {
                operation: "get_log",
                message: "asked for NDJSON, the server answered JSON".into(),
            }),
        }
    }
}
