//! One pass over the matching documents that yields the page after the
//! cursor, the total and the facet counts.
//!
//! Per segment, the key is compared through its term ordinal (the segment's
//! key dictionary is sorted, so ordinals order like keys) and facet values
//! are counted by ordinal; strings are looked up only for the kept hits and
//! the facet values seen, at harvest.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{StrColumn, TermOrdHit};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::cursor::After;
use crate::schema::names;

/// The facet columns, in the order of [`Page::facets`].
pub(crate) const FACETS: [&str; 3] = [names::BRAND, names::MARKET, names::GPC];

/// The result of a collection.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// The best `limit` hits after the cursor: (score, key, address), in order.
    pub(crate) hits: Vec<(Score, String, DocAddress)>,
    /// Every matching document.
    pub(crate) total: u64,
    /// Matching documents after the cursor (more than `hits` means another page).
    pub(crate) after_cursor: u64,
    /// Value -> count for each of [`FACETS`], over every matching document.
    pub(crate) facets: [BTreeMap<String, u64>; 3],
}

/// The collector.
pub(crate) struct PageCollector {
    pub(crate) limit: usize,
    pub(crate) after: Option<After>,
}

/// A hit held in a segment's heap; the heap's top is the worst hit.
struct Held {
    score: Score,
    key_ord: u64,
    doc: DocId,
}

impl Held {
    /// Better first: higher score, then lower key.
    fn rank(&self, other: &Held) -> Ordering {
        other.score.total_cmp(&self.score).then(self.key_ord.cmp(&other.key_ord))
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Held) -> Ordering {
        self.rank(other)
    }
}

/// Per-segment state.
pub(crate) struct SegmentPage {
    segment: SegmentOrdinal,
    limit: usize,
    keys: Option<StrColumn>,
    /// With a cursor: its score, and the first key ordinal after its key
    /// within this segment (for hits of equal score).
    after: Option<(Score, u64)>,
    heap: BinaryHeap<Held>,
    total: u64,
    after_cursor: u64,
    facet_columns: [Option<StrColumn>; 3],
    facet_counts: [HashMap<u64, u64>; 3],
}

impl Collector for PageCollector {
    type Fruit = Page;
    type Child = SegmentPage;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentPage> {
        let fast = reader.fast_fields();
        let keys = fast.str(names::KEY)?;
        let after = match (&self.after, &keys) {
            (Some(after), Some(keys)) => {
                let first_after = match keys.dictionary().term_ord_or_next(&after.key)? {
                    TermOrdHit::Exact(ord) => ord.saturating_add(1),
                    TermOrdHit::Next(ord) => ord,
                };
                Some((after.score, first_after))
            }
            (Some(after), None) => Some((after.score, u64::MAX)),
            (None, _) => None,
        };
        Ok(SegmentPage {
            segment,
            limit: self.limit,
            keys,
            after,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            total: 0,
            after_cursor: 0,
            facet_columns: [fast.str(FACETS[0])?, fast.str(FACETS[1])?, fast.str(FACETS[2])?],
            facet_counts: Default::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<io::Result<Page>>) -> tantivy::Result<Page> {
        let mut page = Page::default();
        for fruit in fruits {
            let fruit = fruit.map_err(TantivyError::from)?;
            page.total += fruit.total;
            page.after_cursor += fruit.after_cursor;
            page.hits.extend(fruit.hits);
            for (all, part) in page.facets.iter_mut().zip(fruit.facets) {
                for (value, count) in part {
                    *all.entry(value).or_default() += count;
                }
            }
        }
        page.hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        page.hits.truncate(self.limit);
        Ok(page)
    }
}

impl SegmentCollector for SegmentPage {
    type Fruit = io::Result<Page>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        for (column, counts) in self.facet_columns.iter().zip(self.facet_counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    *counts.entry(ord).or_default() += 1;
                }
            }
        }
        let key_ord = self.keys.as_ref().and_then(|k| k.ords().first(doc)).unwrap_or(u64::MAX);
        if let Some((after_score, first_after)) = self.after {
            let past = match score.total_cmp(&after_score) {
                Ordering::Less => true,
                Ordering::Equal => key_ord >= first_after,
                Ordering::Greater => false,
            };
            if !past {
                return;
            }
        }
        self.after_cursor += 1;
        if self.limit == 0 {
            return;
        }
        let held = Held { score, key_ord, doc };
        if self.heap.len() < self.limit {
            self.heap.push(held);
        } else if self.heap.peek().is_some_and(|worst| held < *worst) {
            self.heap.pop();
            self.heap.push(held);
        }
    }

    fn harvest(self) -> io::Result<Page> {
        let mut hits = Vec::with_capacity(self.heap.len());
        for held in self.heap.into_sorted_vec() {
            let key = match &self.keys {
                Some(keys) => ord_to_string(keys, held.key_ord)?,
                None => String::new(),
            };
            hits.push((held.score, key, DocAddress::new(self.segment, held.doc)));
        }
        let mut facets: [BTreeMap<String, u64>; 3] = Default::default();
        for ((column, counts), out) in self.facet_columns.iter().zip(self.facet_counts).zip(facets.iter_mut())
        {
            let Some(column) = column else { continue };
            for (ord, count) in counts {
                out.insert(ord_to_string(column, ord)?, count);
            }
        }
        Ok(Page { hits, total: self.total, after_cursor: self.after_cursor, facets })
    }
}

fn ord_to_string(column: &StrColumn, ord: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    column.ord_to_bytes(ord, &mut bytes)?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
