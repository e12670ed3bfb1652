//! The configuration of gdsn-sync: one TOML file, checked whole into a typed [`Config`] before any other
//! crate sees it.
//!
//! # Design
//!
//! Two layers, as ripgrep's low-level and high-level arguments:
//! - [`raw`]: what the file says. Plain serde structs, unknown fields refused everywhere, every field
//!   documented (the docs become the JSON Schema's descriptions, [`schema_json`]). Optional fields are
//!   `Option`s; nothing is defaulted or interpreted there.
//! - [`Config`]: what the daemon uses. Produced only by [`RawConfig::validate`], which applies every
//!   default, checks every value (GLNs with their check digit, target markets, cron expressions and time
//!   zones through `gdsn_schedule`, URLs, JSON pointers, header names, ranges, byte sizes, unique
//!   connection names, drop-folder layout, the tables each connection kind needs), resolves every
//!   secret and makes every path absolute. Later code reads typed values and checks nothing again.
//!
//! **Errors** name the file, line and column, and the field path:
//! `deploy/examples/http.toml:12:9: connections[1].schedule: invalid cron expression "...": ...`.
//! The raw types hold no spans (they would clutter the structs and the schema); a second, untyped parse
//! of the same text (`toml::de::DeTable`) maps field paths to positions and serde's spans back to field
//! paths (`locate`). Validation reports all problems at once.
//!
//! **Secrets** are never in the file: each is `{ env = "VAR" }` or `{ file = "/path" }`, resolved at
//! validation (a missing variable or file fails the load, naming it), and held as [`Secret`], whose
//! `Debug` and `Display` print `***`. `{ plaintext = "..." }` exists for trials and needs
//! `allow_plaintext_secrets = true`. The admin API token is stored as its SHA-256 ([`hash_admin_token`]).
//!
//! **Units** are in field names: `_secs` and `_ms` take integers (no `"5m"` strings: one form, no
//! parser to learn); sizes take bytes or a string with a unit (`"64 MiB"`, [`ByteSize`]).
//!
//! **Paths** are absolute or relative to the config file's directory (the current directory for the
//! embedded defaults); `..` is refused in drop-folder paths, and no drop folder may be inside another
//! (above all, nothing inside an inbox).
//!
//! **Environment.** Secrets and files are read through the [`Environment`] trait, so tests never set
//! process environment variables (which is `unsafe` in Rust 2024 and races other tests).
//!
//! ```
//! use std::path::Path;
//! use gdsn_config::{Config, ConnectionKind, OsEnvironment};
//!
//! let text = r#"
//! [[connections]]
//! name = "sftp-mirror"
//! kind = "drop_folder"
//! drop_folder = { inbox = "/srv/gdsn/inbox" }
//! "#;
//! let config = Config::from_toml(text, Path::new("/etc/gdsn-sync/config.toml"), &OsEnvironment).unwrap();
//! assert_eq!(config.connections[0].kind(), ConnectionKind::DropFolder);
//! assert_eq!(config.http.listen.to_string(), "127.0.0.1:8480");
//!
//! let error = Config::from_toml("[store]\nmax_sweep_fraction = 2.0\n", Path::new("gdsn.toml"), &OsEnvironment)
//!     .unwrap_err();
//! assert_eq!(error.to_string(), "gdsn.toml:2:22: store.max_sweep_fraction: must be above 0 and at most 1, got 2");
//! ```
//!
//! Useful for: loading, checking and documenting the daemon's configuration. Not useful for: anything at
//! run time; nothing here opens a socket, watches the file or reloads it.

mod auth;
mod bytesize;
mod choices;
mod config;
mod connection;
mod error;
mod load;
mod locate;
pub mod raw;
mod schema;
mod secret;
mod token;
mod validate;

pub use auth::{HttpAuth, WebhookAuth};
pub use bytesize::ByteSize;
pub use choices::{AckMethod, ConnectionKind, LogFormat, PayloadEncoding, ReadAccess, ReplyKind, SinkKind};
pub use config::{
    Config, EmbeddedIndex, EnrolmentDefaults, HttpSettings, LogSettings, OpenSearchSink, PipelineSettings,
    PublisherSettings, RetrySettings, SinkSettings, StoreSettings,
};
pub use connection::{
    BackoffSettings, ChangedSinceApi, Connection, DropFolder, HttpClient, InboxApi, JsonPointer,
    MessageAccess, PathTemplate, Payload, PollSettings, Timeouts, Transport, Webhook,
};
pub use error::{ConfigError, Problem};
pub use load::check;
pub use raw::RawConfig;
pub use schema::schema_json;
pub use secret::{Environment, OsEnvironment, Secret, SecretSource};
pub use token::{TokenHash, hash_admin_token};
