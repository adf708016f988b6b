//! Printed code by token text: parsing a token stream back into `syn` and printing it with
//! prettyplease is most of emit's time (BENCHMARKS.md), and it is a pure function of the
//! tokens and of this generator's build. So a file whose tokens did not change since the last
//! run (a re-run, a template edit, a spec change elsewhere) is read back instead of reprinted.

use std::path::{Path, PathBuf};

use crate::fingerprint;

/// A folder of earlier answers, for this very generator binary (older binaries' folders are
/// pruned, see `fingerprint::program_dir`).
pub struct PrintCache {
    dir: PathBuf,
    /// The running executable's path, size and modification time: a rebuilt generator (other
    /// emitter code, another prettyplease) never reads a stale answer.
    identity: String,
}

impl PrintCache {
    /// `None` when the running binary cannot be identified: then nothing is cached.
    pub fn open(root: &Path) -> Option<PrintCache> {
        let exe = std::env::current_exe().ok()?;
        let identity = fingerprint::program(&exe)?;
        Some(PrintCache {
            dir: fingerprint::program_dir(root, &identity),
            identity,
        })
    }

    pub fn get(&self, tokens: &str) -> Option<String> {
        std::fs::read_to_string(self.entry(tokens)).ok()
    }

    pub fn put(&self, tokens: &str, printed: &str) {
        fingerprint::store(&self.entry(tokens), printed);
    }

    fn entry(&self, tokens: &str) -> PathBuf {
        fingerprint::entry(&self.dir, &(&self.identity, tokens))
    }
}
