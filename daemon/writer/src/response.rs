//! GS1 Response with a message-level exception (`GS1Response.xsd`): how a
//! recipient refuses a whole message it received.

use gdsn_model::message::MessageType;

use crate::check;
use crate::envelope::{self, Correlation, Envelope};
use crate::error::WriteError;
use crate::xml::XmlWriter;

/// One `gS1Error` of the exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    /// `errorCode`: 1 to 80 characters (the XSD allows any string; a code
    /// longer than any GS1 code is refused).
    pub code: String,
    /// `errorDescription`: 1 to 1000 characters.
    pub description: String,
}

/// Builds a `gS1ResponseMessage` answering the message `originating_message_id`
/// (its SBDH `InstanceIdentifier`) sent by `originating_sender` (its SBDH
/// sender GLN) with a `gS1Exception/messageException` listing `errors`.
///
/// As in GS1's sample, the SBDH `BusinessScope` names the answered message
/// (`CorrelationInformation/RequestingDocumentInstanceIdentifier`), the
/// `gS1Response` says `sender` = envelope sender and `receiver` = envelope
/// receiver, the exception type is `GDSN`, and each error is dated with the
/// envelope's creation time.
///
/// Errors: no errors, or any value not in its XSD form.
pub fn gs1_response_exception(
    env: &Envelope,
    originating_message_id: &str,
    originating_sender: &str,
    errors: &[ResponseError],
) -> Result<String, WriteError> {
    if errors.is_empty() {
        return Err(WriteError::Empty { what: "errors" });
    }
    let original = check::token("", "originating_message_id", originating_message_id)?;
    let original_sender = check::gln("", "originating_sender", originating_sender)?;
    let correlation = Correlation { requesting_message_id: original };
    envelope::message(MessageType::Gs1Response, env, Some(&correlation), |w| {
        w.element("gS1Response", &[], |w| {
            envelope::entity_identification(w, "originatingMessageIdentifier", original, original_sender)?;
            w.leaf("receiver", check::gln("envelope", "receiver", &env.receiver)?);
            w.leaf("sender", check::gln("envelope", "sender", &env.sender)?);
            w.element("gS1Exception", &[], |w| {
                w.leaf("exceptionMessageTypeCode", "GDSN");
                w.element("messageException", &[], |w| write_errors(w, env, errors))
            })
        })
    })
}

fn write_errors(w: &mut XmlWriter, env: &Envelope, errors: &[ResponseError]) -> Result<(), WriteError> {
    let at_time = env.created.to_rfc3339();
    for (i, error) in errors.iter().enumerate() {
        let at = format!("errors[{i}]");
        let code = check::token(&at, "code", &error.code)?;
        let description = check::text(&at, "description", &error.description, 1, 1000)?;
        w.element("gS1Error", &[], |w| {
            w.leaf("errorCode", code);
            w.leaf("errorDateTime", &at_time);
            w.leaf("errorDescription", description);
            Ok(())
        })?;
    }
    Ok(())
}
