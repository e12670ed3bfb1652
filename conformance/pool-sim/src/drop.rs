//! Drop-folder mode, what an SFTP mirror leaves on the daemon's side: each inbox message is written
//! as `ID.part`, flushed, then renamed to `ID.xml` (so a reader never sees half a file); replies the
//! daemon writes into the outbound folder are taken as if POSTed to `/outbound`, then removed.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use crate::outbound;
use crate::pool::{Delivery, Message};
use crate::sim::Sim;

/// Writes messages into `inbox` until the task is dropped (at shutdown).
pub(crate) async fn run_writer(sim: Sim, inbox: PathBuf, hold_part: Duration) {
    loop {
        let next = sim.pool().next_to_deliver();
        let Some(message) = next else {
            sim.wake.notified().await;
            continue;
        };
        let written = write(&inbox, &message, hold_part).await;
        let mut pool = sim.pool();
        let delivered = written.is_ok();
        if delivered {
            pool.ack(&message.id, "drop_folder");
        } else {
            pool.undeliverable.insert(message.seq);
        }
        let error = written.err().map(|e| e.to_string());
        pool.deliveries.push(Delivery {
            id: message.id.clone(),
            attempts: 1,
            statuses: Vec::new(),
            delivered,
            error,
        });
    }
}

async fn write(dir: &Path, message: &Message, hold_part: Duration) -> io::Result<()> {
    let part = dir.join(format!("{}.part", message.id));
    let done = dir.join(format!("{}.xml", message.id));
    let file = tokio::fs::File::create(&part).await?;
    let mut file = file;
    tokio::io::AsyncWriteExt::write_all(&mut file, &message.body).await?;
    file.sync_all().await?;
    drop(file);
    if !hold_part.is_zero() {
        tokio::time::sleep(hold_part).await;
    }
    tokio::fs::rename(&part, &done).await?;
    tracing::info!(file = %done.display(), "dropped a message");
    Ok(())
}

/// Takes the daemon's replies from `outbound` every `interval` until the task is dropped.
pub(crate) async fn run_reader(sim: Sim, outbound: PathBuf, interval: Duration) {
    loop {
        if let Err(error) = take_replies(&sim, &outbound).await {
            tracing::warn!(folder = %outbound.display(), %error, "cannot read the outbound folder");
        }
        tokio::time::sleep(interval).await;
    }
}

async fn take_replies(sim: &Sim, dir: &Path) -> io::Result<()> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    let mut names = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        // Symbolic links and folders are never followed: only regular files count.
        if entry.file_type().await?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    for name in names.into_iter().filter(|n| is_finished(n)) {
        let path = dir.join(&name);
        let body = tokio::fs::read(&path).await?;
        let outcome = outbound::receive(sim, &Bytes::from(body), "drop_folder");
        tracing::info!(file = %path.display(), accepted = outcome.is_ok(), "took a reply");
        tokio::fs::remove_file(&path).await?;
    }
    Ok(())
}

/// Whether a file is complete: not hidden, not a temporary name of a writer still at work.
fn is_finished(name: &str) -> bool {
    !name.starts_with('.') && ![".part", ".tmp", ".filepart"].iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::is_finished;

    #[test]
    fn temporary_names_are_skipped() {
        assert!(is_finished("cic-1.xml"));
        assert!(!is_finished(".cic-1.xml"));
        assert!(!is_finished("cic-1.xml.part"));
        assert!(!is_finished("cic-1.tmp"));
        assert!(!is_finished("cic-1.filepart"));
    }
}
