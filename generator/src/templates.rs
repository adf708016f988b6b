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

    /// Runtime sources copied verbatim into the crate's `src/`.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with("src/") && p.ends_with(".rs"))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }
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
