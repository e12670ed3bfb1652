//! Which replies a message earns (following STANDARD.md §6), built with
//! gdsn-writer and queued in the store until a transport delivers them.
//!
//! - an accepted CIN document (not a DELETE): CIC RECEIVED for its top item;
//! - a rejected CIN document that names its item: CIC REVIEW with CIC999,
//!   our diagnostic code and text, and ACTION_NEEDED; a document whose top
//!   item could not be typed (a GTIN with a wrong check digit, a malformed
//!   target market) is named by its identifiers as written, when they can
//!   form an XSD-valid reference;
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
use gdsn_xml::{ParsedDocument, RawItemRef};

/// What a document contributes to the replies.
#[derive(Debug, Clone)]
pub(crate) struct DocReply {
    item: Option<ItemRef>,
    state: ConfirmationState,
    error: Option<(String, String)>,
}

/// The reply a document earns, if any.
pub(crate) fn for_document(doc: &ParsedDocument) -> Option<DocReply> {
    if doc.context.command == Some(Command::Delete) {
        return None;
    }
    let item = match (&doc.document, &doc.raw_reference) {
        (Some(Document::Cin(cin)), _) => {
            let trade_item = &cin.catalogue_item.trade_item;
            ItemRef {
                data_source: trade_item.facts.information_provider.gln.clone()?,
                gtin: trade_item.gtin.to_string(),
                target_market: trade_item.target_market.country().to_owned(),
                target_market_subdivision: trade_item.target_market.subdivision().map(str::to_owned),
            }
        }
        // A CIN whose top item could not be typed is named as written.
        (None, Some(raw)) => as_written(raw),
        // Not a CIN, or a CIN too broken to name its item (no GTIN, no
        // provider GLN or no target market at all): no CIC.
        _ => return None,
    };
    // A reference the XSD refuses (a GTIN that is not digits or of no GTIN
    // length, a provider GLN that is not 13 digits, a country code that is
    // not digits) would make the writer refuse the whole CIC message, and
    // the pool refuse it if it were sent: that document earns no CIC.
    item.check().ok()?;
    let error = doc.diagnostics.iter().find(|d| d.is_error()).map(|d| (d.code.to_owned(), d.message.clone()));
    let state = if doc.accepted { ConfirmationState::Received } else { ConfirmationState::Review };
    Some(DocReply { item: Some(item), state, error })
}

/// The reference of an item the parser could not type, from its text: a
/// GTIN-8, -12 or -13 of digits is left-padded to 14 as GS1 writes it (its
/// check digit, possibly the very error, is kept as sent) and a country
/// code of one or two digits to three, as `TargetMarket` reads it; anything
/// else is kept as given for [`ItemRef::check`] to judge.
fn as_written(raw: &RawItemRef) -> ItemRef {
    let pad = |text: &str, lengths: &[usize], width: usize| {
        if lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            format!("{text:0>width$}")
        } else {
            text.to_owned()
        }
    };
    ItemRef {
        data_source: raw.information_provider.clone(),
        gtin: pad(&raw.gtin, &[8, 12, 13], 14),
        target_market: pad(&raw.target_market_country, &[1, 2], 3),
        target_market_subdivision: raw.target_market_subdivision.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(gtin: &str, gln: &str, country: &str) -> RawItemRef {
        RawItemRef {
            gtin: gtin.to_owned(),
            information_provider: gln.to_owned(),
            target_market_country: country.to_owned(),
            target_market_subdivision: None,
        }
    }

    #[test]
    fn short_gtins_and_countries_are_padded_as_gs1_writes_them() {
        let item = as_written(&raw("4012345300421", "4012345000009", "56"));
        assert_eq!((item.gtin.as_str(), item.target_market.as_str()), ("04012345300421", "056"));
        assert_eq!(item.check(), Ok(()));
        assert_eq!(as_written(&raw("96385073", "4012345000009", "840")).gtin, "00000096385073");
        assert_eq!(as_written(&raw("012345678906", "4012345000009", "840")).gtin, "00012345678906");
    }

    #[test]
    fn what_no_padding_can_mend_fails_the_check() {
        for (gtin, gln, country) in [
            ("4012345300", "4012345000009", "276"),      // 10 digits: no GTIN length
            ("0401234530042X", "4012345000009", "276"),  // not digits
            ("04012345300421", "401234500000", "276"),   // GLN of 12 digits
            ("04012345300421", "4012345000009", "DE"),   // country not digits
            ("04012345300421", "4012345000009", "0276"), // four digits
        ] {
            assert!(as_written(&raw(gtin, gln, country)).check().is_err(), "{gtin} {gln} {country}");
        }
    }
}
