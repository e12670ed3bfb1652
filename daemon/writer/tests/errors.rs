//! What the builders refuse, and what they deliberately accept.

mod common;

use common::*;
use gdsn_writer::{
    Confirmation, ConfirmationState, ConfirmationStatus, Envelope, MAX_TRANSACTIONS, ResponseError,
    Subscription, SubscriptionCommand, WriteError, catalogue_item_confirmation, catalogue_item_subscription,
    gs1_response_exception, request_for_catalogue_item_notification,
};

fn cic(confirmations: &[Confirmation]) -> Result<String, WriteError> {
    catalogue_item_confirmation(&envelope("M"), confirmations)
}

fn received() -> Confirmation {
    confirmation("C1", ConfirmationState::Received, item(SOURCE_PL, "05901234123457", "756", None))
}

fn status() -> ConfirmationStatus {
    ConfirmationStatus {
        code: "CIC999".into(),
        description: "x".into(),
        language: "en".into(),
        long_description: None,
        corrective_action: None,
    }
}

/// The field an error names.
fn field(err: &WriteError) -> &str {
    match err {
        WriteError::Invalid { field, .. }
        | WriteError::Length { field, .. }
        | WriteError::ForbiddenCharacter { field, .. }
        | WriteError::StatusNotAllowed { field, .. }
        | WriteError::Duplicate { field, .. }
        | WriteError::Rule { field, .. } => field,
        WriteError::Empty { what } | WriteError::TooMany { what, .. } => what,
    }
}

#[test]
fn empty_lists_are_refused() {
    let env = envelope("M");
    assert_eq!(cic(&[]), Err(WriteError::Empty { what: "confirmations" }));
    assert_eq!(gs1_response_exception(&env, "X", POOL, &[]), Err(WriteError::Empty { what: "errors" }));
    let empty = Err(WriteError::Empty { what: "subscriptions" });
    assert_eq!(catalogue_item_subscription(&env, SubscriptionCommand::Add, &[]), empty);
    assert_eq!(request_for_catalogue_item_notification(&env, &[], false), empty);
}

#[test]
fn a_message_carries_at_most_1000_transactions() {
    let many: Vec<_> =
        (0..=MAX_TRANSACTIONS).map(|i| Confirmation { document_id: format!("C{i}"), ..received() }).collect();
    assert!(cic(&many[..MAX_TRANSACTIONS]).is_ok());
    assert_eq!(cic(&many), Err(WriteError::TooMany { what: "confirmations", count: 1001, max: 1000 }));
}

#[test]
fn statuses_only_go_with_review_and_rejected() {
    for state in [ConfirmationState::Received, ConfirmationState::Synchronised] {
        let c = Confirmation { state, statuses: vec![status()], ..received() };
        let err = cic(&[received(), Confirmation { document_id: "C2".into(), ..c }]).unwrap_err();
        assert_eq!(err, WriteError::StatusNotAllowed { field: "confirmations[1].statuses".into(), state });
    }
    for state in [ConfirmationState::Review, ConfirmationState::Rejected] {
        assert!(cic(&[Confirmation { state, statuses: vec![status()], ..received() }]).is_ok());
        assert!(cic(&[Confirmation { state, ..received() }]).is_ok(), "details are optional");
    }
    let err = cic(&[Confirmation { statuses: vec![status()], ..received() }]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "confirmations[0].statuses is given for state RECEIVED: status details are only for REVIEW and REJECTED"
    );
}

#[test]
fn envelope_values_must_have_their_xsd_form() {
    let good = envelope("M");
    let cases = [
        (Envelope { sender: "761234500000".into(), ..good.clone() }, "envelope.sender"),
        (Envelope { sender: "76123450000080".into(), ..good.clone() }, "envelope.sender"),
        (Envelope { receiver: "400000100000X".into(), ..good.clone() }, "envelope.receiver"),
        (Envelope { message_id: String::new(), ..good.clone() }, "envelope.message_id"),
        (Envelope { message_id: "M".repeat(81), ..good.clone() }, "envelope.message_id"),
        (Envelope { message_id: " M".into(), ..good.clone() }, "envelope.message_id"),
        (Envelope { message_id: "M\u{1}".into(), ..good }, "envelope.message_id"),
    ];
    for (env, want) in cases {
        let results = [
            catalogue_item_confirmation(&env, &[received()]),
            gs1_response_exception(&env, "X", POOL, &response_errors()),
            catalogue_item_subscription(&env, SubscriptionCommand::Add, &subscriptions()),
            request_for_catalogue_item_notification(&env, &subscriptions(), true),
        ];
        for result in results {
            assert_eq!(field(&result.unwrap_err()), want, "{env:?}");
        }
    }
    assert!(cic(&[Confirmation { document_id: "M".repeat(80), ..received() }]).is_ok());
}

#[test]
fn confirmation_values_must_have_their_xsd_form() {
    let mut cases: Vec<(Confirmation, &str)> = Vec::new();
    let with_item = |f: fn(&mut gdsn_writer::ItemRef)| {
        let mut c = received();
        f(&mut c.item);
        c
    };
    cases.push((with_item(|i| i.gtin = "5901234123457".into()), "confirmations[0].item.gtin"));
    cases.push((with_item(|i| i.gtin = "0590123412345A".into()), "confirmations[0].item.gtin"));
    cases.push((with_item(|i| i.data_source = "590123412345".into()), "confirmations[0].item.data_source"));
    cases.push((with_item(|i| i.target_market = "56".into()), "confirmations[0].item.target_market"));
    cases.push((with_item(|i| i.target_market = "0756".into()), "confirmations[0].item.target_market"));
    cases.push((
        with_item(|i| i.target_market_subdivision = Some(String::new())),
        "confirmations[0].item.target_market_subdivision",
    ));
    cases.push((Confirmation { recipient: "1".into(), ..received() }, "confirmations[0].recipient"));
    cases.push((
        Confirmation { recipient_data_pool: Some("pool".into()), ..received() },
        "confirmations[0].recipient_data_pool",
    ));
    cases.push((Confirmation { document_id: "x".repeat(81), ..received() }, "confirmations[0].document_id"));
    for (c, want) in cases {
        // `ItemRef::check` refuses exactly the references the builder refuses.
        let checked = c.item.check();
        let item_field = want.strip_prefix("confirmations[0].item.");
        assert_eq!(checked.as_ref().err().map(field), item_field, "{want}");
        assert_eq!(field(&cic(&[c]).unwrap_err()), want);
    }
    assert_eq!(received().item.check(), Ok(()));
}

#[test]
fn status_texts_must_fit_their_xsd_types() {
    let review = |s: ConfirmationStatus| Confirmation {
        state: ConfirmationState::Review,
        statuses: vec![status(), s],
        ..received()
    };
    let cases = [
        (ConfirmationStatus { code: String::new(), ..status() }, "confirmations[0].statuses[1].code"),
        (ConfirmationStatus { code: "C".repeat(81), ..status() }, "confirmations[0].statuses[1].code"),
        (
            ConfirmationStatus { description: String::new(), ..status() },
            "confirmations[0].statuses[1].description",
        ),
        (
            ConfirmationStatus { description: "ж".repeat(1001), ..status() },
            "confirmations[0].statuses[1].description",
        ),
        (
            ConfirmationStatus { description: "a\u{0}b".into(), ..status() },
            "confirmations[0].statuses[1].description",
        ),
        (ConfirmationStatus { language: String::new(), ..status() }, "confirmations[0].statuses[1].language"),
        (
            ConfirmationStatus { long_description: Some("\u{1B}[31m".into()), ..status() },
            "confirmations[0].statuses[1].long_description",
        ),
        (
            ConfirmationStatus { corrective_action: Some(" ACTION_NEEDED".into()), ..status() },
            "confirmations[0].statuses[1].corrective_action",
        ),
    ];
    for (s, want) in cases {
        assert_eq!(field(&cic(&[review(s)]).unwrap_err()), want);
    }
    let longest = ConfirmationStatus { description: "ж".repeat(1000), ..status() };
    assert!(cic(&[review(longest)]).is_ok());
}

#[test]
fn document_ids_are_unique_in_a_message() {
    let err = cic(&[received(), received()]).unwrap_err();
    assert_eq!(
        err,
        WriteError::Duplicate { field: "confirmations[1].document_id".into(), value: "C1".into() }
    );
    let subs = [subscriptions()[0].clone(), subscriptions()[0].clone()];
    let err = catalogue_item_subscription(&envelope("M"), SubscriptionCommand::Delete, &subs).unwrap_err();
    assert_eq!(field(&err), "subscriptions[1].document_id");
}

#[test]
fn check_digits_are_not_verified() {
    // A REVIEW must be able to name exactly what the data source sent.
    let wrong = item("5901234123458", "05901234123458", "756", None);
    let review = confirmation("C1", ConfirmationState::Review, wrong);
    assert!(cic(&[review]).is_ok());
}

#[test]
fn response_values_must_have_their_xsd_form() {
    let env = envelope("M");
    let errors = response_errors();
    let field_of = |r: Result<String, WriteError>| field(&r.unwrap_err()).to_owned();
    assert_eq!(field_of(gs1_response_exception(&env, "", POOL, &errors)), "originating_message_id");
    assert_eq!(
        field_of(gs1_response_exception(&env, &"x".repeat(81), POOL, &errors)),
        "originating_message_id"
    );
    assert_eq!(field_of(gs1_response_exception(&env, "X", "40000010000", &errors)), "originating_sender");
    let bad = |code: &str, description: &str| {
        let mut errors = response_errors();
        errors.push(ResponseError { code: code.into(), description: description.into() });
        field_of(gs1_response_exception(&env, "X", POOL, &errors))
    };
    assert_eq!(bad("", "d"), "errors[2].code");
    assert_eq!(bad("E1", ""), "errors[2].description");
    assert_eq!(bad("E1", &"d".repeat(1001)), "errors[2].description");
    assert_eq!(bad("E1", "nul \u{0} inside"), "errors[2].description");
}

#[test]
fn subscriptions_follow_rules_86_and_87() {
    let env = envelope("M");
    let no_criteria = subscription("S1");
    let both = Subscription {
        gtin: Some("05901234123457".into()),
        gpc_category_code: Some("10000028".into()),
        ..subscription("S2")
    };
    for (sub, rule) in [(no_criteria, 86), (both, 87)] {
        let subs = [subscriptions()[0].clone(), sub];
        let results = [
            catalogue_item_subscription(&env, SubscriptionCommand::Add, &subs),
            request_for_catalogue_item_notification(&env, &subs, false),
        ];
        for result in results {
            let err = result.unwrap_err();
            assert!(matches!(&err, WriteError::Rule { rule: r, .. } if *r == rule), "{err}");
            assert_eq!(field(&err), "subscriptions[1]");
        }
    }
    let target_market_only = Subscription { target_market: Some("643".into()), ..subscription("S3") };
    assert!(catalogue_item_subscription(&env, SubscriptionCommand::Add, &[target_market_only]).is_ok());
}

#[test]
fn subscription_values_must_have_their_xsd_form() {
    let env = envelope("M");
    let base = || subscriptions()[0].clone();
    let cases = [
        (Subscription { data_recipient: "7612345".into(), ..base() }, "subscriptions[0].data_recipient"),
        (
            Subscription { data_source: Some("59012341234570".into()), ..base() },
            "subscriptions[0].data_source",
        ),
        (Subscription { gtin: Some("59012341234570X".into()), ..base() }, "subscriptions[0].gtin"),
        (
            Subscription { data_source: None, gpc_category_code: Some("1000002".into()), ..base() },
            "subscriptions[0].gpc_category_code",
        ),
        (Subscription { target_market: Some("US".into()), ..base() }, "subscriptions[0].target_market"),
        (
            Subscription { recipient_data_pool: Some(String::new()), ..base() },
            "subscriptions[0].recipient_data_pool",
        ),
        (Subscription { document_id: "S\u{FFFF}".into(), ..base() }, "subscriptions[0].document_id"),
    ];
    for (sub, want) in cases {
        let err = request_for_catalogue_item_notification(&env, &[sub], true).unwrap_err();
        assert_eq!(field(&err), want);
    }
}

#[test]
fn error_messages_are_lower_case_sentences_without_a_period() {
    let err = cic(&[Confirmation { recipient: "x".into(), ..received() }]).unwrap_err();
    assert_eq!(err.to_string(), "confirmations[0].recipient `x` is not a GLN of 13 digits");
    let err = cic(&[]).unwrap_err();
    assert_eq!(err.to_string(), "confirmations is empty: the message needs at least one");
    let err = catalogue_item_subscription(&envelope("M"), SubscriptionCommand::Add, &[subscription("S")])
        .unwrap_err();
    assert!(err.to_string().ends_with("(rule 86)"), "{err}");
}
