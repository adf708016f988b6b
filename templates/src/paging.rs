//! Streams that page through a list operation, one page in memory at a time.

use std::future::Future;

use futures_core::Stream;
use futures_util::{stream, TryStreamExt};

use crate::Error;

struct Cursor {
    offset: i64,
    done: bool,
}

/// Every item of a paged list: `fetch(offset, limit)` returns one page and the total the
/// server reports. Paging stops at the total, on an empty page, or, when the server reports
/// no total, on a page shorter than `page_size`.
// Not every document has a paged list, so this may go unused in a given crate.
#[allow(dead_code)]
pub(crate) fn paginate<T, F, Fut>(
    start: i64,
    page_size: i64,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(i64, i64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>> + Send + 'static,
{
    let page_size = page_size.max(1);
    let pages = stream::try_unfold(
        Cursor {
            offset: start.max(0),
            done: false,
        },
        move |cursor| {
            let page = (!cursor.done).then(|| fetch(cursor.offset, page_size));
            async move {
                let Some(page) = page else { return Ok(None) };
                let (items, total) = page.await?;
                if items.is_empty() {
                    return Ok(None);
                }
                let offset = cursor.offset + items.len() as i64;
                let done = match total {
                    Some(total) => offset >= total,
                    None => (items.len() as i64) < page_size,
                };
                Ok(Some((items, Cursor { offset, done })))
            }
        },
    );
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

    type Page = std::future::Ready<Result<(Vec<i64>, Option<i64>), Error>>;

    fn pages(total: i64, report_total: bool) -> impl FnMut(i64, i64) -> Page {
        move |offset, limit| {
            let items = (offset..(offset + limit).min(total)).collect();
            std::future::ready(Ok((items, report_total.then_some(total))))
        }
    }

    async fn collect(stream: impl Stream<Item = Result<i64, Error>>) -> Vec<i64> {
        stream.try_collect::<Vec<_>>().await.unwrap()
    }

    #[tokio::test]
    async fn pages_through_to_the_total() {
        assert_eq!(
            collect(paginate(0, 3, pages(10, true))).await,
            (0..10).collect::<Vec<_>>()
        );
        assert_eq!(
            collect(paginate(4, 5, pages(10, true))).await,
            (4..10).collect::<Vec<_>>()
        );
        assert_eq!(
            collect(paginate(0, 5, pages(0, true))).await,
            Vec::<i64>::new()
        );
    }

    #[tokio::test]
    async fn without_a_total_a_short_page_ends_it() {
        assert_eq!(
            collect(paginate(0, 4, pages(10, false))).await,
            (0..10).collect::<Vec<_>>()
        );
    }
}
