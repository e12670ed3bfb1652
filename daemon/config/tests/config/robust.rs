//! No input panics the loader: every example is cut short at many places and loses each of its lines in
//! turn, and each broken text must give a config or an error, never a panic (a panic fails the test).

use std::path::Path;

use gdsn_config::Config;

use crate::util::FakeEnv;

fn examples() -> Vec<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/examples");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(folder)
        .expect("examples folder readable")
        .map(|entry| entry.expect("examples folder entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("example readable")))
        .collect();
    texts.sort();
    texts
}

#[test]
fn truncated_and_damaged_examples_never_panic() {
    let env = FakeEnv { anything: true, ..FakeEnv::default() };
    let file = Path::new("/etc/gdsn-sync/damaged.toml");
    let mut loads = 0;
    for (_, text) in examples() {
        // Every 5th character boundary: cuts inside keys, strings, tables and inline tables.
        for (offset, _) in text.char_indices().step_by(5) {
            let _ = Config::from_toml(&text[..offset], file, &env);
            loads += 1;
        }
        let lines: Vec<&str> = text.lines().collect();
        for skipped in 0..lines.len() {
            let damaged: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != skipped)
                .map(|(_, line)| *line)
                .collect();
            let _ = Config::from_toml(&damaged.join("\n"), file, &env);
            loads += 1;
        }
    }
    assert!(loads > 1000, "only {loads} damaged texts were tried");
}

#[test]
fn hostile_values_are_refused_without_panicking() {
    for text in [
        "recipient_gln = \"é\"\n",
        "[http]\nlisten = \"\"\n",
        "[store]\nmax_sweep_fraction = nan\n",
        "[store]\nreload_quiet_secs = 18446744073709551615\n",
        "[http]\nmax_request_body_bytes = \"18446744073709551615 GiB\"\n",
        "[[connections]]\nname = \"\"\nkind = \"webhook\"\nwebhook.auth = { kind = \"bearer\", token = { env = \"\" } }\n",
        "[[connections]]\nname = \"a\"\nkind = \"drop_folder\"\ndrop_folder = { inbox = \"\" }\n",
        "[[connections]]\nname = \"a\"\nkind = \"drop_folder\"\ndrop_folder = { inbox = \"/\" }\n",
        "[[connections]]\nname = \"a\"\nkind = \"http_inbox\"\nschedule = \"\"\nhttp = { base_url = \"https://[::1\" }\n",
    ] {
        assert!(crate::util::load(text).is_err(), "accepted:\n{text}");
    }
}
