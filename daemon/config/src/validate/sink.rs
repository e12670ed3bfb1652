//! `[sink]`: the embedded index or an OpenSearch/Elasticsearch cluster.

use std::path::Path;

use super::{Ctx, http, values};
use crate::bytesize::ByteSize;
use crate::choices::SinkKind;
use crate::config::{EmbeddedIndex, OpenSearchSink, SinkSettings};
use crate::error::FieldPath;
use crate::raw::{RawEmbeddedIndex, RawOpenSearch, RawSink};

/// Authentication methods a search cluster takes: the OAuth2 and HMAC flows are pool-specific.
const SINK_AUTH: &[&str] = &["none", "basic", "bearer", "api_key", "mtls"];

pub(super) fn sink(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: &RawSink,
    data_dir: &Path,
) -> Option<SinkSettings> {
    match raw.kind.unwrap_or(SinkKind::Embedded) {
        SinkKind::Embedded => {
            if raw.opensearch.is_some() {
                cx.report(
                    &path.key("opensearch"),
                    "not used with kind = \"embedded\"; set kind = \"opensearch\" or remove it",
                );
            }
            let default = RawEmbeddedIndex::default();
            let embedded =
                embedded(cx, &path.key("embedded"), raw.embedded.as_ref().unwrap_or(&default), data_dir);
            (raw.opensearch.is_none()).then_some(())?;
            embedded.map(SinkSettings::Embedded)
        }
        SinkKind::Opensearch => {
            if raw.embedded.is_some() {
                cx.report(&path.key("embedded"), "not used with kind = \"opensearch\"; remove it");
            }
            let Some(opensearch) = &raw.opensearch else {
                cx.report(
                    &path.key("opensearch"),
                    "required with kind = \"opensearch\": url and alias at least",
                );
                return None;
            };
            let sink = cluster(cx, &path.key("opensearch"), opensearch);
            (raw.embedded.is_none()).then_some(())?;
            sink.map(|sink| SinkSettings::OpenSearch(Box::new(sink)))
        }
    }
}

fn embedded(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: &RawEmbeddedIndex,
    data_dir: &Path,
) -> Option<EmbeddedIndex> {
    let dir = raw.dir.as_deref().map_or_else(|| data_dir.join("index"), |dir| cx.path(dir));
    let memory = raw.writer_memory_bytes.unwrap_or(ByteSize(64 << 20)).bytes();
    // tantivy refuses a writer budget below 15 MB per thread.
    let memory = cx.between(&path.key("writer_memory_bytes"), Some(memory), 0, 16 << 20, 4 << 30);
    Some(EmbeddedIndex { dir, writer_memory_bytes: memory? })
}

fn cluster(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawOpenSearch) -> Option<OpenSearchSink> {
    // A cluster on a private network often runs without TLS, so plain http is allowed here.
    let url = cx.ok(&path.key("url"), values::base_url(&raw.url, false));
    let alias = cx.ok(&path.key("alias"), values::index_alias(&raw.alias));
    let auth = http::auth(cx, &path.key("auth"), raw.auth.as_ref(), SINK_AUTH);
    // Elasticsearch and OpenSearch refuse bodies above http.max_content_length, 100 MB by default.
    let bulk = raw.max_bulk_bytes.unwrap_or(ByteSize(5 << 20)).bytes();
    let bulk = cx.between(&path.key("max_bulk_bytes"), Some(bulk), 0, 64 << 10, 100_000_000);
    let concurrency = cx.count(&path.key("concurrency"), raw.concurrency, 2, 1, 64);
    let timeouts = http::timeouts(cx, &path.key("timeouts"), raw.timeouts.as_ref());
    Some(OpenSearchSink {
        url: url?,
        alias: alias?,
        auth: auth?,
        max_bulk_bytes: bulk?,
        concurrency: concurrency?,
        timeouts: timeouts?,
    })
}
