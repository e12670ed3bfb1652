//! Streaming parser of GS1 XML BMS 3.1 GDSN messages.
//!
//! One entry point, [`parse`]: it reads a message from a `BufRead` with
//! quick-xml's `NsReader`, builds one document (for a CIN, one hierarchy) at
//! a time, hands it to the caller with its diagnostics and normalized
//! records, and drops it. Memory is bounded by the largest document, never
//! by the message; no API takes a whole message as bytes.
//!
//! Elements are matched by namespace URI and local name, never by prefix.
//! What real data pools send is tolerated with a warning (`W` codes); what
//! cannot be trusted is rejected per document (`R`, `M` codes) or, for XML
//! that is not well-formed, from that point on (`X` codes). DTDs are never
//! processed: any DOCTYPE stops the parse before anything is expanded.
//!
//! Useful for: turning bytes into model types. Not useful for: deciding what
//! a document changes (that is the diff's job) or any IO beyond the reader.

mod cin;
mod context;
mod driver;
mod envelope;
mod errors;
mod input;
mod other;
mod trade_item;
mod tree;
mod zone;

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use gdsn_model::diag::Diagnostic;
use gdsn_model::message::{CommandContext, Document, Envelope, MessageType};
use gdsn_model::record::ProductRecord;

/// Limits that bound what one document may cost. Past a limit the document
/// is rejected with the limit's code and parsing resumes at the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest element nesting from the root (X010). Default 256.
    pub max_depth: usize,
    /// Largest text node in bytes (X011). Default 1 MiB.
    pub max_text_bytes: usize,
    /// Most attributes on one element (X012). Default 256.
    pub max_attributes: usize,
    /// Largest document in bytes (X013). Default 32 MiB.
    pub max_document_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 256, max_text_bytes: 1 << 20, max_attributes: 256, max_document_bytes: 32 << 20 }
    }
}

/// How to parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Resource limits.
    pub limits: Limits,
    /// The zone of timestamps that carry none (a pool's setting); `None`
    /// reads them as UTC. Either way each one gets a W004 warning.
    pub naive_zone: Option<chrono_tz::Tz>,
}

/// One document as handed to the caller.
#[derive(Debug, Clone)]
pub struct ParsedDocument {
    /// The message it belongs to.
    pub message_type: MessageType,
    /// 1-based position of the document in the message.
    pub index: usize,
    /// The transaction and command it arrived in.
    pub context: CommandContext,
    /// The message's SBDH, when it came before this document (shared, not copied).
    pub envelope: Option<Arc<Envelope>>,
    /// The document, when it could be read (also for rejected documents
    /// whose errors are semantic, so callers can name the item).
    pub document: Option<Document>,
    /// For a CIN whose `document` is `None` because its top trade item could
    /// not be typed (a GTIN with a wrong check digit, a malformed target
    /// market...): that item's reference as written, so a reply can still
    /// name it. `None` otherwise, and when the tree lacks any of the GTIN,
    /// the information provider GLN or the target market country.
    pub raw_reference: Option<RawItemRef>,
    /// For an accepted CIN: one record per trade item of the hierarchy.
    pub records: Vec<ProductRecord>,
    /// Everything found in this document, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// False when any diagnostic is an error: the whole document is rejected.
    pub accepted: bool,
}

/// The reference of a CIN document's top trade item as written (trimmed of
/// surrounding white space, nothing else checked or padded): the identifiers
/// the item key and a CIC's `catalogueItemReference` are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawItemRef {
    /// `tradeItem/gtin`.
    pub gtin: String,
    /// `tradeItem/informationProviderOfTradeItem/gln`.
    pub information_provider: String,
    /// `tradeItem/targetMarket/targetMarketCountryCode`.
    pub target_market_country: String,
    /// `tradeItem/targetMarket/targetMarketSubdivisionCode`, if any.
    pub target_market_subdivision: Option<String>,
}

/// What the parse of a whole message found, after the last document.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The recognised message type, if the root was recognised.
    pub message_type: Option<MessageType>,
    /// The SBDH, if present.
    pub envelope: Option<Envelope>,
    /// Documents handed to the caller.
    pub documents: usize,
    /// Of those, rejected ones.
    pub rejected: usize,
    /// Problems outside any document (root, envelope, fatal XML errors).
    pub diagnostics: Vec<Diagnostic>,
    /// True when the parse stopped early: fatal error or the caller's `Break`.
    pub stopped: bool,
}

impl Summary {
    /// True when every document was accepted and nothing outside them was an error.
    pub fn is_clean(&self) -> bool {
        self.rejected == 0 && !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses one message from `reader`, calling `on_document` for each
/// document in order. Return `ControlFlow::Break(())` to stop early.
///
/// Never panics on any input; every problem becomes a [`Diagnostic`].
pub fn parse<R, F>(reader: R, options: &ParseOptions, on_document: F) -> Summary
where
    R: BufRead,
    F: FnMut(ParsedDocument) -> ControlFlow<()>,
{
    driver::Driver::new(reader, options, on_document).run()
}
