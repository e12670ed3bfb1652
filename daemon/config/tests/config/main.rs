//! The integration tests of gdsn-config, one binary (builds are slow; each test file would link its
//! own). Each module has a one-line purpose; [`util`] holds the fake environment and loaders.

mod bad;
mod defaults;
mod examples;
mod paths;
mod readme;
mod robust;
mod schedules;
mod schema;
mod secrets;
mod util;
