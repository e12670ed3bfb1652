//! `[[connections]]`: names, the tables each kind needs, schedules and each transport's settings.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use gdsn_schedule::Schedule;

use super::{Ctx, http, maybe, values};
use crate::choices::{ConnectionKind, ReplyKind};
use crate::connection::{BackoffSettings, Connection, DropFolder, PollSettings, Transport, Webhook};
use crate::error::FieldPath;
use crate::raw::{RawConnection, RawDropFolder, RawWebhook};

mod api;

/// How often a drop folder is scanned when no schedule is given: files wait for `min_age_secs` anyway.
pub(crate) const DEFAULT_DROP_SCHEDULE: &str = "*/10 * * * * *";

const DAY_SECS: u64 = 86_400;

/// Whether a kind needs, accepts or refuses a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Required,
    Optional,
    Refused,
}

/// The connection fields whose presence depends on `kind`, in the order of [`shape`]'s rules.
pub(crate) const SHAPE_FIELDS: [&str; 9] = [
    "schedule",
    "time_zone",
    "jitter_secs",
    "backoff",
    "http",
    "inbox",
    "changed_since",
    "drop_folder",
    "webhook",
];

/// Which of [`SHAPE_FIELDS`] a kind needs, accepts or refuses. The JSON Schema's `if`/`then` rules are
/// generated from this table too, so editors and the loader agree.
pub(crate) fn shape(kind: ConnectionKind) -> [Rule; 9] {
    use Rule::{Optional as O, Refused as X, Required as R};
    match kind {
        ConnectionKind::HttpInbox => [R, O, O, O, R, O, X, X, X],
        ConnectionKind::HttpChangedSince => [R, O, O, O, R, X, O, X, X],
        ConnectionKind::DropFolder => [O, O, O, O, X, X, X, R, X],
        ConnectionKind::Webhook => [X, X, X, X, O, X, X, X, R],
    }
}

/// Every connection, with unique names.
pub(super) fn all(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raws: &[RawConnection],
    data_dir: &Path,
) -> Option<Vec<Connection>> {
    let mut first_index: HashMap<&str, usize> = HashMap::new();
    let mut connections = Vec::with_capacity(raws.len());
    let mut all_ok = true;
    for (index, raw) in raws.iter().enumerate() {
        let path = path.index(index);
        if let Some(first) = first_index.get(raw.name.as_str()) {
            let message =
                format!("duplicate connection name {:?}, also used by connections[{first}]", raw.name);
            cx.report(&path.key("name"), message);
            all_ok = false;
        } else {
            first_index.insert(&raw.name, index);
        }
        match one(cx, &path, raw, data_dir) {
            Some(connection) => connections.push(connection),
            None => all_ok = false,
        }
    }
    all_ok.then_some(connections)
}

fn one(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawConnection, data_dir: &Path) -> Option<Connection> {
    let name = cx.ok(&path.key("name"), values::connection_name(&raw.name));
    let shape_ok = check_shape(cx, path, raw);
    let zone = maybe(raw.naive_timestamps_zone.as_deref(), |zone| {
        cx.ok(&path.key("naive_timestamps_zone"), values::time_zone(zone))
    });
    let transport = transport(cx, path, raw, data_dir);
    let replies = replies(cx, path, raw);
    shape_ok.then_some(())?;
    name?;
    Some(Connection {
        name: raw.name.clone(),
        enabled: raw.enabled.unwrap_or(true),
        replies: replies?,
        naive_timestamps_zone: zone?.unwrap_or(Tz::UTC),
        transport: transport?,
    })
}

/// Checks that the fields and tables present are the ones `kind` uses; reports each that is missing or
/// out of place.
fn check_shape(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawConnection) -> bool {
    let present = [
        raw.schedule.is_some(),
        raw.time_zone.is_some(),
        raw.jitter_secs.is_some(),
        raw.backoff.is_some(),
        raw.http.is_some(),
        raw.inbox.is_some(),
        raw.changed_since.is_some(),
        raw.drop_folder.is_some(),
        raw.webhook.is_some(),
    ];
    let kind = raw.kind.as_str();
    let mut ok = true;
    for ((field, present), rule) in SHAPE_FIELDS.into_iter().zip(present).zip(shape(raw.kind)) {
        let message = match (rule, present) {
            (Rule::Required, false) => format!("required for kind = {kind:?}"),
            (Rule::Refused, true) => format!("not used by kind = {kind:?}; remove it"),
            _ => continue,
        };
        cx.report(&path.key(field), message);
        ok = false;
    }
    ok
}

fn transport(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawConnection, data_dir: &Path) -> Option<Transport> {
    let http_path = path.key("http");
    match raw.kind {
        ConnectionKind::HttpInbox => {
            let poll = poll(cx, path, raw, None);
            let http = raw.http.as_ref().and_then(|client| http::client(cx, &http_path, client));
            let base = http.as_ref().map(|client| client.base_url.clone())?;
            let api = api::inbox(cx, &path.key("inbox"), raw.inbox.as_ref(), &base);
            Some(Transport::HttpInbox { poll: poll?, http: http?, api: api? })
        }
        ConnectionKind::HttpChangedSince => {
            let poll = poll(cx, path, raw, None);
            let http = raw.http.as_ref().and_then(|client| http::client(cx, &http_path, client));
            let base = http.as_ref().map(|client| client.base_url.clone())?;
            let api = api::changed_since(cx, &path.key("changed_since"), raw.changed_since.as_ref(), &base);
            Some(Transport::HttpChangedSince { poll: poll?, http: http?, api: api? })
        }
        ConnectionKind::DropFolder => {
            let poll = poll(cx, path, raw, Some(DEFAULT_DROP_SCHEDULE));
            let folders = raw.drop_folder.as_ref()?;
            let folders = drop_folder(cx, &path.key("drop_folder"), folders, data_dir, &raw.name);
            Some(Transport::DropFolder { poll: poll?, folders: folders? })
        }
        ConnectionKind::Webhook => {
            let http = maybe(raw.http.as_ref(), |client| http::client(cx, &http_path, client));
            let webhook = raw.webhook.as_ref()?;
            let webhook = webhook_endpoint(cx, &path.key("webhook"), webhook, &raw.name);
            Some(Transport::Webhook { webhook: webhook?, http: http? })
        }
    }
}

/// Schedule, time zone, jitter and backoff. `default_schedule` stands in for a missing schedule; with
/// none, a missing schedule was already reported by [`check_shape`].
fn poll(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: &RawConnection,
    default_schedule: Option<&str>,
) -> Option<PollSettings> {
    let zone = maybe(raw.time_zone.as_deref(), |zone| cx.ok(&path.key("time_zone"), values::time_zone(zone)));
    let zone_name = zone.flatten().map(|zone| zone.name());
    let expression = raw.schedule.as_deref().or(default_schedule);
    let schedule = expression
        .and_then(|expression| cx.ok(&path.key("schedule"), Schedule::parse(expression, zone_name)));
    let jitter = cx.secs(&path.key("jitter_secs"), raw.jitter_secs, 0, 0, DAY_SECS);
    let backoff_path = path.key("backoff");
    let backoff = raw.backoff.as_ref();
    let initial =
        cx.between(&backoff_path.key("initial_secs"), backoff.and_then(|b| b.initial_secs), 10, 1, DAY_SECS);
    let max = initial.and_then(|initial| {
        let max = backoff.and_then(|b| b.max_secs);
        cx.between(&backoff_path.key("max_secs"), max, 900.max(initial), initial, 7 * DAY_SECS)
    });
    let failures =
        cx.between(&backoff_path.key("max_failures"), backoff.and_then(|b| b.max_failures), 10, 1, 1000);
    zone?;
    Some(PollSettings {
        schedule: schedule?,
        jitter: jitter?,
        backoff: BackoffSettings {
            initial: Duration::from_secs(initial?),
            max: Duration::from_secs(max?),
            max_failures: failures?,
        },
    })
}

/// The folders of a drop-folder connection; how they relate to each other is checked for all
/// connections together (`folders::check`).
fn drop_folder(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: &RawDropFolder,
    data_dir: &Path,
    name: &str,
) -> Option<DropFolder> {
    let own = data_dir.join("dropfolder").join(name);
    let mut folder = |field: &str, configured: Option<&Path>| -> Option<PathBuf> {
        let Some(configured) = configured else { return Some(own.join(field)) };
        if configured.components().any(|component| component == Component::ParentDir) {
            cx.report(
                &path.key(field),
                format!("{} contains \"..\": name the folder directly", configured.display()),
            );
            return None;
        }
        Some(cx.path(configured))
    };
    let inbox = folder("inbox", Some(&raw.inbox));
    let done = folder("done", raw.done.as_deref());
    let failed = folder("failed", raw.failed.as_deref());
    let outbound = folder("outbound", raw.outbound.as_deref());
    let min_age = cx.secs(&path.key("min_age_secs"), raw.min_age_secs, 5, 0, 3600);
    Some(DropFolder { inbox: inbox?, done: done?, failed: failed?, outbound: outbound?, min_age: min_age? })
}

fn webhook_endpoint(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawWebhook, name: &str) -> Option<Webhook> {
    let auth = http::webhook_auth(cx, &path.key("auth"), &raw.auth);
    let body = http::body_limit(cx, &path.key("max_body_bytes"), raw.max_body_bytes);
    let queue = cx.count(&path.key("queue_capacity"), raw.queue_capacity, 64, 1, 10_000);
    let retry_after = cx.secs(&path.key("retry_after_secs"), raw.retry_after_secs, 5, 1, 3600);
    Some(Webhook {
        path: format!("/v1/webhooks/{name}"),
        auth: auth?,
        max_body_bytes: body?,
        queue_capacity: queue?,
        retry_after: retry_after?,
    })
}

/// The replies a connection sends, sorted and without repeats; they need an outbound route.
fn replies(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawConnection) -> Option<Vec<ReplyKind>> {
    let has_route = raw.kind != ConnectionKind::Webhook || raw.http.is_some();
    let default = if has_route { vec![ReplyKind::Cic, ReplyKind::Gs1Response] } else { Vec::new() };
    let mut replies = raw.replies.clone().unwrap_or(default);
    replies.sort();
    replies.dedup();
    if !replies.is_empty() && !has_route {
        cx.report(
            &path.key("replies"),
            "a webhook connection sends replies through its http table: add [connections.http] with base_url (and outbound_path), or set replies = []",
        );
        return None;
    }
    Some(replies)
}
