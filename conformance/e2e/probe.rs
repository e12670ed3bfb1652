//! `check-config --probe` reaches what a config names: the pool's list
//! endpoint with its authentication, and the sink.

use std::process::Command;

use gdsn_pool_sim::Auth;

use crate::support::{Pool, config_head, http_connection, messages};

fn check_config(dir: &std::path::Path, config: &str) -> (Option<i32>, String) {
    let path = dir.join("probe.toml");
    std::fs::write(&path, config).expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .arg("check-config")
        .arg("--probe")
        .arg(&path)
        .output()
        .expect("binary runs");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn probe_passes_with_the_right_token_and_names_the_wrong_one() {
    let pool = Pool::with(messages("PROBE", 190, 1), |c| c.auth = Auth::Bearer { token: "pr0be".to_owned() });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = |token: &str| {
        let auth = format!("kind = \"bearer\"\ntoken = {{ plaintext = \"{token}\" }}");
        config_head() + &http_connection("pool", "http_inbox", &pool.url(), &auth, "")
    };
    let (code, stdout) = check_config(dir.path(), &config("pr0be"));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("probe connection pool: ok"), "{stdout}");
    assert!(stdout.contains("probe sink: ok"), "{stdout}");
    let (code, stdout) = check_config(dir.path(), &config("wrong"));
    assert_eq!(code, Some(2), "{stdout}");
    assert!(stdout.contains("probe connection pool: FAILED"), "{stdout}");
    // The probe lists and fetches nothing: the message is still pending.
    assert!(pool.acked().is_empty());
}
