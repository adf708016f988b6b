// Written by hand in the generator's templates/src/logs.rs, and copied here when the client is generated. Change it there, not here.

//! Reading a task instance's log: its messages whichever content type the server answers
//! with, and following a try while it runs, like `tail -f`.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream;

use crate::apis::{GetLogParams, GetLogResponse, MapIndex, TaskInstanceApi, TryNumber};
use crate::models::{
    GetLogAccept, StructuredLogMessage, TaskInstanceState, TaskInstancesLogResponseContent,
};
use crate::{Error, NdjsonStream};

impl GetLogResponse {
    /// The log's messages, whichever content type the server answered with: the JSON body's
    /// `content` (a plain-text line becomes a message with only `event` set) or every line of
    /// an NDJSON body.
    pub async fn messages(self) -> Result<Vec<StructuredLogMessage>, Error> {
        match self {
            GetLogResponse::Ndjson(lines) => lines.collect().await,
            GetLogResponse::Json(log) => match log.content {
                TaskInstancesLogResponseContent::StructuredLogMessageList(messages) => Ok(messages),
                TaskInstancesLogResponseContent::StringList(lines) => lines
                    .into_iter()
                    .map(|event| {
                        serde_json::from_value(serde_json::json!({ "event": event })).map_err(
                            |source| Error::Decode {
                                operation: "get_log",
                                status: 200,
                                body: String::new(),
                                path: String::new(),
                                source,
                            },
                        )
                    })
                    .collect(),
            },
        }
    }
}

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
    pub try_number: TryNumber,
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
        try_number: TryNumber,
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

struct Follower {
    api: TaskInstanceApi,
    target: FollowLog,
    /// How many times each line (by [`identity`]) has been yielded.
    yielded: HashMap<u64, usize>,
    /// How many times each line has come up in the current read.
    this_read: HashMap<u64, usize>,
    lines: Option<NdjsonStream>,
    /// The try had ended when the current read began: this read is the last.
    last_read: bool,
}

impl TaskInstanceApi {
    /// Every log message of one try, each exactly once, as it is written: reads the NDJSON
    /// log again every `poll_interval` until the try has ended and its log is drained.
    ///
    /// A try that has not begun (a run just triggered, a retry still waiting) is waited for,
    /// polling the task instance, so a run can be followed from the moment it is triggered;
    /// when the instance finishes without reaching the try (it was skipped, or failed with
    /// no retries left) the stream ends with no messages.
    ///
    /// Each read is of the whole log: a continuation token does not always say where the last
    /// read ended (Airflow 3.3's NDJSON token carries no position), so the stream counts the
    /// lines it has yielded and yields only what a read adds. A line is the same line when its
    /// time, its text and its place among equal lines are: what else a server attaches may
    /// change between reads (Airflow 3.1 lists other log sources in its header once a deferred
    /// try resumes). The stream owns what it needs, so it can move into a spawned task.
    ///
    /// Each poll is a call under the client's [`RetryPolicy`](crate::RetryPolicy): a dropped
    /// connection, a cut body or a 503 is retried there, and a log read cut mid-body is read
    /// again, so none of them ends the follow or repeats a line. A poll that fails after every
    /// attempt is yielded as the error, and the stream ends.
    pub fn follow_log(
        &self,
        target: FollowLog,
    ) -> impl Stream<Item = Result<StructuredLogMessage, Error>> + Send + 'static {
        let follower = Follower {
            api: self.clone(),
            target,
            yielded: HashMap::new(),
            this_read: HashMap::new(),
            lines: None,
            last_read: false,
        };
        Box::pin(stream::try_unfold(follower, |mut f| async move {
            loop {
                if let Some(lines) = f.lines.as_mut() {
                    match lines.next_line().await {
                        Some(line) => {
                            let message: StructuredLogMessage = lines.decode(&line?)?;
                            let key = identity(&message);
                            let occurrence = f.this_read.entry(key).or_default();
                            *occurrence += 1;
                            let yielded = f.yielded.entry(key).or_default();
                            if *occurrence <= *yielded {
                                continue;
                            }
                            *yielded = *occurrence;
                            return Ok(Some((message, f)));
                        }
                        None => {
                            f.lines = None;
                            if f.last_read {
                                return Ok(None);
                            }
                            tokio::time::sleep(f.target.poll_interval).await;
                        }
                    }
                }
                match phase(&f.api, &f.target).await? {
                    Phase::NotBegun => {
                        tokio::time::sleep(f.target.poll_interval).await;
                        continue;
                    }
                    Phase::NeverRuns => return Ok(None),
                    Phase::Running => f.last_read = false,
                    Phase::Ended => f.last_read = true,
                }
                f.lines = Some(read(&f.api, &f.target).await?);
                f.this_read.clear();
            }
        }))
    }
}

/// What makes a log line the same line in two reads: its timestamp and its text.
fn identity(message: &StructuredLogMessage) -> u64 {
    let mut hasher = DefaultHasher::new();
    message.timestamp.hash(&mut hasher);
    message.event.hash(&mut hasher);
    hasher.finish()
}

/// Where the followed try stands.
enum Phase {
    /// Not begun yet (the instance is still to be scheduled, or waits to retry).
    NotBegun,
    /// Not begun, and the instance has finished without it: there is no log to read.
    NeverRuns,
    Running,
    /// A final state, or a later try has begun.
    Ended,
}

async fn phase(api: &TaskInstanceApi, target: &FollowLog) -> Result<Phase, Error> {
    let t = target;
    let ti = match t.map_index {
        Some(index) => {
            api.get_mapped_task_instance(&t.dag_id, &t.dag_run_id, &t.task_id, MapIndex(index))
                .await?
        }
        None => {
            api.get_task_instance(&t.dag_id, &t.dag_run_id, &t.task_id)
                .await?
        }
    };
    let finished = matches!(
        ti.state,
        Some(
            TaskInstanceState::Success
                | TaskInstanceState::Failed
                | TaskInstanceState::Skipped
                | TaskInstanceState::UpstreamFailed
                | TaskInstanceState::Removed
        )
    );
    Ok(match ti.try_number.cmp(&t.try_number.0) {
        Ordering::Less if finished => Phase::NeverRuns,
        Ordering::Less => Phase::NotBegun,
        Ordering::Equal if finished || ti.state == Some(TaskInstanceState::UpForRetry) => {
            Phase::Ended
        }
        Ordering::Equal => Phase::Running,
        Ordering::Greater => Phase::Ended,
    })
}

/// The whole log of the try, as NDJSON lines.
async fn read(api: &TaskInstanceApi, target: &FollowLog) -> Result<NdjsonStream, Error> {
    let t = target;
    let mut params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
    if let Some(index) = t.map_index {
        params = params.map_index(index);
    }
    match api
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
