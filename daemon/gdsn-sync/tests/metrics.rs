//! `GET /metrics` of a running `gdsn-sync run`: messages fed through the
//! admin route and a drop folder move the counters by exactly what they
//! did, the store levels follow, the body parses as the Prometheus text
//! format with bounded labels and no identifier from a message, and a
//! configured read token protects the route.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

#[path = "support/daemon.rs"]
mod daemon;

use daemon::Daemon;

const ADMIN: &str = "metrics-test-admin-token";
const READ: &str = "metrics-test-read-token";
const DEADLINE: Duration = Duration::from_secs(60);

/// The messages fed below.
const CASES: &[&str] = &["0001_cin_single_each", "0025_cihw_delete", "0036_truncated", "0033_unknown_root"];

/// Every GTIN and GLN in the messages fed: none may appear in the metrics.
fn identifiers() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for name in CASES {
        let xml = String::from_utf8(case(name)).expect("UTF-8 test input");
        for open in ["<gtin>", "<gln>", "Authority=\"GS1\">"] {
            for (at, _) in xml.match_indices(open) {
                let digits: String =
                    xml[at + open.len()..].chars().take_while(char::is_ascii_digit).collect();
                if digits.len() >= 8 {
                    ids.insert(digits);
                }
            }
        }
    }
    ids
}

fn start(http: &str) -> Daemon {
    let admin = gdsn_config::hash_admin_token(ADMIN);
    let http = format!("admin_token_sha256 = \"{admin}\"\n{http}");
    Daemon::start(&daemon::drop_folder_config(&http, ""), DEADLINE)
}

/// Writes a file into the inbox as a mirror does: a hidden name, then a rename.
fn drop_file(daemon: &Daemon, name: &str, body: &[u8]) {
    let tmp = daemon.inbox().join(format!(".{name}.tmp"));
    fs::write(&tmp, body).expect("writing a drop file");
    fs::rename(&tmp, daemon.inbox().join(name)).expect("renaming a drop file");
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().expect("an HTTP client")
}

fn case(name: &str) -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases").join(name).join("input.xml");
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `POST /v1/messages`, which answers once the message is durable.
fn post_message(http: &reqwest::blocking::Client, daemon: &Daemon, query: &str, body: Vec<u8>) -> Value {
    let response = http
        .post(format!("{}/v1/messages{query}", daemon.url))
        .bearer_auth(ADMIN)
        .body(body)
        .send()
        .unwrap_or_else(|e| panic!("POST /v1/messages: {e}\n{}", daemon.log()));
    assert_eq!(response.status().as_u16(), 200, "{}", daemon.log());
    response.json().expect("a JSON answer")
}

/// One scrape: status, content type, body.
fn get_metrics(
    http: &reqwest::blocking::Client,
    daemon: &Daemon,
    token: Option<&str>,
    accept: Option<&str>,
) -> (u16, String, String) {
    let mut request = http.get(format!("{}/metrics", daemon.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().unwrap_or_else(|e| panic!("GET /metrics: {e}\n{}", daemon.log()));
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, response.text().expect("a text body"))
}

/// Messages through both ways in, then one scrape checked series by series.
#[test]
fn counters_follow_what_the_daemon_did() {
    let mut daemon = start("");
    let http = client();

    // Before anything: the families are there, no message counted yet.
    let (status, content_type, body) = get_metrics(&http, &daemon, None, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let before = Exposition::parse(&body);
    assert_eq!(before.sum("gdsn_sync_messages_received_total", &[]), 0.0, "{body}");
    assert_eq!(before.value("gdsn_sync_outbox_depth", &[]), Some(0.0), "{body}");
    assert_eq!(before.value("gdsn_sync_store_read_ok", &[]), Some(1.0), "{body}");

    // A good CIN named to the drop connection, then the same again (a repeat).
    let good = case("0001_cin_single_each");
    let first = post_message(&http, &daemon, "?connection=drop", good.clone());
    assert_eq!(first["summary"]["changes"]["added"], 1, "{first}");
    let again = post_message(&http, &daemon, "?connection=drop", good);
    assert_eq!(again["note"], "already applied", "{again}");
    // A withdrawal posted without a connection: the `_api` label.
    post_message(&http, &daemon, "", case("0025_cihw_delete"));
    // Through the drop folder: a truncated CIN (its one document rejected,
    // the message recorded and answered: done/) and a UBL invoice (nothing
    // readable: failed/).
    drop_file(&daemon, "truncated.xml", &case("0036_truncated"));
    drop_file(&daemon, "invoice.xml", &case("0033_unknown_root"));
    let polled = http
        .post(format!("{}/v1/connections/drop/poll", daemon.url))
        .bearer_auth(ADMIN)
        .send()
        .expect("the poll answers");
    assert_eq!(polled.status().as_u16(), 200, "{}", daemon.log());
    let report: Value = polled.json().expect("a poll report");
    assert_eq!(report["messages"], 2, "{report}");

    // The publisher runs on its own: wait for its drain to show.
    let url = format!("{}/metrics", daemon.url);
    let body = daemon.wait_for("the published change in /metrics", || {
        let body = http.get(&url).send().ok()?.text().ok()?;
        let scraped = Exposition::parse(&body);
        let published = scraped.value("gdsn_sync_published_changes_total", &[("result", "published")]);
        (published == Some(1.0) && scraped.value("gdsn_sync_outbox_depth", &[]) == Some(0.0)).then_some(body)
    });
    let m = Exposition::parse(&body);
    let drop_cin = [("connection", "drop"), ("message_type", "CIN")];
    let rejected =
        |message_type, reason| [("connection", "drop"), ("message_type", message_type), ("reason", reason)];
    assert_eq!(m.value("gdsn_sync_messages_received_total", &drop_cin), Some(3.0), "{body}");
    assert_eq!(m.value("gdsn_sync_messages_applied_total", &drop_cin), Some(1.0), "{body}");
    assert_eq!(m.value("gdsn_sync_messages_repeated_total", &drop_cin), Some(1.0), "{body}");
    let all_rejected = rejected("CIN", "all_rejected");
    assert_eq!(m.value("gdsn_sync_messages_rejected_total", &all_rejected), Some(1.0), "{body}");
    assert_eq!(m.value("gdsn_sync_documents_rejected_total", &drop_cin), Some(1.0), "{body}");
    let drop_unknown = [("connection", "drop"), ("message_type", "unknown")];
    assert_eq!(m.value("gdsn_sync_messages_received_total", &drop_unknown), Some(1.0), "{body}");
    let unreadable = rejected("unknown", "unreadable");
    assert_eq!(m.value("gdsn_sync_messages_rejected_total", &unreadable), Some(1.0), "{body}");
    assert_eq!(m.sum("gdsn_sync_messages_rejected_total", &[]), 2.0, "{body}");
    let api_cihw = [("connection", "_api"), ("message_type", "CIHW")];
    assert_eq!(m.value("gdsn_sync_messages_received_total", &api_cihw), Some(1.0), "{body}");
    assert_eq!(m.value("gdsn_sync_messages_applied_total", &api_cihw), Some(1.0), "{body}");
    // Every message taken has exactly one outcome.
    let received = m.sum("gdsn_sync_messages_received_total", &[]);
    assert_eq!(received, 5.0, "{body}");
    let outcomes = m.sum("gdsn_sync_messages_applied_total", &[])
        + m.sum("gdsn_sync_messages_repeated_total", &[])
        + m.sum("gdsn_sync_messages_rejected_total", &[]);
    assert_eq!(outcomes, received, "{body}");
    // Items: the one added by the first CIN; the repeat plans nothing.
    let added = [("connection", "drop"), ("change", "added")];
    assert_eq!(m.value("gdsn_sync_items_total", &added), Some(1.0), "{body}");
    assert_eq!(m.sum("gdsn_sync_items_total", &[("change", "updated")]), 0.0, "{body}");
    // The poll and the files it took.
    let ok = [("connection", "drop"), ("outcome", "ok")];
    assert_eq!(m.value("gdsn_sync_polls_total", &ok), Some(1.0), "{body}");
    assert_eq!(
        m.value("gdsn_sync_poll_duration_seconds_count", &[("connection", "drop")]),
        Some(1.0),
        "{body}"
    );
    let files = |outcome| [("connection", "drop"), ("outcome", outcome)];
    assert_eq!(m.value("gdsn_sync_dropfolder_files_total", &files("done")), Some(1.0), "{body}");
    assert_eq!(m.value("gdsn_sync_dropfolder_files_total", &files("failed")), Some(1.0), "{body}");
    let failed = daemon.data().join("dropfolder/drop/failed");
    let moved =
        fs::read_dir(&failed).map(|entries| entries.flatten().any(|e| e.file_name() == "invoice.xml"));
    assert!(moved.unwrap_or(false), "invoice.xml not in {}", failed.display());
    // Replies: the CIC for the first CIN went to the drop folder's outbound/.
    let deadline = std::time::Instant::now() + DEADLINE;
    let mut sent = 0.0;
    while sent < 1.0 && std::time::Instant::now() < deadline {
        let (_, _, body) = get_metrics(&http, &daemon, None, None);
        sent = Exposition::parse(&body).sum("gdsn_sync_replies_sent_total", &[("kind", "CIC")]);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(sent >= 1.0, "no CIC counted as sent:\n{}", daemon.log());
    // Publishing.
    assert!(
        m.value("gdsn_sync_publish_drains_total", &[("result", "ok")]).is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert_eq!(m.sum("gdsn_sync_publish_drains_total", &[("result", "error")]), 0.0, "{body}");
    let drains = m.value("gdsn_sync_publish_drain_duration_seconds_count", &[]);
    assert_eq!(drains, m.value("gdsn_sync_publish_drains_total", &[("result", "ok")]), "{body}");
    assert!(m.value("gdsn_sync_publish_lag_seconds_count", &[]).is_some_and(|n| n >= 1.0), "{body}");
    let inf = m.value("gdsn_sync_publish_lag_seconds_bucket", &[("le", "+Inf")]);
    assert_eq!(inf, m.value("gdsn_sync_publish_lag_seconds_count", &[]), "{body}");
    // Store levels, read at scrape time.
    assert_eq!(m.value("gdsn_sync_dead_letters", &[]), Some(0.0), "{body}");
    assert_eq!(m.value("gdsn_sync_quarantined_messages", &[]), Some(0.0), "{body}");
    assert!(m.value("gdsn_sync_replies_pending", &[("connection", "drop")]).is_some(), "{body}");
    assert_eq!(m.value("gdsn_sync_enrolments", &[("state", "subscribed")]), Some(0.0), "{body}");
    let lag = m.value("gdsn_sync_connection_lag_seconds", &[("connection", "drop")]);
    assert!(lag.is_some_and(|s| (0.0..60.0).contains(&s)), "{body}");
    assert_eq!(
        m.value("gdsn_sync_connection_consecutive_failures", &[("connection", "drop")]),
        Some(0.0),
        "{body}"
    );

    // Bounded labels, no identifier from a message anywhere.
    let ids = identifiers();
    assert!(ids.len() >= 8, "too few identifiers found in the inputs: {ids:?}");
    for id in &ids {
        assert!(!body.contains(id.as_str()), "{id} in the metrics:\n{body}");
    }
    let allowed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::from([
        ("connection", BTreeSet::from(["drop", "_api"])),
        (
            "message_type",
            BTreeSet::from(["CIN", "CIHW", "CIC", "CIS", "RFCIN", "CIP", "GS1Response", "unknown"]),
        ),
        ("reason", BTreeSet::from(["all_rejected", "unreadable", "quarantined", "error"])),
        ("change", BTreeSet::from(["added", "updated", "unchanged", "stale", "removed"])),
        ("outcome", BTreeSet::from(["ok", "retry", "error", "done", "failed", "refused", "left"])),
        ("result", BTreeSet::from(["ok", "error", "published", "already_newer", "skipped", "dead_lettered"])),
        (
            "state",
            BTreeSet::from([
                "requested",
                "sent",
                "subscribed",
                "loading",
                "synchronised",
                "failed",
                "unenrolled",
            ]),
        ),
        ("kind", BTreeSet::from(["CIC", "GS1Response", "CIS", "RFCIN", "other"])),
        ("version", BTreeSet::from([env!("CARGO_PKG_VERSION")])),
    ]);
    for sample in &m.samples {
        for (key, value) in &sample.labels {
            if key == "le" {
                assert!(value == "+Inf" || value.parse::<f64>().is_ok(), "le={value:?}");
                continue;
            }
            let known =
                allowed.get(key.as_str()).unwrap_or_else(|| panic!("unexpected label {key} in {sample:?}"));
            assert!(
                known.contains(value.as_str()),
                "label {key}={value:?} not in the bounded set ({sample:?})"
            );
        }
    }

    // OpenMetrics when asked for.
    let (status, content_type, open) = get_metrics(
        &http,
        &daemon,
        None,
        Some("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"),
    );
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert!(open.ends_with("# EOF\n"), "{open}");
    assert!(open.contains("\ngdsn_sync_messages_received_total{"), "{open}");
    daemon.stop();
}

/// With `read_access = "token"`, a scrape needs the read (or admin) token.
#[test]
fn read_token_protects_metrics() {
    let read = gdsn_config::hash_admin_token(READ);
    let mut daemon = start(&format!("read_access = \"token\"\nread_token_sha256 = \"{read}\""));
    let http = client();
    for token in [None, Some("not-the-token")] {
        let (status, content_type, body) = get_metrics(&http, &daemon, token, None);
        assert_eq!(status, 401, "{token:?}: {body}");
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let error: Value = serde_json::from_str(&body).expect("a JSON error");
        assert_eq!(error["error"]["code"], "unauthorized", "{body}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        assert!(!body.contains("gdsn_sync_"), "{body}");
    }
    for token in [READ, ADMIN] {
        let (status, _, body) = get_metrics(&http, &daemon, Some(token), None);
        assert_eq!(status, 200, "{body}");
        Exposition::parse(&body);
    }
    daemon.stop();
}

/// The exposition check itself: it takes a well-formed body and refuses
/// each kind of malformed one, so its passing above means something.
#[test]
fn the_exposition_check_refuses_malformed_text() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{connection=\"x\",q=\"a\\\"b\"} 2\n\
                # HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n";
    let parsed = Exposition::parse(good);
    assert_eq!(parsed.value("a_total", &[("connection", "x"), ("q", "a\"b")]), Some(2.0));
    assert_eq!(parsed.value("h_count", &[]), Some(1.0));
    let bad = [
        "a_total 1\n",                                        // no TYPE
        "# HELP a A.\n# TYPE a gauge\na{x=\"1\" 1\n",         // labels not closed
        "# HELP a A.\n# TYPE a gauge\na{x=1} 1\n",            // value not quoted
        "# HELP a A.\n# TYPE a gauge\na one\n",               // not a number
        "# HELP a A.\n# TYPE a gauge\n# TYPE a gauge\na 1\n", // TYPE twice
        "# HELP a A.\n# TYPE a gauge\na-b 1\n",               // bad name
        "# HELP a A.\n# TYPE a gauge\na_count 1\n",           // _count of a gauge
        "# HELP a A.\n# TYPE a gauge\na 1 2 3\n",             // junk after the value
        "# HELP a A.\n# TYPE a gauge\na 1",                   // no final newline
    ];
    for body in bad {
        let refused = std::panic::catch_unwind(|| Exposition::parse(body)).is_err();
        assert!(refused, "accepted:\n{body}");
    }
}

/// One sample line.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A Prometheus text (0.0.4) body, checked while parsed: every line is a
/// `# HELP name text`, a `# TYPE name type` or a `name{labels} value`
/// sample; a sample belongs to a family TYPE'd before it (a histogram's
/// `_bucket`, `_sum` and `_count` to theirs); no family is declared twice.
struct Exposition {
    samples: Vec<Sample>,
}

impl Exposition {
    fn parse(body: &str) -> Exposition {
        assert!(body.ends_with('\n'), "the body ends without a newline");
        let mut types: BTreeMap<String, String> = BTreeMap::new();
        let mut helps = BTreeSet::new();
        let mut samples = Vec::new();
        for line in body.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) =
                    rest.split_once(' ').unwrap_or_else(|| panic!("HELP without text: {line}"));
                assert!(is_name(name), "bad metric name in {line:?}");
                assert!(!help.is_empty(), "empty HELP: {line}");
                assert!(helps.insert(name.to_owned()), "HELP twice for {name}");
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) =
                    rest.split_once(' ').unwrap_or_else(|| panic!("TYPE without type: {line}"));
                assert!(is_name(name), "bad metric name in {line:?}");
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "unknown type in {line:?}"
                );
                assert!(types.insert(name.to_owned(), kind.to_owned()).is_none(), "TYPE twice for {name}");
            } else {
                assert!(!line.starts_with('#'), "unexpected comment {line:?}");
                let sample = sample(line);
                let family = family_of(&sample.name, &types)
                    .unwrap_or_else(|| panic!("sample {line:?} has no TYPE line before it"));
                assert!(helps.contains(family), "sample {line:?} has no HELP line");
                samples.push(sample);
            }
        }
        assert!(!samples.is_empty(), "no samples:\n{body}");
        Exposition { samples }
    }

    /// The value of the one sample of `name` whose labels are exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> =
            labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let found: Vec<f64> =
            self.samples.iter().filter(|s| s.name == name && s.labels == want).map(|s| s.value).collect();
        assert!(found.len() <= 1, "{name} {labels:?} appears {} times", found.len());
        found.first().copied()
    }

    /// The sum over the samples of `name` that carry `labels` (among others).
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| {
                s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(v))
            })
            .map(|s| s.value)
            .sum()
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn family_of<'a>(name: &'a str, types: &BTreeMap<String, String>) -> Option<&'a str> {
    if types.contains_key(name) {
        return Some(name);
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let family = name.strip_suffix(suffix)?;
        (types.get(family).map(String::as_str) == Some("histogram")).then_some(family)
    })
}

/// `name{k="v",...} value` or `name value`; label values with `\\`, `\"`
/// and `\n` escapes.
fn sample(line: &str) -> Sample {
    let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value in {line:?}"));
    let name = &line[..name_end];
    assert!(is_name(name), "bad metric name in {line:?}");
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            let start =
                chars.peek().map(|(i, _)| *i).unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
            if inner[start..].starts_with('}') {
                chars.next();
                break;
            }
            let eq = inner[start..].find("=\"").unwrap_or_else(|| panic!("bad label in {line:?}")) + start;
            let key = &inner[start..eq];
            assert!(is_name(key) && !key.contains(':'), "bad label name {key:?} in {line:?}");
            while chars.next_if(|(i, _)| *i <= eq + 1).is_some() {}
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c @ ('\\' | '"'))) => value.push(c),
                        other => panic!("bad escape {other:?} in {line:?}"),
                    },
                    Some((_, c)) => value.push(c),
                    None => panic!("unterminated label value in {line:?}"),
                }
            }
            assert!(labels.insert(key.to_owned(), value).is_none(), "label {key} twice in {line:?}");
            if chars.next_if(|(_, c)| *c == ',').is_none() {
                assert!(chars.peek().is_some_and(|(_, c)| *c == '}'), "labels not closed in {line:?}");
            }
        }
        let end = chars.peek().map_or(inner.len(), |(i, _)| *i);
        rest = &inner[end..];
    }
    let value = rest.strip_prefix(' ').unwrap_or_else(|| panic!("no space before the value in {line:?}"));
    // A timestamp may follow; prometheus-client writes none.
    assert!(!value.contains(' '), "unexpected timestamp or junk in {line:?}");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().unwrap_or_else(|_| panic!("bad value {v:?} in {line:?}")),
    };
    Sample { name: name.to_owned(), labels, value }
}
