//! The non-CIN documents a data recipient reads: withdrawals (CIHW),
//! confirmations (CIC), subscriptions and reload requests (CIS, RFCIN),
//! publications (CIP) and GS1 Responses. Enough of each to read it.

use serde::Serialize;

use crate::message::DocumentHeader;
use crate::time::Timestamp;

/// `catalogueItemReference`: the identity triple of a synchronised item.
/// Values are kept as given; the diff validates them when it uses them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemReference {
    /// `dataSource` (information provider GLN).
    pub data_source: Option<String>,
    /// `gtin`.
    pub gtin: Option<String>,
    /// `targetMarketCountryCode`.
    pub target_market: Option<String>,
    /// `targetMarketSubdivisionCode`.
    pub target_market_subdivision: Option<String>,
}

/// A `catalogueItemHierarchicalWithdrawal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CihwDocument {
    /// Creation time, status, identification.
    pub header: DocumentHeader,
    /// `hierarchyDeletionReasonCode` (PUBLICATION_WITHDRAWAL, HIERARCHY_LINK_CORRECTION, ...).
    pub reason_code: Option<String>,
    /// `hierarchyDeletionAdditionalReasonDescription`.
    pub reason_description: Option<String>,
    /// `catalogueItemStateCode`.
    pub state: Option<String>,
    /// `cancelDateTime`.
    pub cancel_date: Option<Timestamp>,
    /// `discontinueDateTime`.
    pub discontinue_date: Option<Timestamp>,
    /// The top item of the withdrawn hierarchy.
    pub reference: ItemReference,
    /// `dataRecipient`.
    pub data_recipients: Vec<String>,
    /// `sourceDataPool`.
    pub source_data_pool: Option<String>,
}

/// A `catalogueItemConfirmation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CicDocument {
    /// Creation time, status, identification.
    pub header: DocumentHeader,
    /// `catalogueItemConfirmationStateCode`: RECEIVED, REVIEW, SYNCHRONISED, REJECTED.
    pub state: Option<String>,
    /// `recipientGLN`.
    pub recipient: Option<String>,
    /// `recipientDataPool`.
    pub recipient_data_pool: Option<String>,
    /// `messageCreatorGLN` (absent in 2015-era CICs).
    pub message_creator: Option<String>,
    /// The confirmed item.
    pub reference: ItemReference,
    /// `catalogueItemConfirmationStatusDetail`.
    pub status_details: Vec<ConfirmationDetail>,
}

/// One `catalogueItemConfirmationStatusDetail`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmationDetail {
    /// `confirmationStatusCatalogueItem`.
    pub item: ItemReference,
    /// `catalogueItemConfirmationStatus`.
    pub statuses: Vec<ConfirmationStatus>,
}

/// One `catalogueItemConfirmationStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmationStatus {
    /// `confirmationStatusCode` (CIC100, CIC999, ...).
    pub code: Option<String>,
    /// `confirmationStatusCodeDescription`.
    pub description: Option<String>,
    /// `additionalConfirmationStatusLongDescription`.
    pub long_description: Option<String>,
    /// `correctiveAction/correctiveActionCode`.
    pub corrective_action: Option<String>,
    /// `correctiveAction/expectedCorrectiveInformation`.
    pub expected_information: Option<String>,
}

/// A `catalogueItemSubscription` or `requestForCatalogueItemNotification`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SubscriptionDocument {
    /// Creation time, status, identification.
    pub header: DocumentHeader,
    /// `dataRecipient`.
    pub data_recipient: Option<String>,
    /// `dataSource` criterion.
    pub data_source: Option<String>,
    /// `gtin` criterion.
    pub gtin: Option<String>,
    /// `gpcCategoryCode` criterion.
    pub gpc_category_code: Option<String>,
    /// `targetMarket/targetMarketCountryCode` criterion.
    pub target_market: Option<String>,
    /// `recipientDataPool`.
    pub recipient_data_pool: Option<String>,
    /// RFCIN only: `isReload`.
    pub is_reload: Option<bool>,
    /// RFCIN only: `isReloadReasonCode`.
    pub reload_reason: Option<String>,
}

/// A `catalogueItemPublication`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CipDocument {
    /// Creation time, status, identification.
    pub header: DocumentHeader,
    /// `publishToGLN`.
    pub publish_to_gln: Vec<String>,
    /// `publishToTargetMarket/targetMarketCountryCode`.
    pub publish_to_target_market: Vec<String>,
    /// `catalogueItemReference`.
    pub reference: ItemReference,
}

/// A `gS1Response`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gs1Response {
    /// `originatingMessageIdentifier/entityIdentification`: the message answered.
    pub originating_message: Option<String>,
    /// `sender`.
    pub sender: Option<String>,
    /// `receiver`.
    pub receiver: Option<String>,
    /// `transactionResponse`: per-transaction status.
    pub transaction_responses: Vec<TransactionResponse>,
    /// `gS1Exception`: the exception tree.
    pub exception: Option<ExceptionNode>,
}

/// One `transactionResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionResponse {
    /// `transactionIdentifier/entityIdentification`.
    pub transaction: Option<String>,
    /// `responseStatusCode`: ACCEPTED, MODIFIED, NO_ACTION, REJECTED.
    pub status: Option<String>,
}

/// A level of the GS1 exception tree: message > transaction > command >
/// document > attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExceptionNode {
    /// `gS1Exception`, `messageException`, `transactionException`, ...
    pub level: String,
    /// The identifier of the thing at this level, where given.
    pub identifier: Option<String>,
    /// `attributeName` (attribute level).
    pub attribute_name: Option<String>,
    /// `attributeValue` (attribute level).
    pub attribute_value: Option<String>,
    /// `xPath` (attribute level).
    pub xpath: Option<String>,
    /// `gS1Error` entries at this level.
    pub errors: Vec<Gs1Error>,
    /// Nested exceptions.
    pub children: Vec<ExceptionNode>,
}

/// One `gS1Error`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gs1Error {
    /// `errorCode`.
    pub code: Option<String>,
    /// `errorDescription`.
    pub description: Option<String>,
    /// `errorDateTime`.
    pub date_time: Option<Timestamp>,
}
