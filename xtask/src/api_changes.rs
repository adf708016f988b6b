//! The API change report: every change between two REST API documents, per tag, for someone
//! who uses the generated client, each marked breaking or not. `cargo xtask api-diff` prints
//! it for any two releases, `cargo xtask fetch-spec` for the bump it makes.
//!
//! Both documents go through the generator's own `load` and `ir::build` (every tag), so the
//! report speaks of what the client sees: operations by operationId, parameters by location
//! and wire name, the fields of the request and response types those operations reach
//! (followed transitively) by wire name, and enum values. How types are paired is described in
//! `compare`. Error bodies are left out.
//!
//! # What is breaking
//!
//! A change is **breaking** when it can hurt a user of the client: a request a FROM client
//! sends may be refused by a TO server, a response a TO server sends may not fit what a FROM
//! reader expects, or code that names a method, type or variant of the client must change.
//! Each line is marked one way or the other:
//!
//! | change | breaking? |
//! |---|---|
//! | operation added | no |
//! | operation removed; its method or path changed; moved to another tag (another API type) | yes |
//! | operation, parameter or field deprecated, or no longer deprecated | no |
//! | parameter, request body or field removed | yes |
//! | parameter or request body added | only when required |
//! | field added | only when required in a type that is sent (a new response field is not) |
//! | parameter, body or sent field became required | yes |
//! | parameter, body or sent field became optional | no |
//! | received field became optional | yes: readers must now handle its absence |
//! | received field became required | no |
//! | received value became nullable | yes: readers must now handle `None` |
//! | sent value became nullable | no |
//! | sent value no longer nullable | yes: callers that sent null are refused |
//! | received value no longer nullable | no |
//! | type changed (list items, map values and response bodies too), or its type renamed | yes |
//! | enum value added (sent or received: the client's enums are open, with `Unknown(String)`) | no |
//! | enum value removed | yes |
//! | union variant added | yes when received (old readers cannot decode it), no when only sent |
//! | union variant removed, or its Rust name changed | yes |
//! | success response variant or media type added, removed or changed | yes |
//!
//! A type both sent and received takes the stricter mark. "Became optional" is judged by the
//! wire, where it is compatible: the value moves from the method's (or `new`'s) arguments to
//! a setter in the regenerated client, which the compiler points out, but no request breaks.
//!
//! Not compared: descriptions and titles, defaults, validation keywords the client does not
//! model (`maxLength`, `pattern`, `minimum`...), error responses and security requirements.
//!
//! The report is sorted (tags, then sections, then the operation or type each line is about)
//! and plain Markdown, so it reads the same in a terminal and in a pull request. A type that
//! several tags use is listed, and counted, under each of them.

mod change;
mod compare;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use airflow_codegen::ir::{self, Api};
use airflow_codegen::Selection;

use crate::wheels::fetch;

pub use change::{Change, Section};

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An `apache-airflow-core` release, fetched with pip.
    Version(String),
    /// A document on disk.
    Path(PathBuf),
}

impl Source {
    /// An existing file is a path; otherwise the argument must look like a release version.
    pub fn parse(arg: &str) -> Result<Source, String> {
        if Path::new(arg).is_file() {
            return Ok(Source::Path(PathBuf::from(arg)));
        }
        let version_like = arg.starts_with(|c: char| c.is_ascii_digit())
            && arg.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        if version_like {
            Ok(Source::Version(arg.to_string()))
        } else {
            Err(format!(
                "`{arg}` is neither a file nor a release version (such as 3.2.2)"
            ))
        }
    }

    fn label(&self) -> String {
        match self {
            Source::Version(v) => v.clone(),
            Source::Path(p) => p.display().to_string(),
        }
    }

    /// The document's text.
    fn text(&self, cache: &Path) -> Result<String, String> {
        match self {
            Source::Version(version) => {
                let documents = fetch(version, cache)?;
                String::from_utf8(documents.rest).map_err(|_| {
                    format!("the REST document of apache-airflow-core {version} is not UTF-8")
                })
            }
            Source::Path(path) => {
                fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
            }
        }
    }
}

/// The API a document describes, every tag, as the generator understands it.
pub fn api(text: &str, label: &str) -> Result<Api, String> {
    let doc = airflow_codegen::load::load(text)
        .map_err(|e| format!("the document of {label} cannot be read: {e}"))?;
    ir::build(&doc, &Selection::All)
        .map_err(|e| format!("the document of {label} cannot be read: {}", doc.locate(e)))
}

/// Every change between two APIs.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub changes: Vec<Change>,
    /// Every tag either API has, to tell a tag without changes from a misspelt one.
    pub tags: BTreeSet<String>,
}

impl Report {
    /// Fetches or reads both documents and compares them.
    pub fn between(from: &Source, to: &Source, cache: &Path) -> Result<Report, String> {
        let from_text = from.text(cache)?;
        let to_text = to.text(cache)?;
        Report::of(&from.label(), &from_text, &to.label(), &to_text)
    }

    /// Compares two documents' texts, each named by a label (a version or a path).
    pub fn of(from: &str, from_text: &str, to: &str, to_text: &str) -> Result<Report, String> {
        let old = api(from_text, from)?;
        let new = api(to_text, to)?;
        Ok(Report::compare(from, &old, to, &new))
    }

    pub fn compare(from: &str, old: &Api, to: &str, new: &Api) -> Report {
        Report {
            from: from.to_string(),
            to: to.to_string(),
            changes: compare::changes(old, new),
            tags: old
                .apis
                .iter()
                .chain(&new.apis)
                .map(|a| a.tag.clone())
                .collect(),
        }
    }

    /// The report as text: a summary of every tag, then the changes of `only` (every tag when
    /// empty). Fails on a tag neither API has.
    pub fn render(&self, only: &[String]) -> Result<String, String> {
        if let Some(unknown) = only.iter().find(|t| !self.tags.contains(*t)) {
            let known: Vec<&str> = self.tags.iter().map(String::as_str).collect();
            return Err(format!(
                "neither API has the tag `{unknown}`; choose among: {}",
                known.join(", ")
            ));
        }
        let mut out = format!("# REST API changes: {} → {}\n\n", self.from, self.to);
        if self.changes.is_empty() {
            out.push_str("No changes.\n");
            return Ok(out);
        }
        let counts = |changes: &[&Change]| {
            let breaking = changes.iter().filter(|c| c.breaking).count();
            (breaking, changes.len() - breaking)
        };
        let mut by_tag: Vec<(&str, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            match by_tag.last_mut() {
                Some((tag, list)) if *tag == change.tag => list.push(change),
                _ => by_tag.push((&change.tag, vec![change])),
            }
        }
        let all: Vec<&Change> = self.changes.iter().collect();
        let (breaking, other) = counts(&all);
        let _ = writeln!(
            out,
            "{breaking} breaking and {other} not breaking changes, in {} of the {} tags:",
            by_tag.len(),
            self.tags.len()
        );
        for (tag, changes) in &by_tag {
            let (breaking, other) = counts(changes);
            let _ = writeln!(out, "- {tag}: {breaking} breaking, {other} not breaking");
        }
        out.push_str(
            "\nA type that several tags use is listed, and counted, under each of them.\n",
        );
        let shown: BTreeSet<&str> = if only.is_empty() {
            by_tag.iter().map(|(tag, _)| *tag).collect()
        } else {
            only.iter().map(String::as_str).collect()
        };
        for tag in shown {
            let _ = write!(out, "\n## {tag}\n");
            let Some((_, changes)) = by_tag.iter().find(|(t, _)| *t == tag) else {
                out.push_str("\nNo changes.\n");
                continue;
            };
            let mut section = None;
            for change in changes {
                if section != Some(change.section) {
                    section = Some(change.section);
                    let _ = write!(out, "\n### {}\n\n", change.section.heading());
                }
                out.push_str(&change.line());
                out.push('\n');
            }
        }
        Ok(out)
    }
}
