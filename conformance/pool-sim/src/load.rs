//! Reading the messages directory: every regular `*.xml` file, in file-name order.

use std::path::Path;

use crate::error::SimError;

/// The (file name, bytes) of every `*.xml` file directly in `dir`, sorted by name.
pub(crate) fn messages_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, SimError> {
    let io = |source| SimError::Io { path: dir.to_owned(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map_err(io)?.is_file();
        if is_file && name.to_ascii_lowercase().ends_with(".xml") && !name.starts_with('.') {
            files.push(name);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let bytes = std::fs::read(&path).map_err(|source| SimError::Io { path, source })?;
            Ok((name, bytes))
        })
        .collect()
}
