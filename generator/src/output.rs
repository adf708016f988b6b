//! Writing the emitted files: all or nothing, and comparing them with what is on disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::Files;

/// Folders inside an output directory that are not ours to replace (build caches).
const KEEP: &[&str] = &["target"];

/// Writes `files` as the complete contents of `out`. Everything goes to a sibling temporary
/// folder first and is swapped in with renames, so a failure leaves `out` exactly as it was.
/// A tree that already holds exactly `files` is left alone, file times included, so a re-run
/// gives cargo nothing to rebuild.
pub fn write_tree(out: &Path, files: &Files) -> io::Result<()> {
    let diff = if out.is_dir() {
        differences(out, files).ok()
    } else {
        None
    };
    if diff.as_ref().is_some_and(|d| d.is_empty()) {
        return Ok(());
    }
    // Files whose text is already in `out` are hard-linked into the new tree, not written
    // again: cheaper, and their times stay as they were.
    let unchanged: Vec<&String> = match &diff {
        Some(diff) => files
            .keys()
            .filter(|r| {
                !diff.contains(&format!("changed: {r}")) && !diff.contains(&format!("missing: {r}"))
            })
            .collect(),
        None => Vec::new(),
    };
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.retired-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    if let Err(e) = write_all(&staging, files, out, &unchanged) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if out.exists() {
        for keep in KEEP {
            let from = out.join(keep);
            if from.exists() {
                fs::rename(&from, staging.join(keep))?;
            }
        }
        if let Err(e) = fs::rename(out, &retired) {
            restore_kept(&staging, out);
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    }
    if let Err(e) = fs::rename(&staging, out) {
        let _ = fs::rename(&retired, out);
        return Err(e);
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

fn restore_kept(staging: &Path, out: &Path) {
    for keep in KEEP {
        let _ = fs::rename(staging.join(keep), out.join(keep));
    }
}

/// Writes `files` below `root`; those in `unchanged` are linked from `out` where the file
/// system allows it.
fn write_all(root: &Path, files: &Files, out: &Path, unchanged: &[&String]) -> io::Result<()> {
    let mut made = std::collections::BTreeSet::new();
    for (relative, text) in files {
        let path = root.join(relative);
        if let Some(dir) = path.parent() {
            if made.insert(dir.to_path_buf()) {
                fs::create_dir_all(dir)?;
            }
        }
        if unchanged.contains(&relative) && fs::hard_link(out.join(relative), &path).is_ok() {
            continue;
        }
        fs::write(path, text)?;
    }
    Ok(())
}

/// Paths (relative to `out`) whose contents differ from `files`: changed, missing or extra.
pub fn differences(out: &Path, files: &Files) -> io::Result<Vec<String>> {
    let mut on_disk = Vec::new();
    if out.exists() {
        list(out, out, &mut on_disk)?;
    }
    let mut diff = Vec::new();
    for (relative, text) in files {
        match fs::read_to_string(out.join(relative)) {
            Ok(current) if &current == text => {}
            Ok(_) => diff.push(format!("changed: {relative}")),
            Err(_) => diff.push(format!("missing: {relative}")),
        }
    }
    for relative in on_disk {
        if !files.contains_key(&relative) {
            diff.push(format!("not generated: {relative}"));
        }
    }
    Ok(diff)
}

/// Every file below `dir`, and every folder with no file anywhere below it (`empty/`, the
/// topmost such folder only), which a regen does not leave behind either.
fn list(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            if KEEP.contains(&relative.as_str()) {
                continue;
            }
            let mut below = Vec::new();
            list(root, &path, &mut below)?;
            if below.iter().all(|b| b.ends_with('/')) {
                out.push(format!("{relative}/"));
            } else {
                out.append(&mut below);
            }
        } else {
            out.push(relative);
        }
    }
    Ok(())
}
