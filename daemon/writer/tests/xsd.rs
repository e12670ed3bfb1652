//! Every message the writer builds validates against GS1's 3.1.35 XSDs in
//! `../shared/gdsn/schemas` with libxml2's `xmllint`, and reads back through
//! `gdsn_xml::parse` as the same message type with the same values and no
//! warning or error.
//!
//! Schema validation is skipped, with a message, when `../shared` is not
//! beside this checkout or xmllint is missing (outside CI); the round trip
//! always runs.

mod common;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use gdsn_model::diag::Severity;
use gdsn_model::message::{Command as DocCommand, Document, MessageType};
use gdsn_model::other::{ItemReference, SubscriptionDocument};
use gdsn_writer::{
    ConfirmationState, Subscription, SubscriptionCommand, catalogue_item_confirmation,
    catalogue_item_subscription, gs1_response_exception, request_for_catalogue_item_notification,
};
use gdsn_xml::{ParseOptions, ParsedDocument};

/// `../shared/gdsn/schemas/3.1.35/gs1/gdsn`, if present.
fn gdsn_schemas() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/gdsn/schemas/3.1.35/gs1/gdsn");
    dir.is_dir().then_some(dir)
}

/// Runs `xmllint --noout --nonet --schema <xsd> <message>`; `None` when
/// validation is not possible here.
fn xmllint(xml: &str, xsd: &str) -> Option<(bool, String)> {
    let Some(schemas) = gdsn_schemas() else {
        println!("skipped: ../shared/gdsn is not beside this checkout");
        return None;
    };
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "xmllint missing in CI: install libxml2-utils");
        println!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("message.xml");
    std::fs::write(&file, xml).expect("message written");
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schemas.join(xsd))
        .arg(&file)
        .output()
        .expect("xmllint runs");
    Some((out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned()))
}

fn assert_schema_valid(xml: &str, xsd: &str) {
    if let Some((ok, report)) = xmllint(xml, xsd) {
        assert!(ok, "{xsd} refuses the message:\n{report}\n{xml}");
        assert!(report.contains("validates"), "{report}");
    }
}

/// Parses `xml` and checks what every round trip must give: the message
/// type, the envelope, and nothing worse than the M100 info.
fn read_back(xml: &str, kind: MessageType, message_id: &str) -> Vec<ParsedDocument> {
    let mut docs = Vec::new();
    let summary = gdsn_xml::parse(xml.as_bytes(), &ParseOptions::default(), |d| {
        docs.push(d);
        ControlFlow::Continue(())
    });
    assert_eq!(summary.message_type, Some(kind));
    let worse_than_info = |s: Severity| s > Severity::Info;
    assert!(!summary.diagnostics.iter().any(|d| worse_than_info(d.severity)), "{:?}", summary.diagnostics);
    for doc in &docs {
        assert!(doc.accepted && doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
        assert_eq!(doc.message_type, kind);
    }
    let sbdh = summary.envelope.expect("SBDH read");
    assert_eq!(sbdh.sender.as_deref(), Some(RECIPIENT));
    assert_eq!(sbdh.receiver.as_deref(), Some(POOL));
    assert_eq!(sbdh.standard.as_deref(), Some("GS1"));
    assert_eq!(sbdh.type_version.as_deref(), Some("3.1"));
    assert_eq!(sbdh.instance_identifier.as_deref(), Some(message_id));
    assert_eq!(sbdh.document_type.as_deref(), Some(kind.document_name()));
    assert_eq!(sbdh.creation, Some(created()));
    docs
}

/// The command context and document header every transaction carries.
fn assert_layers(doc: &ParsedDocument, command: DocCommand, id: &str) {
    assert_eq!(doc.context.command, Some(command));
    for entity in [&doc.context.transaction_id, &doc.context.command_id] {
        let entity = entity.as_ref().expect("identification read");
        assert_eq!((entity.id.as_str(), entity.content_owner.as_deref()), (id, Some(RECIPIENT)));
    }
}

fn reference(item: &gdsn_writer::ItemRef) -> ItemReference {
    ItemReference {
        data_source: Some(item.data_source.clone()),
        gtin: Some(item.gtin.clone()),
        target_market: Some(item.target_market.clone()),
        target_market_subdivision: item.target_market_subdivision.clone(),
    }
}

#[test]
fn cic_validates_and_reads_back() {
    let input = confirmations();
    let xml = catalogue_item_confirmation(&envelope("MSG-CIC-1"), &input).unwrap();
    assert_schema_valid(&xml, "CatalogueItemConfirmation.xsd");
    let docs = read_back(&xml, MessageType::Cic, "MSG-CIC-1");
    assert_eq!(docs.len(), input.len());
    // The model does not keep languageCode; the text shows it.
    assert!(xml.contains(&format!("<confirmationStatusCodeDescription languageCode=\"ar\">{ARABIC}<")));
    for (doc, want) in docs.iter().zip(&input) {
        assert_layers(doc, DocCommand::Add, &want.document_id);
        let Some(Document::Cic(cic)) = &doc.document else { panic!("not a CIC: {doc:?}") };
        assert_eq!(cic.header.creation, Some(created()));
        assert_eq!(cic.header.status.as_deref(), Some("ORIGINAL"));
        assert_eq!(cic.header.id.as_ref().unwrap().id, want.document_id);
        assert_eq!(cic.state.as_deref(), Some(want.state.as_str()));
        assert_eq!(cic.recipient.as_deref(), Some(want.recipient.as_str()));
        assert_eq!(cic.recipient_data_pool, want.recipient_data_pool);
        assert_eq!(cic.message_creator.as_deref(), Some(RECIPIENT));
        assert_eq!(cic.reference, reference(&want.item));
        assert_eq!(cic.status_details.len(), usize::from(!want.statuses.is_empty()));
        let Some(detail) = cic.status_details.first() else { continue };
        assert_eq!(detail.item, reference(&want.item));
        let read: Vec<_> = detail
            .statuses
            .iter()
            .map(|s| {
                (
                    s.code.clone(),
                    s.description.clone(),
                    s.long_description.clone(),
                    s.corrective_action.clone(),
                )
            })
            .collect();
        let given: Vec<_> = want
            .statuses
            .iter()
            .map(|s| {
                let s = s.clone();
                (Some(s.code), Some(s.description), s.long_description, s.corrective_action)
            })
            .collect();
        assert_eq!(read, given);
    }
}

#[test]
fn xmllint_refuses_a_cic_without_its_message_creator() {
    // Proves the validation above can fail: 3.1.35 makes messageCreatorGLN
    // mandatory, and 2015-era CICs without it no longer validate.
    let xml = catalogue_item_confirmation(&envelope("MSG-CIC-2"), &confirmations()).unwrap();
    let line = format!("<messageCreatorGLN>{RECIPIENT}</messageCreatorGLN>");
    assert!(xml.contains(&line));
    let broken = xml.replace(&line, "");
    if let Some((ok, report)) = xmllint(&broken, "CatalogueItemConfirmation.xsd") {
        assert!(!ok && report.contains("messageCreatorGLN"), "{report}");
    }
}

#[test]
fn gs1_response_validates_and_reads_back() {
    let errors = response_errors();
    let xml = gs1_response_exception(&envelope("MSG-RESP-1"), "POOL-MSG-42 <&>", SOURCE_PL, &errors).unwrap();
    assert_schema_valid(&xml, "GS1Response.xsd");
    let docs = read_back(&xml, MessageType::Gs1Response, "MSG-RESP-1");
    assert_eq!(docs.len(), 1);
    let Some(Document::Response(response)) = &docs[0].document else { panic!("not a response: {docs:?}") };
    assert_eq!(response.originating_message.as_deref(), Some("POOL-MSG-42 <&>"));
    assert_eq!((response.sender.as_deref(), response.receiver.as_deref()), (Some(RECIPIENT), Some(POOL)));
    assert!(response.transaction_responses.is_empty());
    let exception = response.exception.as_ref().unwrap();
    assert_eq!(exception.level, "gS1Exception");
    let [message] = exception.children.as_slice() else { panic!("{exception:?}") };
    assert_eq!(message.level, "messageException");
    let read: Vec<_> =
        message.errors.iter().map(|e| (e.code.clone(), e.description.clone(), e.date_time)).collect();
    let given: Vec<_> =
        errors.iter().map(|e| (Some(e.code.clone()), Some(e.description.clone()), Some(created()))).collect();
    assert_eq!(read, given);
    assert!(xml.contains("<sh:RequestingDocumentInstanceIdentifier>POOL-MSG-42 &lt;&amp;&gt;<"));
}

fn assert_subscription(read: &SubscriptionDocument, want: &Subscription, is_reload: Option<bool>) {
    assert_eq!(read.header.id.as_ref().expect("identification read").id, want.document_id);
    assert_eq!(read.header.status.as_deref(), Some("ORIGINAL"));
    assert_eq!(read.data_recipient.as_deref(), Some(want.data_recipient.as_str()));
    assert_eq!(read.data_source, want.data_source);
    assert_eq!(read.gtin, want.gtin);
    assert_eq!(read.gpc_category_code, want.gpc_category_code);
    assert_eq!(read.target_market, want.target_market);
    assert_eq!(read.recipient_data_pool, want.recipient_data_pool);
    assert_eq!(read.is_reload, is_reload);
    assert_eq!(read.reload_reason, None);
}

#[test]
fn cis_add_and_delete_validate_and_read_back() {
    let subs = subscriptions();
    for (command, read_command) in
        [(SubscriptionCommand::Add, DocCommand::Add), (SubscriptionCommand::Delete, DocCommand::Delete)]
    {
        let xml = catalogue_item_subscription(&envelope("MSG-CIS-1"), command, &subs).unwrap();
        assert_schema_valid(&xml, "CatalogueItemSubscription.xsd");
        let docs = read_back(&xml, MessageType::Cis, "MSG-CIS-1");
        assert_eq!(docs.len(), subs.len());
        for (doc, want) in docs.iter().zip(&subs) {
            assert_layers(doc, read_command, &want.document_id);
            let Some(Document::Cis(cis)) = &doc.document else { panic!("not a CIS: {doc:?}") };
            assert_subscription(cis, want, None);
        }
    }
}

#[test]
fn rfcin_validates_and_reads_back() {
    let subs = subscriptions();
    for is_reload in [true, false] {
        let xml =
            request_for_catalogue_item_notification(&envelope("MSG-RFCIN-1"), &subs, is_reload).unwrap();
        assert_schema_valid(&xml, "RequestForCatalogueItemNotification.xsd");
        let docs = read_back(&xml, MessageType::Rfcin, "MSG-RFCIN-1");
        assert_eq!(docs.len(), subs.len());
        for (doc, want) in docs.iter().zip(&subs) {
            assert_layers(doc, DocCommand::Add, &want.document_id);
            let Some(Document::Rfcin(rfcin)) = &doc.document else { panic!("not an RFCIN: {doc:?}") };
            assert_subscription(rfcin, want, Some(is_reload));
        }
    }
}

#[test]
fn a_minimal_message_of_each_kind_validates() {
    let env = envelope("M");
    let received = gdsn_writer::Confirmation {
        recipient_data_pool: None,
        ..confirmation("1", ConfirmationState::Received, item(SOURCE_PL, "05901234123457", "756", None))
    };
    let by_market = Subscription { target_market: Some("756".into()), ..subscription("1") };
    let cases = [
        (catalogue_item_confirmation(&env, &[received]), "CatalogueItemConfirmation.xsd", MessageType::Cic),
        (
            gs1_response_exception(&env, "x", POOL, &response_errors()[..1]),
            "GS1Response.xsd",
            MessageType::Gs1Response,
        ),
        (
            catalogue_item_subscription(&env, SubscriptionCommand::Delete, std::slice::from_ref(&by_market)),
            "CatalogueItemSubscription.xsd",
            MessageType::Cis,
        ),
        (
            request_for_catalogue_item_notification(&env, &[by_market], false),
            "RequestForCatalogueItemNotification.xsd",
            MessageType::Rfcin,
        ),
    ];
    for (xml, xsd, kind) in cases {
        let xml = xml.unwrap();
        assert_schema_valid(&xml, xsd);
        assert_eq!(read_back(&xml, kind, "M").len(), 1);
    }
}
