//! Runs the parser over every GS1 and data-pool sample in
//! `../shared/gdsn/samples` and checks what each must give. The samples
//! stay outside the project; on a clone without them this test says it
//! skipped.

use std::collections::BTreeMap;
use std::path::Path;

use gdsn_conformance::{run, shared_samples_dir};

/// What a sample must give: exit code, message type, record count (None:
/// not checked), and codes that must appear.
struct Expect {
    exit: u8,
    message_type: &'static str,
    records: Option<usize>,
    codes: &'static [&'static str],
}

const fn accept(message_type: &'static str, records: usize, codes: &'static [&'static str]) -> Expect {
    Expect { exit: 0, message_type, records: Some(records), codes }
}

const fn reject(message_type: &'static str, codes: &'static [&'static str]) -> Expect {
    Expect { exit: 1, message_type, records: None, codes }
}

fn expectations() -> BTreeMap<&'static str, Expect> {
    BTreeMap::from([
        // GS1's own 3.1.35 instance files.
        ("gs1-official-3.1.35/CatalogueItemConfirmation.xml", accept("CIC", 0, &["M100"])),
        (
            "gs1-official-3.1.35/CatalogueItemHierarchicalWithdrawal.xml",
            accept("CIHW", 0, &["M100", "R1457"]),
        ),
        // sourceDataPool and provider GLNs with wrong check digits: kept, warned.
        ("gs1-official-3.1.35/CatalogueItemNotification.xml", accept("CIN", 1, &["R448"])),
        ("gs1-official-3.1.35/CatalogueItemPublication.xml", accept("CIP", 0, &["M100"])),
        // Registry messages never reach a data recipient.
        ("gs1-official-3.1.35/CatalogueItemRegistrationResponse.xml", reject("none", &["M001"])),
        ("gs1-official-3.1.35/CatalogueItemSubscription.xml", accept("CIS", 0, &["M100"])),
        ("gs1-official-3.1.35/GS1Response.xml", accept("GS1Response", 0, &["M100"])),
        ("gs1-official-3.1.35/MaterialModule.xml", accept("CIN", 1, &["R448", "R1063"])),
        ("gs1-official-3.1.35/RegistryCatalogueItem.xml", reject("none", &["M001"])),
        ("gs1-official-3.1.35/RequestForCatalogueItemNotification.xml", accept("RFCIN", 0, &["M100"])),
        // Data-pool traffic (theoxylo/node-gdsn).
        ("theoxylo-node-gdsn/test/gdsn3/010_rci_add_to_GR_10036016500279.xml", reject("none", &["M001"])),
        // Child GTIN 00018627703390 has a wrong check digit.
        ("theoxylo-node-gdsn/test/gdsn3/020_CIN_add_10036016500279.xml", reject("CIN", &["R447", "R471"])),
        ("theoxylo-node-gdsn/test/gdsn3/030_cis_add_2-docs.xml", accept("CIS", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/035_CIS_response_from_dp.xml", accept("GS1Response", 0, &["M100"])),
        // Template residue: `TOKEN` where a dateTime belongs.
        ("theoxylo-node-gdsn/test/gdsn3/036_CIS_forward_to_GR.xml", reject("CIS", &["M005"])),
        ("theoxylo-node-gdsn/test/gdsn3/CIRR_from_gr_31.xml", reject("none", &["M001"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/cin-add_new-1100001011285-1100001011292-10036016500279-840-us_ca-t001_c001_d001.xml",
            accept("CIN", 1, &["W004"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/cin-add_new-large.xml", accept("CIN", 21, &["W004"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/cin-correct-1100001011285-1100001011292-10036016500279-840-us_ca-t001_c001_d001.xml",
            accept("CIN", 1, &["W004"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/084_00031100245602.xml", accept("CIC", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/084_cic-reject_4049111180016.xml", accept("CIC", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/9501101020658_00031000245825.xml", accept("CIN", 1, &[])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/cic_multi_synch.xml", reject("none", &["M002"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/cihw_pub_del.xml", accept("CIHW", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_in/cin_kato_00031000245825.xml", reject("none", &["M002"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_out/cihw_247423.xml", accept("CIHW", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_out/rdp_cic_to_sdp_250194.xml", accept("CIC", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/dp_out/sent_as2_kato.xml", accept("CIHW", 0, &["M100"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/gS1ResponseException_sample.xml",
            accept("GS1Response", 0, &["M100"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/gS1ResponseMessage_sample.xml", accept("GS1Response", 0, &["M100"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/gr_in/CIRR_sample_catalogueItemRegistrationResponse.xml",
            reject("none", &["M001"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/gr_in/RFCIN_dr-5210047000061.xml", accept("RFCIN", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/020_cin_itn_292_279.xml", accept("CIN", 3, &["W004"])),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/020_cin_itn_292_279_ADD.xml", accept("CIN", 3, &["W004"])),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/022_cin_itn_088_279.xml", accept("CIN", 3, &["W004"])),
        // Uses productionVariantDescription, which 3.1.35 renamed: ignored, not fatal.
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/027_cin_itn_339_389_840_ca.xml", accept("CIN", 1, &[])),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/030_cip_292_278_279_840.xml", accept("CIP", 0, &["M100"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/034_CIH_292_278_3396_840.xml",
            accept("CIHW", 0, &["M100"]),
        ),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/034_cip_292_278_3396_840_DELETE.xml",
            accept("CIP", 0, &["M100"]),
        ),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/035_cip_292_278_279_840_ca.xml",
            accept("CIP", 0, &["M100"]),
        ),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/042_cis_add_339_292_all-crit.xml",
            accept("CIS", 0, &["M100"]),
        ),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/042_cis_add_339_gtin_0279.xml",
            accept("CIS", 0, &["M100"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/043_cis_add_339_840.xml", accept("CIS", 0, &["M100"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/051_cic-rec_339_292_279_840.xml",
            accept("CIC", 0, &["M100"]),
        ),
        // Not well-formed on purpose (tag mismatch).
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/051_cic-rev_339_292_279_840.xml", reject("CIC", &["X007"])),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/051_cic-synch_339_292_279_840.xml",
            accept("CIC", 0, &["M100"]),
        ),
        (
            "theoxylo-node-gdsn/test/gdsn3/tp_upload/051_cic_278_292_3396_840_REVIEW.xml",
            accept("CIC", 0, &["M100"]),
        ),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/060_rfcin_278_292.xml", accept("RFCIN", 0, &["M100"])),
        ("theoxylo-node-gdsn/test/gdsn3/tp_upload/084_cic-reject_278_0187.xml", accept("CIC", 0, &["M100"])),
    ])
}

#[test]
fn every_shared_sample_gives_its_expected_outcome() {
    let Some(root) = shared_samples_dir() else {
        println!("skipped: ../shared/gdsn/samples is not beside this checkout");
        return;
    };
    let expectations = expectations();
    let mut files = Vec::new();
    collect_xml(&root, &mut files);
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        let Some(expect) = expectations.get(rel.as_str()) else {
            failures.push(format!("{rel}: new sample without an expectation"));
            continue;
        };
        let outcome = run(file, &rel).expect("sample readable");
        let mut problems = Vec::new();
        if outcome.exit != expect.exit {
            problems.push(format!("exit {} (expected {})", outcome.exit, expect.exit));
        }
        if outcome.message_type != expect.message_type {
            problems.push(format!("type {} (expected {})", outcome.message_type, expect.message_type));
        }
        if let Some(n) = expect.records.filter(|n| *n != outcome.records.len()) {
            problems.push(format!("{} records (expected {n})", outcome.records.len()));
        }
        for code in expect.codes.iter().filter(|c| !outcome.codes.contains(**c)) {
            problems.push(format!("code {code} missing (got {:?})", outcome.codes));
        }
        if !problems.is_empty() {
            failures.push(format!("{rel}: {}", problems.join("; ")));
        }
    }
    assert_eq!(files.len(), expectations.len(), "samples on disk vs expectations listed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn collect_xml(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_xml(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}
