// Written by hand in the generator's templates/src/runtime/operation.rs, and copied here when the client is generated. Change it there, not here.

//! The request an operation method starts from.

use reqwest::Method;

use super::client::Client;
use super::request::Request;

impl Client {
    /// A request for an operation: `template` (`/dags/{dag_id}`) with each `{...}` filled by
    /// the next of `segments`, already percent-encoded.
    pub(crate) fn request(
        &self,
        method: Method,
        operation: &'static str,
        template: &'static str,
        segments: &[String],
    ) -> Request {
        let filled: usize = segments.iter().map(String::len).sum();
        let mut path = String::with_capacity(template.len() + filled);
        let mut segments = segments.iter();
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            path.push_str(before);
            path.push_str(segments.next().map_or("", String::as_str));
            rest = after.split_once('}').map_or("", |(_, after)| after);
        }
        path.push_str(rest);
        Request::new(self, method, operation, template, path)
    }
}
