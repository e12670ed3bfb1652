//! Catalogue Item Subscription (CIS) and Request For Catalogue Item
//! Notification (RFCIN): the recipient asking for items
//! (`CatalogueItemSubscription.xsd`, `RequestForCatalogueItemNotification.xsd`,
//! whose type extends the CIS type).

use gdsn_model::message::MessageType;

use crate::check::{self, DocumentIds};
use crate::envelope::{self, Document, Envelope};
use crate::error::WriteError;
use crate::xml::XmlWriter;

/// A subscription (or, in an RFCIN, a request): the recipient and the
/// criteria items must match. GDSN rules 86 and 87 apply: at least one of
/// `data_source`, `gtin`, `gpc_category_code`, `target_market`, and not both
/// `gtin` and `gpc_category_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `catalogueItemSubscriptionIdentification`, unique in the message: 1
    /// to 80 characters. It identifies the document's transaction and command too.
    pub document_id: String,
    /// `dataRecipient`: our GLN, 13 digits.
    pub data_recipient: String,
    /// `dataSource` criterion: the information provider's GLN.
    pub data_source: Option<String>,
    /// `gtin` criterion: 14 digits.
    pub gtin: Option<String>,
    /// `gpcCategoryCode` criterion: a GPC brick, 8 digits.
    pub gpc_category_code: Option<String>,
    /// `targetMarket/targetMarketCountryCode` criterion: 3 digits.
    pub target_market: Option<String>,
    /// `recipientDataPool`: our data pool's GLN.
    pub recipient_data_pool: Option<String>,
}

/// What a CIS does with its subscriptions (`documentCommandHeader/@type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionCommand {
    /// Creates the subscriptions.
    Add,
    /// Removes the subscriptions with these criteria.
    Delete,
}

impl SubscriptionCommand {
    /// The attribute value (`ADD`, `DELETE`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionCommand::Add => "ADD",
            SubscriptionCommand::Delete => "DELETE",
        }
    }
}

/// Builds one `catalogueItemSubscriptionMessage` with one transaction (one
/// `command`, one document) per subscription, in the order given.
///
/// Errors: no subscriptions or more than [`crate::MAX_TRANSACTIONS`], a
/// repeated document id, rules 86 and 87, any value not in its XSD form.
pub fn catalogue_item_subscription(
    env: &Envelope,
    command: SubscriptionCommand,
    subs: &[Subscription],
) -> Result<String, WriteError> {
    write(MessageType::Cis, env, command, subs, None)
}

/// Builds one `requestForCatalogueItemNotificationMessage` (command ADD)
/// asking the data sources to send the matching items again; `is_reload`
/// marks the resulting CINs as a reload (`isReload`).
///
/// Errors: as [`catalogue_item_subscription`].
pub fn request_for_catalogue_item_notification(
    env: &Envelope,
    subs: &[Subscription],
    is_reload: bool,
) -> Result<String, WriteError> {
    write(MessageType::Rfcin, env, SubscriptionCommand::Add, subs, Some(is_reload))
}

fn write(
    kind: MessageType,
    env: &Envelope,
    command: SubscriptionCommand,
    subs: &[Subscription],
    is_reload: Option<bool>,
) -> Result<String, WriteError> {
    check::list("subscriptions", subs)?;
    let mut ids = DocumentIds::default();
    envelope::message(kind, env, None, |w| {
        for (i, sub) in subs.iter().enumerate() {
            let at = format!("subscriptions[{i}]");
            let doc = Document {
                kind,
                command: command.as_str(),
                id: ids.add(&at, "document_id", &sub.document_id)?,
                id_element: "catalogueItemSubscriptionIdentification",
            };
            envelope::transaction(w, env, &doc, |w| {
                criteria(w, &at, sub)?;
                if let Some(reload) = is_reload {
                    w.leaf("isReload", if reload { "true" } else { "false" });
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

/// The CIS fields after the identification, in XSD order.
fn criteria(w: &mut XmlWriter, at: &str, s: &Subscription) -> Result<(), WriteError> {
    rules(at, s)?;
    w.leaf("dataRecipient", check::gln(at, "data_recipient", &s.data_recipient)?);
    if let Some(v) = &s.data_source {
        w.leaf("dataSource", check::gln(at, "data_source", v)?);
    }
    if let Some(v) = &s.gpc_category_code {
        w.leaf("gpcCategoryCode", check::gpc(at, "gpc_category_code", v)?);
    }
    if let Some(v) = &s.gtin {
        w.leaf("gtin", check::gtin(at, "gtin", v)?);
    }
    if let Some(v) = &s.recipient_data_pool {
        w.leaf("recipientDataPool", check::gln(at, "recipient_data_pool", v)?);
    }
    if let Some(v) = &s.target_market {
        let country = check::country(at, "target_market", v)?;
        w.element("targetMarket", &[], |w| {
            w.leaf("targetMarketCountryCode", country);
            Ok(())
        })?;
    }
    Ok(())
}

/// GDSN validation rules 86 and 87.
fn rules(at: &str, s: &Subscription) -> Result<(), WriteError> {
    if s.data_source.is_none()
        && s.gtin.is_none()
        && s.gpc_category_code.is_none()
        && s.target_market.is_none()
    {
        let message =
            "a subscription needs at least one of data source, GTIN, GPC category code, target market";
        return Err(WriteError::Rule { field: at.to_owned(), rule: 86, message });
    }
    if s.gtin.is_some() && s.gpc_category_code.is_some() {
        let message = "a subscription by GTIN must not also give a GPC category code";
        return Err(WriteError::Rule { field: at.to_owned(), rule: 87, message });
    }
    Ok(())
}
