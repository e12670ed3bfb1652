//! The hand-written cases marked `schema_valid` really are GS1 XML: they
//! validate against GS1's 3.1.35 XSDs in `../shared/gdsn/schemas`, modules
//! included, with libxml2's `xmllint` (`.ci/run` installs it).
//!
//! The message XSDs let anything through inside `extension`
//! (`processContents="lax"`), so a wrapper schema imports every module XSD:
//! then lax validation checks each module element it recognises.

use std::path::Path;
use std::process::Command;

use gdsn_conformance::{cases, shared_samples_dir};

#[test]
fn schema_valid_cases_validate_against_gs1_xsds() {
    let Some(samples) = shared_samples_dir() else {
        println!("skipped: ../shared/gdsn is not beside this checkout");
        return;
    };
    let gdsn = samples.join("../schemas/3.1.35/gs1/gdsn");
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint missing in CI: .ci/run must install libxml2-utils"
        );
        println!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let wrapper = dir.path().join("all-gdsn.xsd");
    std::fs::write(&wrapper, wrapper_schema(&gdsn)).expect("wrapper written");
    let cases = cases().expect("cases");
    let inputs: Vec<_> = cases.iter().filter(|c| c.spec.schema_valid).map(|c| c.input()).collect();
    assert!(inputs.len() >= 25, "only {} schema-valid cases", inputs.len());
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&wrapper)
        .args(&inputs)
        .output()
        .expect("xmllint runs");
    let report = String::from_utf8_lossy(&out.stderr);
    let failed: Vec<&str> =
        report.lines().filter(|l| l.contains("validity error") || l.ends_with("fails to validate")).collect();
    assert!(failed.is_empty(), "cases marked schema_valid fail the GS1 XSDs:\n{}", failed.join("\n"));
    let validated = report.lines().filter(|l| l.ends_with(" validates")).count();
    assert_eq!(validated, inputs.len(), "xmllint output:\n{report}");
}

/// A schema importing every GDSN message and module XSD by namespace.
fn wrapper_schema(gdsn: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(gdsn)
        .expect("GS1 XSD folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xsd"))
        .collect();
    files.sort();
    let mut imports = String::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let Some(ns) = target_namespace(&text) else { continue };
        // One import per namespace; module files and the message XSDs
        // are the ones a CIN or other message can reference.
        if imports.contains(&format!("namespace=\"{ns}\"")) {
            continue;
        }
        imports.push_str(&format!(
            "  <xsd:import namespace=\"{ns}\" schemaLocation=\"{}\"/>\n",
            file.canonicalize().unwrap_or(file.clone()).display()
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"urn:gdsn-sync:test:all\">\n{imports}</xsd:schema>\n"
    )
}

fn target_namespace(xsd: &str) -> Option<&str> {
    let start = xsd.find("targetNamespace=\"")? + "targetNamespace=\"".len();
    let end = xsd[start..].find('"')? + start;
    Some(&xsd[start..end])
}
