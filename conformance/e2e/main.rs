//! The end-to-end suite of the daemon (issue 5, point 7): each test runs the
//! real `gdsn-sync run` binary against the data pool simulator over
//! loopback, then checks what reached the store, the index (`lookup`) and
//! the pool (the simulator's acknowledgements and received replies).
//!
//! Polls are triggered with `POST /v1/connections/{name}/poll` (every
//! connection has a schedule that cannot fire during a test); waits are
//! short polling loops with a deadline (`support::wait_for`).
//!
//! It is an integration-test target of the gdsn-sync package (so cargo
//! builds the binary first), kept here in `conformance/` with the other
//! cross-cutting tests: `cargo nextest run -p gdsn-sync --test e2e`.

mod support;

mod changed_since;
mod dropfolder;
mod enrolment;
mod inbox;
mod probe;
mod shutdown;
mod webhook;
