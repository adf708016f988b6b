//! Final formatting with rustfmt, so the emitted crate is exactly what `cargo fmt` would
//! leave it as: the workspace's `cargo fmt` never touches it and `check` never sees drift
//! from formatting. prettyplease has already laid the code out; rustfmt settles the details.
//!
//! rustfmt is the slowest phase, so its answers are cached by (rustfmt binary, input text):
//! a regen after a small spec change formats only the files that changed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::emit::Files;
use crate::error::{Error, Result};
use crate::fingerprint;

/// The config file emitted with the crate, so rustfmt reads the same settings in the temporary
/// folder as in the crate's final place (and not those of whatever folder encloses it).
pub const CONFIG_FILE: &str = "rustfmt.toml";
pub const CONFIG: &str = "edition = \"2021\"\n";

/// Formats every `.rs` file in `files`; `cache`, when given, is a folder of earlier answers
/// (one folder per rustfmt binary inside it).
pub fn rustfmt(files: &mut Files, cache: Option<&Path>) -> Result<()> {
    let binary = binary();
    let identity = fingerprint::program(&binary);
    let cache = cache
        .zip(identity.as_deref())
        .map(|(root, id)| fingerprint::program_dir(root, id));
    let cache = cache.as_deref();
    let mut missing = Vec::new();
    for (relative, text) in files.iter_mut().filter(|(p, _)| p.ends_with(".rs")) {
        let cached = cache
            .zip(identity.as_deref())
            .and_then(|(dir, id)| std::fs::read_to_string(entry(dir, id, relative, text)).ok());
        match cached {
            Some(formatted) => *text = formatted,
            None => missing.push(relative.clone()),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let before: Vec<(String, String)> = missing
        .iter()
        .map(|r| (r.clone(), files[r].clone()))
        .collect();
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "airflow-codegen-fmt-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = format_in(&dir, &binary, files, &missing);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let (Some(dir), Some(id)) = (cache, identity.as_deref()) {
        for (relative, text) in &before {
            fingerprint::store(&entry(dir, id, relative, text), &files[relative]);
        }
    }
    Ok(())
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

/// The cache file for one input.
fn entry(dir: &Path, identity: &str, relative: &str, text: &str) -> PathBuf {
    fingerprint::entry(dir, &(identity, CONFIG, relative, text))
}

/// Formats the missing files in one rustfmt process, or in two at once when there are
/// enough of them and a second CPU: rustfmt is single-threaded, and its start-up is small next
/// to a crate's worth of files.
fn format_in(dir: &Path, binary: &Path, files: &mut Files, missing: &[String]) -> Result<()> {
    let (alone, rest) = split_off_leaves(files, missing);
    let formatted = if alone.is_empty() {
        run_batch(dir, binary, files, missing, &[])?
    } else {
        let second = dir.with_extension("2");
        let shared: &Files = files;
        let (leaves, others) = crate::parallel::join(
            || run_batch(&second, binary, shared, &alone, &[]),
            || run_batch(dir, binary, shared, &rest, &alone),
        );
        let _ = std::fs::remove_dir_all(&second);
        let mut formatted = leaves?;
        formatted.extend(others?);
        formatted
    };
    files.extend(formatted);
    Ok(())
}

/// Below this many bytes to format, one process is as fast.
const SPLIT_BYTES: usize = 64 * 1024;

/// About half of the missing files, by size, among those that declare no out-of-line modules
/// (so that rustfmt, named one, formats that file alone); and the other missing files.
fn split_off_leaves(files: &Files, missing: &[String]) -> (Vec<String>, Vec<String>) {
    let total: usize = missing.iter().map(|r| files[r].len()).sum();
    let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
    if total < SPLIT_BYTES || parallel < 2 {
        return (Vec::new(), missing.to_vec());
    }
    let (mut alone, mut rest) = (Vec::new(), Vec::new());
    let mut moved = 0;
    for relative in missing {
        let text = &files[relative];
        if moved < total / 2 && relative.starts_with("src/") && !declares_modules(text) {
            moved += text.len();
            alone.push(relative.clone());
        } else {
            rest.push(relative.clone());
        }
    }
    (alone, rest)
}

/// Whether a file has a `mod name;` line (with any visibility or attributes before it), which
/// rustfmt follows into another file. Erring towards yes only costs a batch its speed.
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

/// One rustfmt process in `dir` over `missing`. Files in `elsewhere` are another process's:
/// they are written empty here, so that following `mod` declarations finds them at no cost.
fn run_batch(
    dir: &Path,
    binary: &Path,
    files: &Files,
    missing: &[String],
    elsewhere: &[String],
) -> Result<Vec<(String, String)>> {
    let io = |e: std::io::Error| Error::at("", format!("formatting in {}: {e}", dir.display()));
    // rustfmt follows `mod` declarations, so when a named file has any, every file is
    // written; otherwise the named ones are enough. Only those are read back.
    let whole_tree = missing.iter().any(|r| declares_modules(&files[r]));
    let written = files
        .iter()
        .filter(|(p, _)| p.ends_with(".rs"))
        .filter(|(p, _)| whole_tree || missing.contains(p));
    for (relative, text) in written {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(io)?;
        let text = if elsewhere.contains(relative) {
            ""
        } else {
            text
        };
        std::fs::write(path, text).map_err(io)?;
    }
    std::fs::write(dir.join(CONFIG_FILE), CONFIG).map_err(io)?;
    // rustfmt formats the modules a file declares too: when lib.rs is among the missing,
    // naming it (and the examples, which are roots of their own) covers everything once.
    let named: Vec<&String> = if missing.iter().any(|r| r == "src/lib.rs") {
        missing
            .iter()
            .filter(|r| !r.starts_with("src/") || *r == "src/lib.rs")
            .collect()
    } else {
        missing.iter().collect()
    };
    let output = Command::new(binary)
        .arg("--edition=2021")
        .args(named.iter().map(|r| dir.join(r)))
        .output()
        .map_err(|e| {
            Error::at("", format!("cannot run `{}`: {e}", binary.display()))
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
    missing
        .iter()
        .map(|relative| {
            let text = std::fs::read_to_string(dir.join(relative)).map_err(io)?;
            Ok((relative.clone(), text))
        })
        .collect()
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

    #[test]
    fn only_leaves_are_split_off_and_about_half_by_size() {
        let mut files = Files::new();
        files.insert("src/lib.rs".into(), "pub mod a;\n".repeat(SPLIT_BYTES / 20));
        for name in ["a", "b", "c", "d"] {
            files.insert(format!("src/{name}.rs"), "// x\n".repeat(SPLIT_BYTES / 10));
        }
        let missing: Vec<String> = files.keys().cloned().collect();
        let (alone, rest) = split_off_leaves(&files, &missing);
        if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            assert!(alone.is_empty());
            return;
        }
        assert!(!alone.contains(&"src/lib.rs".to_string()));
        assert_eq!(alone.len() + rest.len(), missing.len());
        let size = |names: &[String]| names.iter().map(|n| files[n].len()).sum::<usize>();
        assert!(size(&alone) * 3 >= size(&rest), "{alone:?} / {rest:?}");
        assert!(size(&rest) * 3 >= size(&alone), "{alone:?} / {rest:?}");
    }
}
