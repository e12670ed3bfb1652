//! Which replies a message earns (following STANDARD.md §6), built with
//! gdsn-writer and queued in the store until a transport delivers them.
//!
//! - an accepted CIN document (not a DELETE): CIC RECEIVED for its top item;
//! - a rejected CIN document that names its item: CIC REVIEW with CIC999,
//!   our diagnostic code and text, and ACTION_NEEDED;
//! - a CIN document of a provider and target market we are not enrolled
//!   for, when such documents are refused (`reject_unenrolled`): CIC
//!   REJECTED with CIC999, the reason, and CONTACT_TRADING_PARTNER (STANDARD.md
//!   §6: REJECTED is for data we do not want at all);
//! - no CIC for a CIHW, a DELETE or any other message;
//! - a message that could not be read: a GS1 Response with its errors,
//!   when its SBDH sender and message id were read.
//!
//! SYNCHRONISED is the publisher's (issue 4): it is sent once the index
//! acknowledges the items.

use gdsn_model::diag::Diagnostic;
use gdsn_model::message::{Command, Document, Envelope as Sbdh};
use gdsn_model::time::Timestamp;
use gdsn_writer::{
    Confirmation, ConfirmationState, ConfirmationStatus, Envelope, ItemRef, ResponseError,
    catalogue_item_confirmation, gs1_response_exception,
};
use gdsn_xml::ParsedDocument;

/// What a document contributes to the replies.
#[derive(Debug, Clone)]
pub(crate) struct DocReply {
    item: Option<ItemRef>,
    state: ConfirmationState,
    error: Option<(String, String)>,
}

/// The reply a document earns, if any.
pub(crate) fn for_document(doc: &ParsedDocument) -> Option<DocReply> {
    let Some(Document::Cin(cin)) = &doc.document else {
        // A CIN rejected before it could be read cannot be named.
        return None;
    };
    if doc.context.command == Some(Command::Delete) {
        return None;
    }
    let trade_item = &cin.catalogue_item.trade_item;
    let item = Some(ItemRef {
        data_source: trade_item.facts.information_provider.gln.clone()?,
        gtin: trade_item.gtin.to_string(),
        target_market: trade_item.target_market.country().to_owned(),
        target_market_subdivision: trade_item.target_market.subdivision().map(str::to_owned),
    });
    let error = doc.diagnostics.iter().find(|d| d.is_error()).map(|d| (d.code.to_owned(), d.message.clone()));
    let state = if doc.accepted { ConfirmationState::Received } else { ConfirmationState::Review };
    Some(DocReply { item, state, error })
}

/// The CIC REJECTED a CIN document earns when its pair is not enrolled.
pub(crate) fn rejected_unenrolled(doc: &ParsedDocument, pair: &str) -> Option<DocReply> {
    let (provider, market) = pair.split_once('/').unwrap_or((pair, ""));
    let message = format!("information provider {provider} is not enrolled for target market {market}");
    let reply = for_document(doc)?;
    Some(DocReply {
        state: ConfirmationState::Rejected,
        error: Some(("UNENROLLED".to_owned(), message)),
        ..reply
    })
}

/// Who we are and when, for the replies of one message.
pub(crate) struct ReplyContext<'a> {
    pub(crate) recipient_gln: &'a str,
    pub(crate) sbdh: &'a Sbdh,
    pub(crate) sequence: u64,
    pub(crate) now: Timestamp,
    /// Distinguishes a second CIC of the same message (`SYNC`), or "".
    pub(crate) kind_suffix: &'static str,
}

/// A built reply: (kind, message id, receiver, XML).
pub(crate) type Built = (&'static str, String, String, String);

/// The CIC message for the documents of one message, if any earned one.
pub(crate) fn cic(ctx: &ReplyContext<'_>, docs: &[DocReply]) -> Result<Option<Built>, String> {
    let pool = ctx.sbdh.sender.clone().ok_or("the message has no SBDH sender to reply to")?;
    let confirmations: Vec<Confirmation> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, doc)| {
            Some(Confirmation {
                document_id: format!("CIC{}-{}-{}", ctx.kind_suffix, ctx.sequence, i + 1),
                item: doc.item.clone()?,
                state: doc.state,
                recipient: ctx.recipient_gln.to_owned(),
                recipient_data_pool: Some(pool.clone()),
                statuses: statuses(doc),
            })
        })
        .collect();
    if confirmations.is_empty() {
        return Ok(None);
    }
    let env = envelope(ctx, &pool, if ctx.kind_suffix.is_empty() { "CIC" } else { "CIC-SYNC" });
    let xml = catalogue_item_confirmation(&env, &confirmations).map_err(|e| e.to_string())?;
    Ok(Some(("CIC", env.message_id, pool, xml)))
}

/// The CIC SYNCHRONISED for the documents that earned RECEIVED, with the
/// item keys it covers: held in the store until the publisher has put
/// every change of the message into the index.
pub(crate) fn synchronised(
    ctx: &ReplyContext<'_>,
    docs: &[DocReply],
) -> Result<Option<(Built, Vec<String>)>, String> {
    let received: Vec<DocReply> = docs
        .iter()
        .filter(|d| d.state == ConfirmationState::Received)
        .map(|d| DocReply { state: ConfirmationState::Synchronised, ..d.clone() })
        .collect();
    let keys = received
        .iter()
        .filter_map(|d| d.item.as_ref())
        .map(|i| {
            let mut key = format!("{}/{}/{}", i.data_source, i.gtin, i.target_market);
            if let Some(sub) = &i.target_market_subdivision {
                key.push('/');
                key.push_str(sub);
            }
            key
        })
        .collect();
    let sync_ctx = ReplyContext { kind_suffix: "SYNC", ..*ctx };
    Ok(cic(&sync_ctx, &received)?.map(|built| (built, keys)))
}

/// The status detail of a REVIEW (fix the data) or a REJECTED (out of
/// scope: talk to us, resending will not help).
fn statuses(doc: &DocReply) -> Vec<ConfirmationStatus> {
    let (description, action) = match doc.state {
        ConfirmationState::Review => ("Unable to synchronise", "ACTION_NEEDED"),
        ConfirmationState::Rejected => ("Not synchronised: out of scope", "CONTACT_TRADING_PARTNER"),
        _ => return Vec::new(),
    };
    let (code, message) = doc.error.clone().unwrap_or_default();
    vec![ConfirmationStatus {
        code: "CIC999".to_owned(),
        description: description.to_owned(),
        language: "en".to_owned(),
        long_description: Some(format!("[{code}] {message}")),
        corrective_action: Some(action.to_owned()),
    }]
}

/// A GS1 Response for a message that could not be read, when its sender
/// and id are known.
pub(crate) fn response(ctx: &ReplyContext<'_>, errors: &[Diagnostic]) -> Result<Option<Built>, String> {
    let (Some(pool), Some(original)) = (&ctx.sbdh.sender, &ctx.sbdh.instance_identifier) else {
        return Ok(None);
    };
    let errors: Vec<ResponseError> = errors
        .iter()
        .filter(|d| d.is_error())
        .map(|d| ResponseError { code: d.code.to_owned(), description: d.message.clone() })
        .collect();
    if errors.is_empty() {
        return Ok(None);
    }
    let env = envelope(ctx, pool, "RESP");
    let xml = gs1_response_exception(&env, original, pool, &errors).map_err(|e| e.to_string())?;
    Ok(Some(("GS1Response", env.message_id, pool.clone(), xml)))
}

fn envelope(ctx: &ReplyContext<'_>, pool: &str, kind: &str) -> Envelope {
    Envelope {
        sender: ctx.recipient_gln.to_owned(),
        receiver: pool.to_owned(),
        message_id: format!("GDSN-SYNC-{}-{kind}", ctx.sequence),
        created: ctx.now,
    }
}
