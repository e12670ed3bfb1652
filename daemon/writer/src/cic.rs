//! Catalogue Item Confirmation (CIC): the recipient's answer about one
//! synchronised item (`CatalogueItemConfirmation.xsd`).

use std::fmt;

use gdsn_model::message::MessageType;

use crate::check::{self, DocumentIds};
use crate::envelope::{self, Document, Envelope};
use crate::error::WriteError;
use crate::xml::XmlWriter;

/// The item a confirmation is about: `catalogueItemReference`, normally the
/// top item of the hierarchy the CIN carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    /// The data source (information provider) GLN: 13 digits.
    pub data_source: String,
    /// The GTIN: 14 digits.
    pub gtin: String,
    /// The target market country: 3 digits (`056`).
    pub target_market: String,
    /// The ISO 3166-2 subdivision (`US-CA`), 1 to 80 characters, if any.
    pub target_market_subdivision: Option<String>,
}

impl ItemRef {
    /// Checks every field against the form its XSD type demands, as
    /// [`catalogue_item_confirmation`] does before writing it. A caller that
    /// names an item from text it could not type checks first: a reference
    /// in the wrong form would fail the whole message, not just its document.
    pub fn check(&self) -> Result<(), WriteError> {
        self.check_at("")
    }

    fn check_at(&self, at: &str) -> Result<(), WriteError> {
        check::gln(at, "data_source", &self.data_source)?;
        check::gtin(at, "gtin", &self.gtin)?;
        check::country(at, "target_market", &self.target_market)?;
        if let Some(sub) = &self.target_market_subdivision {
            check::token(at, "target_market_subdivision", sub)?;
        }
        Ok(())
    }
}

/// `catalogueItemConfirmationStateCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfirmationState {
    /// The item was received and stored; it will be synchronised.
    Received,
    /// The data cannot be synchronised as sent; the data source should review it.
    Review,
    /// The item is integrated and in synch.
    Synchronised,
    /// The recipient does not want this item; no further updates.
    Rejected,
}

impl ConfirmationState {
    /// The code as written (`RECEIVED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationState::Received => "RECEIVED",
            ConfirmationState::Review => "REVIEW",
            ConfirmationState::Synchronised => "SYNCHRONISED",
            ConfirmationState::Rejected => "REJECTED",
        }
    }

    /// Whether status details may accompany this state: only REVIEW and
    /// REJECTED (GS1 Global Data Dictionary, CIC).
    pub fn takes_statuses(self) -> bool {
        matches!(self, ConfirmationState::Review | ConfirmationState::Rejected)
    }
}

impl fmt::Display for ConfirmationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `catalogueItemConfirmationStatus`: why an item needs review or is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationStatus {
    /// `confirmationStatusCode` (`CIC999`, ...): 1 to 80 characters.
    pub code: String,
    /// `confirmationStatusCodeDescription`: 1 to 1000 characters.
    pub description: String,
    /// The `languageCode` of both descriptions (ISO 639-1, `en`): 1 to 80 characters.
    pub language: String,
    /// `additionalConfirmationStatusLongDescription`: 1 to 1000 characters.
    pub long_description: Option<String>,
    /// `correctiveAction/correctiveActionCode` (`ACTION_NEEDED`,
    /// `CONTACT_TRADING_PARTNER`, `WARNING`, ...): 1 to 80 characters.
    pub corrective_action: Option<String>,
}

/// One confirmation: becomes one CIC document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// `catalogueItemConfirmationIdentification`, unique in the message: 1 to
    /// 80 characters. It identifies the document's transaction and command too.
    pub document_id: String,
    /// The confirmed item.
    pub item: ItemRef,
    /// The state.
    pub state: ConfirmationState,
    /// `recipientGLN`: the data recipient (usually the envelope's sender).
    pub recipient: String,
    /// `recipientDataPool`: the recipient's data pool GLN, if given.
    pub recipient_data_pool: Option<String>,
    /// Status details; only for [`ConfirmationState::Review`] and
    /// [`ConfirmationState::Rejected`], which may also go without.
    pub statuses: Vec<ConfirmationStatus>,
}

/// Builds one `catalogueItemConfirmationMessage` with one transaction (one
/// ADD command, one document) per confirmation, in the order given.
///
/// `messageCreatorGLN`, mandatory in the 3.1.35 XSD (2015-era CICs lack it),
/// is the envelope's sender.
/// Errors: no confirmations or more than [`crate::MAX_TRANSACTIONS`], a
/// repeated document id, statuses on RECEIVED or SYNCHRONISED, any value
/// not in its XSD form.
pub fn catalogue_item_confirmation(
    env: &Envelope,
    confirmations: &[Confirmation],
) -> Result<String, WriteError> {
    check::list("confirmations", confirmations)?;
    let mut ids = DocumentIds::default();
    envelope::message(MessageType::Cic, env, None, |w| {
        for (i, confirmation) in confirmations.iter().enumerate() {
            let at = format!("confirmations[{i}]");
            let doc = Document {
                kind: MessageType::Cic,
                command: "ADD",
                id: ids.add(&at, "document_id", &confirmation.document_id)?,
                id_element: "catalogueItemConfirmationIdentification",
            };
            envelope::transaction(w, env, &doc, |w| body(w, env, &at, confirmation))?;
        }
        Ok(())
    })
}

fn body(w: &mut XmlWriter, env: &Envelope, at: &str, c: &Confirmation) -> Result<(), WriteError> {
    if !c.statuses.is_empty() && !c.state.takes_statuses() {
        return Err(WriteError::StatusNotAllowed { field: check::path(at, "statuses"), state: c.state });
    }
    w.element("catalogueItemConfirmationState", &[], |w| {
        w.leaf("catalogueItemConfirmationStateCode", c.state.as_str());
        w.leaf("recipientGLN", check::gln(at, "recipient", &c.recipient)?);
        if let Some(pool) = &c.recipient_data_pool {
            w.leaf("recipientDataPool", check::gln(at, "recipient_data_pool", pool)?);
        }
        w.leaf("messageCreatorGLN", check::gln("envelope", "sender", &env.sender)?);
        Ok(())
    })?;
    let item_at = check::path(at, "item");
    item_reference(w, "catalogueItemReference", &item_at, &c.item)?;
    if c.statuses.is_empty() {
        return Ok(());
    }
    w.element("catalogueItemConfirmationStatusDetail", &[], |w| {
        item_reference(w, "confirmationStatusCatalogueItem", &item_at, &c.item)?;
        for (i, status) in c.statuses.iter().enumerate() {
            confirmation_status(w, &format!("{at}.statuses[{i}]"), status)?;
        }
        Ok(())
    })
}

/// A `CatalogueItemReferenceType`.
fn item_reference(w: &mut XmlWriter, element: &str, at: &str, item: &ItemRef) -> Result<(), WriteError> {
    item.check_at(at)?;
    w.element(element, &[], |w| {
        w.leaf("dataSource", &item.data_source);
        w.leaf("gtin", &item.gtin);
        w.leaf("targetMarketCountryCode", &item.target_market);
        if let Some(sub) = &item.target_market_subdivision {
            w.leaf("targetMarketSubdivisionCode", sub);
        }
        Ok(())
    })
}

fn confirmation_status(w: &mut XmlWriter, at: &str, s: &ConfirmationStatus) -> Result<(), WriteError> {
    let language = [("languageCode", check::token(at, "language", &s.language)?)];
    w.element("catalogueItemConfirmationStatus", &[], |w| {
        w.leaf("confirmationStatusCode", check::token(at, "code", &s.code)?);
        let description = check::text(at, "description", &s.description, 1, 1000)?;
        w.leaf_with("confirmationStatusCodeDescription", &language, description);
        if let Some(long) = &s.long_description {
            let long = check::text(at, "long_description", long, 1, 1000)?;
            w.leaf_with("additionalConfirmationStatusLongDescription", &language, long);
        }
        if let Some(action) = &s.corrective_action {
            let action = check::token(at, "corrective_action", action)?;
            w.element("correctiveAction", &[], |w| {
                w.leaf("correctiveActionCode", action);
                Ok(())
            })?;
        }
        Ok(())
    })
}
