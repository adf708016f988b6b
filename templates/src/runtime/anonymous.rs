// requires-uses: anonymous
//! Operations the document lets anyone call.

use super::request::Request;

impl Request {
    /// Sends this request without the client's credentials.
    pub(crate) fn anonymous(&mut self) {
        self.auth = false;
    }
}
