//! The ops status page: what `/v1/status` says, for a person: each
//! connection (last poll, lag, errors), the store's counts, the index,
//! dead letters, quarantined messages and enrolments.

use maud::{Markup, html};
use serde_json::Value;

use crate::i18n::Lang;
use crate::layout::{Here, page};
use crate::text::{str_of, when};
use crate::{Unavailable, unavailable};

/// Rows shown per list; the CLI lists everything.
pub const MAX_ROWS: usize = 50;

/// What the ops page shows; rows are JSON objects as the daemon's status
/// types serialise them.
#[derive(Debug)]
pub struct OpsView<'a> {
    /// The interface language.
    pub lang: Lang,
    /// Connection name -> status object (`/v1/status`'s `connections`).
    pub connections: &'a Value,
    /// The store's counts (`/v1/status`'s `store`); `None` if unreadable.
    pub store: Option<&'a Value>,
    /// Live documents in the index, or why it cannot say.
    pub index: Result<u64, Unavailable>,
    /// `{seq, key, op, reason}`.
    pub dead_letters: &'a [Value],
    /// `{sender, message_id, reason}`.
    pub quarantined: &'a [Value],
    /// `{pair, state, connection, items, last_message_at, error}`.
    pub enrolments: &'a [Value],
}

/// The whole ops page.
pub fn render_ops(view: &OpsView<'_>) -> String {
    let lang = view.lang;
    let s = lang.strings();
    let here = Here { path: "/ops", params: Vec::new() };
    let body = html! {
        div.ops {
            h1 { (s.ops_title) }
            h2 { (s.connections) }
            (connections(lang, view.connections))
            h2 { (s.store) " · " (s.index) }
            (counts(lang, view))
            h2 { (s.enrolments) }
            (table(lang, view.enrolments, &[
                (s.pair, "pair"), (s.state, "state"), (s.connection, "connection"), (s.items, "items"),
                (s.last_message, "last_message_at"), (s.last_error, "error"),
            ]))
            h2 { (s.dead_letters) }
            (table(lang, view.dead_letters, &[("#", "seq"), ("key", "key"), ("op", "op"), (s.reason, "reason")]))
            h2 { (s.quarantined) }
            (table(lang, view.quarantined, &[("sender", "sender"), ("message", "message_id"), (s.reason, "reason")]))
        }
    };
    page(lang, s.ops_title, &here, None, &body)
}

/// The page asking for the read token (when `read_access = "token"`): a
/// form that posts it to `/ops`, which remembers it and goes on to `next`
/// (a path of this site).
pub fn render_ops_login(lang: Lang, wrong: bool, next: &str) -> String {
    let s = lang.strings();
    let here = Here { path: "/ops", params: Vec::new() };
    let body = html! {
        h1 { (s.app_title) }
        p.notice.warn { (if wrong { s.token_wrong } else { s.token_needed }) }
        form.login method="post" action="/ops" {
            label for="token" { (s.token_label) }
            div.field {
                input #token type="password" name="token" autocomplete="current-password" required autofocus;
                button type="submit" { (s.token_button) }
            }
            input type="hidden" name="next" value=(next);
        }
    };
    page(lang, s.token_label, &here, None, &body)
}

fn connections(lang: Lang, connections: &Value) -> Markup {
    let s = lang.strings();
    let Some(map) = connections.as_object().filter(|m| !m.is_empty()) else {
        return html! { p.notice { (s.none) } };
    };
    let time = |status: &Value, field: &str| str_of(status, field).map_or_else(|| s.never.to_owned(), when);
    html! {
        div.scroll { table #connections {
            thead { tr {
                th { (s.connection) } th { (s.kind) } th { (s.last_poll) } th { (s.last_success) } th { (s.lag) }
                th { (s.failures) } th { (s.applied) } th { (s.failed) } th { (s.rejected) } th { (s.waiting) }
                th { (s.replies_sent) } th { (s.last_error) }
            } }
            tbody {
                @for (name, status) in map {
                    tr {
                        td { strong { (name) } @if status["polling"].as_bool() == Some(true) { br; small { (s.polling_now) } } }
                        td { (str_of(status, "kind").unwrap_or_default()) }
                        td { (time(status, "last_poll_at")) }
                        td { (time(status, "last_success_at")) }
                        td { (status["lag_secs"].as_i64().map(duration).unwrap_or_default()) }
                        td { (number(&status["consecutive_failures"])) }
                        td { (number(&status["messages_applied"])) }
                        td { (number(&status["messages_failed"])) }
                        td { (number(&status["documents_rejected"])) }
                        td { (number(&status["messages_waiting"])) }
                        td { (number(&status["replies_sent"])) }
                        td.err {
                            @if let Some(error) = str_of(status, "last_error") {
                                (error) br; small { (time(status, "last_error_at")) }
                            }
                            @if let Some(error) = str_of(status, "last_reply_error") { br; (error) }
                        }
                    }
                }
            }
        } }
    }
}

fn counts(lang: Lang, view: &OpsView<'_>) -> Markup {
    let s = lang.strings();
    let tiles: [(&str, &str); 6] = [
        (s.live, "live"),
        (s.outbox, "outbox"),
        (s.messages, "messages"),
        (s.quarantined, "quarantined"),
        (s.replies_pending, "replies_pending"),
        (s.tombstones, "tombstones"),
    ];
    html! {
        div.tiles #counts {
            @if let Some(store) = view.store {
                @for (label, field) in tiles {
                    div.tile data-count=(field) { b { (number(&store[field])) } span { (label) } }
                }
            }
            div.tile data-count="dead_letters" { b { (view.dead_letters.len()) } span { (s.dead_letters) } }
            @if let Ok(docs) = view.index {
                div.tile data-count="index" { b { (docs) } span { (s.index_docs) } }
            }
        }
        @if let Err(why) = &view.index { (unavailable(lang, why)) }
    }
}

fn table(lang: Lang, rows: &[Value], columns: &[(&str, &str)]) -> Markup {
    if rows.is_empty() {
        return html! { p.notice { (lang.strings().none) } };
    }
    html! {
        div.scroll { table {
            thead { tr { @for (label, _) in columns { th { (label) } } } }
            tbody {
                @for row in rows.iter().take(MAX_ROWS) {
                    tr { @for (_, field) in columns { td { (cell(&row[*field])) } } }
                }
            }
        } }
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) if text.len() > 10 && text.as_bytes()[10] == b'T' => when(text),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn number(value: &Value) -> String {
    value.as_u64().map(|n| n.to_string()).unwrap_or_default()
}

/// Seconds as `42 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86400, secs % 86400 / 3600),
    }
}
