//! Integration tests of the OpenSearch sink, in one test binary: protocol
//! probes and scenarios against the two emulators, fault injection through
//! our own server, and the same scenarios against a real cluster when
//! `GDSN_SYNC_TEST_OPENSEARCH_URL` names one.

mod blocking;
mod emulators;
mod faults;
mod probe;
mod real_cluster;
mod scenarios;
mod support;
