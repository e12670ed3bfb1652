//! Which search index the publisher feeds, from the configuration's
//! `[sink]`: the embedded tantivy index or an OpenSearch/Elasticsearch
//! cluster through `gdsn_opensearch::BlockingSink`.
//!
//! Nothing here touches the network: the cluster adapter makes sure of its
//! alias at its first publish, so a daemon starts, and `ingest` applies,
//! while the cluster is down; the changes wait in the outbox.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use gdsn_config::{Config, HttpAuth, SinkSettings};
use gdsn_index::{IndexDir, SinkOptions};
use gdsn_opensearch::{Auth, BlockingSink, OpenSearchSink, Readiness, SinkConfig};
use gdsn_publish::PublishOptions;
use gdsn_sink::{Change, Sink, SinkError};

use crate::index_cmds::{Canary, ReindexReport};

/// The runtime a cluster sink blocks on (see `gdsn_opensearch::BlockingSink`).
pub(crate) enum SinkRuntime {
    /// A current-thread runtime of the sink's own: the command line.
    Own,
    /// The daemon's multi-threaded runtime; the sink is then used from a
    /// blocking thread (`spawn_blocking`), never from a task.
    Handle(tokio::runtime::Handle),
}

/// Opens the sink `config.sink` names, ready for `gdsn_publish::drain`.
/// Usable from a blocking thread; does no network IO.
pub(crate) fn open_sink(config: &Config, runtime: SinkRuntime) -> Result<Box<dyn Sink + Send>> {
    match &config.sink {
        SinkSettings::Embedded(embedded) => {
            let dir = IndexDir::new(embedded.dir.clone());
            let sink = dir
                .open_sink(embedded_options(config))
                .with_context(|| format!("opening the index in {}", dir.root().display()))?;
            Ok(Box::new(sink))
        }
        SinkSettings::OpenSearch(cluster) => Ok(Box::new(open_cluster(cluster, runtime)?)),
        _ => bail!("this build does not know the configured sink"),
    }
}

/// The cluster sink of `settings`.
pub(crate) fn open_cluster(
    settings: &gdsn_config::OpenSearchSink,
    runtime: SinkRuntime,
) -> Result<BlockingSink> {
    let sink = OpenSearchSink::new(sink_config(settings)?)
        .with_context(|| format!("the OpenSearch sink at {}", settings.url))?;
    Ok(match runtime {
        SinkRuntime::Own => BlockingSink::with_own_runtime(sink).context("starting the HTTP runtime")?,
        SinkRuntime::Handle(handle) => BlockingSink::with_handle(sink, handle),
    })
}

/// The embedded index's writer settings from the configuration.
pub(crate) fn embedded_options(config: &Config) -> SinkOptions {
    let mut options = SinkOptions::default();
    if let SinkSettings::Embedded(embedded) = &config.sink {
        options.writer_memory_bytes =
            usize::try_from(embedded.writer_memory_bytes).unwrap_or(options.writer_memory_bytes);
    }
    options
}

/// The publisher's batch size and backoff from the configuration.
pub(crate) fn publish_options(config: &Config) -> PublishOptions {
    let publisher = &config.publisher;
    PublishOptions {
        batch_size: publisher.batch_size,
        initial_backoff: publisher.retry.initial,
        max_backoff: publisher.retry.max,
        ..PublishOptions::default()
    }
}

/// What a command says it published to: `the index` (embedded) or the
/// alias and cluster.
pub(crate) fn sink_name(config: &Config) -> String {
    match &config.sink {
        SinkSettings::OpenSearch(cluster) => format!("alias {} at {}", cluster.alias, cluster.url),
        _ => "the index".to_owned(),
    }
}

/// Reads `file` for a command that works on the store in `data_dir`:
/// the two must agree, or the store of one deployment would be published
/// into the index of another.
pub(crate) fn load_config(file: &Path, data_dir: &Path) -> Result<Config> {
    let config = Config::load(file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let given = normalized(data_dir);
    if given != normalized(&config.data_dir) {
        bail!(
            "--data-dir {} is not the data_dir of {} ({}): pass --data-dir {}",
            data_dir.display(),
            file.display(),
            config.data_dir.display(),
            config.data_dir.display()
        );
    }
    Ok(config)
}

/// The canonical path when it exists (symlinks, `..`), else the absolute one.
fn normalized(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| std::path::absolute(path).unwrap_or(path.to_path_buf()))
}

/// The typed config's cluster settings as the sink's.
fn sink_config(settings: &gdsn_config::OpenSearchSink) -> Result<SinkConfig> {
    let mut config = SinkConfig::new(settings.url.as_str(), settings.alias.as_str());
    config.auth = auth(&settings.auth)?;
    config.connect_timeout = settings.timeouts.connect;
    config.request_timeout = settings.timeouts.total;
    config.read_timeout = Some(settings.timeouts.read);
    config.max_bulk_bytes = usize::try_from(settings.max_bulk_bytes).unwrap_or(usize::MAX);
    config.max_concurrent_bulks = settings.concurrency;
    Ok(config)
}

fn auth(auth: &HttpAuth) -> Result<Auth> {
    Ok(match auth {
        HttpAuth::None => Auth::None,
        HttpAuth::Basic { username, password } => {
            Auth::Basic { username: username.clone(), password: password.expose().to_owned() }
        }
        HttpAuth::Bearer { token } => Auth::Bearer(token.expose().to_owned()),
        // `Authorization: ApiKey KEY` for Elasticsearch, or a proxy's header.
        HttpAuth::ApiKey { header, prefix, key } => {
            Auth::Header { name: header.clone(), value: format!("{prefix}{}", key.expose()) }
        }
        HttpAuth::Mtls { .. } => bail!("mutual TLS is not supported by the OpenSearch sink yet"),
        // The config refuses the pool-only methods for a sink; say so if one gets here.
        _ => bail!("the OpenSearch sink takes none, basic, bearer or api_key authentication"),
    })
}

/// Attempts at one batch while filling a new cluster index.
const FILL_ATTEMPTS: u32 = 5;

/// Rebuilds the cluster's index behind the alias from the store: a new
/// index from the template, every live record in it, the canary (count
/// equal to the store's live count after a refresh, sampled GTINs found),
/// then the atomic alias swap and the old index's deletion. Until the swap
/// the alias serves the old index, untouched: a failure before it deletes
/// the new index and changes nothing else. Changes applied meanwhile stay
/// in the outbox (the CLI holds the store; the daemon holds its publisher
/// back): the caller drains them into the alias, now the new index, and
/// the external versions keep whatever the fill already wrote newer.
pub(crate) fn rebuild_cluster(
    store: &gdsn_store::Store,
    cluster: &mut BlockingSink,
    batch_size: usize,
) -> Result<ReindexReport> {
    let old = serving_index(cluster)?;
    let new = cluster.block_on(cluster.sink().create_next_index()).context("creating the new index")?;
    let alias = cluster.sink().alias().to_owned();
    let (live, sample) = match build_and_check(store, cluster, &new, batch_size) {
        Ok(built) => built,
        Err(e) => {
            discard(cluster, &new);
            bail!("{e:#}; alias {alias} still on {old}");
        }
    };
    if let Err(e) = cluster.block_on(cluster.sink().swap_alias(&old, &new)) {
        discard(cluster, &new);
        bail!("alias swap failed: {e}; alias {alias} still on {old}");
    }
    let mut warnings = Vec::new();
    if let Err(e) = cluster.block_on(cluster.sink().delete_index(&old)) {
        warnings.push(format!("old index {old} not deleted: {e}"));
    }
    Ok(ReindexReport {
        index: Some(new),
        previous: Some(old),
        alias: Some(alias),
        documents: live,
        canary: Canary { passed: true, count: live, sampled_gtins: sample.len() },
        warnings,
        ..ReindexReport::default()
    })
}

/// The one index behind the alias (created with it on a new cluster).
fn serving_index(cluster: &BlockingSink) -> Result<String> {
    let alias = cluster.sink().alias();
    let readiness =
        cluster.block_on(cluster.sink().ensure_ready()).with_context(|| format!("alias {alias}"))?;
    match readiness {
        Readiness::Created(index) => Ok(index),
        Readiness::Existing(indices) => match <[String; 1]>::try_from(indices) {
            Ok([index]) => Ok(index),
            Err(indices) => bail!("alias {alias} is on {indices:?}; a reindex needs it on exactly one index"),
        },
    }
}

/// Fills `index` with every live record, then runs the canary on it;
/// returns the count and the sampled GTINs.
fn build_and_check(
    store: &gdsn_store::Store,
    cluster: &BlockingSink,
    index: &str,
    batch_size: usize,
) -> Result<(u64, Vec<String>)> {
    let (live, sample) =
        crate::index_cmds::fill(store, batch_size, &mut |batch| publish_to_new(cluster, index, batch))
            .with_context(|| format!("filling {index}"))?;
    cluster
        .block_on(cluster.sink().canary(index, &sample, live, 0.0))
        .with_context(|| format!("canary failed on {index}"))?;
    Ok((live, sample))
}

/// Publishes `batch` into the new index, retrying what the cluster asks to
/// retry (with backoff) a few times; a record refused for good fails the
/// rebuild, since the canary's count could not pass without it.
fn publish_to_new(cluster: &BlockingSink, index: &str, batch: &[Change]) -> Result<()> {
    let sink = cluster.sink();
    let mut pending: Vec<Change> = Vec::new();
    for attempt in 0..FILL_ATTEMPTS {
        let current = if attempt == 0 { batch } else { &pending[..] };
        let Err(error) = cluster.block_on(sink.publish_to_index(index, current)) else { return Ok(()) };
        if let SinkError::Partial { rejected, .. } = &error
            && let Some((_, reason)) = rejected.iter().next()
        {
            bail!("{} record(s) refused, the first: {reason}", rejected.len());
        }
        pending = error.retryable(current).into_iter().cloned().collect();
        if attempt + 1 < FILL_ATTEMPTS {
            std::thread::sleep(Duration::from_millis(500 << attempt));
        }
    }
    bail!("{} change(s) still failing after {FILL_ATTEMPTS} attempts", pending.len())
}

/// Deletes a new index that will not serve; a failure only warns.
fn discard(cluster: &BlockingSink, index: &str) {
    if let Err(e) = cluster.block_on(cluster.sink().delete_index(index)) {
        eprintln!("warning: new index {index} not deleted: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gdsn_config::Environment;

    /// Secrets from a fixed table, so the test never sets process variables.
    struct Env;

    impl Environment for Env {
        fn var(&self, name: &str) -> Result<String, std::env::VarError> {
            match name {
                "ES_KEY" => Ok("k3y".to_owned()),
                _ => Err(std::env::VarError::NotPresent),
            }
        }

        fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            std::fs::read(path)
        }
    }

    fn config(sink: &str) -> Config {
        let text = format!(
            "data_dir = \"/srv/gdsn\"\n{sink}\n[publisher]\nbatch_size = 7\nretry = {{ initial_ms = 3, max_ms = 9 }}\n\
             [[connections]]\nname = \"in\"\nkind = \"drop_folder\"\ndrop_folder = {{ inbox = \"/srv/in\" }}\n"
        );
        Config::from_toml(&text, Path::new("/etc/gdsn.toml"), &Env).expect("valid config")
    }

    #[test]
    fn cluster_settings_map_to_the_sink() {
        let config = config(
            "[sink]\nkind = \"opensearch\"\n[sink.opensearch]\nurl = \"http://search:9200\"\nalias = \"products\"\n\
             concurrency = 3\nmax_bulk_bytes = \"1 MiB\"\ntimeouts = { connect_secs = 1, read_secs = 2, total_secs = 3 }\n\
             auth = { kind = \"api_key\", header = \"Authorization\", prefix = \"ApiKey \", key = { env = \"ES_KEY\" } }\n",
        );
        let SinkSettings::OpenSearch(cluster) = &config.sink else { panic!("an OpenSearch sink") };
        let mapped = sink_config(cluster).expect("maps");
        assert_eq!((mapped.base_url.as_str(), mapped.alias.as_str()), ("http://search:9200/", "products"));
        assert_eq!((mapped.max_concurrent_bulks, mapped.max_bulk_bytes), (3, 1 << 20));
        assert_eq!(mapped.connect_timeout, Duration::from_secs(1));
        assert_eq!(mapped.read_timeout, Some(Duration::from_secs(2)));
        assert_eq!(mapped.request_timeout, Duration::from_secs(3));
        let Auth::Header { name, value } = &mapped.auth else { panic!("a header: {:?}", mapped.auth) };
        assert_eq!((name.as_str(), value.as_str()), ("Authorization", "ApiKey k3y"));
        assert_eq!(sink_name(&config), "alias products at http://search:9200/");
        let options = publish_options(&config);
        assert_eq!(options.batch_size, 7);
        assert_eq!(
            (options.initial_backoff, options.max_backoff),
            (Duration::from_millis(3), Duration::from_millis(9))
        );
        // Building the sink touches no network: the cluster may be down.
        assert!(open_sink(&config, SinkRuntime::Own).is_ok());
    }

    #[test]
    fn embedded_settings_and_another_data_dir() {
        let config = config("");
        assert_eq!(sink_name(&config), "the index");
        assert_eq!(embedded_options(&config).writer_memory_bytes, 64 << 20);
        let work = tempfile::tempdir().expect("temp dir");
        let file = work.path().join("gdsn.toml");
        std::fs::write(&file, "data_dir = \"/srv/gdsn\"\n[[connections]]\nname = \"in\"\nkind = \"drop_folder\"\ndrop_folder = { inbox = \"/srv/in\" }\n")
            .expect("written");
        let error = load_config(&file, work.path()).expect_err("another data dir");
        assert!(error.to_string().contains("pass --data-dir /srv/gdsn"), "{error}");
    }
}
