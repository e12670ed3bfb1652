//! The configuration file. Being written.
