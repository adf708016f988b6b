//! Project tasks: `cargo xtask <command>`. See `cargo xtask help`.

mod e2e;

use std::process::ExitCode;

use xtask::{bench, docs, fetch_spec, history, regen, spec_matrix, test_all, Args, USAGE};

// See xtask/Cargo.toml: a fifth of a regen's time goes to the system allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match command.as_str() {
        "regen" => regen::regen(rest),
        "check" => regen::check(rest),
        "docs" => Args::new(rest).only(&[], &[]).and_then(|()| docs::check()),
        "fetch-spec" => fetch_spec::run(rest),
        "api-diff" => xtask::api_diff::run(rest),
        "history" => history::run(rest),
        "package" => Args::new(rest)
            .only(&[], &[])
            .and_then(|()| xtask::package::check()),
        "e2e" => e2e::run(rest),
        "spec-matrix" => spec_matrix::run(rest),
        "real-documents" => xtask::real_documents::run(rest, e2e::python),
        "live" => xtask::live::run(rest, e2e::python),
        "bench" => bench::run(rest),
        "test" => test_all::run(rest, || e2e::run(&[]), e2e::python),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
