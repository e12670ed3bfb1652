//! The scenarios against each emulator, each test on an emulator of its own.

use serde_json::Value;

use crate::scenarios::{self, Target};
use crate::support::emulator::{Emulator, Kind};

/// The built-in template, minus what the emulator lacks (see the crate
/// README): noida has no `arabic_normalization` filter and refuses the
/// whole index with it.
fn index_body(kind: Kind) -> Option<Value> {
    let mut body: Value = serde_json::from_str(gdsn_opensearch::INDEX_TEMPLATE).expect("template");
    match kind {
        Kind::Osmem => None,
        Kind::Noida => {
            let filters = body["settings"]["analysis"]["analyzer"]["gdsn_ar"]["filter"]
                .as_array_mut()
                .expect("filters");
            filters.retain(|f| f != "arabic_normalization");
            Some(body)
        }
    }
}

/// Runs `scenario` on a fresh `kind`, or prints why it cannot.
macro_rules! on_emulator {
    ($name:ident, $kind:expr, $scenario:path) => {
        #[tokio::test]
        async fn $name() {
            let emulator = match Emulator::start($kind).await {
                Ok(emulator) => emulator,
                Err(why) => return println!("SKIPPED ({why})"),
            };
            let target = Target {
                url: emulator.url.clone(),
                alias: "gdsn-products".into(),
                auth: gdsn_opensearch::Auth::None,
                ca_cert_file: None,
                index_body: index_body($kind),
                // Gap (crate README): noida checks require_alias after
                // resolving the alias, so it refuses writes to an alias.
                require_alias: $kind != Kind::Noida,
            };
            $scenario(&target).await;
        }
    };
}

on_emulator!(round_trip_osmem, Kind::Osmem, scenarios::round_trip);
on_emulator!(round_trip_noida, Kind::Noida, scenarios::round_trip);
on_emulator!(older_version_ignored_osmem, Kind::Osmem, scenarios::older_version_ignored);
on_emulator!(older_version_ignored_noida, Kind::Noida, scenarios::older_version_ignored);
on_emulator!(mapping_error_rejected_osmem, Kind::Osmem, scenarios::mapping_error_rejected);
on_emulator!(mapping_error_rejected_noida, Kind::Noida, scenarios::mapping_error_rejected);
on_emulator!(reindex_swap_while_searching_osmem, Kind::Osmem, scenarios::reindex_swap_while_searching);
on_emulator!(reindex_swap_while_searching_noida, Kind::Noida, scenarios::reindex_swap_while_searching);
on_emulator!(failed_canary_keeps_old_osmem, Kind::Osmem, scenarios::failed_canary_keeps_old);
on_emulator!(failed_canary_keeps_old_noida, Kind::Noida, scenarios::failed_canary_keeps_old);
