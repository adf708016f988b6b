//! Printed code by token text: parsing a token stream back into `syn` and printing it with
//! prettyplease is most of emit's time (BENCHMARKS.md), and it is a pure function of the
//! tokens and of this generator's build. So a file whose tokens did not change since the last
//! run (a re-run, a template edit, a spec change elsewhere) is read back instead of reprinted.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

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
        let meta = std::fs::metadata(&exe).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(PrintCache {
            dir: dir.to_path_buf(),
            identity: format!("{}:{}:{}", exe.display(), meta.len(), modified.as_nanos()),
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
        if std::fs::write(&aside, printed).is_ok() && std::fs::rename(&aside, &entry).is_err() {
            let _ = std::fs::remove_file(&aside);
        }
    }

    /// Two differently seeded 64-bit hashes make collisions moot.
    fn entry(&self, tokens: &str) -> PathBuf {
        let hash = |seed: u8| {
            let mut h = DefaultHasher::new();
            (seed, &self.identity, tokens).hash(&mut h);
            h.finish()
        };
        self.dir
            .join(format!("{:016x}{:016x}.rs", hash(1), hash(2)))
    }
}
