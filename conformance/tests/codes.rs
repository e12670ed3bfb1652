//! The diagnostic codes are a contract: `schemas/diagnostic-codes.json`
//! must list exactly the codes the parser knows, with the same severities,
//! and every code any case or sample produces must be listed.

use std::collections::BTreeMap;

use gdsn_model::diag::CODES;

fn listed() -> BTreeMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/diagnostic-codes.json");
    let text = std::fs::read_to_string(path).expect("diagnostic-codes.json readable");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    json["codes"]
        .as_object()
        .expect("codes object")
        .iter()
        .map(|(code, v)| (code.clone(), v["severity"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn code_list_matches_the_parser() {
    let listed = listed();
    let known: BTreeMap<String, String> =
        CODES.iter().map(|(c, s)| ((*c).to_owned(), s.to_string())).collect();
    assert_eq!(listed, known, "schemas/diagnostic-codes.json and gdsn_model::diag::CODES differ");
    for code in listed.keys() {
        let ok = code.starts_with('R') && code[1..].parse::<u32>().is_ok()
            || ["X", "M", "W"]
                .iter()
                .any(|p| code.starts_with(p) && code.len() == 4 && code[1..].parse::<u32>().is_ok());
        assert!(ok, "code {code} is not R<n>, X<nnn>, M<nnn> or W<nnn>");
    }
}

#[test]
fn every_emitted_code_is_listed() {
    let listed = listed();
    let mut seen = 0;
    for case in gdsn_conformance::cases().expect("cases") {
        let outcome = gdsn_conformance::run(&case.input(), &case.name).expect("run");
        for code in &outcome.codes {
            seen += 1;
            assert!(listed.contains_key(code), "{}: code {code} is not in diagnostic-codes.json", case.name);
        }
    }
    assert!(seen > 30, "only {seen} codes seen: the cases no longer exercise diagnostics");
}
