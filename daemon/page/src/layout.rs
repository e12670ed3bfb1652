//! The page shell every page shares: `<html lang dir>`, the top bar with
//! the language switcher, the search box, the footer.

use maud::{DOCTYPE, Markup, html};

use crate::assets;
use crate::i18n::Lang;
use crate::text::query;

/// Where the page is, so each language link reopens the same page.
pub(crate) struct Here<'a> {
    pub(crate) path: &'a str,
    /// Query parameters other than `ui`.
    pub(crate) params: Vec<(&'a str, &'a str)>,
}

impl Here<'_> {
    fn in_lang(&self, lang: Lang) -> String {
        let mut params = self.params.clone();
        params.push(("ui", lang.code()));
        format!("{}{}", self.path, query(&params))
    }
}

/// The search form: its current text, the market filter it keeps, and
/// whether it takes the focus (the search page; not under a product card,
/// where a phone would scroll to it).
pub(crate) struct SearchBox<'a> {
    pub(crate) q: &'a str,
    pub(crate) market: &'a str,
    pub(crate) autofocus: bool,
}

pub(crate) fn page(
    lang: Lang,
    title: &str,
    here: &Here<'_>,
    search: Option<&SearchBox<'_>>,
    body: &Markup,
) -> String {
    let s = lang.strings();
    let placeholder = assets::url("placeholder.svg");
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) data-placeholder=(placeholder) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (s.app_title) }
                link rel="icon" href=(assets::url("icon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(assets::url("page.css"));
                script src=(assets::url("page.js")) defer {}
            }
            body {
                header.bar {
                    a.home href=(format!("/{}", query(&[("ui", lang.code())]))) {
                        img src=(assets::url("icon.svg")) alt="";
                        span { (s.app_title) }
                    }
                    nav.langs aria-label="Language" {
                        @for other in Lang::ALL {
                            a href=(here.in_lang(other)) lang=(other.code()) hreflang=(other.code())
                                aria-current=[(other == lang).then_some("true")] {
                                (other.strings().lang_name)
                            }
                        }
                    }
                }
                main {
                    @if let Some(search) = search {
                        (search_form(lang, search))
                    }
                    (body)
                }
                footer {
                    a href=(format!("/ops{}", query(&[("ui", lang.code())]))) { (s.ops_link) }
                    " · gdsn-sync"
                }
            }
        }
    };
    markup.into_string()
}

fn search_form(lang: Lang, search: &SearchBox<'_>) -> Markup {
    let s = lang.strings();
    html! {
        form.search action="/" method="get" role="search" {
            label for="q" { (s.search_label) }
            div.field {
                input #q type="search" name="q" value=(search.q) placeholder=(s.search_placeholder)
                    autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="search"
                    autofocus[search.autofocus];
                button type="submit" { (s.search_button) }
            }
            @if !search.market.is_empty() {
                input type="hidden" name="market" value=(search.market);
            }
            @if search.autofocus && search.q.is_empty() {
                p.hint { (s.search_hint) }
            }
        }
    }
}
