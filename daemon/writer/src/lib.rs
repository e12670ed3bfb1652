//! Builds the GS1 XML BMS 3.1 messages a GDSN data recipient sends to its
//! data pool:
//! - [`catalogue_item_confirmation`]: a Catalogue Item Confirmation (CIC)
//!   telling the data source that an item is RECEIVED, SYNCHRONISED, needs
//!   REVIEW or is REJECTED;
//! - [`gs1_response_exception`]: a GS1 Response refusing a whole message;
//! - [`catalogue_item_subscription`]: a Catalogue Item Subscription (CIS),
//!   ADD or DELETE;
//! - [`request_for_catalogue_item_notification`]: a Request For Catalogue
//!   Item Notification (RFCIN), optionally a reload.
//!
//! Each function returns one complete message as a UTF-8 string that
//! validates against GS1's 3.1.35 XSDs (the tests check this with xmllint)
//! and that `gdsn-xml` reads back to the same values. Everything it writes is
//! checked first against the form the XSD demands (GLN 13 digits, GTIN 14
//! digits, target market 3 digits, identifiers of 1 to 80 characters, text
//! XML 1.0 can carry, list lengths); anything else is a [`WriteError`], never
//! a message a data pool would refuse. [`ItemRef::check`] runs the same checks
//! on one item reference, for a caller that builds it from untyped text.
//!
//! Check digits are deliberately not verified: a recipient must be able to
//! confirm (REVIEW, REJECTED) exactly the item a data source sent, even when
//! its GTIN or GLN check digit is wrong.
//!
//! The crate is pure: no IO, no clock (the creation time is in the
//! [`Envelope`]), no randomness (the message id is the caller's). The same
//! input always gives the same bytes.
//!
//! Useful for: producing outbound messages. Not useful for: reading messages
//! (that is `gdsn-xml`), deciding which confirmation to send, numbering
//! messages or delivering them to the pool.

mod check;
mod cic;
mod envelope;
mod error;
mod response;
mod subscription;
mod xml;

pub use cic::{Confirmation, ConfirmationState, ConfirmationStatus, ItemRef, catalogue_item_confirmation};
pub use envelope::Envelope;
pub use error::WriteError;
pub use response::{ResponseError, gs1_response_exception};
pub use subscription::{
    Subscription, SubscriptionCommand, catalogue_item_subscription, request_for_catalogue_item_notification,
};

/// GDSN validation rule 493: at most this many transactions in one message.
/// Every function here writes one transaction per document.
pub const MAX_TRANSACTIONS: usize = 1000;
