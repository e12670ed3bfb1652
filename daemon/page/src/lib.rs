//! The customs product page and the ops status page: server-rendered HTML
//! from published records, in English, French, Arabic (right to left) and
//! Russian, and the CSS, JS and pictures those pages use.
//!
//! Rendering only: every function here takes what the daemon read (records
//! as `serde_json::Value`, small view structs) and returns a complete HTML
//! document as a `String`. The daemon's `page_routes` does the HTTP side
//! (language negotiation inputs, reads on blocking threads, headers).
//!
//! Safety rules the renderers keep: maud escapes every interpolated value
//! and nothing from a record goes through `PreEscaped`; a record's image
//! URL reaches `<img src>` only when it is https (the daemon's
//! Content-Security-Policy allows no other remote source); a contact's
//! website becomes a link only when it is http(s). Text carries its `lang`
//! attribute, and codes sit in `<bdi>` so digits keep their order on a
//! right-to-left page.

mod assets;
mod i18n;
mod layout;
mod ops;
mod product;
mod search;
mod text;

use maud::{Markup, html};

pub use assets::{Asset, asset};
pub use i18n::Lang;
pub use ops::{MAX_ROWS, OpsView, render_ops, render_ops_login};
pub use product::{ProductOutcome, ProductView, render_product};
pub use search::{SearchOutcome, SearchView, render_search};

/// Why the index could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// Nothing was published yet.
    NotPublished,
    /// The daemon publishes to a cluster, named here; the page reads only
    /// the embedded index.
    Cluster(String),
    /// A read failed (the detail goes to the daemon's log, not the page).
    Failed,
}

/// The polite notice for an index that cannot answer.
pub(crate) fn unavailable(lang: Lang, why: &Unavailable) -> Markup {
    let s = lang.strings();
    match why {
        Unavailable::NotPublished => html! { p.notice #unavailable { (s.not_published) } },
        Unavailable::Cluster(name) => html! { p.notice.warn #unavailable { (i18n::fill(s.cluster, name)) } },
        Unavailable::Failed => html! { p.notice.bad #unavailable { (s.read_failed) } },
    }
}
