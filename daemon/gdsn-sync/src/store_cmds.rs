//! The store commands other than `ingest`: `export`, `replies`,
//! `quarantine`, `reload`, `backup` and `restore`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gdsn_store::Store;

use crate::api_client;
use crate::cli::{BackupArgs, ReloadAction, ReloadArgs, RepliesArgs, RestoreArgs, StoreApiArgs};
use crate::ingest::{close_reloads, fail, open_store, reload_line};

/// 0 on success; on failure the error on stderr and 2.
fn exit_code(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

pub(crate) fn export(args: &StoreApiArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return exit_code(api_client::export(url, &args.api));
    }
    let run = || -> Result<usize> {
        let store = open_store(&args.store)?;
        let mut out = BufWriter::new(io::stdout().lock());
        let n = store.export(&mut out)?;
        out.flush()?;
        Ok(n)
    };
    exit_code(run().map(drop))
}

pub(crate) fn replies(args: &RepliesArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return exit_code(api_client::replies(url, &args.api, args.write_to.as_deref()));
    }
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let pending = store.pending_replies()?;
        let Some(dir) = &args.write_to else {
            for reply in &pending {
                println!("{}", reply_line(reply.sequence, &reply.kind, &reply.message_id, &reply.receiver));
            }
            return Ok(());
        };
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for reply in &pending {
            let path = dir.join(format!("{}.xml", reply.message_id));
            write_durably(&path, reply.xml.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            store.delivered(reply.sequence)?;
            println!("{}", path.display());
        }
        store.flush()?;
        Ok(())
    };
    exit_code(run().map(drop))
}

pub(crate) fn quarantine(args: &StoreApiArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return exit_code(api_client::quarantine(url, &args.api));
    }
    let run = || -> Result<()> {
        for q in open_store(&args.store)?.quarantined()? {
            println!("{}", quarantine_line(&q.sender, &q.message_id, &q.reason, q.archive.as_deref()));
        }
        Ok(())
    };
    exit_code(run().map(drop))
}

pub(crate) fn backup(args: &BackupArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return exit_code(api_client::backup(url, &args.api, &args.to));
    }
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let part = args.to.with_extension("part");
        let file = File::create(&part).with_context(|| format!("creating {}", part.display()))?;
        let n = store.backup(BufWriter::new(&file))?;
        file.sync_all()?;
        std::fs::rename(&part, &args.to).with_context(|| format!("writing {}", args.to.display()))?;
        println!("{}: {n} entries", args.to.display());
        Ok(())
    };
    exit_code(run().map(drop))
}

pub(crate) fn restore(args: &RestoreArgs) -> ExitCode {
    let run = || -> Result<()> {
        let file = File::open(&args.from).with_context(|| format!("reading {}", args.from.display()))?;
        let dir = args.store.data_dir.join("store");
        let (_, n) = Store::restore(&dir, BufReader::new(file))
            .with_context(|| format!("restoring into {}", dir.display()))?;
        println!("{}: {n} entries restored", dir.display());
        Ok(())
    };
    exit_code(run().map(drop))
}

pub(crate) fn reload(args: &ReloadArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return exit_code(api_client::reload(url, &args.api, &args.action));
    }
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let closed = match &args.action {
            ReloadAction::List => {
                for s in store.reload_sessions()? {
                    println!("{}", session_line(&s.pair, s.held, s.marked, s.opened_at));
                }
                return Ok(());
            }
            ReloadAction::Close { pair } => {
                close_reloads(&store, args.max_sweep_fraction, pair.as_deref(), false)?
            }
            ReloadAction::Confirm { pair } => {
                close_reloads(&store, args.max_sweep_fraction, Some(pair), true)?
            }
        };
        closed.iter().for_each(|(pair, outcome)| println!("{}", reload_line(pair, outcome)));
        Ok(())
    };
    exit_code(run().map(drop))
}

/// A pending reply as `replies` lists it.
pub(crate) fn reply_line(sequence: u64, kind: &str, message_id: &str, receiver: &str) -> String {
    format!("{sequence} {kind} {message_id} to {receiver}")
}

/// A quarantined message as `quarantine` lists it.
pub(crate) fn quarantine_line(sender: &str, message_id: &str, reason: &str, archive: Option<&str>) -> String {
    let archive = archive.unwrap_or("not archived");
    format!("{sender} {message_id}: {reason} (archive {archive})")
}

/// A reload session as `reload list` shows it.
pub(crate) fn session_line(pair: &str, held: Option<usize>, marked: usize, opened_at: u64) -> String {
    let state = held.map_or("open".to_owned(), |n| format!("held ({n} to remove)"));
    format!("{pair} {state}, {marked} keys marked, opened at message {opened_at}")
}

/// Write-then-rename, with fsyncs, so a reader never sees half a message.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let part = path.with_extension("xml.part");
    let mut file = File::create(&part)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&part, path)?;
    if let Some(parent) = path.parent() {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}
