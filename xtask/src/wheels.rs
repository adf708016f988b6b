//! Released `apache-airflow-core` wheels, downloaded with pip into a cache, and the API
//! documents read out of them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Where the REST API document sits inside the wheel; 3.0.x releases call it v1.
const REST_PATHS: &[&str] = &[
    "airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml",
    "airflow/api_fastapi/core_api/openapi/v1-rest-api-generated.yaml",
];
/// Where the simple auth manager's document sits inside the wheel.
pub const AUTH_PATH: &str =
    "airflow/api_fastapi/auth/managers/simple/openapi/v2-simple-auth-manager-generated.yaml";

/// Where the wheels of releases are cached.
pub fn wheel_cache() -> PathBuf {
    root().join("target/airflow-wheels")
}

/// What one release's wheel holds: the REST document, and the auth manager's when it has one.
pub struct Documents {
    pub wheel: PathBuf,
    pub wheel_name: String,
    pub rest: Vec<u8>,
    pub rest_source: &'static str,
    pub auth: Option<Vec<u8>>,
}

/// Downloads the wheel (cached in `cache`) and reads the documents out of it.
pub fn fetch(version: &str, cache: &Path) -> Result<Documents, String> {
    if version.is_empty()
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        return Err(format!("`{version}` is not a release version"));
    }
    let dir = cache.join(version);
    let wheel = match find_wheel(&dir) {
        Some(w) => w,
        None => {
            fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let status = Command::new(python())
                .args(["-m", "pip", "download", "--quiet", "--no-deps", "--dest"])
                .arg(&dir)
                .arg(format!("apache-airflow-core=={version}"))
                .status()
                .map_err(|e| format!("running pip: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "pip download apache-airflow-core=={version} failed ({status})"
                ));
            }
            find_wheel(&dir).ok_or_else(|| format!("pip left no wheel in {}", dir.display()))?
        }
    };
    let (rest_source, rest) = REST_PATHS
        .iter()
        .find_map(|p| extract(&wheel, p).ok().map(|bytes| (*p, bytes)))
        .ok_or_else(|| format!("{} holds none of {REST_PATHS:?}", wheel.display()))?;
    let auth = extract(&wheel, AUTH_PATH).ok();
    Ok(Documents {
        wheel_name: wheel
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        wheel,
        rest,
        rest_source,
        auth,
    })
}

fn find_wheel(dir: &Path) -> Option<PathBuf> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
}

/// The interpreter that runs pip and reads wheels: `$PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// One member of a wheel (zip) or source archive (tar.gz), read with Python's standard library.
pub fn extract(archive: &Path, member: &str) -> Result<Vec<u8>, String> {
    const READ: &str = "import sys, tarfile, zipfile\n\
        a, m = sys.argv[1], sys.argv[2]\n\
        data = zipfile.ZipFile(a).read(m) if zipfile.is_zipfile(a) else tarfile.open(a).extractfile(m).read()\n\
        sys.stdout.buffer.write(data)";
    let out = Command::new(python())
        .args(["-c", READ])
        .arg(archive)
        .arg(member)
        .output()
        .map_err(|e| format!("running python: {e}"))?;
    if !out.status.success() {
        return Err(format!("{member} not in {}", archive.display()));
    }
    Ok(out.stdout)
}
