//! The alias, its concrete indices, and the primitives of a zero-downtime
//! reindex: create the next index, fill it, check it, swap the alias.

use reqwest::Method;
use serde_json::{Value, json};

use crate::config::check_index_name;
use crate::error::OpenSearchError;
use crate::http::response_error;
use crate::sink::OpenSearchSink;

/// Digits of the number in a concrete index name, `{alias}-000001`.
const INDEX_NUMBER_DIGITS: usize = 6;

/// What [`OpenSearchSink::ensure_ready`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The alias existed, over these concrete indices.
    Existing(Vec<String>),
    /// The alias did not exist: this index was created with the template,
    /// and the alias with it, in one request.
    Created(String),
}

/// One search hit: the document id (the item key) and the product record.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document `_id`, the item key `GLN/GTIN/TM[/SUBDIVISION]`.
    pub id: String,
    /// The normalized product record as published.
    pub record: Value,
}

impl OpenSearchSink {
    /// The create-index body new indices get: the configured one or the
    /// built-in template.
    pub fn index_body(&self) -> &Value {
        &self.index_body
    }

    /// Makes sure the alias exists. When it does not, creates the next
    /// concrete index (`{alias}-000001` on a new cluster) with the index
    /// body and the alias in one request, so no reader or writer ever sees
    /// the index without the alias. Safe to run from several processes: the
    /// loser of a creation race finds the winner's alias.
    pub async fn ensure_ready(&self) -> Result<Readiness, OpenSearchError> {
        let existing = self.alias_indices().await?;
        if !existing.is_empty() {
            return Ok(Readiness::Existing(existing));
        }
        let name = self.next_index_name().await?;
        let mut body = self.index_body.clone();
        if let Some(fields) = body.as_object_mut() {
            fields.insert("aliases".into(), json!({ self.alias.as_str(): {} }));
        }
        match self.http.json(Method::PUT, &name, Some(&body)).await {
            Ok(_) => {
                tracing::info!(index = %name, alias = %self.alias, "created the first index and its alias");
                Ok(Readiness::Created(name))
            }
            Err(e) if e.error_type().as_deref() == Some("resource_already_exists_exception") => {
                let existing = self.alias_indices().await?;
                if existing.is_empty() { Err(e) } else { Ok(Readiness::Existing(existing)) }
            }
            Err(e) => Err(e),
        }
    }

    /// The concrete indices behind the alias, sorted; empty when the alias
    /// does not exist.
    pub async fn alias_indices(&self) -> Result<Vec<String>, OpenSearchError> {
        let path = format!("_alias/{}", self.alias);
        match self.http.json(Method::GET, &path, None).await {
            Ok(value) => Ok(sorted_keys(&value)),
            Err(e) if e.status() == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Creates the next concrete index, `{alias}-NNNNNN` numbered one above
    /// the highest that exists, with the index body and no alias. Returns
    /// its name. Fill it with [`OpenSearchSink::publish_to_index`].
    pub async fn create_next_index(&self) -> Result<String, OpenSearchError> {
        let name = self.next_index_name().await?;
        self.http.json(Method::PUT, &name, Some(&self.index_body)).await?;
        tracing::info!(index = %name, "created index");
        Ok(name)
    }

    async fn next_index_name(&self) -> Result<String, OpenSearchError> {
        let path = format!("{}-*/_alias", self.alias);
        let indices = self.http.json(Method::GET, &path, None).await?;
        let highest = sorted_keys(&indices).iter().filter_map(|name| index_number(&self.alias, name)).max();
        let next = highest.unwrap_or(0).checked_add(1).ok_or_else(|| {
            OpenSearchError::State(format!("no index number left after {}", highest.unwrap_or(0)))
        })?;
        Ok(format!("{}-{next:0INDEX_NUMBER_DIGITS$}", self.alias))
    }

    /// Makes everything written to `index` (an index or the alias) visible
    /// to searches now.
    pub async fn refresh(&self, index: &str) -> Result<(), OpenSearchError> {
        check_name(index)?;
        self.http.json(Method::POST, &format!("{index}/_refresh"), None).await?;
        Ok(())
    }

    /// The number of documents in `index` (an index or the alias), as of its
    /// last refresh.
    pub async fn count(&self, index: &str) -> Result<u64, OpenSearchError> {
        check_name(index)?;
        let path = format!("{index}/_count");
        let value = self.http.json(Method::GET, &path, None).await?;
        value.get("count").and_then(Value::as_u64).ok_or_else(|| OpenSearchError::Response {
            op: format!("GET /{path}"),
            reason: "no count".into(),
        })
    }

    /// The records in `index` (an index or the alias) whose GTIN is `gtin`,
    /// in any of its forms (GTIN-8, -12, -13 or -14); at most 100, one per
    /// provider and target market.
    pub async fn search_gtin(&self, index: &str, gtin: &str) -> Result<Vec<Hit>, OpenSearchError> {
        check_name(index)?;
        let path = format!("{index}/_search");
        let query = json!({ "size": 100, "query": { "term": { "gtin_forms": gtin } } });
        let value = self.http.json(Method::POST, &path, Some(&query)).await?;
        let Some(hits) = value.pointer("/hits/hits").and_then(Value::as_array) else {
            return Err(response_error(&format!("POST /{path}"), &NoHits));
        };
        Ok(hits.iter().filter_map(hit).collect())
    }

    /// Points the alias at `new` instead of `old` in one atomic
    /// `POST /_aliases` (remove and add together): every search sees one
    /// index or the other, never neither or both. Fails, changing nothing,
    /// when the alias is not exactly on `old`.
    ///
    /// The remove carries `must_exist: true`: without it Elasticsearch 8
    /// applies the add even when the remove finds nothing. OpenSearch before
    /// 2.12 does not know the field (and refuses the request, changing
    /// nothing); the swap is then sent again without it, where a missing
    /// alias fails the whole request. The alias is checked before and after.
    pub async fn swap_alias(&self, old: &str, new: &str) -> Result<(), OpenSearchError> {
        check_name(old)?;
        check_name(new)?;
        if old == new {
            return Err(OpenSearchError::State(format!("swap of {old} with itself")));
        }
        let before = self.alias_indices().await?;
        if before != [old] {
            return Err(OpenSearchError::State(format!(
                "alias {} is on {before:?}, not on {old}",
                self.alias
            )));
        }
        let answer =
            match self.http.json(Method::POST, "_aliases", Some(&self.swap_actions(old, new, true))).await {
                Err(e) if e.status() == Some(400) && e.to_string().contains("must_exist") => {
                    self.http
                        .json(Method::POST, "_aliases", Some(&self.swap_actions(old, new, false)))
                        .await?
                }
                other => other?,
            };
        let refused = answer.get("acknowledged").and_then(Value::as_bool) != Some(true)
            || answer.get("errors").and_then(Value::as_bool) == Some(true);
        let after = self.alias_indices().await?;
        if refused || after != [new] {
            return Err(OpenSearchError::State(format!(
                "alias swap {old} -> {new} failed: alias now on {after:?}, answer {answer}"
            )));
        }
        tracing::info!(alias = %self.alias, %old, %new, "alias swapped");
        Ok(())
    }

    fn swap_actions(&self, old: &str, new: &str, must_exist: bool) -> Value {
        let mut remove = json!({ "index": old, "alias": self.alias });
        if must_exist {
            remove["must_exist"] = json!(true);
        }
        json!({ "actions": [{ "remove": remove }, { "add": { "index": new, "alias": self.alias } }] })
    }

    /// Deletes the concrete index `index`, after a swap. Refuses an index
    /// the alias still points at, and the alias itself.
    pub async fn delete_index(&self, index: &str) -> Result<(), OpenSearchError> {
        check_name(index)?;
        if index == self.alias || self.alias_indices().await?.iter().any(|name| name == index) {
            return Err(OpenSearchError::State(format!("{index} still serves alias {}", self.alias)));
        }
        self.http.json(Method::DELETE, index, None).await?;
        tracing::info!(%index, "deleted index");
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no hits in the search response")]
struct NoHits;

fn check_name(name: &str) -> Result<(), OpenSearchError> {
    check_index_name(name).map_err(|reason| OpenSearchError::IndexName { name: name.to_owned(), reason })
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

/// `7` for `gdsn-products-000007` and alias `gdsn-products`.
fn index_number(alias: &str, name: &str) -> Option<u64> {
    let digits = name.strip_prefix(alias)?.strip_prefix('-')?;
    if digits.len() < INDEX_NUMBER_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn hit(hit: &Value) -> Option<Hit> {
    let id = hit.get("_id")?.as_str()?.to_owned();
    let source = hit.get("_source")?;
    let record = source.get("record").unwrap_or(source).clone();
    Some(Hit { id, record })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_numbers() {
        assert_eq!(index_number("gdsn-products", "gdsn-products-000007"), Some(7));
        assert_eq!(index_number("gdsn-products", "gdsn-products-1234567"), Some(1_234_567));
        assert_eq!(index_number("gdsn-products", "gdsn-products-7"), None);
        assert_eq!(index_number("gdsn-products", "gdsn-products-old"), None);
        assert_eq!(index_number("gdsn-products", "gdsn-products-x-000001"), None);
        assert_eq!(index_number("gdsn-products", "other-000001"), None);
    }

    #[test]
    fn hits_read_the_record() {
        let value = json!({"_id": "k", "_source": {"gtin": "1", "record": {"gtin": "1", "x": 2}}});
        assert_eq!(hit(&value), Some(Hit { id: "k".into(), record: json!({"gtin": "1", "x": 2}) }));
        assert_eq!(hit(&json!({"_source": {}})), None);
    }
}
