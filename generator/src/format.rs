//! Final formatting with rustfmt, so the emitted crate is exactly what `cargo fmt` would
//! leave it as: the workspace's `cargo fmt` never touches it and `check` never sees drift
//! from formatting. prettyplease has already laid the code out; rustfmt settles the details.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::emit::Files;
use crate::error::{Error, Result};

/// The config file emitted with the crate, so rustfmt reads the same settings in the temporary
/// folder as in the crate's final place (and not those of whatever folder encloses it).
pub const CONFIG_FILE: &str = "rustfmt.toml";
pub const CONFIG: &str = "edition = \"2021\"\n";

/// Runs rustfmt over the crate rooted at `src/lib.rs` and replaces the `.rs` files in `files`.
pub fn rustfmt(files: &mut Files) -> Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "airflow-codegen-fmt-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = format_in(&dir, files);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn format_in(dir: &Path, files: &mut Files) -> Result<()> {
    let io = |e: std::io::Error| Error::at("", format!("formatting in {}: {e}", dir.display()));
    let sources: Vec<(String, PathBuf)> = files
        .keys()
        .filter(|p| p.ends_with(".rs"))
        .map(|p| (p.clone(), dir.join(p)))
        .collect();
    for (relative, path) in &sources {
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(io)?;
        std::fs::write(path, &files[relative]).map_err(io)?;
    }
    std::fs::write(dir.join(CONFIG_FILE), CONFIG).map_err(io)?;
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into());
    // lib.rs brings every module with it; examples are crate roots of their own.
    let roots = sources
        .iter()
        .filter(|(r, _)| r == "src/lib.rs" || r.starts_with("examples/"))
        .map(|(_, p)| p);
    let output = Command::new(&rustfmt)
        .arg("--edition=2021")
        .args(roots)
        .output()
        .map_err(|e| {
            Error::at("", format!("cannot run `{rustfmt}`: {e}"))
                .with_hint("install it with `rustup component add rustfmt`, or set RUSTFMT")
        })?;
    if !output.status.success() {
        return Err(Error::at(
            "",
            format!(
                "rustfmt rejected the emitted code: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        )
        .with_hint("this is a generator bug; please report it with the document"));
    }
    for (relative, path) in sources {
        let text = std::fs::read_to_string(&path).map_err(io)?;
        files.insert(relative, text);
    }
    Ok(())
}
