//! What a consumer does when handling a message fails: the policy of the
//! module documentation, in code.
//!
//! Each kind of failure gets the one remedy that can work for it:
//!
//! | failure | remedy |
//! |---|---|
//! | wrong expected version | handle the message again at once |
//! | transient database error | retry with growing pauses, forever |
//! | the message itself is bad | park it in the dead-letter stream, go on |
//! | anything else (a bug) | stop the consumer, naming the message |

use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::dead_letter::DeadLetterStream;
use super::handler::{Handler, HandlerError};
use crate::{StoreError, StoredMessage};

/// How handling one message ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// The message was handled (or parked): the consumer may move past it.
    Done,
    /// Shutdown came first: the message is still to be handled.
    Stopped,
}

/// After this many wrong expected versions in a row, a message is retried
/// with pauses instead of at once: a stream under constant contention is
/// better left alone a moment than hammered.
const CONFLICTS_BEFORE_PAUSING: u32 = 10;

/// Hands `message` to `handler` until it is handled, parked, or shutdown
/// comes; returns the store's error for a failure that retrying cannot fix.
pub(super) async fn handle<H: Handler>(
    handler: &H,
    message: &StoredMessage,
    dead_letters: &DeadLetterStream,
    mut backoff: Backoff,
    shutdown: &CancellationToken,
) -> Result<Handled, StoreError> {
    let mut conflicts: u32 = 0;
    loop {
        let error = match handler.handle(message).await {
            Ok(()) => return Ok(Handled::Done),
            Err(error) => error,
        };
        let delay = match error {
            HandlerError::Message(error) => {
                tracing::error!(%error, "cannot handle this message; parking it");
                let parked =
                    retry_with(backoff, shutdown, || dead_letters.park(message, &error)).await?;
                return Ok(match parked {
                    Some(()) => Handled::Done,
                    None => Handled::Stopped,
                });
            }
            HandlerError::Store(error) if error.is_wrong_expected_version() => {
                // Someone else wrote first. Fetching again and deciding
                // again is the whole remedy, so the handler runs again.
                conflicts += 1;
                tracing::debug!(%error, conflicts, "concurrent write; handling it again");
                if conflicts < CONFLICTS_BEFORE_PAUSING {
                    continue;
                }
                backoff.next_delay()
            }
            HandlerError::Store(error) if error.is_transient() => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = delay.as_millis(), "transient failure; retrying");
                delay
            }
            HandlerError::Store(error) => return Err(error),
        };
        tokio::select! {
            () = shutdown.cancelled() => return Ok(Handled::Stopped),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// An error that says whether trying again later could help: a database
/// restarting, a connection lost.
pub trait Transient: std::fmt::Display {
    fn is_transient(&self) -> bool;
}

impl Transient for StoreError {
    fn is_transient(&self) -> bool {
        StoreError::is_transient(self)
    }
}

/// Runs `operation` until it succeeds, retrying transient errors with
/// backoff. `Ok(None)` means shutdown came first.
pub async fn retry_transient<T, E, F, Fut>(
    shutdown: &CancellationToken,
    operation: F,
) -> Result<Option<T>, E>
where
    E: Transient,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    retry_with(Backoff::default(), shutdown, operation).await
}

/// [`retry_transient`], waiting as `backoff` says.
pub async fn retry_with<T, E, F, Fut>(
    mut backoff: Backoff,
    shutdown: &CancellationToken,
    mut operation: F,
) -> Result<Option<T>, E>
where
    E: Transient,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    loop {
        match operation().await {
            Ok(value) => return Ok(Some(value)),
            Err(error) if error.is_transient() => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = delay.as_millis(), "unavailable; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(None),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(error) => return Err(error),
        }
    }
}
