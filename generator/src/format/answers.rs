//! rustfmt's earlier answers, kept under the cache folder for one rustfmt binary: whole files
//! by (generator, path, input), and for each leaf file a pack of its pieces' answers, so that a file that
//! changed in one place finds the rest of its pieces there (one read and one write per file,
//! not one per piece).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::CONFIG;
use crate::fingerprint;

/// A leaf file's pieces: the key of each input ([`key`]) → rustfmt's output for it.
pub type Pack = BTreeMap<String, String>;

/// The key of one input in a [`Pack`]: rustfmt's answer depends on the input alone.
pub fn key(input: &str) -> String {
    fingerprint::key(&(CONFIG, input))
}

pub struct Answers {
    /// The folder for this rustfmt binary, and its identity; `None` without a cache or when
    /// the binary cannot be identified (then nothing is kept).
    dir: Option<(PathBuf, String)>,
    /// The running generator's identity: a whole file's answer is put together from pieces by
    /// its code, so another build of the generator does not read it (pieces are rustfmt's
    /// alone). `None`: whole files are not kept.
    generator: Option<String>,
    stored: AtomicBool,
}

impl Answers {
    pub fn open(cache: Option<&Path>, binary: &Path) -> Answers {
        let dir = cache
            .zip(fingerprint::program(binary))
            .map(|(root, id)| (fingerprint::program_dir(root, &id), id));
        let generator = std::env::current_exe()
            .ok()
            .and_then(|exe| fingerprint::program(&exe));
        Answers {
            dir,
            generator,
            stored: AtomicBool::new(false),
        }
    }

    /// The cache's folder, where rustfmt's own work is done too: on the disk the output goes
    /// to, which may be faster than the temporary folder's.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|(dir, _)| dir.as_path())
    }

    pub fn file(&self, relative: &str, text: &str) -> Option<String> {
        std::fs::read_to_string(self.file_entry(relative, text)?).ok()
    }

    pub fn put_file(&self, relative: &str, text: &str, formatted: &str) {
        if let Some(entry) = self.file_entry(relative, text) {
            fingerprint::store(&entry, formatted);
            self.stored.store(true, Ordering::Relaxed);
        }
    }

    fn file_entry(&self, relative: &str, text: &str) -> Option<PathBuf> {
        let (dir, identity) = self.dir.as_ref()?;
        let generator = self.generator.as_ref()?;
        Some(fingerprint::entry(
            dir,
            &(identity, generator, CONFIG, relative, text),
        ))
    }

    /// The pieces last formatted for the file at `relative` (none when there is no pack or it
    /// cannot be read).
    pub fn pack(&self, relative: &str) -> Pack {
        self.pack_entry(relative)
            .and_then(|entry| std::fs::read_to_string(entry).ok())
            .and_then(|text| decode(&text))
            .unwrap_or_default()
    }

    pub fn put_pack(&self, relative: &str, pack: &Pack) {
        if let Some(entry) = self.pack_entry(relative) {
            fingerprint::store(&entry, &encode(pack));
            self.stored.store(true, Ordering::Relaxed);
        }
    }

    fn pack_entry(&self, relative: &str) -> Option<PathBuf> {
        let (dir, identity) = self.dir.as_ref()?;
        Some(fingerprint::entry(
            dir,
            &(identity, CONFIG, "pieces of", relative),
        ))
    }

    /// Keeps the folder from growing without end, once this run has added to it.
    pub fn trim(&self) {
        if let (Some((dir, _)), true) = (&self.dir, self.stored.load(Ordering::Relaxed)) {
            fingerprint::trim(dir);
        }
    }
}

/// `key length\ntext` per entry: keys are hex, lengths in bytes.
fn encode(pack: &Pack) -> String {
    let mut out = String::new();
    for (key, text) in pack {
        out.push_str(&format!("{key} {}\n{text}", text.len()));
    }
    out
}

fn decode(mut text: &str) -> Option<Pack> {
    let mut pack = Pack::new();
    while !text.is_empty() {
        let (line, rest) = text.split_once('\n')?;
        let (key, length) = line.split_once(' ')?;
        let length: usize = length.parse().ok()?;
        let body = rest.get(..length)?;
        pack.insert(key.to_string(), body.to_string());
        text = &rest[length..];
    }
    Some(pack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_read_back_what_was_written_and_reject_damage() {
        let mut pack = Pack::new();
        pack.insert(key("fn a() {}\n"), "fn a() {}\n".into());
        pack.insert(key("é\n\n"), "é\n12 3\n".into());
        let text = encode(&pack);
        assert_eq!(decode(&text), Some(pack));
        assert_eq!(decode(&text[..text.len() - 1]), None);
        assert_eq!(decode("abc x\n"), None);
        assert_eq!(decode(""), Some(Pack::new()));
    }
}
