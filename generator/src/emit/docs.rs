//! Spec prose → rustdoc attributes that render well and never turn into doctests or broken links.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = ...]` lines for the given paragraphs (empty ones are skipped).
pub fn doc_attrs(paragraphs: &[Option<&str>]) -> TokenStream {
    let text = paragraphs
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    lines_to_attrs(&sanitize(&text))
}

pub fn lines_to_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Makes free text safe for rustdoc:
/// - indentation is capped at 3 spaces, so nothing becomes an indented code block (a doctest);
/// - fenced blocks are marked `text` for the same reason;
/// - `[` and `]` are escaped, so prose like `[a, b]` is not read as an intra-doc link;
/// - bare URLs are wrapped in `<>`;
/// - runs of blank lines collapse to one.
pub fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut blank = false;
    for raw in text.lines() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            let info = trimmed.trim_start_matches('`').trim();
            out.push(if in_fence && info.is_empty() {
                "```text".to_string()
            } else if in_fence {
                format!("```text {info}")
            } else {
                "```".to_string()
            });
            blank = false;
            continue;
        }
        if in_fence {
            out.push(raw.replace('\t', "    "));
            continue;
        }
        if trimmed.is_empty() {
            if !blank && !out.is_empty() {
                out.push(String::new());
            }
            blank = true;
            continue;
        }
        blank = false;
        let indent = (raw.len() - trimmed.len()).min(3);
        out.push(format!("{}{}", " ".repeat(indent), inline(trimmed)));
    }
    if in_fence {
        out.push("```".into());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            let url = &rest[..url_len];
            if out.ends_with('<') || out.ends_with('(') {
                out.push_str(url);
            } else {
                out.push('<');
                out.push_str(url);
                out.push('>');
            }
            rest = &rest[url_len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Length of a URL starting at the beginning of `text`, if one does.
fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']'))
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':']);
    Some(url.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_prose() {
        assert_eq!(
            sanitize("A list of `task_id` or [`task_id`, `map_index`]."),
            "A list of `task_id` or \\[`task_id`, `map_index`\\]."
        );
        assert_eq!(
            sanitize("see https://airflow.apache.org/docs."),
            "see <https://airflow.apache.org/docs>."
        );
        assert_eq!(
            sanitize("a\n\n        code()\n\n\n\nb"),
            "a\n\n   code()\n\nb"
        );
        assert_eq!(sanitize("```\nx = 1\n```"), "```text\nx = 1\n```");
    }
}
