//! The generator on the pinned spec: no drift from generated/ (where each operation and each
//! model has a file of its own, so a spec change reads as a few small diffs), and writes that
//! are all or nothing.

use airflow_codegen::output;
use xtask::regen::Job;

#[test]
fn generated_crate_matches_a_fresh_regen() {
    let job = Job::default_job();
    let generated = job.run().expect("the pinned spec generates");
    let diff = output::differences(&job.out, &generated.files).expect("generated/ is readable");
    assert!(
        diff.is_empty(),
        "generated/ is stale or was edited by hand:\n  {diff:?}\nrun `cargo xtask regen` and commit the result"
    );
}

#[test]
fn two_runs_give_identical_files() {
    let job = Job::default_job();
    let first = job.run().expect("first run");
    let second = job.run().expect("second run");
    assert_eq!(first.files, second.files);
}

#[test]
fn a_failed_write_leaves_the_output_folder_untouched() {
    let out = xtask::root().join("target/test-write-tree/generated");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("marker.rs"), "// the previous generation\n").unwrap();
    let mut files = airflow_codegen::Files::new();
    files.insert("src/lib.rs".into(), "// new\n".into());
    // A NUL byte cannot be in a file name: writing the staging folder fails half-way.
    files.insert("src/bad\0name.rs".into(), "// never written\n".into());

    let result = output::write_tree(&out, &files);

    assert!(result.is_err());
    assert_eq!(
        std::fs::read_to_string(out.join("marker.rs")).unwrap(),
        "// the previous generation\n"
    );
    assert!(
        !out.join("src").exists(),
        "nothing of the failed generation is in place"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["generated"], "no staging folder is left behind");
}

#[test]
fn a_failed_generation_writes_nothing() {
    let out = xtask::root().join("target/test-failed-regen/out");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("marker.rs"), "kept").unwrap();
    let job = Job {
        spec: xtask::root().join("tests/corpus/ref_to_nothing.yaml"),
        out: out.clone(),
        selection: airflow_codegen::Selection::All,
        crate_name: "never-written".into(),
        history: None,
        ..Job::default_job()
    };

    let error = xtask::regen::regen_job(&job).unwrap_err();

    assert!(error.contains("points at no schema"), "{error}");
    assert_eq!(
        std::fs::read_to_string(out.join("marker.rs")).unwrap(),
        "kept"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn an_unchanged_tree_is_left_alone_and_a_changed_one_replaced() {
    let out = xtask::root().join("target/test-unchanged-tree/out");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
    let mut files = airflow_codegen::Files::new();
    files.insert("src/lib.rs".into(), "// one\n".into());
    files.insert("README.md".into(), "# one\n".into());
    output::write_tree(&out, &files).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let set_old = |path: &std::path::Path| {
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap()
    };
    set_old(&out.join("src/lib.rs"));
    let modified = |path: &std::path::Path| std::fs::metadata(path).unwrap().modified().unwrap();

    output::write_tree(&out, &files).unwrap();
    assert_eq!(
        modified(&out.join("src/lib.rs")),
        old,
        "an unchanged tree is not rewritten"
    );

    files.insert("README.md".into(), "# two\n".into());
    output::write_tree(&out, &files).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "# two\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("src/lib.rs")).unwrap(),
        "// one\n"
    );

    // A folder left empty in the output is not part of the tree either.
    std::fs::create_dir_all(out.join("src/stale/deeper")).unwrap();
    assert_eq!(
        output::differences(&out, &files).unwrap(),
        vec![output::Drift::NotGenerated("src/stale/".into())]
    );
    output::write_tree(&out, &files).unwrap();
    assert!(!out.join("src/stale").exists());
    assert!(output::differences(&out, &files).unwrap().is_empty());
}

#[test]
fn no_function_takes_more_than_seven_positional_parameters_or_two_integers_of_a_type() {
    let generated = xtask::signatures::read_tree(&xtask::root().join("generated")).unwrap();
    let mut found =
        xtask::signatures::unclear(generated.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let all_tags = Job {
        selection: airflow_codegen::Selection::All,
        ..Job::default_job()
    };
    let files = all_tags.run().expect("every tag generates").files;
    found.extend(xtask::signatures::unclear(
        files.iter().map(|(p, t)| (p.as_str(), t.as_str())),
    ));
    assert!(found.is_empty(), "{found:#?}");
}

/// A field Airflow adds to a response is one small diff: the field, its docs and attributes.
#[test]
fn a_new_optional_field_is_one_hunk_of_its_model_file() {
    let job = Job::default_job();
    let (text, config, templates) = job.inputs().unwrap();
    let anchor = "    TaskInstanceResponse:\n      properties:\n";
    let at = text.find(anchor).expect("the schema is in the pinned spec") + anchor.len();
    let after = text[at..]
        .find("        queue:\n")
        .expect("the `queue` property")
        + at;
    let mut edited = text.clone();
    edited.insert_str(
        after,
        "        queue_weight:\n          anyOf:\n          - type: integer\n          - type: 'null'\n          title: Queue Weight\n",
    );
    let path = "src/models/task_instance_response.rs";
    let before = airflow_codegen::generate(&text, &config, &templates).unwrap();
    let after = airflow_codegen::generate(&edited, &config, &templates).unwrap();
    let (old, new) = (&before.files[path], &after.files[path]);
    assert!(new.contains("pub queue_weight: Option<i64>"), "{new}");
    let hunks = similar::TextDiff::from_lines(old.as_str(), new.as_str())
        .grouped_ops(3)
        .len();
    assert!(
        hunks <= 2,
        "{hunks} hunks:\n{}",
        similar::TextDiff::from_lines(old.as_str(), new.as_str()).unified_diff()
    );
    let changed: Vec<&String> = before
        .files
        .iter()
        .filter(|(p, t)| after.files.get(*p) != Some(t))
        .map(|(p, _)| p)
        .collect();
    // The docs page lists the models' fields nowhere, so only the model file changes.
    assert_eq!(changed, [path]);
}

/// `docs/TaskInstanceApi.md` shows each operation's signature and the types its arguments
/// are passed as: both must be what the code says.
#[test]
fn the_docs_page_matches_the_signatures_in_the_code() {
    use quote::ToTokens;

    let root = xtask::root().join("generated");
    let page = std::fs::read_to_string(root.join("docs/TaskInstanceApi.md")).unwrap();
    let api = Job::default_job().run().unwrap().api;
    let tag = &api.apis[0];
    let mut checked = 0;
    for section in page.split("\n## ").skip(1) {
        let name = section.lines().next().unwrap().trim();
        let op = tag
            .operations
            .iter()
            .find(|op| op.fn_name == name)
            .unwrap_or_else(|| panic!("the page documents `{name}`, which the API lacks"));
        let shown = section
            .split("```rust\n")
            .nth(1)
            .and_then(|rest| rest.split("\n```").next())
            .unwrap_or_else(|| panic!("`{name}` has no signature block"));
        let shown: syn::ImplItemFn = syn::parse_str(&format!("{shown} {{}}")).unwrap();
        let path = root.join(format!("src/apis/{}/{}.rs", tag.module, op.module));
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let actual = file
            .items
            .iter()
            .filter_map(|item| match item {
                // The async API's impl: `impl TaskInstanceApi`, not the blocking twin's.
                syn::Item::Impl(i) if i.self_ty.to_token_stream().to_string() == tag.type_name => {
                    Some(i)
                }
                _ => None,
            })
            .flat_map(|i| &i.items)
            .find_map(|member| match member {
                syn::ImplItem::Fn(f) if f.sig.ident == name => Some(&f.sig),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{} has no `{name}`", path.display()));
        assert_eq!(
            shown.sig.to_token_stream().to_string(),
            actual.to_token_stream().to_string(),
            "the signature of `{name}`"
        );
        // Each required parameter's row shows the type its argument has.
        for input in &actual.inputs {
            let syn::FnArg::Typed(arg) = input else {
                continue;
            };
            let arg_name = arg.pat.to_token_stream().to_string();
            let Some(param) = op.params.iter().find(|p| p.rust_name == arg_name) else {
                continue;
            };
            let row = section
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", param.name)))
                .unwrap_or_else(|| panic!("`{name}` has no row for `{}`", param.name));
            let shown_type = row.split(" | ").nth(2).unwrap().trim_matches('`');
            let shown_type: syn::Type = syn::parse_str(shown_type).unwrap();
            assert_eq!(
                shown_type.to_token_stream().to_string(),
                arg.ty.to_token_stream().to_string(),
                "the row of `{}` in `{name}`",
                param.name
            );
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        tag.operations.len(),
        "every operation has a section"
    );
}

/// The crate's README is its crates.io page too, read as plain Markdown: no hidden doctest
/// lines, no rustdoc-only links, every link absolute.
#[test]
fn the_readme_is_plain_markdown() {
    let readme = std::fs::read_to_string(xtask::root().join("generated/README.md")).unwrap();
    let mut problems = Vec::new();
    let mut in_code = false;
    for (n, line) in readme.lines().enumerate() {
        let n = n + 1;
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            let trimmed = line.trim_start();
            if trimmed == "#" || trimmed.starts_with("# ") {
                problems.push(format!("line {n}: a hidden doctest line: {line}"));
            }
            continue;
        }
        for (at, _) in line.match_indices("](") {
            let target = &line[at + 2..];
            if !(target.starts_with("https://") || target.starts_with("http://")) {
                problems.push(format!("line {n}: a link that is not absolute: {line}"));
            }
        }
        // `[`Name`]` with no target is a rustdoc link; plain Markdown shows the brackets.
        for (at, _) in line.match_indices("`]") {
            if !line[at + 2..].starts_with('(') {
                problems.push(format!("line {n}: a rustdoc-only link: {line}"));
            }
        }
        if line.contains("crate::") {
            problems.push(format!("line {n}: a crate path as a link target: {line}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        readme.contains("Airflow 3.0.0 through 3.3.2"),
        "states the range"
    );
}

/// The template–emitter contract, one way round: every crate-root name a hand-written runtime
/// file uses (`crate::Client`, `crate::TOKEN_URL`, ...) is one `lib.rs` declares or re-exports,
/// so a template never leans on a name the emitter does not write. (The other way round, what
/// the generated code imports from `crate::runtime`, the compiler checks on every corpus
/// document.)
#[test]
fn every_crate_root_name_the_runtime_uses_is_written_by_the_emitter() {
    let root = xtask::root();
    let lib = std::fs::read_to_string(root.join("generated/src/lib.rs")).unwrap();
    let declared = |name: &str| {
        let word = |text: &str| {
            text.match_indices(name).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                let edge = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                edge(before) && edge(after)
            })
        };
        lib.lines()
            .filter(|l| l.starts_with("pub use") || l.starts_with("const") || l.contains(" mod "))
            .any(word)
            || name == "ErrorBody" && word(&lib)
    };
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("templates/src/runtime")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let constant_or_type = name.starts_with(|c: char| c.is_ascii_uppercase());
            if constant_or_type && !declared(&name) {
                missing.push(format!("{}: crate::{name}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not written by the emitter: {missing:#?}"
    );
}
