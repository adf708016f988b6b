//! Printed code by token text: parsing a token stream back into `syn` and printing it with
//! prettyplease is most of emit's time (BENCHMARKS.md), and it is a pure function of the
//! tokens and of this generator's build. So a file whose tokens did not change since the last
//! run (a re-run, a template edit, a spec change elsewhere) is read back instead of reprinted.

use std::path::{Path, PathBuf};

use crate::fingerprint;

/// A folder of earlier answers, for this very generator binary.
pub struct PrintCache {
    dir: PathBuf,
    /// The running executable's path, size and modification time: a rebuilt generator (other
    /// emitter code, another prettyplease) never reads a stale answer.
    identity: String,
}

impl PrintCache {
    /// `None` when the running binary cannot be identified: then nothing is cached.
    pub fn open(dir: &Path) -> Option<PrintCache> {
        let exe = std::env::current_exe().ok()?;
        Some(PrintCache {
            dir: dir.to_path_buf(),
            identity: fingerprint::program(&exe)?,
        })
    }

    pub fn get(&self, tokens: &str) -> Option<String> {
        std::fs::read_to_string(self.entry(tokens)).ok()
    }

    /// Stores an answer. Written aside and renamed into place, so a concurrent run never
    /// reads half a file; a cache that cannot be written only costs speed next time.
    pub fn put(&self, tokens: &str, printed: &str) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let entry = self.entry(tokens);
        let aside = entry.with_extension(format!("tmp-{}", std::process::id()));
        if std::fs::write(&aside, printed).is_err() || std::fs::rename(&aside, &entry).is_err() {
            let _ = std::fs::remove_file(&aside);
        }
    }

    fn entry(&self, tokens: &str) -> PathBuf {
        fingerprint::entry(&self.dir, &(&self.identity, tokens))
    }
}
