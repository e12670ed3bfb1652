//! The progress bar `ingest` draws on a terminal for a large message.

use std::fs::File;
use std::io::{self, IsTerminal, Read};

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

/// Messages smaller than this finish before a bar would help.
const MIN_BYTES: u64 = 8 * 1024 * 1024;

/// `file` as a reader that advances a progress bar on stderr, when stderr
/// is a terminal, the file is large and the user did not opt out;
/// otherwise the file itself.
pub(crate) fn counted(file: File, size: u64, disabled: bool) -> Box<dyn Read> {
    if disabled || size < MIN_BYTES || !io::stderr().is_terminal() {
        return Box::new(file);
    }
    let bar = ProgressBar::new(size).with_finish(ProgressFinish::AndClear);
    let style = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Box::new(bar.wrap_read(file))
}
