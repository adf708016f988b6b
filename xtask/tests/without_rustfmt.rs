//! The generator's output does not depend on the machine's tools: run with nothing on `PATH`
//! (so no rustfmt, no cargo, no rustup proxy), `xtask check` still finds `generated/` exactly
//! as a regen writes it.

use std::process::Command;

#[test]
fn a_regen_with_no_tools_on_path_writes_the_checked_in_bytes() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("check")
        .env("PATH", "")
        .env_remove("RUSTFMT")
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .expect("the xtask binary runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
}
