//! The small top-level sections: store, HTTP listener, logging, pipeline, publisher, enrolment.

use std::net::SocketAddr;
use std::time::Duration;

use gdsn_model::ids::TargetMarket;

use super::{Ctx, maybe, values};
use crate::bytesize::ByteSize;
use crate::choices::{LogFormat, ReadAccess};
use crate::config::{
    EnrolmentDefaults, HttpSettings, LogSettings, PipelineSettings, PublisherSettings, RetrySettings,
    StoreSettings,
};
use crate::error::FieldPath;
use crate::raw::{RawConnection, RawEnrolment, RawHttp, RawLogging, RawPipeline, RawPublisher, RawStore};
use crate::token::TokenHash;

/// The listener when none is configured: loopback only, so a fresh install exposes nothing.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8480";

const DAY_SECS: u64 = 86_400;

pub(super) fn store(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawStore) -> Option<StoreSettings> {
    let chunk = cx.count(&path.key("apply_chunk_documents"), raw.apply_chunk_documents, 500, 1, 100_000);
    let quiet = cx.secs(&path.key("reload_quiet_secs"), raw.reload_quiet_secs, 3600, 1, 30 * DAY_SECS);
    let fraction = raw.max_sweep_fraction.unwrap_or(0.5);
    // Written as a negation so that NaN (valid TOML) is refused too.
    let fraction_ok = fraction > 0.0 && fraction <= 1.0;
    if !fraction_ok {
        cx.report(&path.key("max_sweep_fraction"), format!("must be above 0 and at most 1, got {fraction}"));
    }
    Some(StoreSettings {
        apply_chunk_documents: chunk?,
        reload_quiet: quiet?,
        max_sweep_fraction: fraction_ok.then_some(fraction)?,
        reject_unenrolled: raw.reject_unenrolled.unwrap_or(false),
    })
}

pub(super) fn http(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawHttp) -> Option<HttpSettings> {
    let listen_text = raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let listen = listen_text.trim().parse::<SocketAddr>().map_err(|_| {
        format!("invalid listen address {listen_text:?}: expected IP:PORT such as \"127.0.0.1:8480\" or \"[::]:8480\"")
    });
    let listen = cx.ok(&path.key("listen"), listen);
    let admin = maybe(raw.admin_token_sha256.as_deref(), |hash| {
        cx.ok(&path.key("admin_token_sha256"), TokenHash::parse(hash.trim()))
    });
    let read = maybe(raw.read_token_sha256.as_deref(), |hash| {
        cx.ok(&path.key("read_token_sha256"), TokenHash::parse(hash.trim()))
    });
    let read_access = raw.read_access.unwrap_or(ReadAccess::Public);
    if read_access == ReadAccess::Token && raw.admin_token_sha256.is_none() && raw.read_token_sha256.is_none()
    {
        cx.report(
            &path.key("read_access"),
            "read_access = \"token\" needs read_token_sha256 or admin_token_sha256, or no one could read",
        );
    }
    let stale = cx.secs(&path.key("readiness_stale_secs"), raw.readiness_stale_secs, 7200, 1, 30 * DAY_SECS);
    let timeout = cx.secs(&path.key("request_timeout_secs"), raw.request_timeout_secs, 30, 1, 3600);
    let body = raw.max_request_body_bytes.unwrap_or(ByteSize(1 << 20)).bytes();
    let body = cx.between(&path.key("max_request_body_bytes"), Some(body), 0, 1024, 1 << 30);
    Some(HttpSettings {
        listen: listen?,
        admin_token: admin?,
        read_access,
        read_token: read?,
        readiness_stale: stale?,
        request_timeout: timeout?,
        max_request_body_bytes: body?,
    })
}

pub(super) fn logging(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawLogging) -> Option<LogSettings> {
    let level = raw.level.as_deref().unwrap_or("info").trim();
    let level = cx.ok(&path.key("level"), values::log_filter(level).map(|()| level.to_owned()));
    Some(LogSettings { format: raw.format.unwrap_or(LogFormat::Human), level: level? })
}

pub(super) fn pipeline(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawPipeline) -> Option<PipelineSettings> {
    let queue = cx.count(&path.key("queue_capacity"), raw.queue_capacity, 16, 1, 10_000);
    let workers = cx.count(&path.key("parse_workers"), raw.parse_workers, 2, 1, 64);
    let drain = cx.secs(&path.key("drain_deadline_secs"), raw.drain_deadline_secs, 20, 1, 3600);
    Some(PipelineSettings { queue_capacity: queue?, parse_workers: workers?, drain_deadline: drain? })
}

pub(super) fn publisher(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawPublisher) -> Option<PublisherSettings> {
    let batch = cx.count(&path.key("batch_size"), raw.batch_size, 500, 1, 100_000);
    let commit = cx.between(&path.key("commit_interval_ms"), raw.commit_interval_ms, 1000, 10, 600_000);
    let retry_path = path.key("retry");
    let initial = cx.between(&retry_path.key("initial_ms"), raw.retry.initial_ms, 500, 1, 3_600_000);
    let max = initial.and_then(|initial| {
        cx.between(&retry_path.key("max_ms"), raw.retry.max_ms, 60_000.max(initial), initial, 86_400_000)
    });
    Some(PublisherSettings {
        batch_size: batch?,
        commit_interval: Duration::from_millis(commit?),
        retry: RetrySettings { initial: Duration::from_millis(initial?), max: Duration::from_millis(max?) },
    })
}

pub(super) fn enrolment(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: &RawEnrolment,
    connections: &[RawConnection],
) -> Option<EnrolmentDefaults> {
    let connection = match &raw.connection {
        Some(name) if connections.iter().any(|connection| connection.name == *name) => {
            Some(Some(name.clone()))
        }
        Some(name) => {
            let known: Vec<&str> = connections.iter().map(|connection| connection.name.as_str()).collect();
            cx.report(&path.key("connection"), format!("no connection is named {name:?} (known: {known:?})"));
            None
        }
        None if connections.len() == 1 => Some(connections.first().map(|connection| connection.name.clone())),
        None => Some(None),
    };
    let markets_path = path.key("target_markets");
    let markets: Vec<Option<TargetMarket>> = raw
        .target_markets
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, market)| cx.ok(&markets_path.index(index), values::target_market(market)))
        .collect();
    Some(EnrolmentDefaults {
        connection: connection?,
        target_markets: markets.into_iter().collect::<Option<_>>()?,
        request_reload: raw.request_reload.unwrap_or(true),
    })
}
