//! Just enough XML reading for a pool: is an outbound message well-formed and enveloped (SBDH), what
//! is it, and which provider GLNs, GTINs and target markets does a message or a reload request name.
//!
//! The simulator serves whatever bytes it is given, broken ones included (the daemon must cope with
//! them), so scanning an inbox message never fails: a message that cannot be read just names nothing.

use std::collections::BTreeSet;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};

/// Namespace of the Standard Business Document Header.
const SBDH_NS: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

/// Why an outbound message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {position})")]
pub struct XmlError {
    /// What is wrong.
    pub message: String,
    /// Byte offset where the reader stopped.
    pub position: u64,
}

/// One reload-request document's selection: each criterion given narrows it, none given means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Selection {
    /// `dataSource`: the information provider's GLN.
    pub data_source: Option<String>,
    /// `gtin`s.
    pub gtins: Vec<String>,
    /// `targetMarket/targetMarketCountryCode`s.
    pub target_markets: Vec<String>,
}

/// What a read of a whole message found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Local name of the root element.
    pub(crate) root: String,
    /// Whether the root's first child is an SBDH in its namespace.
    pub(crate) has_sbdh: bool,
    /// SBDH `DocumentIdentification/InstanceIdentifier`.
    pub(crate) instance_id: Option<String>,
    /// SBDH `Sender/Identifier`.
    pub(crate) sender: Option<String>,
    /// SBDH `Receiver/Identifier`.
    pub(crate) receiver: Option<String>,
    /// `transaction/transactionIdentification/entityIdentification`, in order.
    pub(crate) transactions: Vec<String>,
    /// Every `dataSource` and `informationProviderOfTradeItem/gln`.
    pub(crate) providers: BTreeSet<String>,
    /// Every `gtin`.
    pub(crate) gtins: BTreeSet<String>,
    /// Every `targetMarketCountryCode`.
    pub(crate) target_markets: BTreeSet<String>,
    /// The selection of each `requestForCatalogueItemNotification` document.
    pub(crate) reload_requests: Vec<Selection>,
}

impl Scan {
    /// Whether this message carries something `selection` asks for.
    pub(crate) fn matches(&self, selection: &Selection) -> bool {
        let source_ok = selection.data_source.as_ref().is_none_or(|gln| self.providers.contains(gln));
        let gtin_ok = selection.gtins.is_empty() || selection.gtins.iter().any(|g| self.gtins.contains(g));
        let tm_ok = selection.target_markets.is_empty()
            || selection.target_markets.iter().any(|tm| self.target_markets.contains(tm));
        source_ok && gtin_ok && tm_ok
    }
}

/// Reads a whole message. Errors: not well-formed, a DOCTYPE, no root, or text after the root.
pub(crate) fn scan(bytes: &[u8]) -> Result<Scan, XmlError> {
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut scanner = Scanner::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let position = reader.buffer_position();
        let fail = |message: String| XmlError { message, position };
        let (ns, event) = reader.read_resolved_event_into(&mut buf).map_err(|e| fail(e.to_string()))?;
        let in_sbdh = matches!(ns, ResolveResult::Bound(Namespace(SBDH_NS)));
        match event {
            Event::Start(e) => scanner.start(e.local_name().as_ref(), in_sbdh),
            Event::Empty(e) => {
                scanner.start(e.local_name().as_ref(), in_sbdh);
                scanner.end();
            }
            Event::End(_) => scanner.end(),
            Event::Text(t) => scanner.text(&t),
            Event::CData(t) => scanner.text(&t),
            Event::DocType(_) => return Err(fail("a DOCTYPE is not allowed in GS1 messages".to_owned())),
            Event::Eof => break,
            Event::GeneralRef(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        if scanner.roots > 1 {
            return Err(fail("more than one root element".to_owned()));
        }
    }
    let position = reader.buffer_position();
    if !scanner.path.is_empty() {
        let open = scanner.path.last().map(|(n, _)| n.as_str()).unwrap_or_default();
        return Err(XmlError { message: format!("the document ends inside <{open}>"), position });
    }
    if scanner.roots == 0 {
        return Err(XmlError { message: "no root element".to_owned(), position });
    }
    Ok(scanner.scan)
}

/// Like [`scan`], but a message that cannot be read names nothing instead of failing.
pub(crate) fn scan_lenient(bytes: &[u8]) -> Scan {
    scan(bytes).unwrap_or_default()
}

/// The state of one pass: the open elements (local name, in the SBDH namespace) and what was found.
#[derive(Default)]
struct Scanner {
    path: Vec<(String, bool)>,
    roots: usize,
    scan: Scan,
    /// Index in `scan.reload_requests` of the RFCIN document being read.
    request: Option<usize>,
}

impl Scanner {
    fn start(&mut self, name: &str, in_sbdh: bool) {
        if self.path.is_empty() {
            self.roots += 1;
            self.scan.root = name.to_owned();
        } else if self.path.len() == 1 && name == "StandardBusinessDocumentHeader" && in_sbdh {
            self.scan.has_sbdh = true;
        }
        if name == "requestForCatalogueItemNotification" {
            self.scan.reload_requests.push(Selection::default());
            self.request = Some(self.scan.reload_requests.len() - 1);
        }
        self.path.push((name.to_owned(), in_sbdh));
    }

    fn end(&mut self) {
        if let Some((name, _)) = self.path.pop()
            && name == "requestForCatalogueItemNotification"
        {
            self.request = None;
        }
    }

    fn ends_with(&self, names: &[&str]) -> bool {
        self.path.len() >= names.len()
            && self.path[self.path.len() - names.len()..].iter().zip(names).all(|((n, _), want)| n == want)
    }

    fn text(&mut self, raw: &str) {
        let text = raw.trim().to_owned();
        if text.is_empty() {
            return;
        }
        let in_sbdh = self.path.last().is_some_and(|(_, sbdh)| *sbdh);
        if in_sbdh {
            return self.sbdh_text(text);
        }
        if self.ends_with(&["transaction", "transactionIdentification", "entityIdentification"]) {
            self.scan.transactions.push(text);
        } else if self.ends_with(&["dataSource"])
            || self.ends_with(&["informationProviderOfTradeItem", "gln"])
        {
            self.selection(|s| s.data_source = Some(text.clone()));
            self.scan.providers.insert(text);
        } else if self.ends_with(&["gtin"]) {
            self.selection(|s| s.gtins.push(text.clone()));
            self.scan.gtins.insert(text);
        } else if self.ends_with(&["targetMarketCountryCode"]) {
            self.selection(|s| s.target_markets.push(text.clone()));
            self.scan.target_markets.insert(text);
        }
    }

    fn sbdh_text(&mut self, text: String) {
        let slot = if self.ends_with(&["DocumentIdentification", "InstanceIdentifier"]) {
            &mut self.scan.instance_id
        } else if self.ends_with(&["Sender", "Identifier"]) {
            &mut self.scan.sender
        } else if self.ends_with(&["Receiver", "Identifier"]) {
            &mut self.scan.receiver
        } else {
            return;
        };
        slot.get_or_insert(text);
    }

    fn selection(&mut self, set: impl FnOnce(&mut Selection)) {
        if let Some(i) = self.request
            && let Some(selection) = self.scan.reload_requests.get_mut(i)
        {
            set(selection);
        }
    }
}

/// A reload copy of a message: `isReload` set to `true` and the SBDH instance identifier suffixed,
/// because the same sender and id with other bytes is a different message to a recipient.
pub(crate) fn reload_copy(bytes: &[u8], instance_id: Option<&str>, suffix: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut copy = text.replace("isReload>false</", "isReload>true</");
    if let Some(id) = instance_id {
        let from = format!("InstanceIdentifier>{id}</");
        let to = format!("InstanceIdentifier>{id}{suffix}</");
        copy = copy.replace(&from, &to);
    }
    copy.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFCIN: &str = r#"<r:requestForCatalogueItemNotificationMessage xmlns:r="urn:x" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
      <sh:StandardBusinessDocumentHeader><sh:Sender><sh:Identifier Authority="GS1">5412345000006</sh:Identifier></sh:Sender>
      <sh:DocumentIdentification><sh:InstanceIdentifier>MSG-1</sh:InstanceIdentifier></sh:DocumentIdentification></sh:StandardBusinessDocumentHeader>
      <transaction><transactionIdentification><entityIdentification>T1</entityIdentification></transactionIdentification>
      <documentCommand><r:requestForCatalogueItemNotification><dataSource>7612345000008</dataSource>
      <targetMarket><targetMarketCountryCode>056</targetMarketCountryCode></targetMarket><isReload>true</isReload>
      </r:requestForCatalogueItemNotification></documentCommand></transaction></r:requestForCatalogueItemNotificationMessage>"#;

    #[test]
    fn reads_envelope_and_selection() {
        let scan = scan(RFCIN.as_bytes()).unwrap();
        assert_eq!(scan.root, "requestForCatalogueItemNotificationMessage");
        assert!(scan.has_sbdh);
        assert_eq!(scan.instance_id.as_deref(), Some("MSG-1"));
        assert_eq!(scan.sender.as_deref(), Some("5412345000006"));
        assert_eq!(scan.transactions, ["T1"]);
        let want = Selection {
            data_source: Some("7612345000008".into()),
            gtins: vec![],
            target_markets: vec!["056".into()],
        };
        assert_eq!(scan.reload_requests, [want]);
    }

    #[test]
    fn refuses_broken_xml() {
        assert!(scan(b"<a><b></a>").is_err());
        assert!(scan(b"<a><b>").is_err());
        assert!(scan(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a/>").is_err());
        assert!(scan(b"").is_err());
        assert!(scan(b"<a/><b/>").is_err());
        assert_eq!(scan_lenient(b"<a"), Scan::default());
    }

    #[test]
    fn reload_copy_flags_and_renames() {
        let body = b"<sh:InstanceIdentifier>M1</sh:InstanceIdentifier><isReload>false</isReload>";
        let copy = reload_copy(body, Some("M1"), "-R1");
        assert_eq!(copy, b"<sh:InstanceIdentifier>M1-R1</sh:InstanceIdentifier><isReload>true</isReload>");
    }
}
