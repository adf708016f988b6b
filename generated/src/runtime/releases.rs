// Written by hand in the generator's templates/src/runtime/releases.rs, and copied here when the client is generated. Change it there, not here.

//! Operations and parameters newer than the oldest release the client supports.

use super::request::Request;

impl Request {
    /// What some supported releases lack: the operation itself (added in `since`), and
    /// `newer` parameters, each with the release that added it. A 404 or 405 from a server
    /// older than `since` is [`Error::Unsupported`](crate::Error::Unsupported); a newer
    /// parameter that is set fails the call unsent on an older server, which would ignore
    /// it ([`Error::UnsupportedParameter`](crate::Error::UnsupportedParameter)).
    pub(crate) fn releases(
        &mut self,
        since: Option<&'static str>,
        newer: &'static [(&'static str, &'static str)],
    ) {
        self.since = since;
        self.newer = newer;
    }
}
