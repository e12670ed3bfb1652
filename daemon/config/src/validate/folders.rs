//! The rules between drop folders: no folder inside another (in particular nothing inside an inbox,
//! which would make the daemon take its own files again), none shared between connections, and no
//! inbox around the data directory.
//!
//! Paths are compared after they were made absolute and `..`-free, component by component, so
//! `/srv/in` and `/srv/inbox` do not overlap. Symbolic links are not followed: folders may not exist yet
//! when the config is checked, and the daemon refuses links itself when it touches files.

use std::path::{Path, PathBuf};

use super::Ctx;
use crate::connection::{Connection, Transport};
use crate::error::FieldPath;

struct Folder {
    path: PathBuf,
    field: FieldPath,
    role: &'static str,
}

/// Reports every overlap among the drop folders of `connections` (in file order) and `data_dir`.
pub(super) fn check(cx: &mut Ctx<'_>, data_dir: &Path, connections: &[Connection]) {
    let folders = collect(connections);
    for (later, b) in folders.iter().enumerate() {
        for a in &folders[..later] {
            if overlap(&a.path, &b.path) {
                // Blame the folder that is not an inbox: moving it is the usual fix.
                let (blamed, other) = if b.role == "inbox" && a.role != "inbox" { (a, b) } else { (b, a) };
                cx.report(&blamed.field, describe(blamed, other));
            }
        }
    }
    for inbox in folders.iter().filter(|folder| folder.role == "inbox") {
        if data_dir.starts_with(&inbox.path) {
            let message = format!(
                "the data directory {} is inside this inbox {}: the daemon would take its own store for messages",
                data_dir.display(),
                inbox.path.display()
            );
            cx.report(&inbox.field, message);
        }
    }
}

fn collect(connections: &[Connection]) -> Vec<Folder> {
    let mut folders = Vec::new();
    for (index, connection) in connections.iter().enumerate() {
        let Transport::DropFolder { folders: drop, .. } = &connection.transport else { continue };
        let table = FieldPath::root().key("connections").index(index).key("drop_folder");
        for (role, path) in [
            ("inbox", &drop.inbox),
            ("done", &drop.done),
            ("failed", &drop.failed),
            ("outbound", &drop.outbound),
        ] {
            folders.push(Folder { path: path.clone(), field: table.key(role), role });
        }
    }
    folders
}

fn overlap(a: &Path, b: &Path) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn describe(blamed: &Folder, other: &Folder) -> String {
    if other.role == "inbox" && blamed.role != "inbox" && blamed.path.starts_with(&other.path) {
        return format!(
            "{} is inside the inbox {} ({}): files put there would be taken again; keep done, failed and outbound outside every inbox",
            blamed.path.display(),
            other.path.display(),
            other.field
        );
    }
    format!(
        "{} overlaps {} ({}): every drop folder must be separate from the others",
        blamed.path.display(),
        other.path.display(),
        other.field
    )
}
