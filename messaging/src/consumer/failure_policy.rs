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

#[cfg(test)]
mod tests {
    //! The policy's table, with a handler that fails as it is told: the
    //! concurrent write, the transient failure and the bug. (The bad message,
    //! parked, is the contract suite's case
    //! `an_unparseable_message_is_parked_with_its_stream_and_position`: it
    //! needs a store to park in and to read the dead letter back from.) A
    //! pause of an hour shows that the policy paused (the handler is not
    //! called again, and shutdown ends the wait); a pause of a millisecond
    //! lets a retry come at once.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use tokio_util::sync::CancellationToken;
    use uuid::Uuid;

    use super::{Backoff, Handled, handle, retry_transient};
    use crate::consumer::dead_letter::DeadLetterStream;
    use crate::consumer::handler::{Handler, HandlerError};
    use crate::{MessageStore, StoreError, StoredMessage, StreamName, Time};

    /// The error a handler returns: a failure of one of the policy's kinds.
    #[derive(Clone, Copy)]
    enum Failure {
        Conflict,
        Transient,
        Unfixable,
    }

    impl Failure {
        fn error(self) -> StoreError {
            match self {
                Failure::Conflict => StoreError::WrongExpectedVersion {
                    stream_name: StreamName::from_stored("thing-1"),
                    expected: 0,
                    actual: 1,
                },
                Failure::Transient => StoreError::Database(sqlx::Error::PoolTimedOut),
                Failure::Unfixable => StoreError::InvalidRequest("a bug".to_string()),
            }
        }
    }

    /// Fails with `failure` the first `times` it is called, then succeeds.
    struct Failing {
        failure: Failure,
        times: u32,
        calls: Arc<AtomicU32>,
    }

    impl Failing {
        fn new(failure: Failure, times: u32) -> Failing {
            Failing {
                failure,
                times,
                calls: Arc::new(AtomicU32::new(0)),
            }
        }
    }

    impl Handler for Failing {
        async fn handle(&self, _message: &StoredMessage) -> Result<(), HandlerError> {
            // A handler that reads the store gives the runtime a turn; this
            // one must too. Without it, a policy that (wrongly) never paused
            // would spin here without ever returning to the runtime, and the
            // tests would hang instead of failing: the timeout could not fire,
            // nor the runtime drop the task.
            tokio::task::yield_now().await;
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            if call < self.times {
                return Err(self.failure.error().into());
            }
            Ok(())
        }
    }

    fn message() -> StoredMessage {
        StoredMessage {
            id: Uuid::new_v4(),
            stream_name: StreamName::from_stored("thing-1"),
            message_type: "Happened".to_string(),
            position: 0,
            global_position: 1,
            data: "{}".to_string(),
            metadata: None,
            time: Time::now(),
        }
    }

    fn dead_letters() -> DeadLetterStream {
        let store = MessageStore::in_memory();
        DeadLetterStream::new(
            store,
            StreamName::from_stored("thing+deadLetter"),
            "test".into(),
        )
    }

    fn pausing(first: Duration) -> Backoff {
        Backoff::new(first, first)
    }

    /// `handler` handling the message as the consumer hands it over,
    /// pausing as `backoff` says, with no shutdown to come.
    async fn handled(handler: &Failing, backoff: Backoff) -> Result<Handled, StoreError> {
        let dead_letters = dead_letters();
        let shutdown = CancellationToken::new();
        handle(handler, &message(), &dead_letters, backoff, &shutdown).await
    }

    const AN_HOUR: Duration = Duration::from_secs(3600);
    const A_MILLISECOND: Duration = Duration::from_millis(1);
    /// Far longer than handling a message a few times takes.
    const PATIENCE: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn nine_concurrent_writes_in_a_row_are_handled_again_at_once() {
        let handler = Failing::new(Failure::Conflict, 9);
        let outcome = tokio::time::timeout(PATIENCE, handled(&handler, pausing(AN_HOUR)))
            .await
            .expect("handled without pausing");
        assert_eq!(outcome.expect("handled"), Handled::Done);
        assert_eq!(handler.calls.load(Ordering::SeqCst), 10);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_tenth_concurrent_write_in_a_row_pauses_before_the_next_try() {
        let handler = Arc::new(Failing::new(Failure::Conflict, u32::MAX));
        let calls = handler.calls.clone();
        let shutdown = CancellationToken::new();
        let task = {
            let (handler, shutdown) = (handler.clone(), shutdown.clone());
            tokio::spawn(async move {
                let dead_letters = dead_letters();
                handle(
                    &*handler,
                    &message(),
                    &dead_letters,
                    pausing(AN_HOUR),
                    &shutdown,
                )
                .await
            })
        };
        let started = tokio::time::Instant::now();
        while calls.load(Ordering::SeqCst) < 10 && started.elapsed() < PATIENCE {
            tokio::time::sleep(A_MILLISECOND).await;
        }
        // Tried ten times, and then no more: it waits.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 10);
        shutdown.cancel();
        let stopped = task.await.expect("the task");
        assert_eq!(stopped.expect("stopped"), Handled::Stopped);
    }

    #[tokio::test]
    async fn a_transient_failure_is_retried_until_it_goes_away() {
        let handler = Failing::new(Failure::Transient, 3);
        let outcome = handled(&handler, pausing(A_MILLISECOND)).await;
        assert_eq!(outcome.expect("handled"), Handled::Done);
        assert_eq!(handler.calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_failure_no_retry_can_fix_is_returned_at_once() {
        let handler = Failing::new(Failure::Unfixable, 1);
        let outcome = handled(&handler, pausing(A_MILLISECOND)).await;
        let error = outcome.expect_err("a bug stops the consumer");
        assert!(error.to_string().contains("a bug"), "{error}");
        assert_eq!(handler.calls.load(Ordering::SeqCst), 1);
    }

    /// An operation that fails with `failure` the first `times`, then
    /// answers 7; and how many times it was called.
    fn operation(
        failure: Failure,
        times: u32,
    ) -> (
        Arc<AtomicU32>,
        impl FnMut() -> std::future::Ready<Result<u32, StoreError>>,
    ) {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = calls.clone();
        let operation = move || {
            let call = counted.fetch_add(1, Ordering::SeqCst);
            std::future::ready(if call < times {
                Err(failure.error())
            } else {
                Ok(7)
            })
        };
        (calls, operation)
    }

    #[tokio::test]
    async fn retry_transient_tries_a_transient_failure_again_and_returns_the_answer() {
        let (calls, operation) = operation(Failure::Transient, 2);
        let answer = retry_transient(&CancellationToken::new(), operation).await;
        assert_eq!(answer.expect("answered"), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn retry_transient_returns_any_other_failure_at_once() {
        let (calls, operation) = operation(Failure::Unfixable, 1);
        let answer = retry_transient(&CancellationToken::new(), operation).await;
        assert!(
            matches!(answer, Err(StoreError::InvalidRequest(_))),
            "{answer:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retry_transient_ends_with_none_when_shutdown_comes_first() {
        let (calls, operation) = operation(Failure::Transient, u32::MAX);
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let answer = retry_transient(&shutdown, operation).await;
        assert_eq!(answer.expect("no error"), None);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
