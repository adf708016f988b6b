// requires-uses: paginate
//! Streams that page through a list operation, one page in memory at a time, and that say
//! where to resume when a page fails.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Error;

/// Where a page of a list starts: an offset, or a keyset cursor (empty for the first page).
/// [`Paged::resume_from`] gives one, and the operation's parameters take it back: set `offset`
/// or `cursor` to it and stream again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    /// The number of items before the page.
    Offset(i64),
    /// The server's cursor for the page.
    Cursor(String),
}

impl PageStart {
    /// The offset, when the page starts at one.
    pub fn offset(&self) -> Option<i64> {
        match self {
            PageStart::Offset(offset) => Some(*offset),
            PageStart::Cursor(_) => None,
        }
    }

    /// The cursor, when the page starts at one.
    pub fn cursor(&self) -> Option<&str> {
        match self {
            PageStart::Offset(_) => None,
            PageStart::Cursor(cursor) => Some(cursor),
        }
    }
}

/// One page: its items, the total the server reports, and the next page's cursor.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<i64>,
    pub next: Option<String>,
}

type Fetching<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;
type Fetch<T> = Box<dyn FnMut(PageStart, i64) -> Fetching<T> + Send>;

/// Every item of a paged list, as a [`Stream`]: the `_stream` twin of a list operation.
///
/// Each page is one call, made under the client's [`RetryPolicy`](crate::RetryPolicy), so a
/// connection dropped mid-page is retried like any other call. A page that fails for good is
/// yielded once as the error, after every earlier item exactly once, and the stream ends;
/// [`Paged::resume_from`] then says where a new stream picks up, with no item twice and none
/// skipped: set the operation's `offset` or `cursor` parameter to it and stream again (the
/// crate's guide, where it has one, shows this in full).
///
/// By offset, an item added or removed before the current offset while the stream runs makes
/// it skip or repeat one; by cursor (where the operation and the server have one) it does not.
pub struct Paged<T> {
    fetch: Fetch<T>,
    page_size: i64,
    /// Decides where the first page starts (by cursor or offset); `None` once it has.
    first: Option<Pin<Box<dyn Future<Output = PageStart> + Send>>>,
    /// Where the next page starts; `None` at the end of the list.
    next: Option<PageStart>,
    fetching: Option<Fetching<T>>,
    /// The page being yielded: where it starts, and how many of its items went out.
    current: Option<(PageStart, i64)>,
    items: std::vec::IntoIter<T>,
    /// A page failed: the stream has ended, and `next` is where that page started.
    failed: bool,
}

// Nothing in a `Paged` is pinned in place: its futures are boxed and its items only moved.
impl<T> Unpin for Paged<T> {}

impl<T> std::fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged")
            .field("page_size", &self.page_size)
            .field("resume_from", &self.resume_from())
            .finish_non_exhaustive()
    }
}

impl<T> Paged<T> {
    /// Where a new stream would start to yield exactly the items this one has not: after an
    /// error, the start of the page that failed. `None` at the end of the list, and in the
    /// middle of a cursor page (a cursor names only the start of a page; finish the page
    /// first).
    pub fn resume_from(&self) -> Option<PageStart> {
        match &self.current {
            Some((PageStart::Offset(offset), given)) if self.items.len() > 0 => {
                Some(PageStart::Offset(offset + given))
            }
            Some((PageStart::Cursor(_), _)) if self.items.len() > 0 => None,
            _ => self.next.clone(),
        }
    }
}

/// Every item of a paged list: `fetch(at, limit)` returns one page. The first page starts at
/// `cursor` when it is set, else at `offset` when that is, else by cursor from the start when
/// `by_cursor` resolves true, else at offset 0. By cursor the stream stops when there is no
/// next one; by offset at the total, on an empty page, or, when the server reports no total,
/// on a page shorter than `page_size`.
pub(crate) fn paginate<T, F, Fut>(
    offset: Option<i64>,
    cursor: Option<String>,
    by_cursor: impl Future<Output = bool> + Send + 'static,
    page_size: i64,
    mut fetch: F,
) -> Paged<T>
where
    F: FnMut(PageStart, i64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let first = async move {
        match (cursor, offset) {
            (Some(cursor), _) => PageStart::Cursor(cursor),
            (None, Some(offset)) => PageStart::Offset(offset.max(0)),
            (None, None) if by_cursor.await => PageStart::Cursor(String::new()),
            (None, None) => PageStart::Offset(0),
        }
    };
    Paged {
        fetch: Box::new(move |at, limit| Box::pin(fetch(at, limit))),
        page_size: page_size.max(1),
        first: Some(Box::pin(first)),
        next: None,
        fetching: None,
        current: None,
        items: Vec::new().into_iter(),
        failed: false,
    }
}

impl<T> Paged<T> {
    /// Takes a fetched page in: its items to yield, and where the one after it starts.
    fn arrived(&mut self, at: PageStart, page: Page<T>) {
        let got = page.items.len() as i64;
        self.next = match (&at, page.next) {
            _ if got == 0 => None,
            // An empty cursor would be the first page again.
            (PageStart::Cursor(_), Some(next)) if !next.is_empty() => Some(PageStart::Cursor(next)),
            (PageStart::Cursor(_), _) => None,
            (PageStart::Offset(offset), _) => {
                let end = offset + got;
                let more = match page.total {
                    Some(total) => end < total,
                    None => got >= self.page_size,
                };
                more.then_some(PageStart::Offset(end))
            }
        };
        self.current = Some((at, 0));
        self.items = page.items.into_iter();
    }
}

impl<T> Stream for Paged<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                if let Some((_, given)) = &mut this.current {
                    *given += 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            if this.failed {
                return Poll::Ready(None);
            }
            if let Some(first) = &mut this.first {
                let start = std::task::ready!(first.as_mut().poll(cx));
                this.first = None;
                this.next = Some(start);
            }
            if let Some(fetching) = &mut this.fetching {
                let result = std::task::ready!(fetching.as_mut().poll(cx));
                this.fetching = None;
                let at = this.next.take().unwrap_or(PageStart::Offset(0));
                match result {
                    Ok(page) => this.arrived(at, page),
                    Err(e) => {
                        this.next = Some(at);
                        this.current = None;
                        this.failed = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                continue;
            }
            match &this.next {
                Some(at) => this.fetching = Some((this.fetch)(at.clone(), this.page_size)),
                None => return Poll::Ready(None),
            }
        }
    }
}
