//! `cargo xtask fetch-spec --airflow VERSION`: the pinned documents come from the released
//! `apache-airflow-core` wheel, fetched with pip, so `spec/` is always a real release.
//!
//! After writing `spec/` it prints the API change report (see [`crate::api_changes`]) from the
//! release `spec/PROVENANCE.yaml` named before the fetch to VERSION. The older side is the REST
//! document `spec/` held, which is that release's; when it is missing, the release is fetched.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::api_changes::Report;
use crate::spec::{AUTH_FILE, REST_FILE};
use crate::wheels::{fetch, python, wheel_cache, AUTH_PATH};
use crate::{root, Args};

pub fn run(rest: &[String]) -> Result<(), String> {
    let args = Args::new(rest);
    args.only(&["--airflow"], &[])?;
    let version = args
        .value("--airflow")?
        .ok_or("fetch-spec needs --airflow VERSION (for example 3.3.2)")?;
    print!("{}", update(version, &root().join("spec"), &wheel_cache())?);
    Ok(())
}

/// Replaces the documents in `spec` with those of `version`; returns what to tell the user:
/// that, and the API change report from the release `spec` held before.
pub fn update(version: &str, spec: &Path, cache: &Path) -> Result<String, String> {
    let documents = fetch(version, cache)?;
    let before = pinned(spec, cache)?;
    fs::create_dir_all(spec).map_err(|e| format!("creating {}: {e}", spec.display()))?;
    fs::write(spec.join(REST_FILE), &documents.rest).map_err(|e| e.to_string())?;
    let mut provenance = format!(
        "# Written by `cargo xtask fetch-spec --airflow {version}`; do not edit.\npackage: apache-airflow-core=={version}\nwheel: {}\nwheel_sha256: {}\n{REST_FILE}:\n  from: {}\n  sha256: {}\n",
        documents.wheel_name,
        sha256_file(&documents.wheel)?,
        documents.rest_source,
        sha256_bytes(&documents.rest)?,
    );
    match &documents.auth {
        Some(auth) => {
            fs::write(spec.join(AUTH_FILE), auth).map_err(|e| e.to_string())?;
            provenance.push_str(&format!(
                "{AUTH_FILE}:\n  from: {AUTH_PATH}\n  sha256: {}\n",
                sha256_bytes(auth)?
            ));
        }
        None => {
            let _ = fs::remove_file(spec.join(AUTH_FILE));
        }
    }
    fs::write(spec.join("PROVENANCE.yaml"), provenance).map_err(|e| e.to_string())?;
    let mut out = format!("spec/ now holds the documents of apache-airflow-core {version}\n");
    let Some((old_version, old_text)) = before else {
        out.push_str("spec/ named no earlier release, so there is no change report\n");
        return Ok(out);
    };
    let new_text = String::from_utf8(documents.rest)
        .map_err(|_| format!("the REST document of apache-airflow-core {version} is not UTF-8"))?;
    let report = Report::of(&old_version, &old_text, version, &new_text).map_err(|e| {
        format!("spec/ is written, but the API change report could not be made: {e}")
    })?;
    out.push('\n');
    out.push_str(&report.render(&[])?);
    Ok(out)
}

/// The release `spec/` holds, by its PROVENANCE.yaml, and its REST document's text.
fn pinned(spec: &Path, cache: &Path) -> Result<Option<(String, String)>, String> {
    let Ok(provenance) = fs::read_to_string(spec.join("PROVENANCE.yaml")) else {
        return Ok(None);
    };
    let Some(version) = provenance
        .lines()
        .find_map(|l| l.strip_prefix("package: apache-airflow-core=="))
        .map(|v| v.trim().to_string())
    else {
        return Ok(None);
    };
    let text = match fs::read_to_string(spec.join(REST_FILE)) {
        Ok(text) => text,
        Err(_) => String::from_utf8(fetch(&version, cache)?.rest).map_err(|_| {
            format!("the REST document of apache-airflow-core {version} is not UTF-8")
        })?,
    };
    Ok(Some((version, text)))
}

fn sha256_file(path: &Path) -> Result<String, String> {
    sha256_bytes(&fs::read(path).map_err(|e| e.to_string())?)
}

fn sha256_bytes(bytes: &[u8]) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new(python())
        .args([
            "-c",
            "import sys,hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("running python: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(bytes)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
