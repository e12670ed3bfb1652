//! The store commands other than `ingest`: `export`, `replies`,
//! `quarantine`, `reload`, `backup` and `restore`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gdsn_store::Store;

use crate::cli::{BackupArgs, ReloadAction, ReloadArgs, RepliesArgs, RestoreArgs, StoreArgs};
use crate::ingest::{close_reloads, fail, open_store};

/// 0 on success; on failure the error on stderr and 2.
fn exit_code(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

pub(crate) fn export(args: &StoreArgs) -> ExitCode {
    let run = || -> Result<usize> {
        let store = open_store(args)?;
        let mut out = BufWriter::new(io::stdout().lock());
        let n = store.export(&mut out)?;
        out.flush()?;
        Ok(n)
    };
    exit_code(run().map(drop))
}

pub(crate) fn replies(args: &RepliesArgs) -> ExitCode {
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let pending = store.pending_replies()?;
        let Some(dir) = &args.write_to else {
            for reply in &pending {
                println!("{} {} {} to {}", reply.sequence, reply.kind, reply.message_id, reply.receiver);
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

pub(crate) fn quarantine(args: &StoreArgs) -> ExitCode {
    let run = || -> Result<()> {
        for q in open_store(args)?.quarantined()? {
            let archive = q.archive.as_deref().unwrap_or("not archived");
            println!("{} {}: {} (archive {archive})", q.sender, q.message_id, q.reason);
        }
        Ok(())
    };
    exit_code(run().map(drop))
}

pub(crate) fn backup(args: &BackupArgs) -> ExitCode {
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
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        match &args.action {
            ReloadAction::List => {
                for s in store.reload_sessions()? {
                    let state = s.held.map_or("open".to_owned(), |n| format!("held ({n} to remove)"));
                    println!(
                        "{} {state}, {} keys marked, opened at message {}",
                        s.pair, s.marked, s.opened_at
                    );
                }
                Ok(())
            }
            ReloadAction::Close { pair } => {
                close_reloads(&store, args.max_sweep_fraction, pair.as_deref(), false)
            }
            ReloadAction::Confirm { pair } => {
                close_reloads(&store, args.max_sweep_fraction, Some(pair), true)
            }
        }
    };
    exit_code(run().map(drop))
}

/// Write-then-rename, with fsyncs, so a reader never sees half a message.
fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
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
