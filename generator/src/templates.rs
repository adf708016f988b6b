//! The hand-written parts of the emitted crate, read from the `templates/` folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ir::{Api, Returns, TypeDef, TypeKind};
use crate::output::walk;

/// Template files by path relative to the templates folder (`src/client.rs`, `Cargo.toml.in`).
#[derive(Debug, Clone, Default)]
pub struct Templates {
    files: BTreeMap<String, String>,
}

impl Templates {
    pub fn load(dir: &Path) -> Result<Self> {
        let mut files = BTreeMap::new();
        // Folders with no file in them (listed as `name/`) hold no template.
        for relative in walk(dir, &[]).map_err(|e| unreadable(dir, e))? {
            if !relative.ends_with('/') {
                let path = dir.join(&relative);
                let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
                files.insert(relative, text);
            }
        }
        if files.is_empty() {
            let message =
                "no templates there; point the generator at the project's templates/ folder";
            return Err(unreadable(dir, message));
        }
        Ok(Templates { files })
    }

    pub fn get(&self, name: &str) -> Result<&str> {
        let missing = || Error::MissingTemplate(name.to_string());
        self.files.get(name).map(String::as_str).ok_or_else(missing)
    }

    /// The notes the docs add to the document's (`notes.yaml`, none when it is missing).
    pub fn notes(&self) -> Result<crate::ir::Notes> {
        let text = self.files.get("notes.yaml").map_or("{}", String::as_str);
        serde_yaml::from_str(text).map_err(|e| unreadable("templates/notes.yaml", e))
    }

    /// The Rust files (`src/`, `examples/`) `api`'s crate gets, each when `api` meets what its
    /// opening lines say it needs (`used` being the identifiers the generated code uses):
    /// - `// requires-operations: a b`: the selected operations include all of them;
    /// - `// requires-names: Type::Variant`: the emitted types have those variants (or
    ///   fields) too, since an operation's shape differs between releases;
    /// - `// requires-uses: name`: the generated code uses these names (a runtime piece only
    ///   some documents need, which would be dead code in the others).
    pub fn sources_for<'t>(&'t self, api: &Api, used: &BTreeSet<String>) -> Vec<Source<'t>> {
        let ids = api.operations().map(|(_, op)| op.operation_id.as_str());
        let operation_ids: Vec<&str> = ids.collect();
        self.files
            .iter()
            .filter(|(p, _)| {
                (p.starts_with("src/") || p.starts_with("examples/")) && p.ends_with(".rs")
            })
            .filter(|(_, text)| {
                let words = |directive| header_words(text, directive).into_iter();
                words(REQUIRES).all(|op| operation_ids.contains(&op))
                    && words(REQUIRES_NAMES).all(|n| has_name(api, n))
                    && words(REQUIRES_USES).all(|u| used.contains(u))
            })
            .map(|(path, text)| Source {
                path,
                text: without_directives(text),
            })
            .collect()
    }
}

/// The error for a template file (or folder) at `path` that does not read.
fn unreadable(path: impl Into<PathBuf>, error: impl ToString) -> Error {
    let (path, message) = (path.into(), error.to_string());
    Error::Io { path, message }
}

/// A hand-written Rust file of the emitted crate.
#[derive(Debug, Clone)]
pub struct Source<'t> {
    pub path: &'t str,
    /// The file as the crate gets it: without the directives.
    pub text: &'t str,
}

/// The name templates use for the emitted crate (in examples and doctests, which see the crate
/// from outside); the generator puts the configured crate name in its place.
pub const CRATE_PLACEHOLDER: &str = "airflow_client";

const REQUIRES: &str = "// requires-operations:";
const REQUIRES_NAMES: &str = "// requires-names:";
const REQUIRES_USES: &str = "// requires-uses:";

/// The words after `prefix` on the file's opening `//` comment lines.
fn header_words<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.lines()
        .take_while(|l| l.starts_with("// "))
        .filter_map(|l| l.strip_prefix(prefix))
        .flat_map(str::split_whitespace)
        .collect()
}

/// The file without its opening directive lines, which are for the generator alone.
fn without_directives(text: &str) -> &str {
    let mut rest = text;
    let directives = [REQUIRES, REQUIRES_NAMES, REQUIRES_USES];
    while directives.iter().any(|d| rest.starts_with(d)) {
        rest = rest.split_once('\n').map_or("", |(_, after)| after);
    }
    rest
}

/// `text` with the placeholder crate name replaced by `ident` (whole words only).
pub fn rename_crate(text: &str, ident: &str) -> String {
    if ident == CRATE_PLACEHOLDER {
        return text.to_string();
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(CRATE_PLACEHOLDER) {
        let after = &rest[at + CRATE_PLACEHOLDER.len()..];
        let whole = !word(rest[..at].chars().next_back()) && !word(after.chars().next());
        out.push_str(&rest[..at]);
        out.push_str(if whole { ident } else { CRATE_PLACEHOLDER });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether `Type::member` names an enum or union variant, a struct field, an API method, an
/// operation's return variant or optional parameter.
fn has_name(api: &Api, name: &str) -> bool {
    let Some((ty, member)) = name.split_once("::") else {
        return false;
    };
    let has_member = |d: &TypeDef| match &d.kind {
        TypeKind::Enum(e) => e.variants.iter().any(|v| v.rust_name == member),
        TypeKind::Union(u) => u.variants.iter().any(|v| v.rust_name == member),
        TypeKind::Struct(s) => s.fields.iter().any(|f| f.rust_name == member),
        _ => false,
    };
    let in_types = api.types.iter().filter(|d| d.name == ty).any(has_member);
    let in_operations = api.operations().any(|(tag, op)| {
        let stream = op.paging.as_ref().map(|p| p.fn_name.as_str());
        let in_api = tag.type_name == ty && (op.fn_name == member || stream == Some(member));
        let in_returns = matches!(&op.returns, Returns::Choice { type_name, variants }
            if type_name == ty && variants.iter().any(|v| v.name == member));
        let in_params = op.params_type.as_deref() == Some(ty)
            && op.optional_params().any(|p| p.rust_name == member);
        in_api || in_returns || in_params
    });
    in_types || in_operations
}
