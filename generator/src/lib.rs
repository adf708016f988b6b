//! Turns an OpenAPI 3.1 (or 3.0) document into a typed async Rust client crate.
//!
//! The pipeline is `load` (text → normalised `openapiv3` model) → `ir` (operations and a
//! type arena, names decided) → `emit` (Rust source, printed once) → `output` (written all or
//! nothing). See ARCHITECTURE.md.

pub mod emit;
pub mod error;
pub mod history;
pub mod ir;
pub mod load;
pub mod output;
pub mod templates;

pub use emit::{EmitConfig, Package};
pub use error::{Error, Result, SpecError};
pub use history::History;
pub use ir::Selection;
pub use output::Files;
pub use templates::Templates;

/// Everything one generation needs besides the document and templates.
#[derive(Debug, Clone)]
pub struct Config {
    pub selection: Selection,
    pub emit: EmitConfig,
    /// The document's release history, when known, and the oldest release the client
    /// supports (the history's first when `None`).
    pub history: Option<History>,
    pub supported_from: Option<String>,
    /// Refuse the document over an operation it cannot build, rather than skip that one.
    pub strict: bool,
}

/// The emitted files, and the API they were emitted from.
#[derive(Debug)]
pub struct Generated {
    pub files: Files,
    pub api: ir::Api,
}

/// Runs the whole pipeline in memory.
pub fn generate(text: &str, config: &Config, templates: &Templates) -> Result<Generated> {
    let doc = load::load(text)?;
    let support = config.history.as_ref().map(|history| {
        let first = history.releases.first().map(String::as_str);
        let oldest = config.supported_from.as_deref().or(first);
        let oldest = oldest.unwrap_or("no release");
        ir::Support::new(history, oldest).ok_or_else(|| {
            let releases = history.releases.join(", ");
            Error::History(format!("{oldest} is not one of its releases ({releases})"))
        })
    });
    let support = support.transpose()?;
    let mut api = ir::build_supporting(&doc, &config.selection, support.as_ref(), config.strict)
        .map_err(|e| doc.locate(e))?;
    api.notes = templates.notes()?;
    let files = emit::emit(&api, &config.emit, templates).map_err(|e| match e {
        Error::Spec(e) => Error::Spec(doc.locate(e)),
        other => other,
    })?;
    Ok(Generated { files, api })
}
