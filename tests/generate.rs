//! The generator on the pinned spec: no drift from generated/, and one snapshot per operation,
//! per model and per operation's IR, so a spec change reads as a few small diffs.

use airflow_codegen::emit::{render_operation, render_type};
use airflow_codegen::ir::TypeId;
use airflow_codegen::output;
use xtask::regen::Job;

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(xtask::root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

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
fn snapshot_every_operation_and_its_ir() {
    let api = Job::default_job().run().expect("generates").api;
    let _guard = settings().bind_to_scope();
    let mut count = 0;
    for (t, tag) in api.apis.iter().enumerate() {
        for (o, op) in tag.operations.iter().enumerate() {
            let code = render_operation(&api, t, o, "airflow_client").expect("renders");
            insta::assert_snapshot!(format!("op_{}", op.operation_id), code);
            insta::assert_snapshot!(
                format!("ir_op_{}", op.operation_id),
                serde_json::to_string_pretty(op).unwrap()
            );
            count += 1;
        }
    }
    assert_eq!(
        count, 27,
        "the Task Instance tag of Airflow 3.3.2 has 27 operations"
    );
}

#[test]
fn snapshot_every_model_and_its_ir() {
    let api = Job::default_job().run().expect("generates").api;
    let _guard = settings().bind_to_scope();
    for (i, def) in api.types.iter().enumerate() {
        let code = render_type(&api, TypeId(i)).expect("renders");
        insta::assert_snapshot!(format!("model_{}", def.name), code);
        insta::assert_snapshot!(
            format!("ir_model_{}", def.name),
            serde_json::to_string_pretty(def).unwrap()
        );
    }
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
