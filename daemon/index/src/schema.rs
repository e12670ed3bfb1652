//! The index schema: one document per item key, plus tombstones.
//!
//! The field names are part of the on-disk format: [`build`] must produce
//! the same schema as the index was created with, or the generation is
//! refused (`IndexError::SchemaMismatch`) and has to be rebuilt.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;

/// Field names, as the README's table lists them.
pub mod names {
    /// Item key `GLN/GTIN/TM[/SUB]`: the document id.
    pub const KEY: &str = "key";
    /// The change version (outbox sequence) of the indexed state.
    pub const VERSION: &str = "version";
    /// True on tombstones.
    pub const DELETED: &str = "deleted";
    /// The record JSON text.
    pub const RECORD: &str = "record";
    /// GTIN-14 and the GTIN-8/12/13 forms it has.
    pub const GTIN: &str = "gtin";
    /// Brand name as given (facet).
    pub const BRAND: &str = "brand";
    /// Brand name, lower case and folded (filter).
    pub const BRAND_FILTER: &str = "brand_filter";
    /// Target market `TM` or `TM/SUB` (facet).
    pub const MARKET: &str = "market";
    /// Target market country and, with a subdivision, `TM/SUB` (filter).
    pub const MARKET_FILTER: &str = "market_filter";
    /// GPC brick code (filter and facet).
    pub const GPC: &str = "gpc";
    /// Information provider GLN.
    pub const PROVIDER_GLN: &str = "provider_gln";
    /// Brand, sub-brand and party names, folded.
    pub const NAMES: &str = "names";
    /// English texts and the GPC brick name.
    pub const TEXT_EN: &str = "text_en";
    /// French texts.
    pub const TEXT_FR: &str = "text_fr";
    /// Russian texts.
    pub const TEXT_RU: &str = "text_ru";
    /// Arabic texts.
    pub const TEXT_AR: &str = "text_ar";
    /// Texts in every other language, folded.
    pub const TEXT_FOLDED: &str = "text_folded";
}

/// The schema's field handles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) key: Field,
    pub(crate) version: Field,
    pub(crate) deleted: Field,
    pub(crate) record: Field,
    pub(crate) gtin: Field,
    pub(crate) brand: Field,
    pub(crate) brand_filter: Field,
    pub(crate) market: Field,
    pub(crate) market_filter: Field,
    pub(crate) gpc: Field,
    pub(crate) provider_gln: Field,
    pub(crate) names: Field,
    /// Language texts in [`analysis::OWN_LANGUAGES`] order, then folded.
    pub(crate) texts: [Field; 5],
}

impl Fields {
    /// The text field for an analyser name from [`analysis::analyser_for`].
    pub(crate) fn text_for(&self, analyser: &str) -> Field {
        let i = analysis::OWN_LANGUAGES.iter().position(|l| *l == analyser).unwrap_or(4);
        self.texts[i]
    }

    /// Every free-text field with the analyser it uses: the language
    /// fields and the names.
    pub(crate) fn text_fields(&self) -> [(Field, &'static str); 6] {
        let [en, fr, ru, ar, folded] = self.texts;
        [
            (en, analysis::EN),
            (fr, analysis::FR),
            (ru, analysis::RU),
            (ar, analysis::AR),
            (folded, analysis::FOLDED),
            (self.names, analysis::FOLDED),
        ]
    }
}

/// Builds the schema and its field handles.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keyword = STRING.set_fast("raw");
    let fields = Fields {
        key: b.add_text_field(names::KEY, keyword.clone().set_stored()),
        version: b.add_u64_field(names::VERSION, FAST | STORED),
        deleted: b.add_bool_field(names::DELETED, INDEXED | FAST),
        record: b.add_text_field(names::RECORD, TextOptions::default().set_stored()),
        gtin: b.add_text_field(names::GTIN, STRING),
        brand: b.add_text_field(names::BRAND, keyword.clone()),
        brand_filter: b
            .add_text_field(names::BRAND_FILTER, text(analysis::KEYWORD, IndexRecordOption::Basic)),
        market: b.add_text_field(names::MARKET, keyword.clone()),
        market_filter: b.add_text_field(names::MARKET_FILTER, STRING),
        gpc: b.add_text_field(names::GPC, keyword),
        provider_gln: b.add_text_field(names::PROVIDER_GLN, STRING),
        names: b.add_text_field(names::NAMES, text(analysis::FOLDED, IndexRecordOption::WithFreqs)),
        texts: [
            b.add_text_field(names::TEXT_EN, text(analysis::EN, IndexRecordOption::WithFreqs)),
            b.add_text_field(names::TEXT_FR, text(analysis::FR, IndexRecordOption::WithFreqs)),
            b.add_text_field(names::TEXT_RU, text(analysis::RU, IndexRecordOption::WithFreqs)),
            b.add_text_field(names::TEXT_AR, text(analysis::AR, IndexRecordOption::WithFreqs)),
            b.add_text_field(names::TEXT_FOLDED, text(analysis::FOLDED, IndexRecordOption::WithFreqs)),
        ],
    };
    (b.build(), fields)
}

/// An indexed, unstored text field. Positions are not kept: queries are
/// bags of terms, never phrases, and positions would double the postings.
fn text(analyser: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(analyser).set_index_option(record))
}
