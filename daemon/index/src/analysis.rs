//! The analysers (tokenizer chains) the text fields use, and which language
//! goes to which field.
//!
//! tantivy does not store analysers in the index: every handle that opens
//! an index registers them again ([`register`]), under the names the schema
//! refers to. Changing what a name does changes the terms of new documents
//! only, so any change here needs a rebuild (a new generation).

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};

use crate::arabic::ArabicNormalizer;

/// English: words, lower case, ASCII folding, English (Porter 2) stemmer.
pub const EN: &str = "en";
/// French: words, lower case, ASCII folding (accent-insensitive), French stemmer.
pub const FR: &str = "fr";
/// Russian: words, lower case, Russian stemmer.
pub const RU: &str = "ru";
/// Arabic: words, lower case, Arabic normalisation, Arabic stemmer.
pub const AR: &str = "ar";
/// Every other language, brand and party names: words, lower case, ASCII folding.
pub const FOLDED: &str = "folded";
/// A whole value as one term, lower case and ASCII folded (the brand filter).
pub const KEYWORD: &str = "keyword_folded";

/// Longest token kept, in bytes: longer ones are noise (base64, URLs
/// without spaces) and tantivy refuses terms past 64 KiB anyway.
const MAX_TOKEN_BYTES: usize = 80;

/// The languages with an analyser of their own; every other text goes to
/// the [`FOLDED`] field.
pub const OWN_LANGUAGES: [&str; 4] = [EN, FR, RU, AR];

/// Registers every analyser of this crate on `index` (under the names the
/// schema refers to); needed on every `Index` opened on our schema.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(EN, latin(Language::English));
    manager.register(FR, latin(Language::French));
    manager.register(
        RU,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Russian))
            .build(),
    );
    manager.register(
        AR,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(ArabicNormalizer)
            .filter(Stemmer::new(Language::Arabic))
            .build(),
    );
    manager.register(
        FOLDED,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    manager.register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build(),
    );
}

/// A Latin-script language: folding before stemming, so `crème` and
/// `creme` stem alike (the stemmers handle unaccented input well).
fn latin(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(language))
        .build()
}

/// The analyser for a language code as records carry it (`en`, `fr-ca`,
/// `und`): the primary subtag, case-insensitively, else [`FOLDED`].
pub fn analyser_for(language: &str) -> &'static str {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    OWN_LANGUAGES.into_iter().find(|l| primary.eq_ignore_ascii_case(l)).unwrap_or(FOLDED)
}

/// The terms `analyser` makes of `text` (empty for an unknown analyser).
pub(crate) fn terms(index: &Index, analyser: &str, text: &str) -> Vec<String> {
    let Some(mut analyzer) = index.tokenizers().get(analyser) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Schema;

    use super::*;

    fn index() -> Index {
        let index = Index::create_in_ram(Schema::builder().build());
        register(&index);
        index
    }

    #[test]
    fn languages_map_to_analysers() {
        assert_eq!(analyser_for("en"), EN);
        assert_eq!(analyser_for("fr-CA"), FR);
        assert_eq!(analyser_for("AR"), AR);
        assert_eq!(analyser_for("de"), FOLDED);
        assert_eq!(analyser_for("und"), FOLDED);
        assert_eq!(analyser_for(""), FOLDED);
    }

    #[test]
    fn english_stems_plurals_and_folds() {
        let index = index();
        assert_eq!(terms(&index, EN, "Headphones"), terms(&index, EN, "headphone"));
        assert_eq!(terms(&index, EN, "Lumière d'Ambre"), ["lumier", "d", "ambr"]);
    }

    #[test]
    fn french_is_accent_insensitive() {
        let index = index();
        assert_eq!(terms(&index, FR, "doré"), terms(&index, FR, "dore"));
        assert_eq!(terms(&index, FR, "étui"), terms(&index, FR, "ETUI"));
    }

    #[test]
    fn russian_stems_inflections() {
        let index = index();
        assert_eq!(terms(&index, RU, "флакон"), terms(&index, RU, "флаконы"));
        assert_eq!(terms(&index, RU, "Вода"), terms(&index, RU, "воды"));
    }

    #[test]
    fn arabic_normalises_then_stems() {
        let index = index();
        let plain = terms(&index, AR, "عطر");
        assert_eq!(terms(&index, AR, "عِطْر"), plain);
        assert_eq!(terms(&index, AR, "عطـــر"), plain);
        assert_eq!(terms(&index, AR, "أقراص"), terms(&index, AR, "اقراص"));
        assert!(terms(&index, AR, "ـــ").is_empty());
    }

    #[test]
    fn keyword_is_one_folded_term() {
        let index = index();
        assert_eq!(terms(&index, KEYWORD, "Maison Lumière"), ["maison lumiere"]);
        assert_eq!(terms(&index, FOLDED, "Kopfhörer"), ["kopfhorer"]);
    }
}
