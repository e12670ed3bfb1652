//! Path rules: relative to the config file's directory, default drop-folder layout, no folder inside an
//! inbox, no `..` in drop folders, overlap judged by whole path components.

use std::path::PathBuf;

use gdsn_config::{Config, Transport};

use crate::util::{FakeEnv, invalid, valid};

fn drop_connection(name: &str, table: &str) -> String {
    format!("[[connections]]\nname = \"{name}\"\nkind = \"drop_folder\"\ndrop_folder = {table}\n")
}

fn folders(config: &Config, index: usize) -> gdsn_config::DropFolder {
    match &config.connections[index].transport {
        Transport::DropFolder { folders, .. } => folders.clone(),
        other => panic!("drop folder expected, got {other:?}"),
    }
}

#[test]
fn relative_paths_are_relative_to_the_config_file() {
    let config = valid(&format!(
        "data_dir = \"../var/gdsn\"\n{}",
        drop_connection("sftp", "{ inbox = \"spool/in\", done = \"/srv/done\" }")
    ));
    assert_eq!(config.data_dir, PathBuf::from("/etc/var/gdsn"), "`..` is resolved for the data dir");
    let folders = folders(&config, 0);
    assert_eq!(folders.inbox, PathBuf::from("/etc/gdsn-sync/spool/in"));
    assert_eq!(folders.done, PathBuf::from("/srv/done"));
    assert_eq!(
        folders.failed,
        PathBuf::from("/etc/var/gdsn/dropfolder/sftp/failed"),
        "default under the data dir"
    );
    assert_eq!(folders.outbound, PathBuf::from("/etc/var/gdsn/dropfolder/sftp/outbound"));
}

#[test]
fn a_config_file_named_without_a_directory_is_relative_to_the_current_one() {
    let text = drop_connection("a", "{ inbox = \"in\" }");
    let config = Config::from_toml(&text, std::path::Path::new("gdsn.toml"), &FakeEnv::default()).unwrap();
    assert_eq!(folders(&config, 0).inbox, std::path::absolute("in").unwrap());
}

#[test]
fn default_folders_of_two_connections_do_not_collide() {
    let text = format!(
        "{}{}",
        drop_connection("a", "{ inbox = \"/srv/a\" }"),
        drop_connection("b", "{ inbox = \"/srv/b\" }")
    );
    let config = valid(&text);
    assert_ne!(folders(&config, 0).done, folders(&config, 1).done);
}

#[test]
fn overlap_is_judged_by_whole_components() {
    // `/srv/inbox-done` starts with the text `/srv/inbox` but is not inside it.
    valid(&drop_connection("a", "{ inbox = \"/srv/inbox\", done = \"/srv/inbox-done\" }"));
}

#[test]
fn nothing_may_be_inside_an_inbox_whichever_way_it_is_written() {
    for table in [
        "{ inbox = \"/srv/in\", failed = \"/srv/in/failed\" }",
        "{ inbox = \"/srv/in\", outbound = \"/srv/./in/out\" }",
        "{ inbox = \"in\", done = \"/etc/gdsn-sync/in/done\" }",
        "{ inbox = \"/srv/in\", done = \"/srv/in\" }",
    ] {
        let message = invalid(&drop_connection("a", table));
        assert!(message.contains("inside the inbox"), "{table}: {message}");
    }
}

#[test]
fn an_inbox_inside_another_connections_folder_is_refused() {
    let text = format!(
        "{}{}",
        drop_connection("a", "{ inbox = \"/srv/a\", done = \"/srv/shared\" }"),
        drop_connection("b", "{ inbox = \"/srv/shared/b\" }")
    );
    let message = invalid(&text);
    assert!(
        message.contains("connections[0].drop_folder.done: /srv/shared overlaps /srv/shared/b"),
        "{message}"
    );
}

#[test]
fn dot_dot_is_refused_in_every_drop_folder() {
    for field in ["inbox", "done", "failed", "outbound"] {
        let table = if field == "inbox" {
            "{ inbox = \"../in\" }".to_owned()
        } else {
            format!("{{ inbox = \"/srv/in\", {field} = \"/srv/x/../{field}\" }}")
        };
        let message = invalid(&drop_connection("a", &table));
        assert!(
            message.contains(&format!("drop_folder.{field}: ")) && message.contains("contains \"..\""),
            "{message}"
        );
    }
}

#[test]
fn an_inbox_inside_the_data_dir_is_allowed() {
    valid(&format!(
        "data_dir = \"/var/lib/gdsn\"\n{}",
        drop_connection("a", "{ inbox = \"/var/lib/gdsn/inbox\" }")
    ));
}
