//! Turns an OpenAPI 3.1 (or 3.0) document into a typed async Rust client crate.
//!
//! The pipeline is `load` (text → normalised `openapiv3` model) → `ir` (operations and a
//! type arena, names decided) → `emit` (Rust source, printed once) → `output` (written all or
//! nothing). See ARCHITECTURE.md.

pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod output;
pub mod templates;

pub use emit::EmitConfig;
pub use error::{Error, Result, SpecError};
pub use ir::Selection;
pub use output::Files;
pub use templates::Templates;

/// Everything one generation needs besides the document and templates.
#[derive(Debug, Clone)]
pub struct Config {
    pub selection: Selection,
    pub emit: EmitConfig,
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
    let api = ir::build(&doc, &config.selection).map_err(|e| doc.locate(e))?;
    let files = emit::emit(&api, &config.emit, templates).map_err(|e| match e {
        Error::Spec(e) => Error::Spec(doc.locate(e)),
        other => other,
    })?;
    Ok(Generated { files, api })
}
