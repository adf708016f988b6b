//! A program that calls every operation of an emitted crate, as that crate's own docs show:
//! each `no_run` example of its operation docs becomes a function of one `main.rs`. Building
//! the crate and this program is what a user's first build of their own crate costs, and
//! touching the program is what each later edit of theirs costs; a crate-only build counts
//! neither the code a call compiles in the caller nor the code it no longer does.

use std::fs;
use std::path::Path;

/// The signature every operation example of the Task Instance crate opens with.
const OPENING: &str = "async fn example(client: airflow_client::Client)";

/// Writes the program into `dir` (`Cargo.toml` naming it `package`, `src/main.rs`),
/// depending on the crate `library` in `library_dir` under the name `airflow-client`, so
/// the examples read as they do in the docs. Returns how many examples it calls.
pub fn write(
    dir: &Path,
    package: &str,
    library: &str,
    library_dir: &Path,
) -> Result<usize, String> {
    let mut examples = Vec::new();
    collect(&library_dir.join("src").join("apis"), &mut examples)?;
    if examples.is_empty() {
        return Err(format!(
            "no operation examples in {}",
            library_dir.display()
        ));
    }
    let mut main = String::from("//! Calls every operation once, as its docs show.\n\n");
    for (n, example) in examples.iter().enumerate() {
        main.push_str(&example.replacen("async fn example(", &format!("async fn example_{n}("), 1));
        main.push_str("\n\n");
    }
    main.push_str(
        "type Example = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>>>;\n\n\
         fn main() {\n    \
         let client = airflow_client::Client::builder(\"http://127.0.0.1:1\").build().unwrap();\n    \
         let calls: Vec<Example> = vec![\n",
    );
    for n in 0..examples.len() {
        main.push_str(&format!("        Box::pin(example_{n}(client.clone())),\n"));
    }
    // Boxed as `dyn Future`, so each example's body is compiled without being run.
    main.push_str("    ];\n    std::hint::black_box(calls);\n}\n");
    let manifest = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nairflow-client = {{ package = \"{library}\", path = \"{}\" }}\n\n[workspace]\n",
        library_dir.display()
    );
    let write = |path: &Path, text: &str| {
        fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
    };
    fs::create_dir_all(dir.join("src")).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    write(&dir.join("Cargo.toml"), &manifest)?;
    write(&dir.join("src").join("main.rs"), &main)?;
    Ok(examples.len())
}

/// The operation examples in the `.rs` files below `dir`, in path order, as code: the doc
/// comment's `///` taken off, and the lines rustdoc hides (`# `) shown.
fn collect(dir: &Path, examples: &mut Vec<String>) -> Result<(), String> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, examples)?;
            continue;
        }
        let text =
            fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        let mut lines = text
            .lines()
            .map(|l| l.trim_start().strip_prefix("///").unwrap_or(""));
        while let Some(line) = lines.next() {
            if line.trim() != "```no_run" {
                continue;
            }
            let code: Vec<String> = lines
                .by_ref()
                .take_while(|l| l.trim() != "```")
                .map(|l| {
                    let l = l.strip_prefix(' ').unwrap_or(l);
                    let code = l.trim_start();
                    let indent = &l[..l.len() - code.len()];
                    match code.strip_prefix("# ") {
                        Some(hidden) => format!("{indent}{hidden}"),
                        None if code == "#" => String::new(),
                        None => l.to_string(),
                    }
                })
                .collect();
            if code.first().is_some_and(|first| first.starts_with(OPENING)) {
                examples.push(code.join("\n"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    /// Every method of an operation file (an operation or its `_stream` twin) has its example
    /// in the program, with the lines rustdoc hides shown.
    #[test]
    fn the_program_calls_each_operation_method_of_generated() {
        let library = crate::root().join("generated");
        let operations = library.join("src").join("apis").join("task_instance");
        let mut methods = 0;
        for entry in fs::read_dir(&operations).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n != "mod.rs") {
                let text = fs::read_to_string(&path).unwrap();
                methods += text
                    .lines()
                    .filter(|l| l.starts_with("    pub fn "))
                    .count();
            }
        }
        let dir = std::env::temp_dir().join(format!("airflow-caller-test-{}", std::process::id()));
        let written = super::write(&dir, "airflow-caller", "airflow-client", &library);
        let main = fs::read_to_string(dir.join("src").join("main.rs"));
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(written, Ok(methods));
        let main = main.unwrap();
        assert!(main.contains(&format!("async fn example_{}(", methods - 1)));
        assert!(
            !main.lines().any(|l| l.trim_start().starts_with("# ")),
            "{main}"
        );
    }
}
