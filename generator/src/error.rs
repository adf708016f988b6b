//! The generator's errors: a place in the document that cannot become a client, or an input
//! the generator could not read.

use std::{fmt, path::PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Something in the document: what is wrong, where, and what to change.
    Spec(SpecError),
    /// The templates folder lacks a file the emitted crate needs.
    MissingTemplate(String),
    /// A file the generator reads could not be read.
    Io { path: PathBuf, message: String },
    /// The release history index does not read.
    History(String),
}

impl From<SpecError> for Error {
    fn from(error: SpecError) -> Self {
        Error::Spec(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(e) => e.fmt(f),
            Error::MissingTemplate(name) => write!(
                f,
                "template `{name}` is missing; restore it under templates/"
            ),
            Error::Io { path, message } => write!(f, "cannot read {}: {message}", path.display()),
            Error::History(message) => write!(
                f,
                "the release history does not read: {message}; \
                 rewrite it with `cargo xtask history`"
            ),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place in the document the generator cannot turn into a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// JSON pointer into the (normalised) document, `""` for the whole document.
    pub pointer: String,
    /// 1-based line in the source text, when it could be located.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What the author of the spec (or the caller) can change.
    pub hint: Option<String>,
}

pub type SpecResult<T> = std::result::Result<T, SpecError>;

impl SpecError {
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_line(mut self, line: Option<usize>) -> Self {
        self.line = self.line.or(line);
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let root = self.pointer.is_empty().then_some("(document root)");
        let pointer = root.unwrap_or(&self.pointer);
        let line = self.line.map(|line| format!(" (line {line})"));
        let hint = self.hint.as_ref().map(|hint| format!("; {hint}"));
        let (line, hint) = (line.unwrap_or_default(), hint.unwrap_or_default());
        write!(f, "at {pointer}{line}: {}{hint}", self.message)
    }
}

impl std::error::Error for SpecError {}

/// A `$ref` fragment is a URI fragment: percent-decoded before it is read as a pointer.
pub fn percent_decode(text: &str) -> String {
    let mut parts = text.split('%');
    let mut out = parts.next().unwrap_or_default().as_bytes().to_vec();
    let is_hex = |h: &&str| h.bytes().all(|b| b.is_ascii_hexdigit());
    for part in parts {
        let hex = part.get(..2).filter(is_hex);
        let (byte, rest) = match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => (byte, &part[2..]),
            None => (b'%', part),
        };
        out.push(byte);
        out.extend_from_slice(rest.as_bytes());
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Undoes the escaping of a reference token that [`join`] does.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends a token to a pointer, escaped as RFC 6901 says.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}
