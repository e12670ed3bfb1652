//! `ParsedDocument::raw_reference`: a CIN whose top trade item cannot be
//! typed still says, as written, which item it was about, so a reply can
//! name it; nothing else carries one.

use std::io::Cursor;
use std::ops::ControlFlow;

use gdsn_xml::{ParseOptions, ParsedDocument, RawItemRef, parse};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cin:catalogueItemNotificationMessage xmlns:cin="urn:gs1:gdsn:catalogue_item_notification:xsd:3" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<sh:StandardBusinessDocumentHeader><sh:HeaderVersion>1.0</sh:HeaderVersion>
<sh:Sender><sh:Identifier Authority="GS1">5400000900006</sh:Identifier></sh:Sender>
<sh:DocumentIdentification><sh:Standard>GS1</sh:Standard><sh:TypeVersion>3.1</sh:TypeVersion>
<sh:InstanceIdentifier>MSG-1</sh:InstanceIdentifier><sh:Type>catalogueItemNotification</sh:Type>
<sh:CreationDateAndTime>2026-01-05T10:00:00Z</sh:CreationDateAndTime></sh:DocumentIdentification>
</sh:StandardBusinessDocumentHeader>
"#;
const TAIL: &str = "</cin:catalogueItemNotificationMessage>\n";

/// One CIN document whose top trade item has `identity` (gtin, provider,
/// target market elements) and, inside its `catalogueItem`, `links`.
fn document(identity: &str, links: &str) -> String {
    format!(
        r#"<transaction><transactionIdentification><entityIdentification>T</entityIdentification></transactionIdentification>
<documentCommand><documentCommandHeader type="ADD"/>
<cin:catalogueItemNotification><creationDateTime>2026-01-05T10:00:00Z</creationDateTime><isReload>false</isReload>
<catalogueItem><dataRecipient>5412345000006</dataRecipient>
<tradeItem>{identity}
<tradeItemSynchronisationDates><lastChangeDateTime>2026-01-05T09:00:00Z</lastChangeDateTime></tradeItemSynchronisationDates>
</tradeItem>{links}</catalogueItem></cin:catalogueItemNotification></documentCommand></transaction>
"#
    )
}

fn identity(gtin: &str, gln: &str, market: &str) -> String {
    format!(
        "<gtin>{gtin}</gtin><informationProviderOfTradeItem><gln>{gln}</gln></informationProviderOfTradeItem>\
         <targetMarket>{market}</targetMarket>"
    )
}

fn parse_all(docs: &[String]) -> Vec<ParsedDocument> {
    let text = format!("{HEAD}{}{TAIL}", docs.concat());
    let mut out = Vec::new();
    parse(Cursor::new(text), &ParseOptions::default(), |doc| {
        out.push(doc);
        ControlFlow::Continue(())
    });
    out
}

fn raw(gtin: &str, gln: &str, country: &str, subdivision: Option<&str>) -> Option<RawItemRef> {
    Some(RawItemRef {
        gtin: gtin.to_owned(),
        information_provider: gln.to_owned(),
        target_market_country: country.to_owned(),
        target_market_subdivision: subdivision.map(str::to_owned),
    })
}

#[test]
fn an_untypeable_top_item_keeps_its_reference_as_written() {
    let country = |c: &str| format!("<targetMarketCountryCode>{c}</targetMarketCountryCode>");
    let docs = parse_all(&[
        // Wrong check digit (R447), written as a GTIN-13 with white space.
        document(&identity(" 4012345300421 ", "4012345000009", &country("276")), ""),
        // A target market that is not a country code (M006), with a subdivision.
        document(
            &identity(
                "04012345300420",
                "4012345000009",
                "<targetMarketCountryCode>DE</targetMarketCountryCode><targetMarketSubdivisionCode>de-by</targetMarketSubdivisionCode>",
            ),
            "",
        ),
        // No GTIN at all: nothing to name the item by.
        document(&identity("", "4012345000009", &country("276")), ""),
    ]);
    let codes: Vec<Vec<&str>> = docs.iter().map(|d| d.diagnostics.iter().map(|x| x.code).collect()).collect();
    assert!(
        codes[0].contains(&"R447") && codes[1].contains(&"M006") && codes[2].contains(&"M004"),
        "{codes:?}"
    );
    assert!(docs.iter().all(|d| d.document.is_none() && !d.accepted));
    assert_eq!(docs[0].raw_reference, raw("4012345300421", "4012345000009", "276", None));
    assert_eq!(docs[1].raw_reference, raw("04012345300420", "4012345000009", "DE", Some("de-by")));
    assert_eq!(docs[2].raw_reference, None);
}

#[test]
fn a_typed_document_carries_no_raw_reference() {
    let good =
        identity("04012345300420", "4012345000009", "<targetMarketCountryCode>276</targetMarketCountryCode>");
    // A child without lastChangeDateTime (M004) rejects the document, but
    // the top item is typed: the document itself names it.
    let bad_child = document(
        &good,
        r"<catalogueItemChildItemLink><quantity>2</quantity><catalogueItem><tradeItem>
<gtin>04012345300437</gtin><informationProviderOfTradeItem><gln>4012345000009</gln></informationProviderOfTradeItem>
<targetMarket><targetMarketCountryCode>276</targetMarketCountryCode></targetMarket></tradeItem></catalogueItem></catalogueItemChildItemLink>",
    );
    let docs = parse_all(&[document(&good, ""), bad_child]);
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| d.document.is_some() && d.raw_reference.is_none()));
}
