//! `gdsn-sync replay`: re-applies messages from the raw archive.
//!
//! A replay goes through the same path as `ingest`, with one difference: a
//! message whose id was applied or quarantined before is applied anyway
//! (that is the point). Versions still decide each item, so a replay never
//! puts older data over newer, and unchanged items write nothing.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gdsn_store::Store;

use super::{Source, apply_all, fail, open_store};
use crate::cli::ReplayArgs;

pub(crate) fn replay(args: &ReplayArgs) -> ExitCode {
    let store = match open_store(&args.store) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let chosen = match choose(&store, args) {
        Ok(chosen) => chosen,
        Err(e) => return fail(&e),
    };
    let sources: Vec<Source> = chosen.iter().map(|(_, _, source)| source.clone()).collect();
    let code = apply_all(&store, &args.store, &args.options, &sources, true);
    if code != ExitCode::from(2) && args.quarantined && !args.options.dry_run {
        for (sender, id, _) in &chosen {
            if let Err(e) = store.release(sender, id).and_then(|()| store.flush()) {
                return fail(&e.into());
            }
            println!("released {sender} {id} from quarantine");
        }
    }
    code
}

/// The messages to replay: (sender, message id, archive source).
fn choose(store: &Store, args: &ReplayArgs) -> Result<Vec<(String, String, Source)>> {
    let dir = args.store.data_dir.join("archive");
    let source = |name: &str| Source::Archived { path: dir.join(name), name: name.to_owned() };
    if args.quarantined {
        let mut chosen = Vec::new();
        for q in store.quarantined()? {
            match q.archive {
                Some(name) => chosen.push((q.sender, q.message_id, source(&name))),
                None => eprintln!("{} {}: not archived, cannot be replayed", q.sender, q.message_id),
            }
        }
        return Ok(chosen);
    }
    let id = args.message_id.as_deref().context("a message id or --quarantined")?;
    let mut found: Vec<(String, Option<String>)> = store.applied_with_id(id)?;
    found.extend(
        store.quarantined()?.into_iter().filter(|q| q.message_id == id).map(|q| (q.sender, q.archive)),
    );
    if let Some(sender) = &args.sender {
        found.retain(|(s, _)| s == sender);
    }
    match found.as_slice() {
        [] => bail!("no applied or quarantined message with id {id}"),
        [(sender, Some(name))] => Ok(vec![(sender.clone(), id.to_owned(), source(name))]),
        [(sender, None)] => bail!("message {id} from {sender} has no archive file"),
        _ => {
            let senders: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
            bail!(
                "message id {id} is used by several entries ({}): choose one with --sender",
                senders.join(", ")
            )
        }
    }
}
