//! `load-test`: concurrent clients on loopback drive lookups and searches
//! against `gdsn-sync run` while an ingest runs; reports throughput and
//! p50/p99 latency per kind of request (the goal: lookups p99 ≤ 2 ms).
//!
//! 1. A daemon starts on a fresh data directory; a generated catalogue
//!    (`--documents` pallet/case/each hierarchies) is delivered through its
//!    drop folder and published.
//! 2. The GTINs and brands to ask for are read back through the API
//!    (`/v1/search` paged with its cursor), so every lookup has an answer.
//! 3. `--clients` threads, each on its own keep-alive connection, send
//!    lookups (`/v1/products/{gtin}`) and searches (`/v1/search?q=BRAND`)
//!    for `--seconds`, `--search-percent` of them searches; meanwhile one
//!    thread delivers a small CIN every `--ingest-every-ms` (new items,
//!    applied and published while the clients read).
//!
//! Latency is measured in the client from writing the request to reading
//! the whole body. See `daemon/bench/README.md` for figures.

use std::error::Error;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use gdsn_bench::daemon::{Daemon, Poller, gdsn_sync_binary};
use gdsn_bench::http1::Connection;
use gdsn_bench::{CinGenerator, GeneratorConfig};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

#[derive(Parser)]
#[command(name = "load-test", about = "Lookups and searches under load while an ingest runs")]
struct Cli {
    /// Documents (pallet > case > each hierarchies) in the catalogue loaded first.
    #[arg(long, default_value_t = 2000)]
    documents: usize,
    /// Concurrent client connections.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// How long the clients run.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// The share of requests that are searches (the rest are lookups).
    #[arg(long, default_value_t = 20)]
    search_percent: u32,
    /// A small CIN is delivered this often during the run (0: no ingest).
    #[arg(long, default_value_t = 100)]
    ingest_every_ms: u64,
    /// The gdsn-sync binary (default: next to this one, so build both in
    /// the same profile: `cargo build --release -p gdsn-sync -p gdsn-bench`).
    #[arg(long, value_name = "FILE")]
    gdsn_sync: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load-test: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let binary = gdsn_sync_binary(cli.gdsn_sync.as_deref()).map_err(|e| e.to_string())?;
    let work = std::env::temp_dir().join(format!("load-test-{}", std::process::id()));
    fs::create_dir_all(&work)?;
    let daemon = Daemon::start(&binary, &work, "").map_err(|e| e.to_string())?;
    let outcome = load_and_measure(cli, &daemon, &work);
    daemon.stop();
    let _ = fs::remove_dir_all(&work);
    outcome
}

fn load_and_measure(cli: &Cli, daemon: &Daemon, work: &Path) -> Result<()> {
    let started = Instant::now();
    let mut catalogue =
        CinGenerator::new(GeneratorConfig { documents: Some(cli.documents), seed: 7, ..Default::default() });
    let mut xml = Vec::new();
    catalogue.read_to_end(&mut xml)?;
    let items = catalogue.trade_items();
    daemon.deliver(work, "catalogue.xml", &xml).map_err(|e| e.to_string())?;
    let (gtins, brands) = wait_published(daemon.listen(), items)?;
    println!(
        "loaded {} documents ({items} trade items, {:.1} MB) in {:.1?}; {} brands",
        cli.documents,
        xml.len() as f64 / 1e6,
        started.elapsed(),
        brands.len()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let ingested = Arc::new(AtomicU64::new(0));
    let ingest = (cli.ingest_every_ms > 0).then(|| {
        let (stop, ingested) = (Arc::clone(&stop), Arc::clone(&ingested));
        let (every, work, poller) =
            (Duration::from_millis(cli.ingest_every_ms), work.to_owned(), daemon.poller());
        thread::spawn(move || ingest_loop(&poller, &work, every, &stop, &ingested))
    });
    let figures = drive(cli, daemon.listen(), &Arc::new(gtins), &Arc::new(brands))?;
    stop.store(true, Ordering::Release);
    if let Some(ingest) = ingest {
        ingest.join().map_err(|_| "the ingest thread panicked")??;
    }
    figures.report(cli, ingested.load(Ordering::Acquire));
    Ok(())
}

/// Waits until the search reports every item live, then pages through all
/// of them for their GTINs and the brand facet's values.
fn wait_published(listen: &str, items: usize) -> Result<(Vec<String>, Vec<String>)> {
    let mut connection = Connection::open(listen)?;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let page = json(&mut connection, "/v1/search?limit=1")?;
        if page["total"].as_u64() == Some(items as u64) {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("after 600 s the index holds {} of {items} items", page["total"]).into());
        }
        thread::sleep(Duration::from_millis(200));
    }
    let mut gtins = Vec::with_capacity(items);
    let mut brands = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/search?limit=500&cursor={}", encode(cursor)),
            None => "/v1/search?limit=500".to_owned(),
        };
        let page = json(&mut connection, &path)?;
        for hit in page["hits"].as_array().into_iter().flatten() {
            if let Some(gtin) = hit["record"]["gtin"].as_str() {
                gtins.push(gtin.to_owned());
            }
        }
        if brands.is_empty()
            && let Some(facet) = page["facets"]["brand"].as_object()
        {
            brands = facet.keys().cloned().collect();
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    if gtins.len() != items || brands.is_empty() {
        return Err(
            format!("paging found {} of {items} GTINs and {} brands", gtins.len(), brands.len()).into()
        );
    }
    Ok((gtins, brands))
}

fn json(connection: &mut Connection, path: &str) -> Result<serde_json::Value> {
    let response = connection.get(path)?;
    if response.status != 200 {
        return Err(
            format!("GET {path}: {} {}", response.status, String::from_utf8_lossy(&response.body)).into()
        );
    }
    Ok(serde_json::from_slice(&response.body)?)
}

/// Percent-encodes what a query value may not carry as is.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Delivers a one-item CIN every `every` until `stop`.
fn ingest_loop(
    poller: &Poller,
    work: &Path,
    every: Duration,
    stop: &AtomicBool,
    ingested: &AtomicU64,
) -> Result<()> {
    let mut n = 0;
    while !stop.load(Ordering::Acquire) {
        let gtin = gdsn_bench::small::gtin(901, n);
        let id = format!("LOAD-{n}");
        let xml = gdsn_bench::small::Cin::new(&id, &gtin).xml();
        poller.deliver(work, &format!("{id}.xml"), xml.as_bytes()).map_err(|e| e.to_string())?;
        ingested.fetch_add(1, Ordering::AcqRel);
        n += 1;
        thread::sleep(every);
    }
    Ok(())
}

/// What the clients measured.
struct Figures {
    lookups: Vec<Duration>,
    searches: Vec<Duration>,
    errors: u64,
    elapsed: Duration,
}

fn drive(cli: &Cli, listen: &str, gtins: &Arc<Vec<String>>, brands: &Arc<Vec<String>>) -> Result<Figures> {
    let until = Instant::now() + Duration::from_secs(cli.seconds);
    let started = Instant::now();
    let clients: Vec<_> = (0..cli.clients)
        .map(|n| {
            let (gtins, brands, listen) = (Arc::clone(gtins), Arc::clone(brands), listen.to_owned());
            let search_percent = cli.search_percent;
            thread::spawn(move || client(&listen, n as u64, until, search_percent, &gtins, &brands))
        })
        .collect();
    let mut figures =
        Figures { lookups: Vec::new(), searches: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    for client in clients {
        let mine = client.join().map_err(|_| "a client thread panicked")??;
        figures.lookups.extend(mine.lookups);
        figures.searches.extend(mine.searches);
        figures.errors += mine.errors;
    }
    figures.elapsed = started.elapsed();
    Ok(figures)
}

/// One client: its own connection and random stream until `until`.
fn client(
    listen: &str,
    seed: u64,
    until: Instant,
    search_percent: u32,
    gtins: &[String],
    brands: &[String],
) -> Result<Figures> {
    let mut connection = Connection::open(listen)?;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64: cheap, and each client its own stream.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut figures =
        Figures { lookups: Vec::new(), searches: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    while Instant::now() < until {
        let roll = next();
        let search = (roll % 100) < u64::from(search_percent);
        let path = if search {
            let brand = &brands[(next() % brands.len() as u64) as usize];
            format!("/v1/search?q={}&limit=10", encode(brand))
        } else {
            format!("/v1/products/{}", gtins[(next() % gtins.len() as u64) as usize])
        };
        let sent = Instant::now();
        let response = connection.get(&path)?;
        let took = sent.elapsed();
        if response.status != 200 {
            figures.errors += 1;
        }
        if search { figures.searches.push(took) } else { figures.lookups.push(took) }
    }
    Ok(figures)
}

impl Figures {
    fn report(&self, cli: &Cli, ingested: u64) {
        let total = self.lookups.len() + self.searches.len();
        println!(
            "{} clients for {:.1?}: {total} requests, {:.0} requests/s, {} errors; {ingested} messages ingested meanwhile (one every {} ms)",
            cli.clients,
            self.elapsed,
            total as f64 / self.elapsed.as_secs_f64(),
            self.errors,
            cli.ingest_every_ms,
        );
        for (name, figures) in [("lookups", &self.lookups), ("searches", &self.searches)] {
            let (p50, p99, max) = percentiles(figures);
            println!("  {name}: {} requests, p50 {p50:.2?}, p99 {p99:.2?}, max {max:.2?}", figures.len());
        }
    }
}

/// The median, the 99th percentile and the maximum (zero when empty).
fn percentiles(figures: &[Duration]) -> (Duration, Duration, Duration) {
    let mut sorted = figures.to_vec();
    sorted.sort();
    let at = |q: usize| sorted.get(sorted.len().saturating_sub(1) * q / 100).copied().unwrap_or_default();
    (at(50), at(99), sorted.last().copied().unwrap_or_default())
}
