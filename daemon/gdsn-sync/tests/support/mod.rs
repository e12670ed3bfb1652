//! Helpers shared by the binary's integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The input message of a conformance case.
pub(crate) fn case(name: &str) -> PathBuf {
    gdsn_conformance::cases_dir().join(name).join("input.xml")
}

/// Runs `gdsn-sync ARGS --data-dir DATA`.
pub(crate) fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("binary runs")
}
