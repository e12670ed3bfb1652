//! From parsed documents (model types) to what the diff reads.

use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};
use gdsn_model::message::Command;
use gdsn_model::other::CihwDocument;
use gdsn_model::record::ProductRecord;
use gdsn_model::time::Timestamp;

use crate::{Incoming, IncomingItem, Reason, Version};

/// The records of one accepted CIN document, as a replacement of its
/// hierarchy or, for a DELETE, as the removal of its top item (whose
/// version is the item's own). `message_time` is the SBDH creation time,
/// else the document's; `None` for a document without records.
pub fn from_records(
    records: &[ProductRecord],
    command: Option<Command>,
    message_time: Option<Timestamp>,
    sequence: u64,
) -> Option<Incoming> {
    let version = |r: &ProductRecord| Version::new(r.facts.dates.last_change, message_time, sequence);
    let top = records.first()?;
    if command == Some(Command::Delete) {
        return Some(Incoming::Remove { top: top.key()?, version: version(top), reason: Reason::Deleted });
    }
    // One buffer for the document's records: each is serialised once, here,
    // and the store writes these bytes (with its `sync` object) as they are.
    let mut json = Vec::with_capacity(8 * 1024);
    let items = records
        .iter()
        .filter_map(|record| {
            let key = record.key()?;
            json.clear();
            serde_json::to_writer(&mut json, record).ok()?;
            Some(IncomingItem {
                children: child_keys(record, &key, records),
                version: version(record),
                hash: record.content_hash(),
                record: std::str::from_utf8(&json).ok()?.into(),
                key,
            })
        })
        .collect();
    Some(Incoming::Replace { items })
}

/// Children's keys: same provider; the target market of the child's own
/// record in this document, else the parent's.
fn child_keys(record: &ProductRecord, key: &ItemKey, all: &[ProductRecord]) -> Vec<ItemKey> {
    record
        .children
        .iter()
        .map(|child| {
            let own = all.iter().find(|r| r.gtin == child.gtin).and_then(ProductRecord::key);
            own.unwrap_or_else(|| ItemKey { gtin: child.gtin, ..key.clone() })
        })
        .collect()
}

/// A CIHW as the removal of the hierarchy it names. Its version is its
/// document creation time, then the message's, then the sequence.
pub fn from_withdrawal(
    document: &CihwDocument,
    message_time: Option<Timestamp>,
    sequence: u64,
) -> Result<Incoming, String> {
    let reference = &document.reference;
    let provider = reference.data_source.as_deref().ok_or("catalogueItemReference has no dataSource")?;
    let gtin = reference.gtin.as_deref().ok_or("catalogueItemReference has no gtin")?;
    let market = reference.target_market.as_deref().ok_or("catalogueItemReference has no target market")?;
    let top = ItemKey {
        provider: Gln::new_lenient(provider).map_err(|e| e.to_string())?,
        gtin: Gtin::parse(gtin).map_err(|e| e.to_string())?,
        target_market: TargetMarket::parse(market, reference.target_market_subdivision.as_deref())
            .map_err(|e| e.to_string())?,
    };
    let reason = Reason::Withdrawn(document.reason_code.clone().unwrap_or_else(|| "UNSPECIFIED".to_owned()));
    let version = Version::new(document.header.creation, message_time, sequence);
    Ok(Incoming::Remove { top, version, reason })
}
