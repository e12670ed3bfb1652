//! Realistic inputs shared by the test files: a customs platform (the data
//! recipient) answering its data pool about items of two brand owners. Every
//! GLN and GTIN has a correct check digit.

// Each test file uses a different subset.
#![allow(dead_code)]

use gdsn_model::time::Timestamp;
use gdsn_writer::{
    Confirmation, ConfirmationState, ConfirmationStatus, Envelope, ItemRef, ResponseError, Subscription,
};

/// The data recipient (us).
pub(crate) const RECIPIENT: &str = "7612345000008";
/// Our data pool.
pub(crate) const POOL: &str = "4000001000005";
/// A Polish brand owner.
pub(crate) const SOURCE_PL: &str = "5901234123457";
/// A Russian brand owner.
pub(crate) const SOURCE_RU: &str = "4620001000005";

/// Text that must be escaped in content and in attributes.
pub(crate) const MARKUP: &str = r#"net <weight> & "gross" 'weight' ]]> differ"#;
/// Arabic (right to left) text.
pub(crate) const ARABIC: &str = "الوزن الإجمالي أقل من الوزن الصافي";
/// Cyrillic text.
pub(crate) const CYRILLIC: &str = "Неверный код целевого рынка: «643»";

/// The creation time of every test message.
pub(crate) fn created() -> Timestamp {
    Timestamp::parse("2026-03-29T10:15:30.250+02:00").expect("valid timestamp").0
}

/// Our envelope towards the pool.
pub(crate) fn envelope(message_id: &str) -> Envelope {
    Envelope {
        sender: RECIPIENT.into(),
        receiver: POOL.into(),
        message_id: message_id.into(),
        created: created(),
    }
}

/// An item reference.
pub(crate) fn item(source: &str, gtin: &str, market: &str, subdivision: Option<&str>) -> ItemRef {
    ItemRef {
        data_source: source.into(),
        gtin: gtin.into(),
        target_market: market.into(),
        target_market_subdivision: subdivision.map(Into::into),
    }
}

/// A confirmation without status details.
pub(crate) fn confirmation(id: &str, state: ConfirmationState, item: ItemRef) -> Confirmation {
    Confirmation {
        document_id: id.into(),
        item,
        state,
        recipient: RECIPIENT.into(),
        recipient_data_pool: Some(POOL.into()),
        statuses: Vec::new(),
    }
}

/// A REVIEW with three statuses full of escaping-sensitive and non-Latin text,
/// and a RECEIVED, a SYNCHRONISED and a REJECTED.
pub(crate) fn confirmations() -> Vec<Confirmation> {
    let mut review = confirmation(
        "CIC-2026-0001",
        ConfirmationState::Review,
        item(SOURCE_PL, "15901234123454", "756", None),
    );
    review.statuses = vec![
        ConfirmationStatus {
            code: "CIC999".into(),
            description: MARKUP.into(),
            language: "en".into(),
            long_description: Some("gross 1.2 kg < net 1.5 kg\r\nline two\tafter a tab".into()),
            corrective_action: Some("ACTION_NEEDED".into()),
        },
        ConfirmationStatus {
            code: "CIC102".into(),
            description: ARABIC.into(),
            language: "ar".into(),
            long_description: None,
            corrective_action: None,
        },
        ConfirmationStatus {
            code: "CIC102".into(),
            description: CYRILLIC.into(),
            language: "ru".into(),
            long_description: Some(format!("{CYRILLIC} <{MARKUP}>")),
            corrective_action: Some("WARNING".into()),
        },
    ];
    let mut rejected = confirmation(
        "CIC-2026-0004",
        ConfirmationState::Rejected,
        item(SOURCE_RU, "04012345000016", "840", Some("US-CA")),
    );
    rejected.recipient_data_pool = None;
    rejected.statuses = vec![ConfirmationStatus {
        code: "CIC100".into(),
        description: "Out of scope for customs".into(),
        language: "en".into(),
        long_description: None,
        corrective_action: Some("CONTACT_TRADING_PARTNER".into()),
    }];
    vec![
        review,
        confirmation(
            "CIC-2026-0002",
            ConfirmationState::Received,
            item(SOURCE_PL, "05901234123457", "756", None),
        ),
        confirmation(
            "CIC-2026-0003",
            ConfirmationState::Synchronised,
            item(SOURCE_RU, "00401234567893", "643", None),
        ),
        rejected,
    ]
}

/// Two errors for a GS1 Response.
pub(crate) fn response_errors() -> Vec<ResponseError> {
    vec![
        ResponseError { code: "GDSN-REC-001".into(), description: MARKUP.into() },
        ResponseError { code: "GDSN-REC-002".into(), description: format!("{CYRILLIC} / {ARABIC}") },
    ]
}

/// A subscription with only a data recipient and `id`.
pub(crate) fn subscription(id: &str) -> Subscription {
    Subscription {
        document_id: id.into(),
        data_recipient: RECIPIENT.into(),
        data_source: None,
        gtin: None,
        gpc_category_code: None,
        target_market: None,
        recipient_data_pool: None,
    }
}

/// One subscription per kind of criterion, one with all that go together,
/// and an identifier that needs escaping.
pub(crate) fn subscriptions() -> Vec<Subscription> {
    let by_source = Subscription { data_source: Some(SOURCE_PL.into()), ..subscription("CIS-1") };
    let by_gtin = Subscription {
        gtin: Some("05901234123457".into()),
        recipient_data_pool: Some(POOL.into()),
        ..subscription("CIS-2 <&>\"'")
    };
    let by_brick =
        Subscription { gpc_category_code: Some("10000028".into()), ..subscription("اشتراك-3") };
    let all = Subscription {
        data_source: Some(SOURCE_RU.into()),
        gpc_category_code: Some("10000043".into()),
        target_market: Some("643".into()),
        recipient_data_pool: Some(POOL.into()),
        ..subscription("ПОДПИСКА-4")
    };
    vec![by_source, by_gtin, by_brick, all]
}
