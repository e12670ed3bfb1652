//! [`MessageHandler`]: where fetched messages go, and the [`Durable`] proof that lets us acknowledge.

use std::future::Future;

/// The handler's word that a message is stored for good (parsed, applied and flushed, or at least
/// written and fsynced): only then is it acknowledged to the pool or counted as seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durable;

/// The caller's sink for fetched messages. It gets each message's id and XML bytes, one at a time,
/// in listing order, and answers `Ok(Durable)` once the message survives a crash. An error stops the
/// poll: the message is not acknowledged and comes again on the next poll.
pub trait MessageHandler: Send {
    /// The handler's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Takes one message.
    fn handle(&mut self, id: &str, xml: Vec<u8>)
    -> impl Future<Output = Result<Durable, Self::Error>> + Send;
}
