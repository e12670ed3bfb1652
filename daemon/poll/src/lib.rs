//! `gdsn-poll`: the HTTP data pool client of gdsn-sync.
//!
//! A [`PoolClient`] is built from one connection's typed config ([`gdsn_config::Connection`]) and
//! speaks our pool protocol (`schemas/pool-api.openapi.yaml`):
//! - [`PoolClient::poll_inbox`]: list the inbox page by page (cursor), fetch each message (raw XML,
//!   or base64 inside JSON), hand it to the caller's [`MessageHandler`], acknowledge it;
//! - [`PoolClient::poll_changes`]: changed-since windows that overlap the last high-water mark, paged
//!   by token, de-duplicated by id against a bounded [`ChangedSinceState`] the caller persists;
//! - [`PoolClient::send_outbound`]: POST a reply (CIC, CIS, RFCIN, GS1 Response).
//!
//! Every auth style of the config: bearer, API key, basic, HMAC-signed requests, OAuth2 client
//! credentials and password grant (token cached; on 401 dropped, fetched again and the request
//! retried once), mutual TLS (client identity from PEM files, optional CA bundle).
//!
//! # Invariants
//!
//! - **Acknowledge after durable.** A message is acknowledged (inbox) or remembered as delivered
//!   (changed-since) only after the handler returned [`Durable`]. A handler error stops the poll and
//!   leaves the message with the pool, so it comes again: delivery is at least once, and the store
//!   recognises repeats.
//! - **Bounded memory.** A body is read chunk by chunk and abandoned as soon as it passes
//!   `max_body_bytes` (so one message at a time, at most the cap, is in memory); error bodies are read
//!   to 16 KiB for an excerpt; the changed-since id set holds at most `capacity` ids.
//! - **No panic, no secret in logs.** Every failure is a [`PollError`]; credentials travel in
//!   sensitive headers and appear in no message.
//!
//! # Errors for the scheduler
//!
//! [`PollError::is_retryable`] sorts failures: `RetryAfter` (429, or 503 with `Retry-After`; the wait
//! is [`PollError::retry_after`]), 5xx, timeouts, transport errors and truncated bodies are worth a
//! retry with backoff; refused credentials, other 4xx (with an excerpt of the body), a wrong content
//! type, an oversized body or a protocol violation need a person.
//!
//! Useful for: the daemon's HTTP inbox and changed-since connections and its outbound replies. Not
//! useful for: anything GDSN; bytes and cursors only, parsing is the handler's business.

mod auth;
mod changes;
mod client;
mod error;
mod handler;
mod inbox;
mod messages;
mod oauth;
mod response;

pub use changes::{ChangedSinceState, ChangesReport, DEFAULT_RECENT_IDS};
pub use client::PoolClient;
pub use error::PollError;
pub use handler::{Durable, MessageHandler};
pub use inbox::InboxReport;
