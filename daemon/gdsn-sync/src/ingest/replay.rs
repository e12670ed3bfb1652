//! `gdsn-sync replay`: re-applies messages from the raw archive.
//!
//! A replay goes through the same path as `ingest`, with one difference: a
//! message whose id was applied or quarantined before is applied anyway
//! (that is the point). Versions still decide each item, so a replay never
//! puts older data over newer, and unchanged items write nothing.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gdsn_store::Store;

use super::{Source, apply_all, fail, open_store};
use crate::cli::ReplayArgs;

pub(crate) fn replay(args: &ReplayArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return crate::api_client::replay(url, &args.api, args);
    }
    let store = match open_store(&args.store) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let wanted = Wanted {
        message_id: args.message_id.as_deref(),
        sender: args.sender.as_deref(),
        quarantined: args.quarantined,
    };
    let chosen = match choose(&store, &args.store.data_dir, &wanted) {
        Ok((chosen, skipped)) => {
            skipped.iter().for_each(|line| eprintln!("{line}"));
            chosen
        }
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

/// Which messages a replay asks for (`replay` and `POST /v1/replay`).
pub(crate) struct Wanted<'a> {
    pub(crate) message_id: Option<&'a str>,
    pub(crate) sender: Option<&'a str>,
    pub(crate) quarantined: bool,
}

/// A message to replay: (sender, message id, archive source).
pub(crate) type Chosen = (String, String, Source);

/// The messages to replay, and a line for each quarantined one that
/// cannot be (no archive file).
pub(crate) fn choose(
    store: &Store,
    data_dir: &Path,
    wanted: &Wanted<'_>,
) -> Result<(Vec<Chosen>, Vec<String>)> {
    let dir = data_dir.join("archive");
    let source = |name: &str| Source::Archived { path: dir.join(name), name: name.to_owned() };
    if wanted.quarantined {
        let mut chosen = Vec::new();
        let mut skipped = Vec::new();
        for q in store.quarantined()? {
            match q.archive {
                Some(name) => chosen.push((q.sender, q.message_id, source(&name))),
                None => {
                    skipped.push(format!("{} {}: not archived, cannot be replayed", q.sender, q.message_id))
                }
            }
        }
        return Ok((chosen, skipped));
    }
    let id = wanted.message_id.context("a message id or --quarantined")?;
    let mut found: Vec<(String, Option<String>)> = store.applied_with_id(id)?;
    found.extend(
        store.quarantined()?.into_iter().filter(|q| q.message_id == id).map(|q| (q.sender, q.archive)),
    );
    if let Some(sender) = wanted.sender {
        found.retain(|(s, _)| s == sender);
    }
    match found.as_slice() {
        [] => bail!("no applied or quarantined message with id {id}"),
        [(sender, Some(name))] => Ok((vec![(sender.clone(), id.to_owned(), source(name))], Vec::new())),
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
