//! Consumers: reading a category forever and handing each message to a
//! handler.
//!
//! A component is little more than a few consumers. The account component,
//! for example, runs one on `account:command` (the commands sent to accounts)
//! and one on `accountTransaction` (its own reservations). Each consumer:
//!
//! 1. reads its last recorded position from its position stream,
//! 2. reads the category in batches from there, in global position order
//!    ([`Subscription`]), optionally only the messages correlated with
//!    another category, or only those of one consumer group member,
//! 3. hands each message to its [`Handler`], in order (or, with several
//!    [`lanes`], each entity's messages in order and different entities'
//!    side by side),
//! 4. records its position every `position_update_interval` messages, when it
//!    catches up (at most once per [`CATCH_UP_RECORDING_PAUSE`]), when the
//!    category has been quiet for a poll interval, and when it shuts down
//!    ([`PositionStore`]).
//!
//! Recording the position is not atomic with what the handler wrote, so after
//! a crash the messages since the last recorded position are handled again.
//! That is why every handler must be idempotent; it is the price of a dumb
//! pipe, and the components show how to pay it.
//!
//! ## When handling fails
//!
//! - **Wrong expected version**: another writer got to the stream first. The
//!   message is handled again at once; the handler fetches fresh state.
//! - **Transient database error**: retried with growing pauses, forever, or
//!   until shutdown. The consumer neither skips the message nor spins.
//! - **The message itself cannot be handled** (its data does not parse):
//!   parked in a dead-letter stream with the error, and the consumer goes on
//!   ([`DeadLettered`] explains the policy).
//! - **Anything else** (a bug): the consumer stops with an error that names
//!   the message, and the process exits. It resumes at the recorded position
//!   when restarted, so nothing is lost.

//!
//! ## Where to read on
//!
//! The loop itself is [`Consumer::run`], below. Around it, one file per
//! concern: [`Subscription`] (reading and waiting), `failure_policy.rs` (the
//! list above, in code), `progress.rs` (when to record the position),
//! [`lanes`] (the performance layer that handles several entities at once),
//! [`PositionStore`] and [`DeadLetterStream`] (the companion streams), and
//! [`Pause`] (holding a component still, to show that nothing else needs it).

pub mod backoff;
mod component;
mod dead_letter;
mod error;
mod failure_policy;
mod handler;
pub mod lanes;
mod pause;
mod position_store;
mod progress;
mod settings;
mod subscription;

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use backoff::Backoff;
pub use component::{Component, ComponentSettings, DEFAULT_LANES};
pub use dead_letter::{DeadLetterStream, DeadLettered};
pub use error::ConsumerError;
pub use handler::{Handler, HandlerError};
pub use pause::Pause;
pub use position_store::{PositionStore, Recorded};
pub use progress::CATCH_UP_RECORDING_PAUSE;
pub use settings::ConsumerSettings;
pub use subscription::{Next, Subscription};

use failure_policy::{Handled, retry_transient};
use progress::Progress;

use crate::metrics::ConsumerMeter;
use crate::{MessageStore, StoreError, StoredMessage};

/// Reads a category and hands each message to a handler; see the module
/// documentation.
#[derive(Debug)]
pub struct Consumer<H> {
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
    /// Holds the consumer still between batches when switched ([`Pause`]).
    pause: Pause,
}

impl<H: Handler> Consumer<H> {
    /// A consumer of `settings.category` that hands messages to `handler`.
    pub fn new(store: MessageStore, settings: ConsumerSettings, handler: H) -> Consumer<H> {
        Consumer {
            store,
            settings,
            handler,
            pause: Pause::new(),
        }
    }

    /// The same consumer, held still whenever `pause` is switched.
    pub fn pausable(mut self, pause: Pause) -> Consumer<H> {
        self.pause = pause;
        self
    }

    /// Runs until `shutdown` is cancelled (returning `Ok`) or a handler fails
    /// beyond retrying (returning the error). Either way the position reached
    /// is recorded before it returns, if the store allows.
    ///
    /// Every log line written while it runs, the handler's included, is
    /// inside a span that names the consumer, and each message's inside one
    /// that names the message: so a handler's own log lines stay short.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
        let span = tracing::info_span!("consumer", name = %self.settings.name());
        self.run_in_span(shutdown).instrument(span).await
    }

    async fn run_in_span(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
        let store_error = |source| self.store_error(source);
        let positions = PositionStore::new(
            self.store.clone(),
            self.settings.position_stream().map_err(store_error)?,
        );
        let dead_letters = DeadLetterStream::new(
            self.store.clone(),
            self.settings.dead_letter_stream().map_err(store_error)?,
            self.settings.name(),
        );
        let Some(recorded) = retry_transient(&shutdown, || positions.get())
            .await
            .map_err(store_error)?
        else {
            return Ok(());
        };
        // A recorded position is the last message handled; reading resumes
        // after it (from 1, Message DB's first position, when none is).
        let start = match recorded {
            None => 1,
            Some(position) => position.checked_add(1).ok_or_else(|| {
                store_error(StoreError::InvalidRequest(format!(
                    "the recorded position {position} leaves no position to read after it"
                )))
            })?,
        };
        tracing::info!(from_global_position = start, "consumer started");
        // What an operator's metrics report of this consumer (`metrics.rs`).
        let meter =
            ConsumerMeter::register(&self.store, &self.settings, start - 1).map_err(store_error)?;
        let mut subscription = self.subscribe(start);
        let mut progress = Progress::default();

        let outcome = loop {
            // 0. If paused, record how far it got and wait to be resumed.
            if self.pause.is_paused() {
                self.record(&positions, &mut progress, &shutdown).await;
                tracing::info!("consumer paused");
                if !self.pause.until_resumed(&shutdown).await {
                    break Ok(());
                }
                tracing::info!("consumer resumed");
            }
            // 1. Read the next batch of the category (waiting, if there is
            //    nothing new, until there is or the poll interval passes).
            let next = match subscription.next(&shutdown).await {
                Ok(next) => next,
                Err(source) => break Err(store_error(source)),
            };
            match next {
                Next::Batch(messages) => {
                    // 2. Hand each message to the handler, each entity's in
                    //    order (several entities side by side: `lanes`).
                    let (prefix, ended) =
                        lanes::handle_batch(&messages, self.settings.lanes, |message| {
                            self.handle(message, &dead_letters, &shutdown)
                        })
                        .await;
                    if let Some(last) = prefix.checked_sub(1).and_then(|i| messages.get(i)) {
                        progress.handled(last.global_position, prefix as u64);
                        meter.handled(last.global_position, prefix as u64);
                    }
                    match ended {
                        Ok(Handled::Done) => {}
                        Ok(Handled::Stopped) => break Ok(()),
                        Err(error) => break Err(error),
                    }
                    // 3. Record how far it got, every so often.
                    if progress.due_after(self.settings.position_update_interval) {
                        self.record(&positions, &mut progress, &shutdown).await;
                    }
                }
                Next::CaughtUp if progress.due_on_catching_up() => {
                    self.record(&positions, &mut progress, &shutdown).await;
                }
                Next::CaughtUp => {}
                Next::Idle => self.record(&positions, &mut progress, &shutdown).await,
                Next::Stopped => break Ok(()),
            }
        };

        // One last recording, even though shutdown was requested: a fresh
        // token lets it retry briefly. Failing only means some re-delivery.
        let grace = CancellationToken::new();
        let recording = self.record(&positions, &mut progress, &grace);
        if tokio::time::timeout(Duration::from_secs(5), recording)
            .await
            .is_err()
        {
            tracing::warn!("could not record the final position");
        }
        match &outcome {
            Ok(()) => tracing::info!("consumer stopped"),
            Err(error) => tracing::error!(%error, "consumer failed"),
        }
        outcome
    }

    /// A subscription to the category, as the settings filter it, from
    /// `start`.
    fn subscribe(&self, start: i64) -> Subscription {
        Subscription::new(
            self.store.clone(),
            self.settings.category_read().from_global_position(start),
            self.settings.poll_interval,
            self.settings.wake_on_new_messages,
        )
    }

    /// Hands one message to the handler under the failure policy, in a span
    /// that names the message.
    async fn handle(
        &self,
        message: &StoredMessage,
        dead_letters: &DeadLetterStream,
        shutdown: &CancellationToken,
    ) -> Result<Handled, ConsumerError> {
        let span = tracing::info_span!(
            "message",
            stream = %message.stream_name,
            global_position = message.global_position,
        );
        failure_policy::handle(&self.handler, message, dead_letters, shutdown)
            .instrument(span)
            .await
            .map_err(|source| self.failure(message, source))
    }

    /// Records the position reached, if it is not recorded yet.
    async fn record(
        &self,
        positions: &PositionStore,
        progress: &mut Progress,
        shutdown: &CancellationToken,
    ) {
        let Some(position) = progress.unrecorded_position() else {
            return;
        };
        match retry_transient(shutdown, || positions.put(position)).await {
            Ok(Some(())) => progress.recorded(),
            Ok(None) => {}
            Err(error) => {
                // Not fatal: the position is only where to resume after a
                // restart, and handlers are idempotent.
                tracing::warn!(%error, "could not record position");
            }
        }
    }

    fn store_error(&self, source: StoreError) -> ConsumerError {
        ConsumerError::Store {
            consumer: self.settings.name(),
            source,
        }
    }

    fn failure(&self, message: &StoredMessage, source: StoreError) -> ConsumerError {
        ConsumerError::Handler {
            consumer: self.settings.name(),
            stream_name: message.stream_name.clone(),
            position: message.position,
            global_position: message.global_position,
            message_type: message.message_type.clone(),
            source,
        }
    }
}
