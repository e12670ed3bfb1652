//! Integration tests of the drop folder, on real files in temporary directories.

mod confine;
mod deploy;
mod outbound;
mod scan;
mod take;
mod util;
