//! The emitted files, written all or nothing, and compared with what is on disk.

use std::{collections::BTreeMap, ffi::OsStr, fmt, fs, io, path::Path};

/// Relative path → file contents.
pub type Files = BTreeMap<String, String>;

/// Folders inside an output directory that are not ours to replace (build caches).
const KEEP: &[&str] = &["target"];

/// One way a folder differs from the files a generation writes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// The file is there with other contents.
    Changed(String),
    /// The file is not there.
    Missing(String),
    /// A file (or a folder with no file below it, ending in `/`) nobody generates.
    NotGenerated(String),
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Changed(path) => write!(f, "changed: {path}"),
            Drift::Missing(path) => write!(f, "missing: {path}"),
            Drift::NotGenerated(path) => write!(f, "not generated: {path}"),
        }
    }
}

/// Writes `files` as the complete contents of `out`. Everything goes to a sibling temporary
/// folder first and is swapped in with renames, so a failure leaves `out` exactly as it was. A
/// tree that holds exactly `files` already is left alone (file times too): cargo rebuilds nothing.
pub fn write_tree(out: &Path, files: &Files) -> io::Result<()> {
    if out.is_dir() && differences(out, files)?.is_empty() {
        return Ok(());
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let parent = parent.unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out.file_name().map_or("out".into(), OsStr::to_string_lossy);
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.retired-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    write_all(&staging, files).inspect_err(|_| {
        let _ = fs::remove_dir_all(&staging);
    })?;
    if out.exists() {
        for keep in KEEP.iter().filter(|keep| out.join(keep).exists()) {
            fs::rename(out.join(keep), staging.join(keep))?;
        }
        fs::rename(out, &retired).inspect_err(|_| {
            for keep in KEEP {
                let _ = fs::rename(staging.join(keep), out.join(keep));
            }
            let _ = fs::remove_dir_all(&staging);
        })?;
    }
    fs::rename(&staging, out).inspect_err(|_| {
        let _ = fs::rename(&retired, out);
    })?;
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

fn write_all(root: &Path, files: &Files) -> io::Result<()> {
    for (relative, text) in files {
        let path = root.join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, text)?;
    }
    Ok(())
}

/// How `out` differs from `files`, in path order within each kind.
pub fn differences(out: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    let drifted = |(path, text): (&String, &String)| match fs::read_to_string(out.join(path)) {
        Ok(current) if current == *text => None,
        Ok(_) => Some(Drift::Changed(path.clone())),
        Err(_) => Some(Drift::Missing(path.clone())),
    };
    let mut drift: Vec<Drift> = files.iter().filter_map(drifted).collect();
    if out.exists() {
        let mut extra = walk(out, KEEP)?;
        extra.retain(|relative| !files.contains_key(relative));
        drift.extend(extra.into_iter().map(Drift::NotGenerated));
    }
    Ok(drift)
}

/// Every file below `root`, as a `/`-separated path relative to it, and every folder with no
/// file anywhere below it (`empty/`, the topmost such folder only); the folders directly in
/// `root` that `skip` names are left out.
pub(crate) fn walk(root: &Path, skip: &[&str]) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !path.is_dir() {
            found.push(name);
        } else if !skip.contains(&name.as_str()) {
            let below = walk(&path, &[])?;
            match below.iter().all(|b| b.ends_with('/')) {
                true => found.push(format!("{name}/")),
                false => found.extend(below.iter().map(|b| format!("{name}/{b}"))),
            }
        }
    }
    Ok(found)
}
