//! The simulator over real HTTP on loopback: every test starts its own simulator on a free port.
//! One test binary (modules below) keeps linking time down.

mod auth;
mod changes;
mod cli;
mod config_defaults;
mod drop_folder;
mod faults;
mod helpers;
mod inbox;
mod lifecycle;
mod openapi;
mod outbound;
mod push;
mod tls;
