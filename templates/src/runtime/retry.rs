//! When and how long to wait before trying a request again.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Retries with exponential backoff and full jitter.
///
/// What is retried: a connection refused or reset before the answer, an attempt that timed
/// out ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)), an answer whose body was
/// cut before its end, and the statuses 408, 429, 502, 503 and 504. Any other status is the
/// answer (a 401 after a login gets one fresh login first), and a body that arrived whole but
/// does not decode is an [`Error::Decode`](crate::Error::Decode), never retried.
///
/// Which requests: idempotent ones (GET, PUT, DELETE, ...) get `attempts`; POST and PATCH get
/// one unless [`RetryPolicy::non_idempotent`] is set, since repeating them may repeat their
/// effect. An NDJSON body cut mid-stream is read again with the attempts the call has left.
///
/// How long: before retry `n` (from 0) the client waits a random share of
/// `base_delay * 2^n`, at most `max_delay`, or the server's `Retry-After` (capped at
/// `max_delay`) when it sent one. With the defaults (3 attempts, 200 ms, 30 s) a failing call
/// waits up to 0.2 s, then up to 0.4 s. A [`ClientBuilder::deadline`](crate::ClientBuilder::deadline)
/// bounds the whole call: a wait that would end past it is not made. After the last attempt
/// the error says how many there were.
///
/// One case where that matters: after answering 500 to a request, Airflow's API server
/// (uvicorn) closes the kept-alive connection without saying so, and a POST or PATCH sent next
/// on it fails with a connection reset ([`Error::Transport`](crate::Error::Transport)) that
/// is not retried. Set `non_idempotent` where your calls are safe to repeat (a dry run, a
/// patch to a fixed state), or retry such an error yourself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 turns retries off).
    pub attempts: u32,
    /// The backoff before the first retry; it doubles on each retry, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_delay: Duration,
    /// Also retry POST and PATCH.
    pub non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// How many attempts a request with this method gets.
    pub(crate) fn attempts_for(&self, method: &reqwest::Method) -> u32 {
        let idempotent = !matches!(*method, reqwest::Method::POST | reqwest::Method::PATCH);
        if idempotent || self.non_idempotent {
            self.attempts.max(1)
        } else {
            1
        }
    }

    /// The wait before attempt `retry + 1`: the server's `Retry-After` when it sent one,
    /// else a random share of the exponential backoff (so clients do not retry in step).
    pub(crate) fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(after) = headers.and_then(retry_after) {
            return after.min(self.max_delay);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        ceiling.mul_f64(jitter())
    }
}

/// Statuses that say "try again later".
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A number in [0, 1) from a per-thread xorshift generator seeded by the clock: good enough
/// to spread retries, with no dependency for it.
fn jitter() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0x9E37_79B9) | 1,
        );
    }
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}
