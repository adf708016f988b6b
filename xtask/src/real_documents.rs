//! `cargo xtask real-documents`: the generator against real OpenAPI documents it was not
//! written for, as a new user would run it. Every document the Airflow family ships in its
//! released packages (the REST API with all tags, the UI API, the Task Execution API, the simple
//! auth manager's, and the fab, keycloak and edge3 providers' APIs) and documents other Python
//! packages ship. Each is generated with `--all-tags` (operations it cannot build are skipped
//! with a warning, as `regen --spec` does), built and linted with `clippy -D warnings`.
//!
//! `DOCUMENTS` says what each document exercises, which operations it is expected to skip and
//! which known defect keeps it from building, in one place: a document that does better than
//! its entry says fails the run too, so an entry is flipped when its fix lands.
//!
//! Layout, like the spec matrix's: `target/real-documents/packages/` holds the downloads (pip,
//! pinned versions, `--no-deps`), `<name>/` each emitted crate with its document beside it
//! (`<name>/openapi.<ext>`), `target/` the shared build output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use airflow_codegen::{output, Selection};

use crate::cargo::cargo_strict;
use crate::job::Job;
use crate::wheels::{python, wheel_cache};
use crate::{root, wheels, Args};

/// Where a document comes from.
#[derive(Clone, Copy)]
pub enum Source {
    /// A member of the wheel (or, with `sdist`, the source archive) of a package at a version.
    Package {
        name: &'static str,
        version: &'static str,
        member: &'static str,
        sdist: bool,
    },
    /// A member of the `apache-airflow-core` wheel of the release the pinned spec is from.
    Core(&'static str),
    /// The Task Execution API, which no package ships as a file: asked of its app, as the
    /// installed release serves it (newest API version), in the end-to-end suite's venv.
    ExecutionApi,
}

pub struct Document {
    pub name: &'static str,
    pub source: Source,
    /// What the document exercises that the pinned spec does not.
    pub exercises: &'static str,
    /// The operationIds the generator skips today, and why.
    pub skipped: &'static [&'static str],
    /// Why the crate does not yet build or pass clippy (the point of issue 22 that fixes it).
    pub known_failure: Option<&'static str>,
}

/// The Airflow release whose core documents and Task Execution API are read.
const AIRFLOW: &str = "3.3.2";

pub const DOCUMENTS: &[Document] = &[
    Document {
        name: "airflow-rest",
        source: Core("airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml"),
        exercises: "every tag of the pinned REST API: 128 operations, bulk bodies, NDJSON, \
                    a form-encoded token request",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-ui",
        source: Core("airflow/api_fastapi/core_api/openapi/_private_ui.yaml"),
        exercises: "the UI's private API: grid and graph structures, recursive trees, \
                    calendar and dashboard unions",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-execution",
        source: ExecutionApi,
        exercises: "the Task Execution API (Cadwyn, dated versions): JsonValue (a nullable \
                    recursive component), discriminated state updates, XCom values of any shape",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-simple-auth",
        source: Core(wheels::AUTH_PATH),
        exercises: "the simple auth manager: a form-encoded login, a 307 redirect, text answers",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-fab",
        source: Package {
            name: "apache-airflow-providers-fab",
            version: "3.10.2",
            member: "airflow/providers/fab/auth_manager/api_fastapi/openapi/\
                     v2-fab-auth-manager-generated.yaml",
            sdist: false,
        },
        exercises: "the FAB auth manager: users and roles, permissions lists, a login form",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-keycloak",
        source: Package {
            name: "apache-airflow-providers-keycloak",
            version: "0.11.2",
            member: "airflow/providers/keycloak/auth_manager/openapi/\
                     v2-keycloak-auth-manager-generated.yaml",
            sdist: false,
        },
        exercises: "the Keycloak auth manager: form-encoded token requests, redirects",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "airflow-edge3",
        source: Package {
            name: "apache-airflow-providers-edge3",
            version: "5.1.0",
            member: "airflow/providers/edge3/worker_api/v2-edge-generated.yaml",
            sdist: false,
        },
        exercises: "the edge worker API: discriminated unions with optional tags (pydantic \
                    Literal defaults), header parameters, JWT auth",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "mlserver-dataplane",
        source: Package {
            name: "mlserver",
            version: "1.7.1",
            member: "mlserver/rest/openapi/dataplane.json",
            sdist: false,
        },
        exercises: "a hand-written 3.0.3 document (Open Inference Protocol): tensors of any \
                    datatype, $refs outside components/schemas",
        // `#/components/enums/Datatype` in every tensor's `datatype`: a component section
        // OpenAPI does not define, which resolves as a schema.
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "mlserver-model-repository",
        source: Package {
            name: "mlserver",
            version: "1.7.1",
            member: "mlserver/rest/openapi/model_repository.json",
            sdist: false,
        },
        exercises: "a hand-written 3.0.0 document: model repository index, load and unload",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "localstack",
        source: Package {
            name: "localstack-core",
            version: "2026.3.0",
            member: "localstack/openapi.yaml",
            sdist: false,
        },
        exercises: "a hand-written 3.1.0 document: oneOf bodies, text and binary answers, \
                    several response media types, plugin and init-hook maps",
        skipped: &[],
        known_failure: None,
    },
    Document {
        name: "openapi-core-petstore",
        source: Package {
            name: "openapi-core",
            version: "0.19.5",
            member: "openapi_core-0.19.5/tests/integration/data/v3.0/petstore.yaml",
            sdist: true,
        },
        exercises: "a hand-written 3.0 test document: discriminator with mapping, allOf \
                    inheritance, header and cookie parameters, an `image/*` upload",
        // Nothing skipped: the `image/*` upload is sent as `application/octet-stream` bytes (a
        // call's own `content-type` header can name the image's type).
        skipped: &[],
        known_failure: None,
    },
];

use Source::{Core, ExecutionApi, Package};

/// What became of one document.
struct Outcome {
    operations: usize,
    skipped: Vec<String>,
    /// The first step that failed and its message.
    failure: Option<String>,
}

/// `python` is the interpreter of a venv with Airflow `AIRFLOW` installed, asked for only
/// when the Task Execution API is among the documents.
pub fn run(
    rest: &[String],
    python: impl FnOnce(&str) -> Result<PathBuf, String>,
) -> Result<(), String> {
    let args = Args::new(rest);
    args.only(&["--document"], &["--no-build"])?;
    let wanted = args.values("--document")?;
    let build = !args.switch("--no-build");
    let documents: Vec<&Document> = DOCUMENTS
        .iter()
        .filter(|d| wanted.is_empty() || wanted.contains(&d.name))
        .collect();
    if documents.len() < wanted.len() {
        let known: Vec<&str> = DOCUMENTS.iter().map(|d| d.name).collect();
        return Err(format!("choose documents among {}", known.join(", ")));
    }
    let base = root().join("target/real-documents");
    let mut python = Some(python);
    let mut execution_python = None;
    let mut outcomes: Vec<(&Document, Outcome)> = Vec::new();
    for document in documents {
        if matches!(document.source, ExecutionApi) && execution_python.is_none() {
            let ask = python.take().ok_or("the venv was asked for twice")?;
            execution_python = Some(ask(AIRFLOW)?);
        }
        let outcome = one(document, &base, execution_python.as_deref(), build);
        println!("{}", line(document, &outcome));
        outcomes.push((document, outcome));
    }
    let wrong: Vec<String> = outcomes
        .iter()
        .filter_map(|(d, o)| verdict(d, o).err().map(|e| format!("{}: {e}", d.name)))
        .collect();
    let passed = outcomes.len() - wrong.len();
    println!("{passed} passed, {} failed", wrong.len());
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("real documents:\n  {}", wrong.join("\n  ")))
    }
}

/// Whether an outcome is what the document's entry says.
fn verdict(document: &Document, outcome: &Outcome) -> Result<(), String> {
    let mut skipped: Vec<&str> = outcome.skipped.iter().map(String::as_str).collect();
    let mut expected = document.skipped.to_vec();
    skipped.sort();
    expected.sort();
    if skipped != expected {
        return Err(format!(
            "skipped {skipped:?} where {expected:?} was expected"
        ));
    }
    match (&outcome.failure, document.known_failure) {
        (None, None) => Ok(()),
        (Some(failure), None) => Err(failure.clone()),
        (None, Some(known)) => Err(format!(
            "builds and passes clippy now: drop its known failure ({known})"
        )),
        (Some(_), Some(_)) => Ok(()),
    }
}

fn line(document: &Document, outcome: &Outcome) -> String {
    let status = match (&outcome.failure, verdict(document, outcome)) {
        (_, Err(e)) => format!("FAILED: {e}"),
        (Some(_), Ok(())) => format!("known failure: {}", document.known_failure.unwrap_or("")),
        (None, Ok(())) => "ok".into(),
    };
    format!(
        "{:<28} {:>4} operations, {} skipped: {status}",
        document.name,
        outcome.operations,
        outcome.skipped.len()
    )
}

fn one(document: &Document, base: &Path, execution: Option<&Path>, build: bool) -> Outcome {
    let mut outcome = Outcome {
        operations: 0,
        skipped: Vec::new(),
        failure: None,
    };
    if let Err(e) = generate_and_build(document, base, execution, build, &mut outcome) {
        outcome.failure = Some(e);
    }
    outcome
}

fn generate_and_build(
    document: &Document,
    base: &Path,
    execution: Option<&Path>,
    build: bool,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let (text, extension) = fetch(document.source, &base.join("packages"), execution)?;
    let dir = base.join(document.name);
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let spec = base.join(format!("{}.{extension}", document.name));
    fs::write(&spec, text).map_err(|e| format!("writing {}: {e}", spec.display()))?;
    let job = Job {
        spec,
        out: dir.clone(),
        selection: Selection::All,
        crate_name: document.name.into(),
        history: None,
        strict: false,
        ..Job::default_job()
    };
    let generated = job.run().map_err(|e| format!("generate: {e}"))?;
    outcome.operations = generated.api.operations().count();
    outcome.skipped = generated
        .api
        .warnings
        .iter()
        .filter_map(|w| {
            Some(
                w.split_once("operation `")?
                    .1
                    .split_once('`')?
                    .0
                    .to_string(),
            )
        })
        .collect();
    output::write_tree(&dir, &generated.files)
        .map_err(|e| format!("writing {}: {e}", dir.display()))?;
    fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    if build {
        let target = base.join("target");
        for args in [
            &["build", "--quiet"][..],
            &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
        ] {
            cargo_strict(&dir, &target, args).map_err(|stderr| {
                let log = base.join(format!("{}-{}.log", document.name, args[0]));
                let _ = fs::write(&log, &stderr);
                let first = stderr
                    .lines()
                    .find(|l| l.starts_with("error"))
                    .unwrap_or("");
                format!("cargo {} failed ({first}); see {}", args[0], log.display())
            })?;
        }
    }
    Ok(())
}

/// The document's text and its file extension, downloading its package when not cached.
fn fetch(
    source: Source,
    cache: &Path,
    execution: Option<&Path>,
) -> Result<(Vec<u8>, &'static str), String> {
    let extension = |member: &str| {
        if member.ends_with(".json") {
            "json"
        } else {
            "yaml"
        }
    };
    match source {
        Source::Core(member) => {
            let wheel = wheels::fetch(AIRFLOW, &wheel_cache())?.wheel;
            Ok((crate::wheels::extract(&wheel, member)?, extension(member)))
        }
        Source::Package {
            name,
            version,
            member,
            sdist,
        } => {
            let dir = cache.join(format!("{name}-{version}"));
            let archive = match first_file(&dir) {
                Some(archive) => archive,
                None => {
                    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                    let kind = if sdist {
                        "--no-binary=:all:"
                    } else {
                        "--only-binary=:all:"
                    };
                    let status = Command::new(python())
                        .args([
                            "-m",
                            "pip",
                            "download",
                            "--quiet",
                            "--no-deps",
                            kind,
                            "--dest",
                        ])
                        .arg(&dir)
                        .arg(format!("{name}=={version}"))
                        .status()
                        .map_err(|e| format!("running pip: {e}"))?;
                    if !status.success() {
                        return Err(format!("pip download {name}=={version} failed ({status})"));
                    }
                    first_file(&dir)
                        .ok_or_else(|| format!("pip left nothing in {}", dir.display()))?
                }
            };
            Ok((crate::wheels::extract(&archive, member)?, extension(member)))
        }
        Source::ExecutionApi => {
            let python = execution.ok_or("no Airflow venv for the Task Execution API")?;
            Ok((execution_api(python)?, "json"))
        }
    }
}

fn first_file(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path()))
        .collect();
    files.sort();
    files.into_iter().next()
}

/// The Task Execution API's document as the installed release serves it at its newest
/// version, with `AIRFLOW_HOME` in a folder of its own (importing Airflow writes a config).
fn execution_api(python: &Path) -> Result<Vec<u8>, String> {
    const SERVE: &str = "import json, sys\n\
        from fastapi.testclient import TestClient\n\
        from airflow.api_fastapi.execution_api.app import create_task_execution_api_app\n\
        app = create_task_execution_api_app()\n\
        newest = max(str(v.value) for v in app.versions)\n\
        answer = TestClient(app).get('/openapi.json', params={'version': newest})\n\
        answer.raise_for_status()\n\
        sys.stdout.write(json.dumps(answer.json(), indent=1))";
    let home = root().join("target/real-documents/airflow-home");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let out = Command::new(python)
        .args(["-c", SERVE])
        .env("AIRFLOW_HOME", &home)
        .output()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "asking the Task Execution API for its document failed: {tail:?}"
        ));
    }
    Ok(out.stdout)
}
