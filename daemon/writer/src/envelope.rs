//! What every message shares: the root element, the standard business
//! document header (SBDH), and the transaction > document command >
//! document layers around each document.

use gdsn_model::message::MessageType;
use gdsn_model::time::Timestamp;

use crate::check;
use crate::error::WriteError;
use crate::xml::XmlWriter;

const SBDH_NAMESPACE: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

/// Who sends and who receives a message, and its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Our GLN as data recipient: SBDH `Sender`, and the content owner of
    /// every identification in the message. 13 digits.
    pub sender: String,
    /// The data pool's GLN: SBDH `Receiver`. 13 digits.
    pub receiver: String,
    /// SBDH `InstanceIdentifier`: unique per message, 1 to 80 characters (the
    /// length a GS1 Response can quote back).
    pub message_id: String,
    /// SBDH `CreationDateAndTime`, also each document's `creationDateTime`.
    pub created: Timestamp,
}

/// The SBDH `BusinessScope` of a response: which message it answers.
pub(crate) struct Correlation<'a> {
    /// The `InstanceIdentifier` of the message answered.
    pub(crate) requesting_message_id: &'a str,
}

/// The namespace prefix of a message's own elements, as GS1's samples spell it.
fn prefix(kind: MessageType) -> &'static str {
    match kind {
        MessageType::Cin => "catalogue_item_notification",
        MessageType::Cihw => "catalogue_item_hierarchical_withdrawal",
        MessageType::Cic => "catalogue_item_confirmation",
        MessageType::Cis => "catalogue_item_subscription",
        MessageType::Rfcin => "request_for_catalogue_item_notification",
        MessageType::Cip => "catalogue_item_publication",
        MessageType::Gs1Response => "gs1_response",
    }
}

/// The qualified name of a message's document element (`prefix:catalogueItemConfirmation`).
pub(crate) fn document_name(kind: MessageType) -> String {
    format!("{}:{}", prefix(kind), kind.document_name())
}

/// Writes a whole message: declaration, root, SBDH, then `body`.
pub(crate) fn message(
    kind: MessageType,
    env: &Envelope,
    correlation: Option<&Correlation<'_>>,
    body: impl FnOnce(&mut XmlWriter) -> Result<(), WriteError>,
) -> Result<String, WriteError> {
    let root = format!("{}Message", document_name(kind));
    let xmlns = format!("xmlns:{}", prefix(kind));
    let mut w = XmlWriter::new();
    w.element(&root, &[(&xmlns, kind.namespace()), ("xmlns:sh", SBDH_NAMESPACE)], |w| {
        sbdh(w, kind, env, correlation)?;
        body(w)
    })?;
    Ok(w.finish())
}

fn sbdh(
    w: &mut XmlWriter,
    kind: MessageType,
    env: &Envelope,
    correlation: Option<&Correlation<'_>>,
) -> Result<(), WriteError> {
    let sender = check::gln("envelope", "sender", &env.sender)?;
    let receiver = check::gln("envelope", "receiver", &env.receiver)?;
    let message_id = check::token("envelope", "message_id", &env.message_id)?;
    w.element("sh:StandardBusinessDocumentHeader", &[], |w| {
        w.leaf("sh:HeaderVersion", "1.0");
        partner(w, "sh:Sender", sender)?;
        partner(w, "sh:Receiver", receiver)?;
        w.element("sh:DocumentIdentification", &[], |w| {
            w.leaf("sh:Standard", "GS1");
            w.leaf("sh:TypeVersion", "3.1");
            w.leaf("sh:InstanceIdentifier", message_id);
            w.leaf("sh:Type", kind.document_name());
            w.leaf("sh:CreationDateAndTime", &env.created.to_rfc3339());
            Ok(())
        })?;
        match correlation {
            Some(c) => business_scope(w, message_id, c),
            None => Ok(()),
        }
    })
}

/// `Sender` or `Receiver`: a GLN under GS1's authority (rule 345).
fn partner(w: &mut XmlWriter, element: &str, gln: &str) -> Result<(), WriteError> {
    w.element(element, &[], |w| {
        w.leaf_with("sh:Identifier", &[("Authority", "GS1")], gln);
        Ok(())
    })
}

fn business_scope(w: &mut XmlWriter, message_id: &str, c: &Correlation<'_>) -> Result<(), WriteError> {
    w.element("sh:BusinessScope", &[], |w| {
        w.element("sh:Scope", &[], |w| {
            w.leaf("sh:Type", "GDSN");
            w.leaf("sh:InstanceIdentifier", message_id);
            w.element("sh:CorrelationInformation", &[], |w| {
                w.leaf("sh:RequestingDocumentInstanceIdentifier", c.requesting_message_id);
                Ok(())
            })
        })
    })
}

/// Writes an `EntityIdentificationType`: `entityIdentification` and
/// `contentOwner/gln`. Both values must be checked.
pub(crate) fn entity_identification(
    w: &mut XmlWriter,
    element: &str,
    id: &str,
    owner: &str,
) -> Result<(), WriteError> {
    w.element(element, &[], |w| {
        w.leaf("entityIdentification", id);
        w.element("contentOwner", &[], |w| {
            w.leaf("gln", owner);
            Ok(())
        })
    })
}

/// One document in its own transaction and command.
pub(crate) struct Document<'a> {
    /// The message type.
    pub(crate) kind: MessageType,
    /// `documentCommandHeader/@type`.
    pub(crate) command: &'static str,
    /// The document identifier (checked); it also identifies the transaction
    /// and the command, as in GS1's samples, so a GS1 Response naming a
    /// transaction names the document.
    pub(crate) id: &'a str,
    /// The element that carries `id` inside the document
    /// (`catalogueItemConfirmationIdentification`).
    pub(crate) id_element: &'static str,
}

/// Writes `transaction > documentCommand > document`, the document's common
/// header (creation time, ORIGINAL, identification), then `body`.
pub(crate) fn transaction(
    w: &mut XmlWriter,
    env: &Envelope,
    doc: &Document<'_>,
    body: impl FnOnce(&mut XmlWriter) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let owner = check::gln("envelope", "sender", &env.sender)?;
    w.element("transaction", &[], |w| {
        entity_identification(w, "transactionIdentification", doc.id, owner)?;
        w.element("documentCommand", &[], |w| {
            w.element("documentCommandHeader", &[("type", doc.command)], |w| {
                entity_identification(w, "documentCommandIdentification", doc.id, owner)
            })?;
            w.element(&document_name(doc.kind), &[], |w| {
                w.leaf("creationDateTime", &env.created.to_rfc3339());
                w.leaf("documentStatusCode", "ORIGINAL");
                entity_identification(w, doc.id_element, doc.id, owner)?;
                body(w)
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_the_model() {
        for kind in [MessageType::Cic, MessageType::Cis, MessageType::Rfcin, MessageType::Gs1Response] {
            let root = format!("{}Message", kind.document_name());
            assert_eq!(MessageType::from_root(kind.namespace(), &root), Some(kind));
            assert!(kind.namespace().contains(&format!(":{}:", prefix(kind))), "{kind:?}");
        }
    }
}
