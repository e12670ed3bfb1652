//! The drop-folder transport. Being written.
