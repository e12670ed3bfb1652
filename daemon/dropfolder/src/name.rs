//! File names: which inbox entries are ignored, and which names are refused.

use crate::error::NameError;

/// Suffixes of names that writers use while a file is still being written.
pub const TEMPORARY_SUFFIXES: [&str; 3] = [".part", ".tmp", ".filepart"];

/// Longest name accepted, in bytes; file systems allow 255, the rest is kept for clash counters and
/// `.reason.txt`.
pub const MAX_NAME_BYTES: usize = 200;

/// Whether an inbox entry is someone's work in progress: hidden, or a temporary name. Such entries
/// are never looked at until they are renamed.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || TEMPORARY_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Checks that `name` is one plain path component that cannot reach outside its folder.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name == "." || name == ".." {
        return Err(NameError::DotOrDotDot);
    }
    if name.contains('/') {
        return Err(NameError::Slash);
    }
    if name.contains('\\') {
        return Err(NameError::Backslash);
    }
    if name.contains('\0') {
        return Err(NameError::Nul);
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    if name.starts_with('.') {
        return Err(NameError::Hidden);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(NameError::TooLong);
    }
    Ok(())
}

/// The `n`th alternative of `name` for a clash: the counter goes before the last extension
/// (`CIN.xml` → `CIN.1.xml`) so tools still see `.xml`; without an extension it is appended.
pub(crate) fn with_counter(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{}.{n}{}", &name[..dot], &name[dot..]),
        _ => format!("{name}.{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_go_before_the_extension() {
        assert_eq!(with_counter("CIN.xml", 0), "CIN.xml");
        assert_eq!(with_counter("CIN.xml", 2), "CIN.2.xml");
        assert_eq!(with_counter("CIN", 1), "CIN.1");
        assert_eq!(with_counter("a.b.xml", 3), "a.b.3.xml");
    }
}
