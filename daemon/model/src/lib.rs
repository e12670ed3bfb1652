//! GDSN domain types for gdsn-sync, a GDSN data recipient.
//!
//! The words of the GS1 GDSN standard and the types that carry them:
//! - [`ids`]: validated identifiers (GTIN, GLN, target market) and the item key;
//! - [`codes`]: the code forms a scanner or a person gives (element strings, Digital Link);
//! - [`message`]: message types, the SBDH envelope, commands, documents;
//! - [`cin`] and [`trade_item`]: the Catalogue Item Notification and its trade items;
//! - [`other`]: CIHW, CIC, CIS, RFCIN, CIP and GS1 Response documents;
//! - [`record`]: the normalized product record published to search consumers;
//! - [`diag`]: diagnostics with stable codes and positions;
//! - [`time`]: lenient GDSN timestamps.
//!
//! Useful for: anything that reasons about GDSN content. Not useful for: IO.
//! This crate reads no files and knows no XML; `gdsn-xml` builds these types.

pub mod cin;
pub mod codes;
pub mod diag;
pub mod ids;
pub mod message;
pub mod other;
pub mod record;
pub mod time;
pub mod trade_item;
