//! End-to-end tests: every Task Instance operation of the generated client against a real
//! Airflow 3.3.2. Run them with `cargo xtask e2e`, which provisions the server and sets
//! `AIRFLOW_E2E_URL`, `AIRFLOW_E2E_USER` and `AIRFLOW_E2E_PASSWORD`; without those every test
//! fails. The values asserted here are the ones recorded in `FACTS.md`.

mod check;
mod client;
mod hitl;
mod logs;
mod mutate;
mod raw;
mod read;
mod world;
