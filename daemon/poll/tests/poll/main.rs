//! gdsn-poll against the pool simulator over real loopback HTTP, one simulator per test on port 0.

mod auth;
mod changes;
mod faults;
mod helpers;
mod inbox;
mod mtls;
