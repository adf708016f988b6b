//! The emitted crate's rustdoc, built with warnings denied and every feature, and read back as
//! a user sees it: no item's rendered text may show Markdown that did not render, a literal
//! `](` (a link printed as text) or `\[` (an escape that shows).

use std::path::Path;

use crate::cargo::cargo_env;
use crate::root;

/// What the rendered text must never contain.
const LEAKS: &[&str] = &["](", "\\["];

/// Builds the docs of `airflow-client` and checks every rendered page.
pub fn check() -> Result<(), String> {
    cargo_env(
        &["doc", "-p", "airflow-client", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings --cfg docsrs")],
    )?;
    let dir = root().join("target/doc/airflow_client");
    let mut found = Vec::new();
    scan(&dir, &dir, &mut found)?;
    if found.is_empty() {
        println!("rendered docs: no Markdown shows as text");
        Ok(())
    } else {
        Err(format!(
            "rendered docs show Markdown as text:\n  {}",
            found.join("\n  ")
        ))
    }
}

fn scan(root: &Path, dir: &Path, found: &mut Vec<String>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if path.is_dir() {
            // `src/` holds the highlighted source, not rendered docs.
            if relative != Path::new("src") {
                scan(root, &path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            for leak in leaks(&html) {
                found.push(format!("{}: …{leak}…", relative.display()));
            }
        }
    }
    Ok(())
}

/// The places in a page's text (tags, scripts and styles removed, entities decoded) that show
/// a leak, with a little context each.
pub fn leaks(html: &str) -> Vec<String> {
    let text = text_of(html);
    let mut out = Vec::new();
    for leak in LEAKS {
        for (at, _) in text.match_indices(leak) {
            let before: String = text[..at].chars().rev().take(40).collect();
            let after: String = text[at..].chars().take(40).collect();
            let before: String = before.chars().rev().collect();
            out.push(format!("{before}{after}").replace('\n', " "));
        }
    }
    out
}

fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        let skip_to = ["script", "style"]
            .iter()
            .find(|tag| rest[1..].starts_with(**tag))
            .map(|tag| format!("</{tag}>"));
        let end = match skip_to {
            Some(close) => rest.find(&close).map(|i| i + close.len()),
            None => rest.find('>').map(|i| i + 1),
        };
        rest = &rest[end.unwrap_or(rest.len())..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::leaks;

    #[test]
    fn links_and_escapes_that_show_are_found() {
        let page = r#"<script>let a = "](";</script><p>See [<code>State</code>](super::State).</p>
            <p>Use <code>\["map_index"\]</code>.</p><p><a href="x">State</a> is fine.</p>"#;
        let found = leaks(page);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("[State](super::State)"), "{found:?}");
        assert!(found[1].contains(r#"\["map_index"\]"#), "{found:?}");
        assert!(leaks("<p>a <a href=\"b\">link</a> [x] &amp; y</p>").is_empty());
    }
}
