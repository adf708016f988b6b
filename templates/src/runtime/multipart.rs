// requires-uses: multipart
//! `multipart/form-data` bodies: each field of a struct one part, a file a part with its name
//! and media type, a list one part per item.
//!
//! The body is encoded whole into bytes before it is sent, so a request that is retried sends
//! the same bytes again (a streamed part could be sent only once). Files are read into memory
//! when their [`FilePart`] is made.

use std::cell::RefCell;
use std::path::Path;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::encoding::{for_each_field, to_value};
use super::request::Request;

/// A file sent as one part of a `multipart/form-data` body: its bytes, and the file name and
/// media type the part announces (unless set, the field's name and `application/octet-stream`).
///
/// ```no_run
/// # fn example() -> std::io::Result<()> {
/// use airflow_client::FilePart;
///
/// let from_bytes = FilePart::from(b"a,b\n1,2\n".to_vec()).named("table.csv").media_type("text/csv");
/// let from_disk = FilePart::from_path("Cargo.toml")?; // named `Cargo.toml`
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct FilePart {
    bytes: Bytes,
    file_name: Option<String>,
    media_type: Option<String>,
}

impl FilePart {
    /// A part holding `bytes`, with no file name.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            media_type: None,
        }
    }

    /// The file at `path`, read now, named by its last component.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let part = FilePart::new(std::fs::read(path)?);
        Ok(match path.file_name() {
            Some(name) => part.named(name.to_string_lossy()),
            None => part,
        })
    }

    /// Everything `reader` gives until its end.
    pub fn from_reader(mut reader: impl std::io::Read) -> std::io::Result<Self> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        Ok(FilePart::new(bytes))
    }

    /// Every chunk of `stream` until its end, or its first error.
    pub async fn from_stream<S, B, E>(stream: S) -> Result<Self, E>
    where
        S: Stream<Item = Result<B, E>>,
        B: AsRef<[u8]>,
    {
        let bytes = stream
            .try_fold(Vec::new(), |mut all, chunk| async move {
                all.extend_from_slice(chunk.as_ref());
                Ok(all)
            })
            .await?;
        Ok(FilePart::new(bytes))
    }

    /// The file name the part announces.
    pub fn named(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The media type the part announces.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The file name, when set.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<Bytes> for FilePart {
    fn from(bytes: Bytes) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(bytes: &'static [u8]) -> Self {
        FilePart::new(bytes)
    }
}

impl From<String> for FilePart {
    fn from(text: String) -> Self {
        FilePart::new(text)
    }
}

/// Its size, not its bytes.
impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

thread_local! {
    /// The files of the body [`encode`] is turning into parts on this thread, while it runs.
    static FILES: RefCell<Option<Vec<FilePart>>> = const { RefCell::new(None) };
}

/// Starts the text that stands for a file in the body's JSON form while [`encode`] runs.
const FILE_MARKER: &str = "\u{0}file part ";

/// In a body being encoded, a marker [`encode`] swaps for the file; anywhere else (a model sent
/// as JSON) its bytes as text.
impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let index = FILES.with(|files| {
            let mut files = files.borrow_mut();
            let files = files.as_mut()?;
            files.push(self.clone());
            Some(files.len() - 1)
        });
        match index {
            Some(i) => serializer.serialize_str(&format!("{FILE_MARKER}{i}")),
            None => serializer.serialize_str(&String::from_utf8_lossy(&self.bytes)),
        }
    }
}

/// From text, as a binary string reads in JSON.
impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(FilePart::from)
    }
}

/// One part: its field name, its file (name and media type) if it is one, its bytes.
struct Part {
    name: String,
    file: Option<FilePart>,
    bytes: Bytes,
}

/// `body`'s fields as parts, and the `Content-Type` (with its boundary) that goes with them.
pub(crate) fn encode<T: Serialize + ?Sized>(body: &T) -> Result<(String, Vec<u8>), String> {
    FILES.with(|files| *files.borrow_mut() = Some(Vec::new()));
    let fields = fields(body);
    let files = FILES
        .with(|files| files.borrow_mut().take())
        .unwrap_or_default();
    let mut parts = Vec::new();
    for (name, value) in fields? {
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        for item in items {
            let file = match &item {
                Value::String(s) => s.strip_prefix(FILE_MARKER).and_then(|i| i.parse().ok()),
                _ => None,
            };
            let file: Option<FilePart> = file.and_then(|i: usize| files.get(i).cloned());
            let bytes = match (&file, item) {
                (Some(file), _) => file.bytes.clone(),
                (None, Value::Null) => continue,
                (None, Value::String(text)) => text.into(),
                (None, other) => other.to_string().into(),
            };
            let name = name.clone();
            parts.push(Part { name, file, bytes });
        }
    }
    let boundary = boundary(&parts);
    let mut out = Vec::new();
    for part in &parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!(
            "Content-Disposition: form-data; name=\"{}\"",
            quoted(&part.name)
        );
        if let Some(file) = &part.file {
            let media_type = file
                .media_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            // A part is a file to the server by its file name (Starlette reads one without it
            // as text): the field's name stands in for one not set.
            let file_name = file.file_name.as_deref().unwrap_or(&part.name);
            disposition.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
            disposition.push_str(&format!("\r\nContent-Type: {}", quoted(media_type)));
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(&part.bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), out))
}

/// A struct's fields in its order, or a map's in key order.
fn fields<T: Serialize + ?Sized>(body: &T) -> Result<Vec<(String, Value)>, String> {
    let mut fields = Vec::new();
    if for_each_field(body, |name, value| fields.push((name.to_string(), value))).is_ok() {
        return Ok(fields);
    }
    match to_value(body) {
        Value::Object(map) => Ok(map.into_iter().collect()),
        other => Err(format!("an object was expected, not `{other}`")),
    }
}

/// A boundary no part contains, the same for the same parts.
fn boundary(parts: &[Part]) -> String {
    (0u64..)
        .map(|n| format!("form-data-boundary-{n:08x}"))
        .find(|b| {
            let b = b.as_bytes();
            !parts
                .iter()
                .any(|p| p.bytes.windows(b.len()).any(|w| w == b))
        })
        .unwrap_or_default()
}

/// A name as a quoted header parameter carries it (as browsers write it): `"`, CR and LF
/// percent-encoded.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

impl Request {
    /// `body` (a struct) as `multipart/form-data`.
    pub fn multipart<T: Serialize + ?Sized>(&mut self, body: &T) {
        match encode(body) {
            Ok((content_type, bytes)) => self.body(content_type, bytes),
            Err(e) => self.fail(format!("the multipart body does not serialise: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Upload {
        file: FilePart,
        extra: Vec<FilePart>,
        note: Option<String>,
        count: i64,
        tags: Vec<String>,
        missing: Option<String>,
    }

    #[test]
    fn fields_become_parts_in_order_files_with_their_names() {
        let body = Upload {
            file: FilePart::from(b"a,b\n".to_vec())
                .named("t\"1.csv")
                .media_type("text/csv"),
            extra: vec![FilePart::from(&b"x"[..]), FilePart::from("y".to_string())],
            note: Some("hi".into()),
            count: 5,
            tags: vec!["a".into(), "b".into()],
            missing: None,
        };
        let (content_type, bytes) = encode(&body).unwrap();
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=form-data-boundary-00000000"
        );
        let text = String::from_utf8(bytes).unwrap();
        let b = "--form-data-boundary-00000000";
        let expected = [
            format!("{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t%221.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\n\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"extra\"; filename=\"extra\"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"extra\"; filename=\"extra\"\r\nContent-Type: application/octet-stream\r\n\r\ny\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n5\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\na\r\n"),
            format!("{b}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nb\r\n"),
            format!("{b}--\r\n"),
        ]
        .concat();
        assert_eq!(text, expected);
    }

    #[test]
    fn the_boundary_is_one_no_part_contains() {
        let body = Upload {
            file: FilePart::from(b"--form-data-boundary-00000000".to_vec()),
            extra: Vec::new(),
            note: None,
            count: 1,
            tags: Vec::new(),
            missing: None,
        };
        let (content_type, _) = encode(&body).unwrap();
        assert!(content_type.ends_with("form-data-boundary-00000001"));
    }

    #[test]
    fn a_file_outside_a_multipart_body_is_its_text_and_not_an_object_fails() {
        let file = FilePart::from(b"abc".to_vec()).named("f");
        assert_eq!(serde_json::to_string(&file).unwrap(), "\"abc\"");
        assert!(encode(&[1, 2])
            .unwrap_err()
            .contains("an object was expected"));
    }

    #[tokio::test]
    async fn files_from_a_stream_a_reader_and_a_path() {
        let chunks =
            futures_util::stream::iter([Ok::<_, std::io::Error>(&b"ab"[..]), Ok(&b"c"[..])]);
        assert_eq!(
            FilePart::from_stream(chunks).await.unwrap().bytes(),
            &b"abc"[..]
        );
        assert_eq!(
            FilePart::from_reader(&b"xyz"[..]).unwrap().bytes(),
            &b"xyz"[..]
        );
        let path = std::env::temp_dir().join(format!("multipart-{}.txt", std::process::id()));
        std::fs::write(&path, "on disk").unwrap();
        let part = FilePart::from_path(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(part.bytes(), &b"on disk"[..]);
        assert_eq!(part.file_name(), path.file_name().and_then(|n| n.to_str()));
    }
}
