// requires-uses: add_cookie
//! Cookie parameters, which share the one `Cookie` header a request may carry.

use serde::Serialize;

use super::encoding::header_value;
use super::request::Request;

impl Request {
    /// Adds `name=value` to the request's `Cookie` header. What a cookie cannot hold as it is
    /// (`;`, `,`, a space, a quote, a backslash, `%`, anything past ASCII) is percent-encoded,
    /// as the `form` style asks, so a value cannot end its cookie and start another.
    pub(crate) fn add_cookie<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        let Some(text) = header_value(value) else {
            return;
        };
        let mut pair = format!("{name}=");
        for byte in text.bytes() {
            match byte {
                b'!' | b'#' | b'$' | b'&'..=b'+' | b'-'..=b':' | b'<'..=b'[' | b']'..=b'~' => {
                    pair.push(char::from(byte))
                }
                _ => pair.push_str(&format!("%{byte:02X}")),
            }
        }
        self.set.push(name);
        let mut headers = self.headers.iter_mut();
        match headers.find(|(header, _)| *header == "cookie") {
            Some((_, cookies)) => *cookies = format!("{cookies}; {pair}"),
            None => self.headers.push(("cookie", pair)),
        }
    }
}
