//! Names for the caches' entries (printed code, rustfmt's answers): what identifies a program,
//! a folder per program, and a file name made from hashed parts.

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

/// How many programs' folders a cache keeps: the generator built for tests and for release, a
/// toolchain's rustfmt, and a few older ones, so that switching between them does not empty the
/// cache while rebuilds do not grow it without end.
const KEEP: usize = 4;

/// The file in a program's folder that says when it was last used.
const USED: &str = "last-used";

/// More entries than this in one program's folder (a long-lived rustfmt that saw many spec
/// edits), and the folder is emptied to fill again.
const MAX_ENTRIES: usize = 4000;

/// The folder for `identity`'s entries in the cache `root`, marked as used now. Folders of all
/// but the [`KEEP`] most recently used programs are removed (a rebuilt binary is another
/// program, whose old answers nothing will read again). A cache that cannot be written only
/// costs speed, so failures here are ignored.
pub fn program_dir(root: &Path, identity: &str) -> PathBuf {
    let dir = root.join(name(&identity, ""));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Written aside and renamed, so a concurrent prune never reads half a time.
    store(&dir.join(USED), &now.to_string());
    prune(root);
    dir
}

/// Empties `dir` (a program's folder) when it holds more than [`MAX_ENTRIES`] answers, to fill
/// again. Called by a run that stored answers, so a re-run does not list the folder.
pub fn trim(dir: &Path) {
    if std::fs::read_dir(dir).is_ok_and(|entries| entries.count() > MAX_ENTRIES) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Removes all but the [`KEEP`] most recently used program folders, and loose files (entries
/// of the older, flat layout).
fn prune(root: &Path) {
    let Ok(listing) = std::fs::read_dir(root) else {
        return;
    };
    let mut folders = Vec::new();
    for item in listing.flatten() {
        let path = item.path();
        if path.is_dir() {
            let used = std::fs::read_to_string(path.join(USED))
                .ok()
                .and_then(|t| t.trim().parse::<u128>().ok())
                .unwrap_or(0);
            folders.push((used, path));
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    folders.sort_by(|a, b| b.cmp(a));
    for (_, path) in folders.into_iter().skip(KEEP) {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// The entry for `parts` in `dir`: two differently seeded 64-bit hashes make collisions moot.
pub fn entry(dir: &Path, parts: &impl Hash) -> PathBuf {
    dir.join(name(parts, ".rs"))
}

/// Stores an answer at `entry`. Written aside and renamed into place, so a concurrent run never
/// reads half a file; a cache that cannot be written only costs speed next time.
pub fn store(entry: &Path, text: &str) {
    if let Some(dir) = entry.parent() {
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
    }
    let aside = entry.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&aside, text).is_err() || std::fs::rename(&aside, entry).is_err() {
        let _ = std::fs::remove_file(&aside);
    }
}

/// A name for `parts` (the hex of two differently seeded hashes), for keys inside an entry.
pub fn key(parts: &impl Hash) -> String {
    name(parts, "")
}

fn name(parts: &impl Hash, extension: &str) -> String {
    let hash = |seed: u8| {
        let mut h = DefaultHasher::new();
        (seed, parts).hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}{extension}", hash(1), hash(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_keeps_the_most_recently_used_programs_and_drops_loose_files() {
        let root = std::env::temp_dir().join(format!("codegen-fingerprint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("0123.rs"), "flat layout").unwrap();
        let dirs: Vec<PathBuf> = (0..KEEP + 2)
            .map(|i| {
                // Made by hand, with distinct times of use even where the clock is coarse.
                let dir = root.join(name(&format!("program {i}"), ""));
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("entry.rs"), "answer").unwrap();
                std::fs::write(dir.join(USED), format!("{}", 1000 + i)).unwrap();
                dir
            })
            .collect();
        // Used again: the oldest program is now among the most recent.
        let again = program_dir(&root, "program 0");
        assert_eq!(again, dirs[0]);
        let kept: Vec<bool> = dirs.iter().map(|d| d.join("entry.rs").exists()).collect();
        assert!(!root.join("0123.rs").exists());
        assert!(kept[0], "the program just used is kept");
        assert_eq!(kept.iter().filter(|k| **k).count(), KEEP, "{kept:?}");
        assert!(!kept[1] && !kept[2], "the least recently used go: {kept:?}");
        let _ = std::fs::remove_dir_all(&root);
    }
}
