//! The GS1 Response a pool sends when it accepts a subscription (CIS): `gS1ResponseMessage` with one
//! `transactionResponse` ACCEPTED per transaction of the CIS, shaped after GS1Response.xsd (3.1.35)
//! and a real data pool's answer (STANDARD.md §6b).

use time::OffsetDateTime;

use crate::pool::rfc3339;

/// What the response answers.
pub(crate) struct Accepted<'a> {
    /// The pool's GLN: the response's sender.
    pub(crate) pool_gln: &'a str,
    /// The SBDH sender of the answered message: the response's receiver.
    pub(crate) recipient_gln: &'a str,
    /// The SBDH `InstanceIdentifier` of the answered message.
    pub(crate) original_id: &'a str,
    /// Its transaction identifiers.
    pub(crate) transactions: &'a [String],
    /// The response's own message id.
    pub(crate) response_id: &'a str,
    /// Its creation time.
    pub(crate) created: OffsetDateTime,
}

/// The whole message, as UTF-8 XML.
pub(crate) fn accepted(a: &Accepted<'_>) -> String {
    let pool = gln_or_zeros(a.pool_gln);
    let recipient = gln_or_zeros(a.recipient_gln);
    let original = escape(a.original_id);
    let id = escape(a.response_id);
    let created = rfc3339(a.created);
    let mut transactions = String::new();
    for t in a.transactions {
        transactions.push_str(&format!(
            "    <transactionResponse>\n      <transactionIdentifier>\n        <entityIdentification>{}</entityIdentification>\n        <contentOwner>\n          <gln>{recipient}</gln>\n        </contentOwner>\n      </transactionIdentifier>\n      <responseStatusCode>ACCEPTED</responseStatusCode>\n    </transactionResponse>\n",
            escape(t)
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gs1_response:gS1ResponseMessage xmlns:gs1_response="urn:gs1:gdsn:gs1_response:xsd:3" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
  <sh:StandardBusinessDocumentHeader>
    <sh:HeaderVersion>1.0</sh:HeaderVersion>
    <sh:Sender>
      <sh:Identifier Authority="GS1">{pool}</sh:Identifier>
    </sh:Sender>
    <sh:Receiver>
      <sh:Identifier Authority="GS1">{recipient}</sh:Identifier>
    </sh:Receiver>
    <sh:DocumentIdentification>
      <sh:Standard>GS1</sh:Standard>
      <sh:TypeVersion>3.1</sh:TypeVersion>
      <sh:InstanceIdentifier>{id}</sh:InstanceIdentifier>
      <sh:Type>GS1Response</sh:Type>
      <sh:CreationDateAndTime>{created}</sh:CreationDateAndTime>
    </sh:DocumentIdentification>
    <sh:BusinessScope>
      <sh:Scope>
        <sh:Type>GDSN</sh:Type>
        <sh:InstanceIdentifier>{id}</sh:InstanceIdentifier>
        <sh:CorrelationInformation>
          <sh:RequestingDocumentInstanceIdentifier>{original}</sh:RequestingDocumentInstanceIdentifier>
        </sh:CorrelationInformation>
      </sh:Scope>
    </sh:BusinessScope>
  </sh:StandardBusinessDocumentHeader>
  <gS1Response>
    <originatingMessageIdentifier>
      <entityIdentification>{original}</entityIdentification>
      <contentOwner>
        <gln>{recipient}</gln>
      </contentOwner>
    </originatingMessageIdentifier>
    <receiver>{recipient}</receiver>
    <sender>{pool}</sender>
{transactions}  </gS1Response>
</gs1_response:gS1ResponseMessage>
"#
    )
}

/// A GLN as the XSD wants it (13 digits); anything else becomes thirteen zeros rather than an
/// invalid response.
fn gln_or_zeros(gln: &str) -> &str {
    if gln.len() == 13 && gln.bytes().all(|b| b.is_ascii_digit()) { gln } else { "0000000000000" }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    #[test]
    fn response_is_well_formed_and_names_the_cis() {
        let transactions = vec!["TRX-1".to_owned(), "T<2>".to_owned()];
        let text = accepted(&Accepted {
            pool_gln: "5400000900006",
            recipient_gln: "5412345000006",
            original_id: "MSG-0029",
            transactions: &transactions,
            response_id: "RESP-1",
            created: OffsetDateTime::UNIX_EPOCH,
        });
        let scan = xml::scan(text.as_bytes()).unwrap();
        assert_eq!(scan.root, "gS1ResponseMessage");
        assert!(scan.has_sbdh);
        assert_eq!(scan.instance_id.as_deref(), Some("RESP-1"));
        assert_eq!(scan.receiver.as_deref(), Some("5412345000006"));
        assert!(text.contains("<entityIdentification>MSG-0029</entityIdentification>"));
        assert_eq!(text.matches("<responseStatusCode>ACCEPTED</responseStatusCode>").count(), 2);
    }
}
