//! Turns an OpenAPI 3.1 (or 3.0) document into a typed async Rust client crate.
//!
//! The pipeline is `load` (text → normalised `openapiv3` model) → `ir` (operations and a
//! type arena, names decided) → `emit` (Rust source, formatted once) → `output` (written
//! all-or-nothing). See ARCHITECTURE.md.

pub mod emit;
pub mod error;
mod fingerprint;
pub mod format;
pub mod ir;
pub mod load;
pub mod output;
mod parallel;
pub mod templates;

use std::time::{Duration, Instant};

pub use emit::{EmitConfig, Files};
pub use error::{Error, Result};
pub use ir::Selection;
pub use templates::Templates;

/// Everything one generation needs besides the document and templates.
#[derive(Debug, Clone)]
pub struct Config {
    pub selection: Selection,
    pub emit: EmitConfig,
}

/// The emitted files and how long each phase took.
#[derive(Debug)]
pub struct Generated {
    pub files: Files,
    pub api: ir::Api,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Runs the whole pipeline in memory.
pub fn generate(text: &str, config: &Config, templates: &Templates) -> Result<Generated> {
    generate_cached(text, config, templates, None)
}

/// [`generate`], reusing earlier answers kept under `cache` (a folder): printed code by token
/// text (`printed/`) and rustfmt's output by input (`rustfmt/`). Both are pure functions of
/// their keys, so the output is the same with or without them.
pub fn generate_cached(
    text: &str,
    config: &Config,
    templates: &Templates,
    cache: Option<&std::path::Path>,
) -> Result<Generated> {
    let mut timings = Vec::new();
    let (doc, load_timings) = load::load_timed(text)?;
    timings.extend(load_timings);

    let started = Instant::now();
    let api = ir::build(&doc, &config.selection).map_err(|e| doc.locate(e))?;
    timings.push(("ir", started.elapsed()));

    let started = Instant::now();
    let printed = cache.map(|c| c.join("printed"));
    let mut files = emit::emit_cached(&api, &config.emit, templates, printed.as_deref())
        .map_err(|e| doc.locate(e))?;
    timings.push(("emit", started.elapsed()));

    // The model is no longer needed (errors below are not located in the document).
    parallel::drop_later(doc);
    let started = Instant::now();
    let formatted = cache.map(|c| c.join("rustfmt"));
    format::rustfmt(&mut files, formatted.as_deref())?;
    timings.push(("rustfmt", started.elapsed()));
    Ok(Generated {
        files,
        api,
        timings,
    })
}
