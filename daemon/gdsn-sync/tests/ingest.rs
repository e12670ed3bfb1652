//! `gdsn-sync ingest` and `export` against a real store in a temporary
//! data directory: what is added, updated, stale and removed, and that
//! re-delivery writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use support::{case, run};

fn ingest(data: &Path, files: &[PathBuf]) -> (Option<i32>, String) {
    let mut args = vec!["ingest".to_owned()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(data, &args);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn export(data: &Path) -> Vec<serde_json::Value> {
    let out = run(data, &["export"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// A copy of a case under another message id: same content, new message.
fn redelivered(dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(case(name)).expect("case");
    let start = text.find("<sh:InstanceIdentifier>").expect("message id") + "<sh:InstanceIdentifier>".len();
    let copy = format!("{}REDELIVERED-{}", &text[..start], &text[start..]);
    let path = dir.join(format!("{name}-again.xml"));
    std::fs::write(&path, copy).expect("copy written");
    path
}

#[test]
fn ingest_applies_changes_and_redelivery_writes_nothing() {
    let data = tempfile::tempdir().expect("temp dir");
    let (code, out) = ingest(data.path(), &[case("0002_cin_pallet_case_each"), case("0001_cin_single_each")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 added") && out.contains("1 added"), "{out}");
    let records = export(data.path());
    assert_eq!(records.len(), 4);
    // Every exported record carries the store's sync stamp; versions are
    // distinct write sequences, and valid against the published schema.
    let mut versions: Vec<u64> =
        records.iter().map(|r| r["sync"]["version"].as_u64().expect("version")).collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), 4, "{versions:?}");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schemas/product-record.schema.json"
        ))
        .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    for record in &records {
        let errors: Vec<String> = validator.iter_errors(record).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(record["sync"]["applied_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{record}");
    }
    // Each applied message is archived, compressed, with no partial file left.
    let archived: Vec<String> = std::fs::read_dir(data.path().join("archive"))
        .expect("archive dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(archived.len(), 2, "{archived:?}");
    assert!(archived.iter().all(|n| n.ends_with(".xml.gz")), "{archived:?}");

    // The same files again: already applied, nothing written.
    let (code, out) = ingest(data.path(), &[case("0002_cin_pallet_case_each")]);
    assert_eq!(code, Some(0));
    assert!(out.contains("(already applied)") && out.contains("0 writes"), "{out}");

    // The same content under a new message id: every item unchanged, zero writes.
    let again = redelivered(data.path(), "0002_cin_pallet_case_each");
    let (code, out) = ingest(data.path(), &[again]);
    assert_eq!(code, Some(0));
    assert!(out.contains("3 unchanged") && out.contains("0 writes"), "{out}");
}

#[test]
fn newer_wins_older_is_stale_and_deletes_remove() {
    let data = tempfile::tempdir().expect("temp dir");
    // 0003 changes the item of 0001 with a later lastChangeDateTime.
    let (_, out) = ingest(data.path(), &[case("0003_cin_change_by_refresh")]);
    assert!(out.contains("1 added"), "{out}");
    let (_, out) = ingest(data.path(), &[case("0001_cin_single_each")]);
    assert!(out.contains("1 stale") && out.contains("0 writes"), "{out}");
    let records = export(data.path());
    assert_eq!(records.len(), 1);
    let (_, out) = ingest(data.path(), &[case("0005_cin_delete")]);
    assert!(out.contains("1 removed"), "{out}");
    assert!(export(data.path()).is_empty());
}

#[test]
fn a_withdrawal_removes_the_hierarchy_and_a_rejected_document_exits_1() {
    let data = tempfile::tempdir().expect("temp dir");
    ingest(data.path(), &[case("0002_cin_pallet_case_each")]);
    let (code, out) = ingest(data.path(), &[case("0025_cihw_delete")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 removed"), "{out}");
    assert!(export(data.path()).is_empty());
    let (code, out) = ingest(data.path(), &[case("0015_cin_bad_gtin_check_digit")]);
    assert_eq!(code, Some(1));
    assert!(out.contains("1 rejected") && out.contains("1 added"), "{out}");
}

#[test]
fn a_message_id_reused_with_other_content_is_quarantined() {
    let data = tempfile::tempdir().expect("temp dir");
    ingest(data.path(), &[case("0001_cin_single_each")]);
    let text = std::fs::read_to_string(case("0001_cin_single_each")).expect("case").replacen(
        "Parfum",
        "Parfum-ALTERED",
        1,
    );
    let altered = data.path().join("altered.xml");
    std::fs::write(&altered, text).expect("written");
    let (code, out) = ingest(data.path(), &[altered]);
    assert_eq!(code, Some(0));
    assert!(out.contains("quarantined"), "{out}");
    let listed = run(data.path(), &["quarantine"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("same sender and message id with other content"), "{listed}");
    assert_eq!(listed.lines().count(), 1);
    assert!(!export(data.path())[0].to_string().contains("Parfum-ALTERED"));

    // The operator decides the new content is right: replay applies it from
    // the archive (newer? no: same version, other content -> updated) and
    // releases it from quarantine.
    let out = run(data.path(), &["replay", "--quarantined"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 updated") && stdout.contains("released"), "{stdout}");
    assert!(export(data.path())[0].to_string().contains("Parfum-ALTERED"));
    let listed = run(data.path(), &["quarantine"]);
    assert!(listed.stdout.is_empty(), "{}", String::from_utf8_lossy(&listed.stdout));

    // Replaying an applied message by id: every item unchanged, no write.
    let id = "MSG-0001";
    let out = run(data.path(), &["replay", id]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 unchanged") && stdout.contains("0 writes"), "{stdout}");
    let out = run(data.path(), &["replay", "NO-SUCH-ID"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no applied or quarantined message with id NO-SUCH-ID")
    );
}

#[test]
fn a_second_process_is_told_the_data_dir_is_in_use() {
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("store");
    let _held = gdsn_store::Store::open(&dir).expect("open");
    let out = run(data.path(), &["export"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use by another gdsn-sync process (pid "), "{stderr}");
}

#[test]
fn shared_children_keep_every_live_parent() {
    let data = tempfile::tempdir().expect("temp dir");
    // One hierarchy in which the each sits under two cases (a mixed pallet).
    ingest(data.path(), &[case("0013_cin_duplicate_gtin_same")]);
    let records = export(data.path());
    let each = records.iter().find(|r| r["unit_descriptor"] == "BASE_UNIT_OR_EACH").expect("each");
    assert_eq!(each["parents"].as_array().map(Vec::len), Some(2), "{each}");
}

fn ingest_as_recipient(data: &Path, files: &[PathBuf]) -> String {
    let mut args = ["ingest", "--no-publish", "--recipient-gln", "5412345000006"].map(str::to_owned).to_vec();
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    String::from_utf8_lossy(&run(data, &args).stdout).into_owned()
}

#[test]
fn replies_are_queued_then_written_and_validate() {
    let data = tempfile::tempdir().expect("temp dir");
    // Without our GLN, no reply is built and the summary says so.
    let (_, out) = ingest(data.path(), &[case("0001_cin_single_each")]);
    assert!(out.contains("no replies (no --recipient-gln)"), "{out}");
    let out = ingest_as_recipient(
        data.path(),
        &[
            case("0002_cin_pallet_case_each"),       // accepted: CIC RECEIVED
            case("0014_cin_duplicate_gtin_differs"), // rejected, nameable: CIC REVIEW
            case("0037_mismatched_tags"),            // unreadable: GS1 Response
            case("0025_cihw_delete"),                // withdrawal: no CIC
        ],
    );
    assert_eq!(out.matches("1 replies queued").count(), 3, "{out}");
    assert_eq!(out.matches("0 replies queued").count(), 1, "{out}");
    let listed = String::from_utf8_lossy(&run(data.path(), &["replies"]).stdout).into_owned();
    assert_eq!(listed.lines().count(), 3, "{listed}");
    // CIC SYNCHRONISED waits until the publisher has put the message's
    // changes into the index.
    let published = run(data.path(), &["publish"]);
    assert_eq!(published.status.code(), Some(0), "{}", String::from_utf8_lossy(&published.stderr));
    let listed = String::from_utf8_lossy(&run(data.path(), &["replies"]).stdout).into_owned();
    assert_eq!(listed.lines().count(), 4, "{listed}");
    let outbound = data.path().join("outbound");
    let written = run(data.path(), &["replies", "--write-to", &outbound.to_string_lossy()]);
    assert_eq!(written.status.code(), Some(0));
    let files: Vec<PathBuf> =
        std::fs::read_dir(&outbound).expect("outbound").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 4);
    let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).expect("reply")).collect();
    assert!(texts.iter().any(|t| t.contains(">RECEIVED<")));
    assert!(texts.iter().any(|t| t.contains(">SYNCHRONISED<") && t.contains("50812345200015")));
    assert!(texts.iter().any(|t| t.contains(">REVIEW<") && t.contains("[M007]")));
    assert!(texts.iter().any(|t| t.contains("<errorCode>X007</errorCode>")));
    // Delivered replies leave the queue.
    assert!(String::from_utf8_lossy(&run(data.path(), &["replies"]).stdout).trim().is_empty());
    // Each validates against GS1's XSD.
    for (file, text) in files.iter().zip(&texts) {
        let xsd = if text.contains("gS1ResponseMessage") {
            "GS1Response.xsd"
        } else {
            "CatalogueItemConfirmation.xsd"
        };
        assert_xsd_valid(file, xsd);
    }
}

/// Checks `file` against GS1's `xsd` when the schemas (`../shared`) and
/// xmllint are here; without them there is nothing to check against.
fn assert_xsd_valid(file: &Path, xsd: &str) {
    let xsd_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/gdsn/schemas/3.1.35/gs1/gdsn");
    let Ok(version) = Command::new("xmllint").arg("--version").output() else { return };
    if !xsd_dir.is_dir() || !version.status.success() {
        return;
    }
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd_dir.join(xsd))
        .arg(file)
        .output()
        .expect("xmllint runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A document whose top GTIN has a wrong check digit cannot be typed, yet
/// the pool hears about it: CIC REVIEW naming the item as sent (R447),
/// beside RECEIVED for the good document of the same message.
#[test]
fn a_top_gtin_with_a_wrong_check_digit_earns_review() {
    let data = tempfile::tempdir().expect("temp dir");
    // Document 1: GTIN 04012345300421 (check digit should be 0); document 2 valid.
    let out = ingest_as_recipient(data.path(), &[case("0015_cin_bad_gtin_check_digit")]);
    assert!(
        out.contains("1 added") && out.contains("1 rejected") && out.contains("1 replies queued"),
        "{out}"
    );
    let outbound = data.path().join("outbound");
    let written = run(data.path(), &["replies", "--write-to", &outbound.to_string_lossy()]);
    assert_eq!(written.status.code(), Some(0), "{}", String::from_utf8_lossy(&written.stderr));
    let files: Vec<PathBuf> =
        std::fs::read_dir(&outbound).expect("outbound").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("reply");
    // One transaction (one CIC document) per CIN document, in message order.
    let documents: Vec<&str> = text.split("<transaction>").skip(1).collect();
    assert_eq!(documents.len(), 2, "{text}");
    let review = documents[0];
    for part in [
        "<catalogueItemConfirmationStateCode>REVIEW<",
        "<dataSource>4012345000009</dataSource>",
        "<gtin>04012345300421</gtin>",
        "<targetMarketCountryCode>276</targetMarketCountryCode>",
        "<confirmationStatusCode>CIC999<",
        "[R447] trade item GTIN",
        "<correctiveActionCode>ACTION_NEEDED<",
    ] {
        assert!(review.contains(part), "{part} not in {review}");
    }
    let received = documents[1];
    assert!(received.contains("<catalogueItemConfirmationStateCode>RECEIVED<"), "{received}");
    assert!(received.contains("<gtin>04012345300437</gtin>"), "{received}");
    assert!(!received.contains("catalogueItemConfirmationStatusDetail"), "{received}");
    assert_xsd_valid(&files[0], "CatalogueItemConfirmation.xsd");
}

/// A copy of a case resent as a reload under a new message id.
fn reloaded(dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(case(name))
        .expect("case")
        .replace("<isReload>false</isReload>", "<isReload>true</isReload>");
    let start = text.find("<sh:InstanceIdentifier>").expect("message id") + "<sh:InstanceIdentifier>".len();
    let copy = format!("{}RELOAD-{}", &text[..start], &text[start..]);
    let path = dir.join(format!("{name}-reload.xml"));
    std::fs::write(&path, copy).expect("copy written");
    path
}

/// A minimal CIN of standalone eaches for provider 5412345000013 in 056.
fn message(dir: &Path, id: &str, reload: bool, gtins: &[&str]) -> PathBuf {
    let items: Vec<String> = gtins.iter().map(|gtin| item(gtin, "", "")).collect();
    message_of(dir, id, reload, &items)
}

/// A catalogue item of provider 5412345000013 in 056: `inside` goes into
/// its trade item, `links` (its `catalogueItemChildItemLink`s) after it.
fn item(gtin: &str, inside: &str, links: &str) -> String {
    format!(
        r#"<catalogueItem><dataRecipient>5412345000006</dataRecipient><catalogueItemState><catalogueItemStateCode>REGISTERED</catalogueItemStateCode></catalogueItemState>
<tradeItem><gtin>{gtin}</gtin><informationProviderOfTradeItem><gln>5412345000013</gln></informationProviderOfTradeItem>
<targetMarket><targetMarketCountryCode>056</targetMarketCountryCode></targetMarket>
<tradeItemSynchronisationDates><lastChangeDateTime>2026-01-05T09:00:00Z</lastChangeDateTime></tradeItemSynchronisationDates>{inside}
</tradeItem>{links}</catalogueItem>"#
    )
}

/// A CIN message with one document per top catalogue item.
fn message_of(dir: &Path, id: &str, reload: bool, items: &[String]) -> PathBuf {
    let documents: String = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            format!(
                r#"<transaction><transactionIdentification><entityIdentification>T-{i}</entityIdentification></transactionIdentification>
<documentCommand><documentCommandHeader type="ADD"/>
<cin:catalogueItemNotification><creationDateTime>2026-01-05T10:00:00Z</creationDateTime><isReload>{reload}</isReload>
{item}</cin:catalogueItemNotification></documentCommand></transaction>
"#
            )
        })
        .collect();
    let text = format!(
        r#"<cin:catalogueItemNotificationMessage xmlns:cin="urn:gs1:gdsn:catalogue_item_notification:xsd:3" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<sh:StandardBusinessDocumentHeader><sh:HeaderVersion>1.0</sh:HeaderVersion><sh:Sender><sh:Identifier Authority="GS1">5400000900006</sh:Identifier></sh:Sender>
<sh:DocumentIdentification><sh:Standard>GS1</sh:Standard><sh:TypeVersion>3.1</sh:TypeVersion><sh:InstanceIdentifier>{id}</sh:InstanceIdentifier>
<sh:Type>catalogueItemNotification</sh:Type><sh:CreationDateAndTime>2026-01-05T10:00:00Z</sh:CreationDateAndTime></sh:DocumentIdentification></sh:StandardBusinessDocumentHeader>
{documents}</cin:catalogueItemNotificationMessage>
"#
    );
    let path = dir.join(format!("{id}.xml"));
    std::fs::write(&path, text).expect("message written");
    path
}

#[test]
fn a_reload_removes_what_it_did_not_resend() {
    let data = tempfile::tempdir().expect("temp dir");
    let (gtin_a, gtin_b) = ("05412345000105", "05412345000112");
    ingest(
        data.path(),
        &[message(data.path(), "M1", false, &[gtin_a, gtin_b]), case("0001_cin_single_each")],
    );
    assert_eq!(export(data.path()).len(), 3);
    // The pool resends only A: B is swept when the file list ends; the
    // other provider's item is not touched.
    let (code, out) = ingest(data.path(), &[message(data.path(), "M2", true, &[gtin_a])]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("reload 5412345000013/056: closed, 1 not in reload removed"), "{out}");
    let gtins: Vec<String> =
        export(data.path()).iter().map(|r| r["gtin"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(gtins.len(), 2);
    assert!(gtins.contains(&gtin_a.to_owned()) && !gtins.contains(&gtin_b.to_owned()), "{gtins:?}");
    assert!(String::from_utf8_lossy(&run(data.path(), &["reload", "list"]).stdout).trim().is_empty());
}

/// Items the pool resent in a reload document we rejected are marked all
/// the same: the sweep removes only what was not resent, and the rejected
/// document changes nothing else.
#[test]
fn a_rejected_reload_document_still_marks_its_keys() {
    let data = tempfile::tempdir().expect("temp dir");
    let (a, b, c) = ("05412345000105", "05412345000112", "05412345000129");
    let (each, unlinked) = ("05412345000136", "05412345000143");
    // Case B holds 6 of D; `more` lists further children in B's own data.
    let child = |gtin: &str| {
        format!(
            "<childTradeItem><gtin>{gtin}</gtin><quantityOfNextLowerLevelTradeItem>6</quantityOfNextLowerLevelTradeItem></childTradeItem>"
        )
    };
    let case_b = |more: &str| {
        let listed = format!(
            "<nextLowerLevelTradeItemInformation><quantityOfChildren>1</quantityOfChildren><totalQuantityOfNextLowerLevelTradeItem>6</totalQuantityOfNextLowerLevelTradeItem>{}{more}</nextLowerLevelTradeItemInformation>",
            child(each)
        );
        let link = format!(
            "<catalogueItemChildItemLink><quantity>6</quantity>{}</catalogueItemChildItemLink>",
            item(each, "", "")
        );
        item(b, &listed, &link)
    };
    let (b_ok, b_rejected) = (case_b(""), case_b(&child(unlinked)));
    ingest(data.path(), &[message_of(data.path(), "M1", false, &[item(a, "", ""), b_ok, item(c, "", "")])]);
    assert_eq!(export(data.path()).len(), 4);
    // The reload resends A and case B with its each D, but B's document now
    // lists a child E it does not link (M008) and is rejected; C is not resent.
    let (code, out) =
        ingest(data.path(), &[message_of(data.path(), "M2", true, &[item(a, "", ""), b_rejected])]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("2 documents, 0 added, 0 updated, 1 unchanged, 0 stale, 0 removed, 1 rejected"),
        "{out}"
    );
    assert!(out.contains("reload 5412345000013/056: closed, 1 not in reload removed"), "{out}");
    let records = export(data.path());
    let mut gtins: Vec<&str> = records.iter().map(|r| r["gtin"].as_str().unwrap_or("")).collect();
    gtins.sort_unstable();
    assert_eq!(gtins, [a, b, each], "C alone is gone");
    // B is as the first message left it: one child, D.
    let case = records.iter().find(|r| r["gtin"] == b).expect("B");
    assert_eq!(case["children"].as_array().map(Vec::len), Some(1), "{case}");
    assert!(String::from_utf8_lossy(&run(data.path(), &["reload", "list"]).stdout).trim().is_empty());
}

#[test]
fn a_sweep_removing_most_of_a_pair_waits_for_confirmation() {
    let data = tempfile::tempdir().expect("temp dir");
    // A pallet hierarchy of four keys for 3012345000000/250 ...
    ingest(data.path(), &[case("0013_cin_duplicate_gtin_same")]);
    // ... then a reload that resends only the each: 3 of 4 keys would go.
    let (_, out) = ingest(data.path(), &[reloaded(data.path(), "0001_cin_single_each")]);
    assert!(out.contains("reload 3012345000000/250: held, the sweep would remove 3 of 4 keys"), "{out}");
    assert_eq!(export(data.path()).len(), 4);
    let listed = String::from_utf8_lossy(&run(data.path(), &["reload", "list"]).stdout).into_owned();
    assert!(listed.contains("3012345000000/250 held (3 to remove), 1 keys marked"), "{listed}");
    let out = run(data.path(), &["reload", "confirm", "3012345000000/250"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("closed, 3 not in reload removed"));
    let records = export(data.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["unit_descriptor"], "BASE_UNIT_OR_EACH");
}

#[test]
fn backup_and_restore_round_trip_keeps_tombstones_and_versions() {
    let data = tempfile::tempdir().expect("temp dir");
    ingest(
        data.path(),
        &[case("0002_cin_pallet_case_each"), case("0003_cin_change_by_refresh"), case("0025_cihw_delete")],
    );
    let first = data.path().join("first.backup");
    let out = run(data.path(), &["backup", "--to", &first.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = tempfile::tempdir().expect("temp dir");
    let out = run(restored.path(), &["restore", "--from", &first.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(export(restored.path()), export(data.path()));
    // A backup of the restored store is the same, entry for entry: every
    // tree (tombstones, versions, outbox, messages) came back.
    let second = data.path().join("second.backup");
    run(restored.path(), &["backup", "--to", &second.to_string_lossy()]);
    let lines = |p: &Path| -> Vec<String> {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(p).expect("backup")),
            &mut text,
        )
        .expect("gzip");
        text.lines().map(str::to_owned).collect()
    };
    let (a, b) = (lines(&first), lines(&second));
    assert_eq!(a, b);
    assert!(a.iter().any(|l| l.contains(r#""t":"tombstones""#)), "no tombstone in the backup");
    // The old item is stale against the restored state, as before.
    let (_, out) = ingest(restored.path(), &[case("0001_cin_single_each")]);
    assert!(out.contains("1 stale"), "{out}");
    // Restore refuses a data dir that already holds a store.
    let again = run(restored.path(), &["restore", "--from", &first.to_string_lossy()]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let data = tempfile::tempdir().expect("temp dir");
    ingest(data.path(), &[case("0001_cin_single_each")]);
    let out = run(
        data.path(),
        &[
            "ingest",
            "--dry-run",
            "--recipient-gln",
            "5412345000006",
            &case("0002_cin_pallet_case_each").to_string_lossy(),
            &case("0003_cin_change_by_refresh").to_string_lossy(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("3 added") && stdout.contains("1 updated"), "{stdout}");
    assert_eq!(stdout.matches("(dry run: nothing written)").count(), 2, "{stdout}");
    assert!(stdout.contains("would queue CIC"), "{stdout}");
    // Nothing changed: one record, one archived message, no reply queued,
    // and the same files still apply for real afterwards.
    assert_eq!(export(data.path()).len(), 1);
    assert_eq!(std::fs::read_dir(data.path().join("archive")).expect("archive").count(), 1);
    assert!(String::from_utf8_lossy(&run(data.path(), &["replies"]).stdout).trim().is_empty());
    let (_, out) = ingest(data.path(), &[case("0002_cin_pallet_case_each")]);
    assert!(out.contains("3 added"), "{out}");
}

/// A message in many chunks (committed by the store's writer thread while
/// the parse goes on) ends where the same message in one transaction ends:
/// the same summary figures, records and outbox depth.
#[test]
fn a_message_in_many_chunks_ends_as_in_one() {
    use std::io::Read;

    use gdsn_bench::{CinGenerator, GeneratorConfig};

    let work = tempfile::tempdir().expect("temp dir");
    let message = work.path().join("catalogue.xml");
    let mut bytes = Vec::new();
    let mut generator =
        CinGenerator::new(GeneratorConfig { documents: Some(120), target_bytes: None, seed: 5 });
    generator.read_to_end(&mut bytes).expect("generated");
    std::fs::write(&message, &bytes).expect("written");
    let items = generator.trade_items();
    let path = message.to_string_lossy();
    let mut results = Vec::new();
    for chunk in ["7", "1000"] {
        let data = work.path().join(format!("chunk-{chunk}"));
        let out = run(&data, &["ingest", "--no-publish", "--apply-chunk-documents", chunk, &path]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut records = export(&data);
        for record in &mut records {
            record["sync"].as_object_mut().expect("sync stamp").remove("applied_at");
        }
        results.push((summary, records));
    }
    let (chunked, whole) = (&results[0], &results[1]);
    assert!(chunked.0.contains(&format!("120 documents, {items} added, 0 updated")), "{}", chunked.0);
    assert!(chunked.0.contains(&format!("{items} writes, outbox {items}")), "{}", chunked.0);
    assert_eq!(chunked.0, whole.0);
    assert_eq!(chunked.1.len(), items);
    assert_eq!(chunked.1, whole.1);
}
