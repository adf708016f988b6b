//! Parsing a large document on two threads. YAML parsing is the slowest step of loading, and
//! an OpenAPI document is a block mapping whose big entries (`paths`, `components`) are
//! themselves mappings, so it can be cut at a key line near its middle into two documents that
//! parse on their own: the second gets its parent key line (`paths:`) put back in front.
//!
//! This is only a shortcut. Whenever a cut is not plainly safe, either half fails to parse, or
//! the halves share a key, the caller parses the whole text instead, so what a document means,
//! and every error message, is the single parse's.

use serde_json::{Map, Value};

/// Below this size one thread is as fast.
const MIN_SPLIT_BYTES: usize = 64 * 1024;

/// The root mappings of the two halves, parsed on their own.
pub struct Halves<'t> {
    first: Map<String, Value>,
    second: Map<String, Value>,
    /// The root key whose entries the cut divides, when it is inside one.
    parent: Option<&'t str>,
}

impl Halves<'_> {
    /// A root holding only the `openapi` key, for checking the declared version.
    pub fn version_root(&self) -> Option<Value> {
        let version = self
            .first
            .get("openapi")
            .or_else(|| self.second.get("openapi"))?;
        let mut root = Map::new();
        root.insert("openapi".into(), version.clone());
        Some(Value::Object(root))
    }

    /// Normalises both halves at once (`normalise::entries`: every entry stands alone).
    pub fn normalise(&mut self) {
        let Halves { first, second, .. } = self;
        crate::parallel::join(
            || super::normalise::entries(second),
            || super::normalise::entries(first),
        );
    }

    /// The whole root mapping, or `None` when the halves overlap in a way only the single
    /// parse can judge (a key in both, which may be a duplicate to report).
    pub fn merge(self) -> Option<Value> {
        merge(self.first, self.second, self.parent)
    }
}

/// The document parsed in two halves, or `None` when the caller should parse it whole.
pub fn parse(text: &str) -> Option<Halves<'_>> {
    let cut = cut(text)?;
    let (second, first) =
        crate::parallel::join(|| parse_one(&cut.second), || parse_one(&text[..cut.at]));
    Some(Halves {
        first: first?,
        second: second?,
        parent: cut.parent,
    })
}

fn parse_one(text: &str) -> Option<Map<String, Value>> {
    match super::read_value(text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Where the text is cut, and the second half as it is parsed.
struct Cut<'t> {
    /// The byte offset of the first line of the second half.
    at: usize,
    /// The root key whose entries the cut divides, when it is inside one.
    parent: Option<&'t str>,
    second: String,
}

/// A line at which the text can be cut: a root key, or a key of a root key's block mapping.
struct KeyLine<'t> {
    offset: usize,
    parent: Option<&'t str>,
}

fn cut(text: &str) -> Option<Cut<'_>> {
    if text.len() < MIN_SPLIT_BYTES {
        return None;
    }
    let lines = key_lines(text)?;
    let middle = text.len() / 2;
    let best = lines
        .iter()
        .filter(|l| l.offset > 0)
        .min_by_key(|l| l.offset.abs_diff(middle))?;
    let second = match best.parent {
        Some(parent) => format!("{parent}:\n{}", &text[best.offset..]),
        None => text[best.offset..].to_string(),
    };
    Some(Cut {
        at: best.offset,
        parent: best.parent,
        second,
    })
}

/// Every line a cut may start at, or `None` when the document is not a plain block mapping of
/// block mappings (flow style, several documents, directives, tabs, ...).
fn key_lines(text: &str) -> Option<Vec<KeyLine<'_>>> {
    let mut found = Vec::new();
    // The root key whose block the scan is in, and the indentation of that block's keys.
    let mut parent: Option<&str> = None;
    let mut child_indent: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        let trimmed = content.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if content.starts_with('\t') || content.starts_with("---") || content.starts_with('%') {
            return None;
        }
        let indent = content.len() - trimmed.len();
        if indent == 0 && (trimmed == "-" || trimmed.starts_with("- ")) {
            // A sequence under the last root key, written unindented (`security:\n- a: []`):
            // part of that key's value, never a place to cut.
            if let Some(key) = parent.take() {
                found.retain(|l: &KeyLine<'_>| l.parent != Some(key));
            }
            continue;
        }
        if indent == 0 {
            let key = root_key(trimmed)?;
            found.push(KeyLine {
                offset: start,
                parent: None,
            });
            // Only a bare `key:` opens a block whose entries may be cut between.
            parent = trimmed.strip_suffix(':').filter(|k| *k == key);
            child_indent = None;
            continue;
        }
        let Some(key) = parent else { continue };
        let expected = *child_indent.get_or_insert(indent);
        if indent == expected {
            if trimmed.starts_with(['-', '?', '[', '{', '&', '*', '!', '|', '>']) {
                // A sequence or something more unusual: leave this block whole.
                parent = None;
                found.retain(|l| l.parent != Some(key));
                continue;
            }
            found.push(KeyLine {
                offset: start,
                parent: Some(key),
            });
        }
    }
    Some(found)
}

/// The key of a root-level `key: ...` line: a plain name (letters, digits, `_-.$`), not quoted.
fn root_key(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(':')?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
    plain.then_some(key)
}

fn merge(
    mut first: Map<String, Value>,
    second: Map<String, Value>,
    parent: Option<&str>,
) -> Option<Value> {
    for (key, value) in second {
        match (first.get_mut(&key), value) {
            (None, value) => {
                first.insert(key, value);
            }
            (Some(Value::Object(head)), Value::Object(tail)) if Some(key.as_str()) == parent => {
                for (child, value) in tail {
                    if head.insert(child, value).is_some() {
                        return None;
                    }
                }
            }
            _ => return None,
        }
    }
    Some(Value::Object(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::strict::StrictValue;

    fn big(paths: usize) -> String {
        let mut text = String::from("openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths:\n");
        for i in 0..paths {
            text.push_str(&format!(
                "  /items/{i}:\n    get:\n      operationId: get{i}\n      responses:\n        '200':\n          description: ok {i} {}\n",
                "x".repeat(40)
            ));
        }
        text.push_str("components:\n  schemas:\n    A:\n      type: string\n");
        text
    }

    fn whole(text: &str) -> Value {
        serde_yaml::from_str::<StrictValue>(text).unwrap().0
    }

    #[test]
    fn halves_give_the_same_value_as_one_parse() {
        let text = big(800);
        assert!(text.len() > MIN_SPLIT_BYTES);
        let cut = cut(&text).expect("a large block mapping can be cut");
        assert_eq!(cut.parent, Some("paths"), "the middle is inside paths");
        assert_eq!(parse(&text).and_then(Halves::merge), Some(whole(&text)));
    }

    #[test]
    fn a_key_in_both_halves_is_left_to_the_single_parse() {
        let mut text = big(800);
        // The same path twice, once in each half: a duplicate the single parse reports.
        text = text.replacen("  /items/1:\n", "  /items/700:\n", 1);
        assert_eq!(parse(&text).and_then(Halves::merge), None);
        assert!(serde_yaml::from_str::<StrictValue>(&text).is_err());
    }

    #[test]
    fn documents_that_are_not_plain_block_mappings_are_not_cut() {
        let text = big(800);
        for odd in [
            format!("---\n{text}"),
            format!("%YAML 1.2\n---\n{text}"),
            format!(
                "{{\"openapi\": \"3.1.0\", \"pad\": \"{}\"}}",
                "x".repeat(70_000)
            ),
        ] {
            assert!(cut(&odd).is_none() || parse(&odd).and_then(Halves::merge).is_none());
        }
    }

    #[test]
    fn an_unindented_root_sequence_is_kept_whole() {
        let text = big(800).replacen("paths:\n", "security:\n- bearer: []\n- {}\npaths:\n", 1);
        let cut = cut(&text).expect("still cut");
        assert!(!text[cut.at..].starts_with("- "));
        assert_eq!(parse(&text).and_then(Halves::merge), Some(whole(&text)));
    }

    #[test]
    fn an_alias_across_the_cut_falls_back() {
        let text = big(800)
            .replacen("description: ok 0 ", "description: &d ok 0 ", 1)
            .replacen(
                "description: ok 799 ",
                "description: *d\n          summary: ",
                1,
            );
        assert_eq!(parse(&text).and_then(Halves::merge), None);
    }
}
