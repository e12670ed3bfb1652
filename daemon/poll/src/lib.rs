//! The HTTP data pool client. Being written.
