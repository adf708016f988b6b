//! End-to-end tests: every Task Instance operation of the generated client against a real
//! Airflow, 3.3.2, 3.2.2, 3.1.8 or 3.0.6. Run them with `cargo xtask e2e`, which provisions each
//! server and sets `AIRFLOW_E2E_URL`, `AIRFLOW_E2E_USER`, `AIRFLOW_E2E_PASSWORD` and
//! `AIRFLOW_E2E_VERSION`; without those every test fails. An operation the server lacks must
//! fail with the client's `Error::Unsupported`; where an older release answers otherwise by
//! design, the test says what it answers. The values asserted here are the ones recorded in
//! `FACTS.md`.

mod check;
mod client;
mod examples;
mod faults;
mod hitl;
mod logs;
mod mutate;
mod raw;
mod read;
mod world;
