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
    /// Whether this run stored answers (then the folder's size is checked at the end).
    stored: std::sync::atomic::AtomicBool,
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
            stored: false.into(),
            identity,
        })
    }

    pub fn get(&self, tokens: &str) -> Option<String> {
        std::fs::read_to_string(self.entry(tokens)).ok()
    }

    pub fn put(&self, tokens: &str, printed: &str) {
        fingerprint::store(&self.entry(tokens), printed);
        self.stored
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Keeps the folder from growing without end, once this run has added to it.
    pub fn trim(&self) {
        if self.stored.load(std::sync::atomic::Ordering::Relaxed) {
            fingerprint::trim(&self.dir);
        }
    }

    fn entry(&self, tokens: &str) -> PathBuf {
        fingerprint::entry(&self.dir, &(&self.identity, tokens))
    }
}
