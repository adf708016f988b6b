//! A virtualenv of one Airflow release (`provision` makes it), and where its programs are.

use std::path::PathBuf;

/// A virtualenv with `apache-airflow` installed.
pub struct Venv {
    pub dir: PathBuf,
}

impl Venv {
    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }

    pub fn airflow(&self) -> PathBuf {
        self.bin().join("airflow")
    }

    pub fn python(&self) -> PathBuf {
        self.bin().join("python")
    }
}
