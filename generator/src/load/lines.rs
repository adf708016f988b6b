//! Maps JSON pointers to source lines for block-style YAML (and, roughly, pretty JSON).
//!
//! serde_yaml keeps no positions, so this indexes the text by indentation. It is best-effort:
//! the pointer is what identifies a place; the line helps a human find it.

use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
}

impl LineIndex {
    pub fn build(text: &str) -> Self {
        let mut lines = HashMap::new();
        // Stack of (indent, pointer, next sequence index) for open containers.
        let mut stack: Vec<(usize, String, usize)> = vec![(0, String::new(), 0)];
        let mut first = true;
        for (number, raw) in text.lines().enumerate() {
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
                continue;
            }
            let mut indent = raw.len() - trimmed.len();
            let mut rest = trimmed;
            if first {
                first = false;
                stack[0].0 = indent;
            }
            // A sequence item: "- " opens element N of the container it sits in. Block YAML
            // may put items at the same indent as their key, whose entry sits at indent + 1.
            while let Some(after) =
                rest.strip_prefix("- ")
                    .or(if rest == "-" { Some("") } else { None })
            {
                while stack.len() > 1 && stack.last().is_some_and(|(i, _, _)| *i > indent + 1) {
                    stack.pop();
                }
                let parent = stack.last_mut().expect("root entry is never popped");
                let idx = parent.2;
                parent.2 += 1;
                let pointer = format!("{}/{}", parent.1, idx);
                lines.entry(pointer.clone()).or_insert(number + 1);
                indent += 2;
                stack.push((indent, pointer, 0));
                rest = after.trim_start();
            }
            if let Some(key) = mapping_key(rest) {
                let parent = parent_for(&mut stack, indent);
                let pointer = format!("{}/{}", parent.1, crate::error::escape_token(&key));
                lines.entry(pointer.clone()).or_insert(number + 1);
                // Children of this key are indented deeper than the key itself.
                stack.push((indent + 1, pointer, 0));
            }
        }
        LineIndex { lines }
    }

    /// The line of `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut p = pointer;
        loop {
            if let Some(line) = self.lines.get(p) {
                return Some(*line);
            }
            p = &p[..p.rfind('/')?];
        }
    }
}

/// The innermost open container that a line at `indent` belongs to.
fn parent_for(
    stack: &mut Vec<(usize, String, usize)>,
    indent: usize,
) -> &mut (usize, String, usize) {
    while stack.len() > 1 && stack.last().is_some_and(|(i, _, _)| *i > indent) {
        stack.pop();
    }
    // A key at the same indent as an open key is its sibling, not its child.
    while stack.len() > 1 && stack.last().is_some_and(|(i, _, _)| *i == indent + 1) {
        stack.pop();
    }
    stack.last_mut().expect("root entry is never popped")
}

fn mapping_key(rest: &str) -> Option<String> {
    let rest = rest.trim_end();
    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = rest[1..].find(quote)? + 1;
        let after = rest[end + 1..].trim_start();
        if after.starts_with(':') {
            return Some(rest[1..end].to_string());
        }
        return None;
    }
    if rest.starts_with('{') || rest.starts_with('[') {
        return None;
    }
    let colon = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(|s| s.len()))?;
    Some(rest[..colon].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_sequence_items() {
        let text = "openapi: 3.1.0\npaths:\n  /a/{b}:\n    get:\n      parameters:\n      - name: b\n        in: path\n      - name: c\n        in: query\n      responses: {}\ncomponents:\n  schemas:\n    'X~Y':\n      type: object\n";
        let index = LineIndex::build(text);
        assert_eq!(index.line_of("/openapi"), Some(1));
        assert_eq!(index.line_of("/paths/~1a~1{b}/get"), Some(4));
        assert_eq!(index.line_of("/paths/~1a~1{b}/get/parameters/1"), Some(8));
        assert_eq!(
            index.line_of("/paths/~1a~1{b}/get/parameters/1/in"),
            Some(9)
        );
        assert_eq!(index.line_of("/paths/~1a~1{b}/get/responses"), Some(10));
        assert_eq!(index.line_of("/components/schemas/X~0Y/type"), Some(14));
        assert_eq!(
            index.line_of("/components/schemas/X~0Y/properties/z"),
            Some(13)
        );
    }
}
