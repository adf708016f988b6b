//! Every `apache-airflow-core` release the generator is held to (`spec-matrix` generates and
//! builds each, `history` indexes them), and each one's REST document, fetched once and kept
//! under `target/spec-matrix/<version>/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::root;
use crate::spec::REST_FILE;
use crate::wheels::fetch;

/// One release and the operation counts its document must yield (Task Instance tag, all tags).
/// The counts match the documents' own (operations with the tag, all operations); a change means the generator dropped or invented
/// operations, or the pinned wheel changed.
pub struct Release {
    pub version: &'static str,
    pub ti_operations: usize,
    pub all_operations: usize,
}

/// Every `apache-airflow-core` release from 3.0.0 to 3.3.2, as `pip index versions` lists them
/// (3.0.5 and 3.1.4 were never published).
pub const RELEASES: &[Release] = &[
    release("3.0.0", 18, 99),
    release("3.0.1", 18, 99),
    release("3.0.2", 18, 99),
    release("3.0.3", 18, 99),
    release("3.0.4", 18, 99),
    release("3.0.6", 18, 99),
    release("3.1.0", 24, 110),
    release("3.1.1", 24, 109),
    release("3.1.2", 24, 109),
    release("3.1.3", 24, 109),
    release("3.1.5", 24, 108),
    release("3.1.6", 24, 108),
    release("3.1.7", 24, 108),
    release("3.1.8", 24, 108),
    release("3.2.0", 25, 110),
    release("3.2.1", 25, 110),
    release("3.2.2", 25, 110),
    release("3.3.0", 27, 128),
    release("3.3.1", 27, 128),
    release("3.3.2", 27, 128),
];

const fn release(version: &'static str, ti_operations: usize, all_operations: usize) -> Release {
    Release {
        version,
        ti_operations,
        all_operations,
    }
}

/// Where each release's wheel and document are kept (and the matrix's crates, beside them).
pub fn base() -> PathBuf {
    root().join("target").join("spec-matrix")
}

/// The release's REST document, extracted once from its wheel and kept beside it.
pub fn document(version: &str, base: &Path) -> Result<PathBuf, String> {
    let path = base.join(version).join(REST_FILE);
    if path.is_file() {
        return Ok(path);
    }
    let documents = fetch(version, base)?;
    fs::write(&path, &documents.rest).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!(
        "fetched apache-airflow-core {version}: {}",
        documents.rest_source
    );
    Ok(path)
}

/// Whether `version` is the last release of its `major.minor` series in [`RELEASES`].
pub fn newest_of_series(version: &str) -> bool {
    let series = |v: &str| {
        v.rsplit_once('.')
            .map_or(v.to_string(), |(s, _)| s.to_string())
    };
    let position = RELEASES.iter().position(|r| r.version == version);
    match position {
        Some(i) => RELEASES
            .get(i + 1)
            .is_none_or(|next| series(next.version) != series(version)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_release_of_each_series_builds_all_targets() {
        let newest: Vec<&str> = RELEASES
            .iter()
            .map(|r| r.version)
            .filter(|v| newest_of_series(v))
            .collect();
        assert_eq!(newest, ["3.0.6", "3.1.8", "3.2.2", "3.3.2"]);
        assert!(!newest_of_series("9.9.9"));
    }

    #[test]
    fn releases_are_listed_once_in_order() {
        let key = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap()).collect() };
        for pair in RELEASES.windows(2) {
            assert!(
                key(pair[0].version) < key(pair[1].version),
                "{} before {}",
                pair[0].version,
                pair[1].version
            );
        }
        assert_eq!(RELEASES.first().map(|r| r.version), Some("3.0.0"));
        assert_eq!(RELEASES.last().map(|r| r.version), Some("3.3.2"));
    }
}
