//! The CSS, JS and pictures the pages use, embedded in the binary so the
//! page works with no CDN and nothing outside the daemon.
//!
//! Pages link each asset as `/assets/NAME?v=HASH` with a hash of its
//! bytes, so the daemon can let browsers cache assets for a year: a new
//! build with other bytes links a new URL.

use std::sync::LazyLock;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The name after `/assets/`.
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

static ASSETS: [Asset; 4] = [
    Asset {
        name: "page.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/page.css"),
    },
    Asset {
        name: "page.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/page.js"),
    },
    Asset { name: "icon.svg", content_type: "image/svg+xml", bytes: include_bytes!("../assets/icon.svg") },
    Asset {
        name: "placeholder.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../assets/placeholder.svg"),
    },
];

/// The asset called `name`, if there is one.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.name == name)
}

/// The URL pages use for the asset `name` (a name from this module).
pub(crate) fn url(name: &str) -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        // FNV-1a over every asset: cheap, stable, enough to tell builds apart.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in ASSETS.iter().flat_map(|asset| asset.bytes.iter()) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:08x}", hash >> 32)
    });
    format!("/assets/{name}?v={}", *VERSION)
}
