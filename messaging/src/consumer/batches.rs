//! How a consumer hands a batch to its handler: one message after another.
//!
//! This is one of the two points of the consumer's loop that a layer may
//! change from outside (the other is how it waits, in `subscription.rs`).
//! The plain way, [`InOrder`], is the whole lesson: each message in the
//! category's order, the next only once the one before is handled. The
//! lanes layer (`messaging-layers`) hands several entities' messages to the
//! handler at once instead, and is held to the same contract tests.

use std::fmt;

use futures_util::future::BoxFuture;

use super::ConsumerError;
use super::failure_policy::Handled;
use crate::StoredMessage;

/// Handles one message under the failure policy: what a [`HandleBatch`] is
/// given to call for each message.
pub type HandleOne<'a> =
    dyn Fn(&'a StoredMessage) -> BoxFuture<'a, Result<Handled, ConsumerError>> + Send + Sync + 'a;

/// How a batch ended: how many messages from its start were all handled
/// (the consumer may record the position of the last of them), and whether
/// it ended because every message was handled, shutdown came, or handling
/// failed.
pub type BatchHandled = (usize, Result<Handled, ConsumerError>);

/// Hands a batch to a handler.
pub trait HandleBatch: Send + Sync + fmt::Debug {
    /// Hands each of `messages` to `handle_one`.
    fn handle<'a>(
        &'a self,
        messages: &'a [StoredMessage],
        handle_one: &'a HandleOne<'a>,
    ) -> BoxFuture<'a, BatchHandled>;
}

/// The plain way: one message after another, in order, stopping at the
/// first that is not handled.
#[derive(Clone, Copy, Debug, Default)]
pub struct InOrder;

impl HandleBatch for InOrder {
    fn handle<'a>(
        &'a self,
        messages: &'a [StoredMessage],
        handle_one: &'a HandleOne<'a>,
    ) -> BoxFuture<'a, BatchHandled> {
        Box::pin(async move {
            for (handled, message) in messages.iter().enumerate() {
                match handle_one(message).await {
                    Ok(Handled::Done) => {}
                    stopped_or_failed => return (handled, stopped_or_failed),
                }
            }
            (messages.len(), Ok(Handled::Done))
        })
    }
}
