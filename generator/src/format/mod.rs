//! Final formatting with rustfmt, so the emitted crate is exactly what `cargo fmt` would
//! leave it as: the workspace's `cargo fmt` never touches it and `check` never sees drift
//! from formatting. prettyplease has already laid the code out; rustfmt settles the details.
//!
//! rustfmt is the slowest phase, so its answers are cached by (rustfmt binary, input), and a
//! file is formatted in pieces ([`pieces`]): a regen after a small spec change formats only
//! the items that changed.

use std::path::{Path, PathBuf};

use crate::emit::Files;
use crate::error::Result;

mod answers;
mod pieces;
mod process;
mod steps;

use answers::Answers;

/// The config file emitted with the crate, so rustfmt reads the same settings in the temporary
/// folder as in the crate's final place (and not those of whatever folder encloses it).
pub const CONFIG_FILE: &str = "rustfmt.toml";
pub const CONFIG: &str = "edition = \"2021\"\n";

/// Formats every `.rs` file in `files`; `cache`, when given, is a folder of earlier answers
/// (one folder per rustfmt binary inside it).
///
/// Files that declare out-of-line modules are formatted whole (rustfmt follows `mod` lines).
/// Every other file is cut into pieces that rustfmt formats independently of each other, and
/// only the pieces with no earlier answer are formatted.
pub fn rustfmt(files: &mut Files, cache: Option<&Path>) -> Result<()> {
    let binary = binary();
    let answers = Answers::open(cache, &binary);
    let mut missing = Vec::new();
    for (relative, text) in files.iter_mut().filter(|(p, _)| p.ends_with(".rs")) {
        match answers.file(relative, text) {
            Some(formatted) => *text = formatted,
            None => missing.push(relative.clone()),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let (roots, leaves): (Vec<String>, Vec<String>) = missing
        .into_iter()
        .partition(|r| declares_modules(&files[r]));
    let mut work = steps::Work::default();
    let plans: Vec<steps::Plan> = leaves
        .iter()
        .map(|relative| steps::plan(&files[relative], &answers.pack(relative), &mut work))
        .collect();
    let base = answers
        .dir()
        .map_or_else(std::env::temp_dir, Path::to_path_buf);
    let formatted = process::run(&binary, &base, files, &roots, &work.inputs)?;
    let (roots_done, pieces_done) = formatted.split_at(roots.len());
    let mut whole = Vec::new();
    for (relative, plan) in leaves.iter().zip(&plans) {
        match plan.assemble(pieces_done) {
            Some((text, pack)) => {
                answers.put_file(relative, &files[relative], &text);
                answers.put_pack(relative, &pack);
                files.insert(relative.clone(), text);
            }
            None => whole.push(relative.clone()),
        }
    }
    for (relative, text) in roots.iter().zip(roots_done) {
        answers.put_file(relative, &files[relative], text);
        files.insert(relative.clone(), text.clone());
    }
    // A file whose pieces rustfmt did not give back with their stand-in wrappers as they were
    // is formatted whole instead.
    if !whole.is_empty() {
        let inputs: Vec<String> = whole.iter().map(|r| files[r].clone()).collect();
        let outputs = process::run(&binary, &base, files, &[], &inputs)?;
        for (relative, text) in whole.iter().zip(outputs) {
            answers.put_file(relative, &files[relative], &text);
            files.insert(relative.clone(), text);
        }
    }
    answers.trim();
    Ok(())
}

/// The files for which formatting `emitted` in pieces gives other code than rustfmt gives for
/// the files whole (none, as it should be). For tests and the spec matrix.
pub fn pieces_disagree(emitted: &Files) -> Result<Vec<String>> {
    let mut pieces = emitted.clone();
    rustfmt(&mut pieces, None)?;
    let whole = process::whole(&binary(), &std::env::temp_dir(), emitted)?;
    Ok(whole
        .iter()
        .filter(|(path, text)| pieces.get(*path) != Some(text))
        .map(|(path, _)| path.clone())
        .collect())
}

/// The rustfmt to run: `RUSTFMT`, else the active rustup toolchain's own binary (skipping
/// the rustup proxy saves a process start), else `rustfmt` from `PATH`.
fn binary() -> PathBuf {
    if let Some(explicit) = std::env::var_os("RUSTFMT") {
        return explicit.into();
    }
    if let (Some(home), Some(toolchain)) = (
        std::env::var_os("RUSTUP_HOME"),
        std::env::var_os("RUSTUP_TOOLCHAIN"),
    ) {
        let direct = Path::new(&home)
            .join("toolchains")
            .join(toolchain)
            .join("bin/rustfmt");
        if direct.is_file() {
            return direct;
        }
    }
    "rustfmt".into()
}

/// Whether a file has a `mod name;` line (with any visibility or attributes before it), which
/// rustfmt follows into another file. Erring towards yes only costs speed (the file is
/// formatted whole).
fn declares_modules(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        let Some(declaration) = line.strip_suffix(';') else {
            return false;
        };
        let Some(at) = declaration.rfind("mod ") else {
            return false;
        };
        let name = declaration[at + 4..].trim();
        let before = declaration[..at].trim_end();
        !line.starts_with("//")
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '#')
            && (before.is_empty() || before.ends_with(['b', ')', ']']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_line_modules_are_found_and_inline_ones_are_not() {
        assert!(declares_modules("//! Docs\npub mod models;\n"));
        assert!(declares_modules("pub(crate) mod fields;\n"));
        assert!(declares_modules("    mod inner;\n"));
        assert!(declares_modules("pub(super) mod a;\n"));
        assert!(declares_modules("pub(in crate::x) mod a;\n"));
        assert!(declares_modules("#[cfg(test)] mod tests;\n"));
        assert!(declares_modules("mod r#type;\n"));
        assert!(!declares_modules("mod tests {\n}\n"));
        assert!(!declares_modules("// mod commented;\npub struct Model;\n"));
    }
}
