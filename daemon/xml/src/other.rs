//! Non-CIN documents: read enough of each to act on it or show it.

use gdsn_model::other::{
    CicDocument, CihwDocument, CipDocument, ConfirmationDetail, ConfirmationStatus, ExceptionNode, Gs1Error,
    Gs1Response, ItemReference, SubscriptionDocument, TransactionResponse,
};

use crate::cin::header;
use crate::context::Ctx;
use crate::tree::Node;

fn text(node: Node<'_>, path: &[&str]) -> Option<String> {
    node.value_at(path).map(str::to_owned)
}

fn reference(node: Option<Node<'_>>) -> ItemReference {
    let Some(node) = node else { return ItemReference::default() };
    ItemReference {
        data_source: text(node, &["dataSource"]),
        gtin: text(node, &["gtin"]),
        target_market: text(node, &["targetMarketCountryCode"]),
        target_market_subdivision: text(node, &["targetMarketSubdivisionCode"]),
    }
}

pub(crate) fn cihw(node: Node<'_>, ctx: &mut Ctx<'_>) -> CihwDocument {
    CihwDocument {
        header: header(node, "catalogueItemHierarchicalWithdrawalIdentification", ctx),
        reason_code: text(node, &["hierarchyDeletionReasonCode"]),
        reason_description: text(node, &["hierarchyDeletionAdditionalReasonDescription"]),
        state: text(node, &["catalogueItemStateCode"]),
        cancel_date: ctx.timestamp(node.child("cancelDateTime")),
        discontinue_date: ctx.timestamp(node.child("discontinueDateTime")),
        reference: reference(node.child("catalogueItemReference")),
        data_recipients: node
            .children_named("dataRecipient")
            .filter_map(Node::value)
            .map(str::to_owned)
            .collect(),
        source_data_pool: text(node, &["sourceDataPool"]),
    }
}

pub(crate) fn cic(node: Node<'_>, ctx: &mut Ctx<'_>) -> CicDocument {
    let state = node.child("catalogueItemConfirmationState");
    let field = |name: &str| state.and_then(|s| text(s, &[name]));
    CicDocument {
        header: header(node, "catalogueItemConfirmationIdentification", ctx),
        state: field("catalogueItemConfirmationStateCode"),
        recipient: field("recipientGLN"),
        recipient_data_pool: field("recipientDataPool"),
        message_creator: field("messageCreatorGLN"),
        reference: reference(node.child("catalogueItemReference")),
        status_details: node
            .children_named("catalogueItemConfirmationStatusDetail")
            .map(status_detail)
            .collect(),
    }
}

fn status_detail(node: Node<'_>) -> ConfirmationDetail {
    ConfirmationDetail {
        item: reference(node.child("confirmationStatusCatalogueItem")),
        statuses: node
            .children_named("catalogueItemConfirmationStatus")
            .map(|s| ConfirmationStatus {
                code: text(s, &["confirmationStatusCode"]),
                description: text(s, &["confirmationStatusCodeDescription"]),
                long_description: text(s, &["additionalConfirmationStatusLongDescription"]),
                corrective_action: text(s, &["correctiveAction", "correctiveActionCode"]),
                expected_information: text(s, &["correctiveAction", "expectedCorrectiveInformation"]),
            })
            .collect(),
    }
}

/// A CIS or an RFCIN (whose type extends the CIS type).
pub(crate) fn subscription(node: Node<'_>, ctx: &mut Ctx<'_>) -> SubscriptionDocument {
    let is_rfcin = node.name() == "requestForCatalogueItemNotification";
    SubscriptionDocument {
        header: header(node, "catalogueItemSubscriptionIdentification", ctx),
        data_recipient: text(node, &["dataRecipient"]),
        data_source: text(node, &["dataSource"]),
        gtin: text(node, &["gtin"]),
        gpc_category_code: text(node, &["gpcCategoryCode"]),
        target_market: text(node, &["targetMarket", "targetMarketCountryCode"]),
        recipient_data_pool: text(node, &["recipientDataPool"]),
        is_reload: if is_rfcin { ctx.boolean(node.child("isReload")) } else { None },
        reload_reason: text(node, &["isReloadReasonCode"]),
    }
}

pub(crate) fn cip(node: Node<'_>, ctx: &mut Ctx<'_>) -> CipDocument {
    CipDocument {
        header: header(node, "catalogueItemPublicationIdentification", ctx),
        publish_to_gln: node
            .children_named("publishToGLN")
            .filter_map(Node::value)
            .map(str::to_owned)
            .collect(),
        publish_to_target_market: node
            .children_named("publishToTargetMarket")
            .filter_map(|t| t.value_at(&["targetMarketCountryCode"]))
            .map(str::to_owned)
            .collect(),
        reference: reference(node.child("catalogueItemReference")),
    }
}

pub(crate) fn response(node: Node<'_>, ctx: &mut Ctx<'_>) -> Gs1Response {
    Gs1Response {
        originating_message: text(node, &["originatingMessageIdentifier", "entityIdentification"]),
        sender: text(node, &["sender"]),
        receiver: text(node, &["receiver"]),
        transaction_responses: node
            .children_named("transactionResponse")
            .map(|t| TransactionResponse {
                transaction: text(t, &["transactionIdentifier", "entityIdentification"]),
                status: text(t, &["responseStatusCode"]),
            })
            .collect(),
        exception: node.child("gS1Exception").map(|e| exception(e, ctx)),
    }
}

/// Exception levels nest: gS1Exception > messageException | transactionException
/// > commandException > documentException > attributeException.
fn exception(node: Node<'_>, ctx: &mut Ctx<'_>) -> ExceptionNode {
    const LEVELS: &[&str] = &[
        "messageException",
        "transactionException",
        "commandException",
        "documentException",
        "attributeException",
    ];
    let identifier = node
        .children()
        .find(|c| c.name().ends_with("Identifier") || c.name().ends_with("Identification"))
        .and_then(|c| c.value_at(&["entityIdentification"]).or_else(|| c.value()))
        .map(str::to_owned);
    ExceptionNode {
        level: node.name().to_string(),
        identifier,
        attribute_name: text(node, &["attributeName"]),
        attribute_value: text(node, &["attributeValue"]),
        xpath: text(node, &["xPath"]),
        errors: node
            .children_named("gS1Error")
            .map(|e| Gs1Error {
                code: text(e, &["errorCode"]),
                description: text(e, &["errorDescription"]),
                date_time: ctx.timestamp(e.child("errorDateTime")),
            })
            .collect(),
        children: node.children().filter(|c| LEVELS.contains(&c.name())).map(|c| exception(c, ctx)).collect(),
    }
}
