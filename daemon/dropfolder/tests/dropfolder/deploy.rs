//! The shipped SFTP script is valid shell.

use std::path::PathBuf;
use std::process::Command;

fn deploy(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy").join(rel)
}

#[test]
fn the_lftp_script_passes_bash_n() {
    let script = deploy("sftp/gdsn-sftp-mirror.sh");
    assert!(script.is_file(), "{} is missing", script.display());
    let Ok(status) = Command::new("bash").arg("-n").arg(&script).status() else {
        eprintln!("SKIPPED: bash is not available");
        return;
    };
    assert!(status.success(), "bash -n {} failed", script.display());
}

#[test]
fn the_units_name_the_script_and_the_temp_file_settings_are_set() {
    let service = std::fs::read_to_string(deploy("sftp/gdsn-sftp-mirror@.service")).expect("service");
    assert!(service.contains("gdsn-sftp-mirror.sh"));
    let timer = std::fs::read_to_string(deploy("sftp/gdsn-sftp-mirror@.timer")).expect("timer");
    assert!(timer.contains("OnUnitActiveSec"));
    let script = std::fs::read_to_string(deploy("sftp/gdsn-sftp-mirror.sh")).expect("script");
    for needle in ["xfer:use-temp-file yes", "xfer:temp-file-name", "--Remove-source-files"] {
        assert!(script.contains(needle), "script lacks {needle}");
    }
}
