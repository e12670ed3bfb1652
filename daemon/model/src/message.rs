//! The message layer: message types, the standard business document header,
//! transactions, document commands and the documents a data recipient reads.

use serde::Serialize;

use crate::cin::CinDocument;
use crate::other::{CicDocument, CihwDocument, CipDocument, Gs1Response, SubscriptionDocument};
use crate::time::Timestamp;

/// The GS1 XML BMS 3.x messages gdsn-sync recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MessageType {
    /// Catalogue Item Notification: trade item data.
    #[serde(rename = "CIN")]
    Cin,
    /// Catalogue Item Hierarchical Withdrawal.
    #[serde(rename = "CIHW")]
    Cihw,
    /// Catalogue Item Confirmation.
    #[serde(rename = "CIC")]
    Cic,
    /// Catalogue Item Subscription.
    #[serde(rename = "CIS")]
    Cis,
    /// Request For Catalogue Item Notification.
    #[serde(rename = "RFCIN")]
    Rfcin,
    /// Catalogue Item Publication.
    #[serde(rename = "CIP")]
    Cip,
    /// GS1 Response (acknowledgement or exception).
    #[serde(rename = "GS1Response")]
    Gs1Response,
}

/// (type, root local name, document local name, namespace URI).
const MESSAGES: &[(MessageType, &str, &str, &str)] = &[
    (
        MessageType::Cin,
        "catalogueItemNotificationMessage",
        "catalogueItemNotification",
        "urn:gs1:gdsn:catalogue_item_notification:xsd:3",
    ),
    (
        MessageType::Cihw,
        "catalogueItemHierarchicalWithdrawalMessage",
        "catalogueItemHierarchicalWithdrawal",
        "urn:gs1:gdsn:catalogue_item_hierarchical_withdrawal:xsd:3",
    ),
    (
        MessageType::Cic,
        "catalogueItemConfirmationMessage",
        "catalogueItemConfirmation",
        "urn:gs1:gdsn:catalogue_item_confirmation:xsd:3",
    ),
    (
        MessageType::Cis,
        "catalogueItemSubscriptionMessage",
        "catalogueItemSubscription",
        "urn:gs1:gdsn:catalogue_item_subscription:xsd:3",
    ),
    (
        MessageType::Rfcin,
        "requestForCatalogueItemNotificationMessage",
        "requestForCatalogueItemNotification",
        "urn:gs1:gdsn:request_for_catalogue_item_notification:xsd:3",
    ),
    (
        MessageType::Cip,
        "catalogueItemPublicationMessage",
        "catalogueItemPublication",
        "urn:gs1:gdsn:catalogue_item_publication:xsd:3",
    ),
    (MessageType::Gs1Response, "gS1ResponseMessage", "gS1Response", "urn:gs1:gdsn:gs1_response:xsd:3"),
];

impl MessageType {
    /// The message whose root element has this namespace URI and local name.
    pub fn from_root(namespace: &str, local_name: &str) -> Option<MessageType> {
        MESSAGES.iter().find(|(_, root, _, ns)| *root == local_name && *ns == namespace).map(|(t, ..)| *t)
    }

    /// The message whose root has this local name, whatever its namespace
    /// (for error messages about a wrong namespace).
    pub fn from_root_name(local_name: &str) -> Option<MessageType> {
        MESSAGES.iter().find(|(_, root, ..)| *root == local_name).map(|(t, ..)| *t)
    }

    /// The local name of this message's document element.
    pub fn document_name(self) -> &'static str {
        MESSAGES.iter().find(|(t, ..)| *t == self).map_or("", |m| m.2)
    }

    /// The namespace URI of the root and document elements.
    pub fn namespace(self) -> &'static str {
        MESSAGES.iter().find(|(t, ..)| *t == self).map_or("", |m| m.3)
    }

    /// The short name (`CIN`, `CIHW`, ...).
    pub fn short_name(self) -> &'static str {
        match self {
            MessageType::Cin => "CIN",
            MessageType::Cihw => "CIHW",
            MessageType::Cic => "CIC",
            MessageType::Cis => "CIS",
            MessageType::Rfcin => "RFCIN",
            MessageType::Cip => "CIP",
            MessageType::Gs1Response => "GS1Response",
        }
    }
}

/// What a message's standard business document header (SBDH) says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// `Sender/Identifier` (a GLN, kept as given).
    pub sender: Option<String>,
    /// `Receiver/Identifier`.
    pub receiver: Option<String>,
    /// `DocumentIdentification/Standard` (GS1).
    pub standard: Option<String>,
    /// `DocumentIdentification/TypeVersion` (3.1).
    pub type_version: Option<String>,
    /// `DocumentIdentification/InstanceIdentifier`: the message id.
    pub instance_identifier: Option<String>,
    /// `DocumentIdentification/Type`.
    pub document_type: Option<String>,
    /// `DocumentIdentification/CreationDateAndTime`.
    pub creation: Option<Timestamp>,
}

/// An `entityIdentification` with its `contentOwner/gln`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntityId {
    /// The identifier (max 80 characters in the XSD).
    pub id: String,
    /// The content owner's GLN, kept as given.
    pub content_owner: Option<String>,
}

/// A document command (`documentCommandHeader/@type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Command {
    /// New item, or full replacement of a known one.
    Add,
    /// Full replacement of a known item.
    ChangeByRefresh,
    /// Full replacement that corrects earlier data.
    Correct,
    /// Removal.
    Delete,
}

impl Command {
    /// Reads the attribute value.
    pub fn parse(value: &str) -> Option<Command> {
        Some(match value.trim() {
            "ADD" => Command::Add,
            "CHANGE_BY_REFRESH" => Command::ChangeByRefresh,
            "CORRECT" => Command::Correct,
            "DELETE" => Command::Delete,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Add => "ADD",
            Command::ChangeByRefresh => "CHANGE_BY_REFRESH",
            Command::Correct => "CORRECT",
            Command::Delete => "DELETE",
        }
    }
}

/// The transaction and command a document arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandContext {
    /// 1-based index of the transaction in the message.
    pub transaction_index: usize,
    /// `transactionIdentification`.
    pub transaction_id: Option<EntityId>,
    /// The command (absent for the GS1 Response, which has no command layer).
    pub command: Option<Command>,
    /// `documentCommandIdentification`.
    pub command_id: Option<EntityId>,
}

/// Fields every GS1 document carries (`DocumentType` in SharedCommon.xsd).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentHeader {
    /// `creationDateTime`.
    pub creation: Option<Timestamp>,
    /// `documentStatusCode`: ORIGINAL, COPY or ADDITIONAL_TRANSMISSION.
    pub status: Option<String>,
    /// The document's own identification (`catalogueItemNotificationIdentification`, ...).
    pub id: Option<EntityId>,
}

/// One document of any recognised message type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Document {
    /// A trade item hierarchy.
    #[serde(rename = "CIN")]
    Cin(Box<CinDocument>),
    /// A hierarchy withdrawal.
    #[serde(rename = "CIHW")]
    Cihw(CihwDocument),
    /// A confirmation.
    #[serde(rename = "CIC")]
    Cic(CicDocument),
    /// A subscription.
    #[serde(rename = "CIS")]
    Cis(SubscriptionDocument),
    /// A request for notification (reload).
    #[serde(rename = "RFCIN")]
    Rfcin(SubscriptionDocument),
    /// A publication.
    #[serde(rename = "CIP")]
    Cip(CipDocument),
    /// A response.
    #[serde(rename = "GS1Response")]
    Response(Gs1Response),
}
