//! Names for the caches' entries (printed code, rustfmt's answers): what identifies a program,
//! and a file name made from hashed parts.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// A program's path, size and modification time: a rebuilt or updated binary gets another.
/// `None` when the file cannot be looked at (a bare name found through `PATH`, say).
pub fn program(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{}:{}:{}",
        path.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

/// The entry for `parts` in `dir`: two differently seeded 64-bit hashes make collisions moot.
pub fn entry(dir: &Path, parts: &impl Hash) -> PathBuf {
    let hash = |seed: u8| {
        let mut h = DefaultHasher::new();
        (seed, parts).hash(&mut h);
        h.finish()
    };
    dir.join(format!("{:016x}{:016x}.rs", hash(1), hash(2)))
}
