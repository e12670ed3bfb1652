//! The standard business document header and entity identifications.

use gdsn_model::diag::Diagnostic;
use gdsn_model::message::{EntityId, Envelope};

use crate::context::Ctx;
use crate::tree::{Namespaces, Node};

/// The newest 3.1 minor release whose schemas gdsn-sync was checked against.
const KNOWN_MINOR: u32 = 35;

/// Reads the SBDH. Problems are warnings: the header is informative, the
/// documents carry what we store.
pub(crate) fn read_sbdh(
    node: Node<'_>,
    base: &str,
    namespaces: &Namespaces,
    naive_zone: Option<chrono_tz::Tz>,
) -> (Envelope, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(node, base, namespaces).in_zone(naive_zone);
    let ident = node.child("DocumentIdentification");
    let text = |n: Option<Node<'_>>, path: &[&str]| n.and_then(|n| n.value_at(path)).map(str::to_owned);
    let envelope = Envelope {
        sender: text(Some(node), &["Sender", "Identifier"]),
        receiver: text(Some(node), &["Receiver", "Identifier"]),
        standard: text(ident, &["Standard"]),
        type_version: text(ident, &["TypeVersion"]),
        instance_identifier: text(ident, &["InstanceIdentifier"]),
        document_type: text(ident, &["Type"]),
        creation: ctx.timestamp(ident.and_then(|i| i.child("CreationDateAndTime"))),
    };
    if let Some(version_node) = ident.and_then(|i| i.child("TypeVersion"))
        && let Some(v) = envelope.type_version.as_deref().filter(|v| is_newer(v))
    {
        let msg = format!("TypeVersion {v} is newer than 3.1.{KNOWN_MINOR}; unknown elements are ignored");
        ctx.report("W002", msg, version_node);
    }
    (envelope, ctx.diags)
}

/// True for a 3.x version newer than the schemas we know (3.2, 3.1.37, 4.0).
fn is_newer(version: &str) -> bool {
    let mut parts = version.trim().split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten()) {
        (Some(major), _, _) if major > 3 => true,
        (Some(3), Some(minor), _) if minor > 1 => true,
        (Some(3), Some(1), Some(patch)) => patch > KNOWN_MINOR,
        _ => false,
    }
}

/// Reads an `EntityIdentificationType` (`entityIdentification` + `contentOwner/gln`).
pub(crate) fn entity_id(node: Node<'_>) -> EntityId {
    EntityId {
        id: node.value_at(&["entityIdentification"]).unwrap_or_default().to_owned(),
        content_owner: node.value_at(&["contentOwner", "gln"]).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn newer_versions() {
        for (v, newer) in [
            ("3.1", false),
            ("3.1.35", false),
            ("3.1.37", true),
            ("3.2", true),
            ("4.0", true),
            ("2.8", false),
            ("x", false),
        ] {
            assert_eq!(super::is_newer(v), newer, "{v}");
        }
    }
}
