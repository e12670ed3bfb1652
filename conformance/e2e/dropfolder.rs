//! The drop folder: files to `done/` once durable, unreadable ones to
//! `failed/`, temporary names left alone, CICs written to `outbound/` (and
//! taken from there by the simulator's mirror), and a SIGKILL mid-poll.

use std::fs;
use std::path::Path;

use gdsn_pool_sim::{DropFolderConfig, SimConfig};

use crate::support::{
    Cin, DEADLINE, Daemon, NEVER, Pool, config_head, count_files, file_names, gtin, messages, wait_for,
};

const NAME: &str = "drop";

/// A daemon with one drop-folder connection on `DIR/inbox` (taken at once:
/// `min_age_secs = 0`), replies to `DIR/outbound`.
fn daemon_with(setup: impl FnOnce(&Path)) -> Daemon {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    fs::create_dir(tmp.path().join("inbox")).expect("the inbox");
    fs::create_dir(tmp.path().join("outbound")).expect("the outbound folder");
    setup(tmp.path());
    let config = format!(
        r#"{}
[[connections]]
name = "{NAME}"
kind = "drop_folder"
schedule = "{NEVER}"
replies = ["cic"]

[connections.drop_folder]
inbox = "inbox"
outbound = "outbound"
min_age_secs = 0
"#,
        config_head()
    );
    Daemon::start_in(tmp, &config)
}

fn done(daemon: &Daemon) -> std::path::PathBuf {
    daemon.data.join("dropfolder").join(NAME).join("done")
}

fn failed(daemon: &Daemon) -> std::path::PathBuf {
    daemon.data.join("dropfolder").join(NAME).join("failed")
}

#[test]
fn files_to_done_temp_names_ignored_cic_to_outbound() {
    let daemon = daemon_with(|_| {});
    let inbox = daemon.dir.join("inbox");
    for (name, xml) in messages("DROP", 301, 2) {
        Daemon::drop_file(&inbox, &name, &xml);
    }
    let half = Cin::new("DROP-half", &gtin(301, 9)).xml();
    for temp in [".hidden.xml", "upload.xml.part", "upload.tmp", "upload.filepart"] {
        fs::write(inbox.join(temp), &half).expect("a temporary file");
    }
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 2, "{report}");
    assert_eq!(file_names(&done(&daemon)), ["DROP-0.xml", "DROP-1.xml"]);
    assert_eq!(
        file_names(&inbox),
        [".hidden.xml", "upload.filepart", "upload.tmp", "upload.xml.part"],
        "temporary names are left alone"
    );
    daemon.wait_lookup(&gtin(301, 0));
    daemon.wait_lookup(&gtin(301, 1));
    assert!(daemon.lookup(&gtin(301, 9)).is_empty());
    let outbound = daemon.dir.join("outbound");
    // Per message a CIC RECEIVED once durable, then SYNCHRONISED once published.
    let replies = wait_for("four CICs in outbound/", DEADLINE, || {
        let names = file_names(&outbound);
        (names.len() == 4).then_some(names)
    });
    let mut states = Vec::new();
    for name in replies {
        let xml = fs::read_to_string(outbound.join(&name)).expect("a reply");
        assert!(xml.contains("catalogueItemConfirmation"), "{name}: {xml}");
        states.extend(["RECEIVED", "SYNCHRONISED"].into_iter().filter(|s| xml.contains(&format!(">{s}<"))));
    }
    states.sort_unstable();
    assert_eq!(states, ["RECEIVED", "RECEIVED", "SYNCHRONISED", "SYNCHRONISED"]);
}

#[test]
fn unreadable_file_goes_to_failed() {
    let daemon = daemon_with(|_| {});
    let inbox = daemon.dir.join("inbox");
    Daemon::drop_file(&inbox, "broken.xml", b"<catalogueItemNotificationMessage><oops");
    Daemon::drop_file(&inbox, "good.xml", Cin::new("DROP-good", &gtin(302, 0)).xml().as_bytes());
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 2, "{report}");
    assert_eq!(file_names(&failed(&daemon)).first().map(String::as_str), Some("broken.xml"));
    assert_eq!(file_names(&done(&daemon)), ["good.xml"]);
    assert_eq!(count_files(&inbox), 0);
    daemon.wait_lookup(&gtin(302, 0));
}

/// The simulator as the SFTP mirror: it writes `ID.part` then renames, and
/// takes the CICs from `outbound/` as if uploaded to the pool.
#[test]
fn simulator_mirror_round_trip() {
    let mut pool = None;
    let daemon = daemon_with(|dir| {
        let mut drop = DropFolderConfig::new(dir.join("inbox"));
        drop.outbound = Some(dir.join("outbound"));
        drop.scan_interval = std::time::Duration::from_millis(50);
        let mut config = SimConfig::new();
        config.messages = messages("MIRROR", 303, 3);
        config.drop_folder = Some(drop);
        pool = Some(Pool::start(config));
    });
    let pool = pool.expect("the simulator");
    wait_for("the mirror to write every file", DEADLINE, || {
        (pool.state().deliveries.iter().filter(|d| d.delivered).count() == 3).then_some(())
    });
    assert_eq!(daemon.poll(NAME)["messages"], 3);
    // A CIC RECEIVED and a CIC SYNCHRONISED per message.
    let received = wait_for("six CICs at the pool", DEADLINE, || {
        let received = pool.state().received;
        (received.len() == 6).then_some(received)
    });
    for receipt in &received {
        assert_eq!(receipt.via, "drop_folder");
        assert_eq!(receipt.root, "catalogueItemConfirmationMessage");
        assert_eq!(receipt.outcome, "accepted", "{:?}", receipt.error);
    }
    for i in 0..3 {
        daemon.wait_lookup(&gtin(303, i));
    }
}

/// SIGKILL while a poll is moving files: after a restart every file ends in
/// `done/` and every item is stored once (a file durable but not yet moved
/// is taken again and recognised).
#[test]
fn sigkill_mid_poll_then_restart() {
    const COUNT: u32 = 40;
    let mut daemon = daemon_with(|dir| {
        for (name, xml) in messages("DKILL", 304, COUNT) {
            Daemon::drop_file(&dir.join("inbox"), &name, &xml);
        }
    });
    let base = daemon.base.clone();
    let poller = std::thread::spawn(move || {
        let _ = reqwest::blocking::Client::new()
            .post(format!("{base}/v1/connections/{NAME}/poll"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send();
    });
    let done_dir = done(&daemon);
    wait_for("a first file in done/", DEADLINE, || (count_files(&done_dir) > 0).then_some(()));
    daemon.kill();
    let _ = poller.join();
    let moved = count_files(&done_dir);
    eprintln!("killed with {moved} of {COUNT} files in done/");
    assert!(moved < COUNT as usize, "killed mid-poll");
    daemon.spawn();
    assert!(
        daemon.store_counts()["messages"].as_u64().unwrap_or(0) >= moved as u64,
        "moved only once durable"
    );
    daemon.poll(NAME);
    assert_eq!(count_files(&done_dir), COUNT as usize);
    assert_eq!(count_files(&daemon.dir.join("inbox")), 0);
    assert_eq!(daemon.store_counts()["messages"], u64::from(COUNT));
    daemon.wait_published();
    daemon.sigterm(DEADLINE);
    let records = daemon.export();
    assert_eq!(records.len(), COUNT as usize, "each item once");
}
