//! The hand-written parts of the emitted crate, read from the `templates/` folder.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// Template files by path relative to the templates folder (`src/client.rs`, `Cargo.toml.in`).
#[derive(Debug, Clone, Default)]
pub struct Templates {
    files: BTreeMap<String, String>,
}

impl Templates {
    pub fn load(dir: &Path) -> Result<Self> {
        let mut files = BTreeMap::new();
        collect(dir, dir, &mut files)?;
        if files.is_empty() {
            return Err(Error::at("", format!("no templates in {}", dir.display()))
                .with_hint("point the generator at the project's templates/ folder"));
        }
        Ok(Templates { files })
    }

    pub fn from_files(files: BTreeMap<String, String>) -> Self {
        Templates { files }
    }

    pub fn get(&self, name: &str) -> Result<&str> {
        self.files.get(name).map(String::as_str).ok_or_else(|| {
            Error::at("", format!("template `{name}` is missing"))
                .with_hint("restore it under templates/")
        })
    }

    /// Rust files copied verbatim into the crate (`src/`, `examples/`), each with the
    /// operationIds it needs: a file whose first line is `// requires-operations: a b` is only
    /// copied when the selected operations include all of them.
    pub fn sources(&self) -> impl Iterator<Item = Source<'_>> {
        self.files
            .iter()
            .filter(|(p, _)| {
                (p.starts_with("src/") || p.starts_with("examples/")) && p.ends_with(".rs")
            })
            .map(|(path, text)| Source {
                path,
                text,
                requires: requires(text),
            })
    }
}

/// A hand-written Rust file of the emitted crate.
#[derive(Debug, Clone)]
pub struct Source<'t> {
    pub path: &'t str,
    pub text: &'t str,
    /// The operationIds the file uses; empty for the runtime every crate has.
    pub requires: Vec<&'t str>,
}

const REQUIRES: &str = "// requires-operations:";

fn requires(text: &str) -> Vec<&str> {
    let first = text.lines().next().unwrap_or_default();
    first
        .strip_prefix(REQUIRES)
        .map(|ops| ops.split_whitespace().collect())
        .unwrap_or_default()
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::at(
            "",
            format!("cannot read templates at {}: {e}", dir.display()),
        )
    })?;
    for entry in entries {
        let path = entry.map_err(|e| Error::at("", e.to_string()))?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::at("", format!("cannot read {}: {e}", path.display())))?;
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, text);
        }
    }
    Ok(())
}
