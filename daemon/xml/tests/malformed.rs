//! Hostile and broken inputs: each gives a clear diagnostic with its code,
//! in bounded memory, and never a panic. Limits reject one document and
//! parsing resumes at the next.

use std::io::{BufReader, Cursor, Read};
use std::ops::ControlFlow;

use gdsn_xml::{Limits, ParseOptions, Summary, parse};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cin:catalogueItemNotificationMessage xmlns:cin="urn:gs1:gdsn:catalogue_item_notification:xsd:3" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<sh:StandardBusinessDocumentHeader><sh:HeaderVersion>1.0</sh:HeaderVersion>
<sh:Sender><sh:Identifier Authority="GS1">5412345000013</sh:Identifier></sh:Sender>
<sh:DocumentIdentification><sh:Standard>GS1</sh:Standard><sh:TypeVersion>3.1</sh:TypeVersion>
<sh:InstanceIdentifier>MSG-1</sh:InstanceIdentifier><sh:Type>catalogueItemNotification</sh:Type>
<sh:CreationDateAndTime>2026-01-05T10:00:00Z</sh:CreationDateAndTime></sh:DocumentIdentification>
</sh:StandardBusinessDocumentHeader>
<transaction><transactionIdentification><entityIdentification>T1</entityIdentification></transactionIdentification>
<documentCommand><documentCommandHeader type="ADD"/>
"#;
const TAIL: &str = "</documentCommand></transaction></cin:catalogueItemNotificationMessage>\n";

/// A valid one-item CIN document; `extra` goes inside the trade item.
fn document(gtin: &str, extra: &str) -> String {
    format!(
        r#"<cin:catalogueItemNotification><creationDateTime>2026-01-05T10:00:00Z</creationDateTime>
<documentStatusCode>ORIGINAL</documentStatusCode><isReload>false</isReload>
<catalogueItem><dataRecipient>5412345000020</dataRecipient><catalogueItemState><catalogueItemStateCode>REGISTERED</catalogueItemStateCode></catalogueItemState>
<tradeItem><gtin>{gtin}</gtin><informationProviderOfTradeItem><gln>5412345000013</gln><partyName>Acme</partyName></informationProviderOfTradeItem>
<targetMarket><targetMarketCountryCode>056</targetMarketCountryCode></targetMarket>
<tradeItemSynchronisationDates><lastChangeDateTime>2026-01-05T09:00:00Z</lastChangeDateTime></tradeItemSynchronisationDates>
<tradeItemInformation><extension><tdm:tradeItemDescriptionModule xmlns:tdm="urn:gs1:gdsn:trade_item_description:xsd:3"><tradeItemDescriptionInformation>
<brandNameInformation><brandName>Acme</brandName></brandNameInformation>{extra}</tradeItemDescriptionInformation></tdm:tradeItemDescriptionModule></extension></tradeItemInformation>
</tradeItem></catalogueItem></cin:catalogueItemNotification>
"#
    )
}

fn message(docs: &[String]) -> String {
    format!("{HEAD}{}{TAIL}", docs.concat())
}

/// Parses and returns the summary plus (accepted, codes) per document.
fn run(input: impl Read, limits: Limits) -> (Summary, Vec<(bool, Vec<&'static str>)>) {
    let mut docs = Vec::new();
    let options = ParseOptions { limits, ..ParseOptions::default() };
    let summary = parse(BufReader::new(input), &options, |doc| {
        docs.push((doc.accepted, doc.diagnostics.iter().map(|d| d.code).collect()));
        ControlFlow::Continue(())
    });
    (summary, docs)
}

fn all_codes(summary: &Summary, docs: &[(bool, Vec<&'static str>)]) -> Vec<&'static str> {
    let mut codes: Vec<&str> = summary.diagnostics.iter().map(|d| d.code).collect();
    codes.extend(docs.iter().flat_map(|(_, c)| c.iter().copied()));
    codes
}

#[test]
fn valid_message_is_clean() {
    let input = message(&[document("05412345000105", ""), document("05412345000112", "")]);
    let (summary, docs) = run(Cursor::new(input), Limits::default());
    assert!(summary.is_clean(), "{:?}", summary.diagnostics);
    assert_eq!(docs, vec![(true, vec![]), (true, vec![])]);
}

#[test]
fn truncated_at_every_cut_never_panics_and_reports() {
    let input = message(&[document("05412345000105", "")]);
    for cut in (1..input.len() - 1).step_by(7) {
        let (summary, docs) = run(Cursor::new(&input.as_bytes()[..cut]), Limits::default());
        let codes = all_codes(&summary, &docs);
        assert!(!summary.is_clean(), "cut at {cut} gave a clean parse");
        assert!(
            codes.iter().any(|c| ["X006", "X001", "X007", "M001"].contains(c)),
            "cut at {cut}: {codes:?}"
        );
    }
}

#[test]
fn mismatched_tags_invalid_utf8_and_undeclared_prefix() {
    let cases: [(&str, Vec<u8>); 3] = [
        ("X007", message(&[document("05412345000105", "<x>1</y>")]).into_bytes()),
        ("X002", {
            let mut bytes = message(&[document("05412345000105", "<x>é</x>")]).into_bytes();
            let at = bytes.windows(2).position(|w| w == "é".as_bytes()).expect("é present");
            bytes[at] = 0xFF;
            bytes
        }),
        ("X004", message(&[document("05412345000105", "<nope:x>1</nope:x>")]).into_bytes()),
    ];
    for (code, bytes) in cases {
        let (summary, docs) = run(Cursor::new(bytes), Limits::default());
        let codes = all_codes(&summary, &docs);
        assert!(codes.contains(&code), "expected {code}, got {codes:?}");
        assert!(!summary.is_clean());
    }
}

#[test]
fn doctype_with_entities_is_refused_before_expansion() {
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
        bomb.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    bomb.push_str("]>\n<lolz>&lol9;</lolz>\n");
    let (summary, docs) = run(Cursor::new(bomb), Limits::default());
    assert_eq!(all_codes(&summary, &docs), vec!["X003"]);
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    let (summary, docs) = run(Cursor::new(xxe), Limits::default());
    assert_eq!(all_codes(&summary, &docs), vec!["X003"]);
}

#[test]
fn ten_thousand_deep_nesting_is_rejected_and_the_next_document_parses() {
    let deep = format!("{}{}", "<d>".repeat(10_000), "</d>".repeat(10_000));
    let input = message(&[document("05412345000105", &deep), document("05412345000112", "")]);
    let (summary, docs) = run(Cursor::new(input), Limits::default());
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0], (false, vec!["X010"]));
    assert_eq!(docs[1], (true, vec![]));
    assert_eq!(summary.rejected, 1);
}

/// A 50 MB text node, produced on the fly.
struct BigText {
    head: Cursor<Vec<u8>>,
    remaining: u64,
    tail: Cursor<Vec<u8>>,
}

impl Read for BigText {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.remaining > 0 {
            let n = buf.len().min(self.remaining as usize);
            buf[..n].fill(b'a');
            self.remaining -= n as u64;
            return Ok(n);
        }
        self.tail.read(buf)
    }
}

#[test]
fn fifty_megabyte_text_node_is_rejected() {
    let full = message(&[document("05412345000105", "<x>HERE</x>"), document("05412345000112", "")]);
    let (head, tail) = full.split_once("HERE").expect("marker");
    let input = BigText {
        head: Cursor::new(head.as_bytes().to_vec()),
        remaining: 50 << 20,
        tail: Cursor::new(tail.as_bytes().to_vec()),
    };
    let (summary, docs) = run(input, Limits::default());
    let codes = all_codes(&summary, &docs);
    // The text exceeds the 32 MiB markup-free cap before it ends, so the
    // reader stops there (X014) and the document is rejected.
    assert!(codes.contains(&"X014") || codes.contains(&"X011"), "{codes:?}");
    assert!(!summary.is_clean());
}

#[test]
fn each_limit_rejects_one_document_and_parsing_resumes() {
    let small =
        Limits { max_depth: 64, max_text_bytes: 1024, max_attributes: 4, max_document_bytes: 64 * 1024 };
    let cases = [
        ("X011", format!("<x>{}</x>", "t".repeat(2000))),
        ("X012", r#"<x a="1" b="2" c="3" d="4" e="5"/>"#.to_owned()),
        ("X010", format!("{}{}", "<d>".repeat(100), "</d>".repeat(100))),
        ("X013", "<x>filler</x>".repeat(10_000)),
    ];
    for (code, extra) in cases {
        let input = message(&[
            document("05412345000105", ""),
            document("05412345000112", &extra),
            document("05412345000129", ""),
        ]);
        let (summary, docs) = run(Cursor::new(input), small);
        assert_eq!(docs.len(), 3, "{code}");
        assert!(docs[0].0 && docs[2].0, "{code}: neighbours must be accepted: {docs:?}");
        assert_eq!(docs[1], (false, vec![code]), "{code}");
        assert_eq!(summary.rejected, 1);
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let valid = message(&[document("05412345000105", "")]).into_bytes();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..300 {
        let mut bytes = valid.clone();
        for _ in 0..(round % 20 + 1) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            bytes[at] = (state >> 32) as u8;
        }
        let _ = run(Cursor::new(bytes), Limits::default());
    }
}

#[test]
fn document_in_another_namespace_is_not_a_cin_document() {
    let doc = document("05412345000105", "")
        .replace(
            "<cin:catalogueItemNotification>",
            "<o:catalogueItemNotification xmlns:o=\"urn:example:other\">",
        )
        .replace("</cin:catalogueItemNotification>", "</o:catalogueItemNotification>");
    let (summary, docs) = run(Cursor::new(message(&[doc])), Limits::default());
    assert!(docs.is_empty());
    let codes = all_codes(&summary, &docs);
    assert!(codes.contains(&"W001") && codes.contains(&"M010"), "{codes:?}");
}

#[test]
fn declared_non_utf8_encoding_is_refused() {
    let input = message(&[document("05412345000105", "")]).replacen("UTF-8", "ISO-8859-1", 1);
    let (summary, docs) = run(Cursor::new(input), Limits::default());
    assert_eq!(all_codes(&summary, &docs), vec!["X002"]);
}

#[test]
fn elements_of_a_foreign_namespace_never_match_by_local_name() {
    // A foreign `gtin` before the real one: ignored with W001, the real one read.
    let doc = document("05412345000105", "").replacen(
        "<tradeItem><gtin>",
        "<tradeItem><x:gtin xmlns:x=\"urn:example:other\">05412345000112</x:gtin><gtin>",
        1,
    );
    let mut gtins = Vec::new();
    let summary = parse(BufReader::new(Cursor::new(message(&[doc]))), &ParseOptions::default(), |d| {
        gtins.extend(d.records.iter().map(|r| r.gtin.to_string()));
        assert_eq!(d.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["W001"]);
        ControlFlow::Continue(())
    });
    assert!(summary.is_clean());
    assert_eq!(gtins, vec!["05412345000105"]);
    // Only a foreign `gtin`: the item has no GTIN.
    let doc = document("05412345000105", "").replacen(
        "<gtin>05412345000105</gtin>",
        "<x:gtin xmlns:x=\"urn:example:other\">05412345000105</x:gtin>",
        1,
    );
    let (_, docs) = run(Cursor::new(message(&[doc])), Limits::default());
    assert_eq!(docs, vec![(false, vec!["W001", "M004"])]);
    // A transaction in a foreign namespace is not a transaction.
    let input = message(&[document("05412345000105", "")])
        .replace("<transaction>", "<y:transaction xmlns:y=\"urn:example:other\">")
        .replace("</transaction>", "</y:transaction>");
    let (summary, docs) = run(Cursor::new(input), Limits::default());
    assert!(docs.is_empty());
    assert!(all_codes(&summary, &docs).contains(&"W001"));
}
