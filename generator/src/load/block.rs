//! A fast reader for the block YAML that tools write (PyYAML's dump of a FastAPI schema, for
//! one): block mappings and sequences, plain and quoted scalars, empty flow collections.
//!
//! It is a shortcut, not a YAML parser. Whatever it does not know for sure (comments, anchors,
//! tags, block scalars, flow collections with items, tabs, directives, a key written twice,
//! depth past [`MAX_DEPTH`]) makes it answer `None`, and serde_yaml reads the document
//! instead, so what a document means and every error message stay serde_yaml's. Plain scalars
//! that could be anything but a string are resolved by serde_yaml too. The spec matrix holds
//! its answers equal to serde_yaml's on every released document.

use serde_json::{Map, Value};

use super::strict::{Key, StrictValue};

/// Deeper documents go to serde_yaml, which has its own limit and message for them.
const MAX_DEPTH: usize = 100;

/// The value of `text`, or `None` when the document is not in the subset this reader knows.
pub fn parse(text: &str) -> Option<Value> {
    if !only_plain_characters(text) {
        return None;
    }
    let mut reader = Reader {
        lines: text.split('\n').collect(),
        next: 0,
        depth: 0,
    };
    let first = reader.skip_blank(0)?;
    if reader.indent(first) != 0 || !reader.is_key(first, 0) {
        return None;
    }
    let root = reader.mapping(first, 0)?;
    // Anything left over (a less indented line cannot follow the root) is not ours to judge.
    match reader.skip_blank(reader.next) {
        None => Some(root),
        Some(_) => None,
    }
}

/// No tab, carriage return or other control character, no character YAML also takes for a line
/// break (NEL, U+2028, U+2029), and nothing YAML counts unprintable: those are where YAML's rules
/// get subtle, so serde_yaml takes them.
fn only_plain_characters(text: &str) -> bool {
    if text.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        return false;
    }
    text.is_ascii()
        || text.chars().all(|c| {
            matches!(c, '\u{0}'..='\u{7e}' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                && c != '\u{feff}'
        })
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    /// The first line after the node read last.
    next: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn indent(&self, line: usize) -> usize {
        let text = self.lines[line];
        text.len() - text.trim_start_matches(' ').len()
    }

    fn is_blank(&self, line: usize) -> bool {
        self.lines[line].bytes().all(|b| b == b' ')
    }

    /// The first line at or after `line` with content; `None` at the end. A comment is not
    /// blank here: it sends the document to serde_yaml.
    fn skip_blank(&self, line: usize) -> Option<usize> {
        (line..self.lines.len()).find(|&l| !self.is_blank(l))
    }

    fn rest(&self, line: usize, col: usize) -> &'a str {
        &self.lines[line][col..]
    }

    fn is_dash(&self, line: usize, col: usize) -> bool {
        let rest = self.rest(line, col);
        rest == "-" || rest.starts_with("- ")
    }

    fn is_key(&self, line: usize, col: usize) -> bool {
        key_end(self.rest(line, col)).is_some()
    }

    /// The node that starts at `col` of `line`, in a block whose indentation is `parent`
    /// (`None` at the root). Leaves `next` at the line after the node.
    fn node(&mut self, line: usize, col: usize, parent: usize) -> Option<Value> {
        if self.is_dash(line, col) {
            self.sequence(line, col)
        } else if self.is_key(line, col) {
            self.mapping(line, col)
        } else {
            self.scalar(line, col, parent)
        }
    }

    /// A collection one level deeper than the current one, read by `read`; `None` past
    /// [`MAX_DEPTH`] (serde_yaml counts every nested collection, indentless sequences too).
    fn nested(&mut self, read: impl FnOnce(&mut Self) -> Option<Value>) -> Option<Value> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// A block sequence whose dashes sit at `col`, the first one on `line`.
    fn sequence(&mut self, line: usize, col: usize) -> Option<Value> {
        self.nested(|reader| reader.sequence_items(line, col))
    }

    fn sequence_items(&mut self, mut line: usize, col: usize) -> Option<Value> {
        let mut items = Vec::new();
        loop {
            let rest = self.rest(line, col);
            let after = rest[1..].trim_start_matches(' ');
            let item = if after.is_empty() {
                self.nested_or_null(line, col)?
            } else {
                let start = col + rest.len() - after.len();
                self.node(line, start, col)?
            };
            items.push(item);
            match self.skip_blank(self.next) {
                Some(l) if self.indent(l) == col && self.is_dash(l, col) => line = l,
                Some(l) if self.indent(l) > col => return None,
                _ => return Some(Value::Array(items)),
            }
        }
    }

    /// A block mapping whose keys sit at `col`, the first one on `line`.
    fn mapping(&mut self, line: usize, col: usize) -> Option<Value> {
        self.nested(|reader| reader.mapping_entries(line, col))
    }

    fn mapping_entries(&mut self, mut line: usize, col: usize) -> Option<Value> {
        let mut entries = Map::new();
        loop {
            let rest = self.rest(line, col);
            let end = key_end(rest)?;
            let key = key_text(&rest[..end])?;
            let after = rest[end + 1..].trim_start_matches(' ');
            let value = if after.is_empty() {
                match self.skip_blank(line + 1) {
                    // YAML lets a mapping's sequence value sit at the key's own indentation.
                    Some(l) if self.indent(l) == col && self.is_dash(l, col) => {
                        self.sequence(l, col)?
                    }
                    _ => self.nested_or_null(line, col)?,
                }
            } else {
                let start = col + rest.len() - after.len();
                self.inline_value(line, start, col)?
            };
            if entries.insert(key, value).is_some() {
                return None;
            }
            match self.skip_blank(self.next) {
                Some(l) if self.indent(l) == col && !self.is_dash(l, col) => line = l,
                Some(l) if self.indent(l) >= col => return None,
                _ => return Some(Value::Object(entries)),
            }
        }
    }

    /// The node on the lines after `line` when they are indented past `parent`; null when
    /// nothing is (`key:` or `-` with nothing after it).
    fn nested_or_null(&mut self, line: usize, parent: usize) -> Option<Value> {
        match self.skip_blank(line + 1) {
            Some(l) if self.indent(l) > parent => {
                let start = self.indent(l);
                self.node(l, start, parent)
            }
            _ => {
                self.next = line + 1;
                Some(Value::Null)
            }
        }
    }

    /// What follows `key: ` on its line: a scalar or an empty flow collection.
    fn inline_value(&mut self, line: usize, col: usize, parent: usize) -> Option<Value> {
        if self.is_dash(line, col) || self.is_key(line, col) {
            return None;
        }
        self.scalar(line, col, parent)
    }

    fn scalar(&mut self, line: usize, col: usize, parent: usize) -> Option<Value> {
        let rest = self.rest(line, col);
        match rest.as_bytes()[0] {
            b'"' => self.quoted(line, col, parent, Quote::Double),
            b'\'' => self.quoted(line, col, parent, Quote::Single),
            b'[' | b'{' => {
                self.next = line + 1;
                match rest.trim_end_matches(' ') {
                    "[]" => Some(Value::Array(Vec::new())),
                    "{}" => Some(Value::Object(Map::new())),
                    _ => None,
                }
            }
            _ => self.plain(line, col, parent),
        }
    }

    /// A plain scalar: its lines, folded, then resolved as YAML resolves it.
    fn plain(&mut self, line: usize, col: usize, parent: usize) -> Option<Value> {
        let first = self.rest(line, col).trim_end_matches(' ');
        if starts_with_indicator(first) || !plain_line(first) {
            return None;
        }
        let mut text = first.to_string();
        let mut blank = 0;
        let mut at = line + 1;
        while at < self.lines.len() {
            if self.is_blank(at) {
                blank += 1;
            } else if self.indent(at) > parent {
                let piece = self.lines[at].trim_matches(' ');
                if piece.starts_with(['#', '-', '?', ':']) || !plain_line(piece) {
                    return None;
                }
                fold(&mut text, blank);
                text.push_str(piece);
                blank = 0;
            } else {
                break;
            }
            at += 1;
        }
        self.next = at - blank;
        resolve(&text)
    }

    /// A quoted scalar starting at `col`: its lines folded, its escapes (double quotes) or
    /// doubled quotes (single quotes) read. Nothing but spaces may follow the closing quote.
    fn quoted(&mut self, line: usize, col: usize, parent: usize, quote: Quote) -> Option<Value> {
        let mut text = String::new();
        let mut at = line;
        let mut chars = self.rest(line, col + 1).chars();
        // Folding trims the whitespace a line ends with, but not what an escape wrote.
        let mut keep = 0;
        loop {
            match chars.next() {
                Some(c) if c == quote.mark() => {
                    if quote == Quote::Single && chars.as_str().starts_with('\'') {
                        chars.next();
                        text.push('\'');
                        keep = text.len();
                        continue;
                    }
                    if !chars.as_str().bytes().all(|b| b == b' ') {
                        return None;
                    }
                    self.next = at + 1;
                    return Some(Value::String(text));
                }
                Some('\\') if quote == Quote::Double => {
                    if chars.as_str().is_empty() {
                        // An escaped line break: the next line joins without a space.
                        at += 1;
                        if at >= self.lines.len() || self.is_blank(at) || self.indent(at) <= parent
                        {
                            return None;
                        }
                        chars = self.lines[at].trim_start_matches(' ').chars();
                        continue;
                    }
                    text.push(escape(&mut chars)?);
                    keep = text.len();
                }
                Some(c) => {
                    text.push(c);
                    if c != ' ' {
                        keep = text.len();
                    }
                }
                None => {
                    text.truncate(keep);
                    let mut blank = 0;
                    loop {
                        at += 1;
                        if at >= self.lines.len() {
                            return None;
                        }
                        if !self.is_blank(at) {
                            break;
                        }
                        blank += 1;
                    }
                    if self.indent(at) <= parent {
                        return None;
                    }
                    fold(&mut text, blank);
                    keep = text.len();
                    chars = self.lines[at].trim_start_matches(' ').chars();
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Single,
    Double,
}

impl Quote {
    fn mark(self) -> char {
        match self {
            Quote::Single => '\'',
            Quote::Double => '"',
        }
    }
}

/// Joins a folded line: a space, or one line break per blank line between.
fn fold(text: &mut String, blank: usize) {
    if blank == 0 {
        text.push(' ');
    } else {
        text.extend(std::iter::repeat_n('\n', blank));
    }
}

/// The character a double-quoted escape stands for (after the backslash).
fn escape(chars: &mut std::str::Chars<'_>) -> Option<char> {
    let hex = |chars: &mut std::str::Chars<'_>, digits: usize| {
        let code: String = chars.by_ref().take(digits).collect();
        // `from_str_radix` would also take a sign.
        if code.len() != digits || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(&code, 16).ok().and_then(char::from_u32)
    };
    Some(match chars.next()? {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        'x' => hex(chars, 2)?,
        'u' => hex(chars, 4)?,
        'U' => hex(chars, 8)?,
        _ => return None,
    })
}

/// Where the `:` of a `key: value` (or `key:`) line is, when the line starts with a key.
fn key_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let end = match *bytes.first()? {
        quote @ (b'"' | b'\'') => {
            // A quoted key: the closing quote, then the colon. Escaped or doubled quotes make
            // the key serde_yaml's to read.
            let close = rest[1..].find(quote as char)? + 1;
            if rest[1..close].contains(['\\', '\'']) {
                return None;
            }
            close + 1
        }
        _ => {
            let colon = key_colon(rest)?;
            if starts_with_indicator(rest) || rest[..colon].contains(" #") {
                return None;
            }
            colon
        }
    };
    // YAML limits an implicit key to 1024 characters; serde_yaml reports longer ones.
    if end > 1000 {
        return None;
    }
    let after = &rest[end..];
    (after == ":" || after.starts_with(": ") || after.trim_end_matches(' ') == ":").then_some(end)
}

/// The first `:` followed by a space or the line's end: where a plain key ends.
fn key_colon(rest: &str) -> Option<usize> {
    let bytes = rest.trim_end_matches(' ').as_bytes();
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| b == b':') {
        let colon = at + found;
        if bytes.get(colon + 1).is_none_or(|&b| b == b' ') {
            return Some(colon);
        }
        at = colon + 1;
    }
    None
}

/// A key's text: quoted keys as written, plain ones as YAML resolves them (`200` is `"200"`).
fn key_text(written: &str) -> Option<String> {
    let written = written.trim_end_matches(' ');
    // At the start of a line these are document markers; serde_yaml sorts that out.
    if written.starts_with("---") || written.starts_with("...") {
        return None;
    }
    match written.as_bytes().first()? {
        b'"' | b'\'' => Some(written[1..written.len() - 1].to_string()),
        _ if clearly_text(written) => Some(written.to_string()),
        _ => serde_yaml::from_str::<Key>(written).ok().map(|k| k.0),
    }
}

/// A plain scalar's value: text or a small whole number when that is plainly what it is,
/// otherwise what serde_yaml makes of it.
fn resolve(text: &str) -> Option<Value> {
    // Folded over blank lines, or a document marker when alone on a line: only text is left,
    // and serde_yaml would read it differently on its own.
    if clearly_text(text)
        || text.contains('\n')
        || text.starts_with("---")
        || text.starts_with("...")
    {
        return Some(Value::String(text.to_string()));
    }
    if let Some(number) = small_integer(text) {
        return Some(number);
    }
    match serde_yaml::from_str::<StrictValue>(text).ok()?.0 {
        value @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)) => Some(value),
        _ => None,
    }
}

/// `0`, `50`, `-1`: decimal digits without a leading zero (YAML 1.2 reads `012` as text) and
/// short enough to fit any integer type.
fn small_integer(text: &str) -> Option<Value> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    let plain = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !plain || (negative && digits == "0") {
        return None;
    }
    let magnitude: i64 = digits.parse().ok()?;
    Some(Value::from(if negative { -magnitude } else { magnitude }))
}

/// Starts with a letter (or another character no number starts with) and is not a word YAML
/// gives a meaning (`null`, `true`, ...).
fn clearly_text(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    (first.is_alphabetic() || matches!(first, '_' | '/' | '$' | '('))
        && !matches!(
            text,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )
}

/// A character that makes a plain scalar something else (`- ` is checked as a dash line).
fn starts_with_indicator(text: &str) -> bool {
    text.starts_with([
        '!', '&', '*', '%', '@', '`', '|', '>', '#', ',', '?', ':', '[', ']', '{', '}', '\'', '"',
        ' ',
    ]) || text.starts_with("- ")
        || text == "-"
}

/// A line a plain scalar may hold: no `: ` (a key) and no ` #` (a comment).
fn plain_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.ends_with(b":") && !bytes.windows(2).any(|pair| pair == b": " || pair == b" #")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde_yaml(text: &str) {
        let fast = parse(text).unwrap_or_else(|| panic!("not read fast:\n{text}"));
        let slow = serde_yaml::from_str::<StrictValue>(text).unwrap().0;
        assert_eq!(fast, slow, "{text}");
    }

    fn left_to_serde_yaml(text: &str) {
        assert_eq!(parse(text), None, "{text}");
    }

    #[test]
    fn reads_what_serde_yaml_reads() {
        same_as_serde_yaml("a: 1\nb: x\nc:\nd: ~\ne: true\nf: -2.5\ng: '0'\nh: 012\ni: 0x1f\n");
        same_as_serde_yaml("a:\n- x\n- y: 1\n  z: 2\n-\n- - p\n  - q\nb: []\nc: {}\n");
        same_as_serde_yaml("a:\n  b:\n    - 1\n    -   k: v\n        l: w\n  c: d\n");
        same_as_serde_yaml("'200':\n  description: ok\n\"x y\": 1\n201: 2\n1.5: 3\nnull: 4\n");
        same_as_serde_yaml("a: one\n  two\n\n  three\n\n\nb: Null\nc: nan\nd: .inf\n");
        same_as_serde_yaml(
            "a: \"x \\u2014 y\\\n  \\ z \\\"q\\\" \\/ \\\\ \\t\"\nb: \"one\n  two\n\n  three  \"\n",
        );
        same_as_serde_yaml("a: 'it''s\n  folded\n\n\n  twice'\nb: 'x'  \nc: \"\"\nd: ''\n");
        same_as_serde_yaml("a: \"trailing\\ \n  kept\"\nb: \"spaces   \n  trimmed\"\n");
        same_as_serde_yaml("a:\n  b\n  c\ne: x:y\nf: a#b\ng: http://x/y?z=1\n");
        same_as_serde_yaml("a: \\ x\n\n  y\nb: --- c\nc: ... d\nd: 1\n\n  2\n");
        same_as_serde_yaml("\n\na: 1\nb: 99999999999999999999999999999999999999999\n\n\n");
    }

    #[test]
    fn leaves_the_rest_to_serde_yaml() {
        for text in [
            "a: 1 # comment\n",
            "# comment\na: 1\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: [1, 2]\n",
            "a: 1\na: 2\n",
            "---\na: 1\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: x\u{2028}y\n",
            "a: x\u{85}y\n",
            "- a\n",
            "a\n",
            "a:\n  b: 1\n   c: 2\n",
            "? a\n: b\n",
            "a: \"open\n",
            "a: \"x\" y\n",
            "a: 'x\\'y'\n",
            "a: b: c\n",
            "a: 99999999999999999999999999999999999999\n",
            "---: 1\n",
            "--- x: 1\n",
            "a:\n  --- x: 1\n",
            "k: v\n--- x: 2\n",
            "a: \"\\x+1\"\n",
            "a: \"\\u+041\"\n",
            "a: \"\\U+0000041\"\n",
        ] {
            left_to_serde_yaml(text);
        }
    }

    #[test]
    fn indentless_sequences_count_towards_the_depth() {
        // `a:` then `- a:` ever deeper: each level is a sequence and a mapping.
        let mut text = String::from("a:\n");
        for depth in 0..70 {
            text.push_str(&" ".repeat(2 * depth));
            text.push_str("- a:\n");
        }
        assert!(serde_yaml::from_str::<StrictValue>(&text).is_err());
        left_to_serde_yaml(&text);
    }

    #[test]
    fn a_key_longer_than_yaml_allows_is_left_to_serde_yaml() {
        left_to_serde_yaml(&format!("{}: 1\n", "k".repeat(1100)));
        same_as_serde_yaml(&format!("{}: 1\n", "k".repeat(900)));
    }

    #[test]
    fn too_deep_is_left_to_serde_yaml() {
        let mut text = String::new();
        for depth in 0..=MAX_DEPTH + 1 {
            text.push_str(&" ".repeat(depth));
            text.push_str("a:\n");
        }
        left_to_serde_yaml(&text);
    }

    #[test]
    fn the_pinned_spec_is_read_as_serde_yaml_reads_it() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/v2-rest-api-generated.yaml"
        );
        same_as_serde_yaml(&std::fs::read_to_string(path).expect("the pinned spec"));
    }
}
