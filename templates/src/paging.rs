//! Streams that page through a list operation, one page in memory at a time.

use std::future::Future;

use futures_core::Stream;
use futures_util::{stream, TryStreamExt};

use crate::Error;

/// Where a page starts: an offset, or a keyset cursor (empty for the first page).
// A document without cursor paging never reads a cursor.
#[allow(dead_code)]
#[derive(Clone)]
pub(crate) enum At {
    Offset(i64),
    Cursor(String),
}

// Not every document has a paged list, so this may go unused in a given crate.
#[allow(dead_code)]
impl At {
    /// The offset of an offset page (an offset-only stream is never asked for a cursor page).
    pub fn offset(&self) -> i64 {
        match self {
            At::Offset(offset) => *offset,
            At::Cursor(_) => 0,
        }
    }
}

/// One page: its items, the total the server reports, and the next page's cursor.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<i64>,
    pub next: Option<String>,
}

/// The stream's state between pages.
struct State<C, F> {
    /// Where the next page starts; `None` before the first, until `by_cursor` has answered.
    at: Option<At>,
    by_cursor: Option<C>,
    start: i64,
    page_size: i64,
    done: bool,
    fetch: F,
}

/// Every item of a paged list: `fetch(at, limit)` returns one page. When `by_cursor` says so
/// the stream pages by keyset cursor and stops when there is no next one; otherwise by
/// offset, stopping at the total, on an empty page, or, when the server reports no total, on
/// a page shorter than `page_size`.
// Not every document has a paged list, so this may go unused in a given crate.
#[allow(dead_code)]
pub(crate) fn paginate<T, C, F, Fut>(
    start: i64,
    page_size: i64,
    by_cursor: C,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: Send + 'static,
    C: Future<Output = bool> + Send + 'static,
    F: FnMut(At, i64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let state = State {
        at: None,
        by_cursor: Some(by_cursor),
        start: start.max(0),
        page_size: page_size.max(1),
        done: false,
        fetch,
    };
    let pages = stream::try_unfold(state, |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let at = match state.at.take() {
            Some(at) => at,
            None => {
                let by_cursor = match state.by_cursor.take() {
                    Some(by_cursor) => by_cursor.await,
                    None => false,
                };
                if by_cursor {
                    At::Cursor(String::new())
                } else {
                    At::Offset(state.start)
                }
            }
        };
        let page = (state.fetch)(at.clone(), state.page_size).await?;
        if page.items.is_empty() {
            return Ok(None);
        }
        let got = page.items.len() as i64;
        match at {
            // An empty cursor would be the first page again.
            At::Cursor(_) => match page.next {
                Some(next) if !next.is_empty() => state.at = Some(At::Cursor(next)),
                _ => state.done = true,
            },
            At::Offset(offset) => {
                let offset = offset + got;
                state.done = match page.total {
                    Some(total) => offset >= total,
                    None => got < state.page_size,
                };
                state.at = Some(At::Offset(offset));
            }
        }
        Ok(Some((page.items, state)))
    });
    // Pinned on the heap so callers can `.next().await` without pinning it themselves.
    Box::pin(
        pages
            .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
            .try_flatten(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type Fetched = std::future::Ready<Result<Page<i64>, Error>>;

    /// Pages of `0..total`; a cursor is the next item, as text.
    fn pages(total: i64, report_total: bool) -> impl FnMut(At, i64) -> Fetched + Send {
        move |at, limit| {
            let from = match &at {
                At::Offset(offset) => *offset,
                At::Cursor(cursor) => cursor.parse().unwrap_or(0),
            };
            let to = (from + limit).min(total);
            let next = matches!(at, At::Cursor(_)) && to < total;
            std::future::ready(Ok(Page {
                items: (from..to).collect(),
                total: report_total.then_some(total),
                next: next.then(|| to.to_string()),
            }))
        }
    }

    async fn collect(stream: impl Stream<Item = Result<i64, Error>>) -> Vec<i64> {
        stream.try_collect::<Vec<_>>().await.unwrap()
    }

    fn by_offset() -> std::future::Ready<bool> {
        std::future::ready(false)
    }

    #[tokio::test]
    async fn pages_through_to_the_total() {
        assert_eq!(
            collect(paginate(0, 3, by_offset(), pages(10, true))).await,
            (0..10).collect::<Vec<_>>()
        );
        assert_eq!(
            collect(paginate(4, 5, by_offset(), pages(10, true))).await,
            (4..10).collect::<Vec<_>>()
        );
        assert_eq!(
            collect(paginate(0, 5, by_offset(), pages(0, true))).await,
            Vec::<i64>::new()
        );
    }

    #[tokio::test]
    async fn without_a_total_a_short_page_ends_it() {
        assert_eq!(
            collect(paginate(0, 4, by_offset(), pages(10, false))).await,
            (0..10).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn by_cursor_it_follows_the_next_cursor_to_the_end() {
        assert_eq!(
            collect(paginate(0, 4, std::future::ready(true), pages(10, true))).await,
            (0..10).collect::<Vec<_>>()
        );
    }
}
