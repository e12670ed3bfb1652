//! `--api URL --token T`: the store commands acting through the running
//! daemon (`gdsn-sync run` holds the store; sled allows one process per
//! data dir). Each command prints what its local form prints, built by
//! the same functions, from the daemon's admin routes (`daemon/admin.rs`).

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use gdsn_store::StoreError;
use gdsn_store::reload::CloseOutcome;
use reqwest::blocking::{Body, Client, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cli::{ApiArgs, IngestOptions, ReloadAction, ReplayArgs};
use crate::ingest::{Figures, fail, reload_line};
use crate::store_cmds::{quarantine_line, reply_line, session_line, write_durably};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bounds each wait for the daemon (its answer, each read of a body): a
/// large message may take minutes to apply before the answer comes.
const IO_TIMEOUT: Duration = Duration::from_secs(600);
/// The largest JSON answer read (lists of replies carry their XML).
const MAX_JSON_BYTES: u64 = 512 << 20;
/// The most of an error body shown.
const MAX_ERROR_BYTES: u64 = 16 << 10;

/// The running daemon's admin API.
struct Api {
    base: String,
    token: Option<String>,
    http: Client,
}

impl Api {
    fn new(url: &str, args: &ApiArgs) -> Result<Api> {
        let base = url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("--api wants the daemon's address as http://HOST:PORT, not {url:?}");
        }
        let http = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(IO_TIMEOUT)
            .build()
            .context("building the HTTP client")?;
        Ok(Api { base: base.to_owned(), token: args.token.clone(), http })
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// Sends with the token; a non-2xx answer becomes its error.
    fn send(&self, request: RequestBuilder) -> Result<Response> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().with_context(|| format!("reaching gdsn-sync run at {}", self.base))?;
        if response.status().is_success() { Ok(response) } else { Err(refused(response)) }
    }

    fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T> {
        let response = self.send(request)?;
        serde_json::from_reader(response.take(MAX_JSON_BYTES)).context("reading the daemon's answer")
    }
}

/// Why the daemon refused, from its JSON error (`{"error":{"code","message"}}`).
fn refused(response: Response) -> anyhow::Error {
    let status = response.status();
    let mut text = String::new();
    let _ = response.take(MAX_ERROR_BYTES).read_to_string(&mut text);
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or(status.as_str()).to_owned();
    let message = body["error"]["message"].as_str().map_or_else(|| text.trim().to_owned(), str::to_owned);
    match status.as_u16() {
        401 => anyhow!(
            "the daemon refused the token ({code}): give its admin token with --token or GDSN_SYNC_API_TOKEN"
        ),
        413 => anyhow!("the message is larger than the daemon accepts ([http] max_request_body_bytes)"),
        _ => anyhow!("the daemon answered {status}: {message} ({code})"),
    }
}

/// The store error, with a hint when the holder is `gdsn-sync run`: the
/// address from `DATA/daemon.json`.
pub(crate) fn explain_in_use(e: StoreError, data_dir: &Path) -> anyhow::Error {
    let StoreError::InUse { pid, .. } = &e else { return e.into() };
    let Some((daemon_pid, listen)) = daemon_file(data_dir) else { return e.into() };
    if pid.is_some_and(|pid| pid != daemon_pid) {
        return e.into();
    }
    anyhow!(
        "data dir {} in use by gdsn-sync run (pid {daemon_pid}) (use --api http://{listen} --token ...)",
        data_dir.display()
    )
}

/// (pid, listen address) from `DATA/daemon.json`.
fn daemon_file(data_dir: &Path) -> Option<(u32, String)> {
    let mut text = String::new();
    File::open(data_dir.join("daemon.json")).ok()?.take(4096).read_to_string(&mut text).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    let pid = u32::try_from(value["pid"].as_u64()?).ok()?;
    Some((pid, value["listen"].as_str()?.to_owned()))
}

pub(crate) fn export(url: &str, args: &ApiArgs) -> Result<()> {
    let api = Api::new(url, args)?;
    let mut response = api.send(api.get("/v1/export"))?;
    let mut out = BufWriter::new(io::stdout().lock());
    io::copy(&mut response, &mut out).context("the export was cut short")?;
    out.flush()?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Quarantined {
    sender: String,
    message_id: String,
    reason: String,
    archive: Option<String>,
}

pub(crate) fn quarantine(url: &str, args: &ApiArgs) -> Result<()> {
    let api = Api::new(url, args)?;
    let list: Vec<Quarantined> = api.json(api.get("/v1/quarantine"))?;
    for q in list {
        println!("{}", quarantine_line(&q.sender, &q.message_id, &q.reason, q.archive.as_deref()));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Reply {
    sequence: u64,
    kind: String,
    message_id: String,
    receiver: String,
    xml: String,
}

/// Lists the pending replies, or writes each to DIR and tells the daemon
/// it was delivered (only after the file is durable).
pub(crate) fn replies(url: &str, args: &ApiArgs, write_to: Option<&Path>) -> Result<()> {
    let api = Api::new(url, args)?;
    let pending: Vec<Reply> = api.json(api.get("/v1/replies"))?;
    let Some(dir) = write_to else {
        for r in &pending {
            println!("{}", reply_line(r.sequence, &r.kind, &r.message_id, &r.receiver));
        }
        return Ok(());
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for reply in &pending {
        let path = dir.join(format!("{}.xml", reply.message_id));
        write_durably(&path, reply.xml.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
        api.send(api.post(&format!("/v1/replies/{}/delivered", reply.sequence)))?;
        println!("{}", path.display());
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Session {
    pair: String,
    held: Option<usize>,
    marked: usize,
    opened_at: u64,
}

#[derive(Debug, Deserialize)]
struct Closed {
    pair: String,
    swept: Option<usize>,
    held: Option<Held>,
}

#[derive(Debug, Deserialize)]
struct Held {
    candidates: usize,
    live: usize,
}

pub(crate) fn reload(url: &str, args: &ApiArgs, action: &ReloadAction) -> Result<()> {
    let api = Api::new(url, args)?;
    let path = match action {
        ReloadAction::List => {
            let sessions: Vec<Session> = api.json(api.get("/v1/reloads"))?;
            for s in sessions {
                println!("{}", session_line(&s.pair, s.held, s.marked, s.opened_at));
            }
            return Ok(());
        }
        ReloadAction::Close { pair: None } => "/v1/reloads/close".to_owned(),
        ReloadAction::Close { pair: Some(pair) } => format!("/v1/reloads/{}/close", segment(pair)),
        ReloadAction::Confirm { pair } => format!("/v1/reloads/{}/confirm", segment(pair)),
    };
    let closed: Vec<Closed> = api.json(api.post(&path))?;
    for c in closed {
        let outcome = match (c.swept, c.held) {
            (_, Some(Held { candidates, live })) => CloseOutcome::Held { candidates, live },
            (removed, None) => CloseOutcome::Swept(removed.unwrap_or(0)),
        };
        println!("{}", reload_line(&c.pair, &outcome));
    }
    Ok(())
}

/// A pair (`GLN/TM`) as one path segment.
fn segment(pair: &str) -> String {
    pair.replace('%', "%25").replace('/', "%2F").replace('?', "%3F").replace('#', "%23")
}

/// Streams the daemon's snapshot into FILE (write, fsync, rename), as a
/// local backup does.
pub(crate) fn backup(url: &str, args: &ApiArgs, to: &Path) -> Result<()> {
    let api = Api::new(url, args)?;
    let mut response = api.send(api.get("/v1/backup"))?;
    let entries =
        response.headers().get("x-backup-entries").and_then(|v| v.to_str().ok()).unwrap_or("?").to_owned();
    let part = to.with_extension("part");
    let mut file = File::create(&part).with_context(|| format!("creating {}", part.display()))?;
    let copied = io::copy(&mut response, &mut file).context("the backup was cut short");
    if let Err(e) = copied.and_then(|_| Ok(file.sync_all()?)) {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    std::fs::rename(&part, to).with_context(|| format!("writing {}", to.display()))?;
    println!("{}: {entries} entries", to.display());
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Applied {
    summary: Figures,
}

/// Posts each file in order; one summary line each, as a local ingest
/// prints. Exit 0, 1 when a document was rejected, 2 on a failure (which
/// stops the run).
pub(crate) fn ingest(url: &str, args: &ApiArgs, options: &IngestOptions, files: &[PathBuf]) -> ExitCode {
    if options.dry_run {
        return fail(&anyhow!("--dry-run opens the store itself; it cannot go through --api"));
    }
    let api = match Api::new(url, args) {
        Ok(api) => api,
        Err(e) => return fail(&e),
    };
    let mut worst = 0u8;
    for path in files {
        match post_message(&api, path) {
            Ok(applied) => {
                println!("{}", applied.summary.line(path));
                worst = worst.max(u8::from(applied.summary.rejected > 0));
            }
            Err(e) => {
                eprintln!("{}: {e:#}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::from(worst)
}

fn post_message(api: &Api, path: &Path) -> Result<Applied> {
    let file = File::open(path).context("cannot read")?;
    let size = file.metadata().context("cannot read")?.len();
    let request = api
        .post("/v1/messages")
        .header(reqwest::header::CONTENT_TYPE, "application/xml")
        .body(Body::sized(file, size));
    api.json(request)
}

#[derive(Debug, Deserialize)]
struct Replayed {
    lines: Vec<String>,
    warnings: Vec<String>,
    exit: u8,
}

pub(crate) fn replay(url: &str, api_args: &ApiArgs, args: &ReplayArgs) -> ExitCode {
    if args.options.dry_run {
        return fail(&anyhow!("--dry-run opens the store itself; it cannot go through --api"));
    }
    let body =
        json!({ "message_id": args.message_id, "sender": args.sender, "quarantined": args.quarantined });
    let replayed =
        Api::new(url, api_args).and_then(|api| api.json::<Replayed>(api.post("/v1/replay").json(&body)));
    match replayed {
        Ok(replayed) => {
            replayed.lines.iter().for_each(|line| println!("{line}"));
            replayed.warnings.iter().for_each(|line| eprintln!("{line}"));
            ExitCode::from(replayed.exit)
        }
        Err(e) => fail(&e),
    }
}
