//! Defaults: an empty file, an HTTP connection with nothing but what it needs, and the embedded
//! defaults `gdsn-sync run` uses without a config file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gdsn_config::{
    AckMethod, Config, ConnectionKind, HttpAuth, LogFormat, Payload, ReadAccess, ReplyKind, SinkSettings,
    Transport,
};

use crate::util::valid;

#[test]
fn an_empty_file_is_a_valid_config_with_every_default() {
    let config = valid("");
    assert_eq!(config.data_dir, PathBuf::from("/etc/gdsn-sync/data"), "relative to the config file");
    assert_eq!(config.recipient_gln, None);
    assert_eq!(config.store.apply_chunk_documents, 500);
    assert_eq!(config.store.reload_quiet, Duration::from_secs(3600));
    assert_eq!(config.store.max_sweep_fraction, 0.5);
    assert!(!config.store.reject_unenrolled);
    assert_eq!(config.http.listen.to_string(), "127.0.0.1:8480");
    assert!(config.http.admin_token.is_none());
    assert_eq!(config.http.read_access, ReadAccess::Public);
    assert_eq!(config.http.readiness_stale, Duration::from_secs(7200));
    assert_eq!(config.http.max_request_body_bytes, 1 << 20);
    assert_eq!((config.logging.format, config.logging.level.as_str()), (LogFormat::Human, "info"));
    assert_eq!(config.pipeline.queue_capacity, 16);
    assert_eq!(config.pipeline.drain_deadline, Duration::from_secs(20));
    assert_eq!(config.publisher.batch_size, 500);
    assert_eq!(config.publisher.commit_interval, Duration::from_millis(1000));
    assert_eq!(config.publisher.retry.max, Duration::from_secs(60));
    let SinkSettings::Embedded(index) = &config.sink else { panic!("embedded sink expected") };
    assert_eq!(index.dir, PathBuf::from("/etc/gdsn-sync/data/index"));
    assert_eq!(index.writer_memory_bytes, 64 << 20);
    assert!(config.connections.is_empty());
    assert!(config.enrolment.request_reload);
    assert_eq!(config.source.as_deref(), Some(Path::new("/etc/gdsn-sync/config.toml")));
}

#[test]
fn an_http_inbox_needs_only_a_schedule_and_a_base_url() {
    let config = valid(
        "[[connections]]\nname = \"pool\"\nkind = \"http_inbox\"\nschedule = \"@hourly\"\nhttp = { base_url = \"https://pool.example/api\" }\n",
    );
    let connection = &config.connections[0];
    assert!(connection.enabled);
    assert_eq!(connection.replies, [ReplyKind::Cic, ReplyKind::Gs1Response]);
    assert_eq!(connection.naive_timestamps_zone, chrono_tz::Tz::UTC);
    let poll = connection.poll().unwrap();
    assert_eq!(poll.jitter, Duration::ZERO);
    assert_eq!(
        (poll.backoff.initial, poll.backoff.max, poll.backoff.max_failures),
        (Duration::from_secs(10), Duration::from_secs(900), 10)
    );
    let Transport::HttpInbox { http, api, .. } = &connection.transport else { panic!("inbox expected") };
    assert!(matches!(http.auth, HttpAuth::None));
    assert_eq!(http.max_body_bytes, 64 << 20);
    assert_eq!(
        (http.timeouts.connect.as_secs(), http.timeouts.read.as_secs(), http.timeouts.total.as_secs()),
        (10, 60, 300)
    );
    assert_eq!(http.outbound_url.as_str(), "https://pool.example/api/outbound");
    assert_eq!(api.list_url.as_str(), "https://pool.example/api/inbox");
    assert_eq!(
        api.messages.fetch.url(&http.base_url, "m 1").unwrap().as_str(),
        "https://pool.example/api/inbox/m%201"
    );
    assert_eq!(api.ack.url(&http.base_url, "m1").unwrap().as_str(), "https://pool.example/api/inbox/m1/ack");
    assert_eq!(api.ack_method, AckMethod::Post);
    assert_eq!((api.cursor_pointer.as_str(), api.cursor_param.as_str()), ("/next_cursor", "cursor"));
    assert_eq!(api.messages.payload, Payload::Xml);
    assert_eq!(config.enrolment.connection.as_deref(), Some("pool"), "the only connection is the default");
}

#[test]
fn a_webhook_without_http_sends_no_replies() {
    let config = valid(
        "[[connections]]\nname = \"push\"\nkind = \"webhook\"\nwebhook.auth = { kind = \"bearer\", token = { env = \"POOL_SECRET\" } }\n",
    );
    let connection = &config.connections[0];
    assert!(connection.replies.is_empty());
    assert!(connection.poll().is_none());
    let Transport::Webhook { webhook, http } = &connection.transport else { panic!("webhook expected") };
    assert_eq!(webhook.path, "/v1/webhooks/push");
    assert_eq!(
        (webhook.max_body_bytes, webhook.queue_capacity, webhook.retry_after.as_secs()),
        (64 << 20, 64, 5)
    );
    assert!(http.is_none());
}

#[test]
fn embedded_defaults_match_the_documented_layout() {
    let config = Config::embedded_defaults(Path::new("data")).unwrap();
    let cwd = std::path::absolute(".").unwrap();
    assert_eq!(config.source, None);
    assert_eq!(config.data_dir, cwd.join("data"));
    assert_eq!(config.http.listen.to_string(), "127.0.0.1:8480");
    assert!(config.http.admin_token.is_none());
    assert!(matches!(&config.sink, SinkSettings::Embedded(index) if index.dir == cwd.join("data/index")));
    assert_eq!(config.connections.len(), 1);
    let connection = &config.connections[0];
    assert_eq!((connection.name.as_str(), connection.kind()), ("inbox", ConnectionKind::DropFolder));
    let Transport::DropFolder { folders, poll } = &connection.transport else {
        panic!("drop folder expected")
    };
    assert_eq!(folders.inbox, cwd.join("inbox"));
    assert_eq!(folders.done, cwd.join("data/dropfolder/done"));
    assert_eq!(folders.failed, cwd.join("data/dropfolder/failed"));
    assert_eq!(folders.outbound, cwd.join("data/dropfolder/outbound"));
    assert_eq!(folders.min_age, Duration::from_secs(5));
    assert_eq!(poll.schedule.expression(), "*/10 * * * * *");
    assert_eq!(config.enrolment.connection.as_deref(), Some("inbox"));
}

#[test]
fn embedded_defaults_refuse_a_data_dir_inside_the_inbox() {
    let error = Config::embedded_defaults(Path::new("inbox/data")).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("<embedded defaults>: connections[0].drop_folder."), "{message}");
    assert!(message.contains("inside"), "{message}");
}
