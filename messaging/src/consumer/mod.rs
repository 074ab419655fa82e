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
//! 3. hands each message to its [`Handler`], one after another, in order,
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
//!   message is handled again at once (after ten in a row, with growing
//!   pauses); the handler fetches fresh state.
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
//! The loop itself is [`Consumer::run`], below: [`Consumer::start`] (step 1),
//! then [`Running::step`] (steps 2 to 4) until shutdown, then
//! [`Running::stop`]. Around it, one file per
//! concern: [`Subscription`] (reading, and waiting when there is nothing to
//! read), `failure_policy.rs` (the list above, in code), `progress.rs` (when
//! to record the position), [`PositionStore`] and [`DeadLetterStream`] (the
//! companion streams), and [`Component`] (the consumers of one component,
//! run together).
//!
//! Two points of the loop can be changed from outside, and the layers crate
//! (`messaging-layers`) does, for speed: how the subscription waits
//! ([`Waiting`]; wake-ups listen for notifications instead of only sleeping)
//! and how a batch is handed to the handler ([`HandleBatch`]; lanes handle
//! several entities at once). Without a layer, a consumer is exactly the four
//! steps above.

pub mod backoff;
mod batches;
mod component;
mod dead_letter;
mod error;
mod failure_policy;
mod handler;
mod lag;
mod position_store;
mod progress;
mod settings;
mod subscription;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use backoff::Backoff;
pub use batches::{BatchHandled, HandleBatch, HandleOne, InOrder};
pub use component::{Component, ComponentSettings, Consumers, run_together};
pub use dead_letter::{DeadLetterStream, DeadLettered};
pub use error::ConsumerError;
pub use failure_policy::{Handled, Transient, retry_transient, retry_with};
pub use handler::{Handler, HandlerError};
pub use lag::{LAG_LIMIT, lag};
pub use position_store::{PositionStore, Recorded};
pub use progress::CATCH_UP_RECORDING_PAUSE;
pub use settings::ConsumerSettings;
pub use subscription::{Next, Sleep, Subscription, Waited, Waiting};

use progress::Progress;

use crate::{MessageStore, StoreError, StoredMessage};

/// Reads a category and hands each message to a handler; see the module
/// documentation.
#[derive(Debug)]
pub struct Consumer<H> {
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
    /// How it waits for new messages once it has read them all: by sleeping
    /// for the poll interval, unless a layer waits another way.
    waiting: Box<dyn Waiting>,
    /// How it hands a batch to the handler: one message after another,
    /// unless a layer hands several at once.
    batches: Arc<dyn HandleBatch>,
}

impl<H: Handler> Consumer<H> {
    /// A consumer of `settings.category` that hands messages to `handler`.
    pub fn new(store: MessageStore, settings: ConsumerSettings, handler: H) -> Consumer<H> {
        let poll_interval = settings.poll_interval;
        Consumer {
            store,
            settings,
            handler,
            waiting: Box::new(Sleep { poll_interval }),
            batches: Arc::new(InOrder),
        }
    }

    /// The same consumer, waiting for new messages with `waiting`.
    pub fn waiting_with(mut self, waiting: Box<dyn Waiting>) -> Consumer<H> {
        self.waiting = waiting;
        self
    }

    /// The same consumer, handing batches to its handler with `batches`.
    pub fn handling_batches_with(mut self, batches: Arc<dyn HandleBatch>) -> Consumer<H> {
        self.batches = batches;
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
        async move {
            let Some(mut running) = self.start(&shutdown).await? else {
                return Ok(());
            };
            let outcome = loop {
                match running.step(&shutdown).await {
                    Ok(Turn::Stopped) => break Ok(()),
                    Ok(_) => {}
                    Err(error) => break Err(error),
                }
            };
            running.stop().await;
            match &outcome {
                Ok(()) => tracing::info!("consumer stopped"),
                Err(error) => tracing::error!(%error, "consumer failed"),
            }
            outcome
        }
        .instrument(span)
        .await
    }

    /// Step 1: where to start, after the last position recorded. `None`
    /// when `shutdown` came first. (`run` is this, then [`Running::step`]
    /// until shutdown, then [`Running::stop`]; a simulation calls them one
    /// at a time.)
    pub async fn start(
        mut self,
        shutdown: &CancellationToken,
    ) -> Result<Option<Running<H>>, ConsumerError> {
        let store_error = |source| self.store_error(source);
        let positions = PositionStore::of(&self.store, &self.settings).map_err(store_error)?;
        let dead_letters =
            DeadLetterStream::of(&self.store, &self.settings).map_err(store_error)?;
        let backoff = self.settings.backoff;
        let Some(start) = retry_with(backoff, shutdown, || positions.start())
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        tracing::info!(from_global_position = start, "consumer started");
        let read = self.settings.category_read().from_global_position(start);
        let subscription =
            Subscription::new(self.store.clone(), read, self.take_waiting()).retrying(backoff);
        let progress = Progress::new(self.settings.clock.clone());
        Ok(Some(Running {
            consumer: self,
            positions,
            dead_letters,
            subscription,
            progress,
        }))
    }

    /// The consumer's waiter, for its subscription to wait with (a plain one
    /// is left in its place).
    fn take_waiting(&mut self) -> Box<dyn Waiting> {
        let plain = Box::new(Sleep {
            poll_interval: self.settings.poll_interval,
        });
        std::mem::replace(&mut self.waiting, plain)
    }

    /// Hands one message to the handler under the failure policy, in a span
    /// that names the message.
    fn handle<'a>(
        &'a self,
        message: &'a StoredMessage,
        dead_letters: &'a DeadLetterStream,
        shutdown: &'a CancellationToken,
    ) -> futures_util::future::BoxFuture<'a, Result<Handled, ConsumerError>> {
        let span = tracing::info_span!(
            "message",
            stream = %message.stream_name,
            global_position = message.global_position,
        );
        let backoff = self.settings.backoff;
        Box::pin(async move {
            failure_policy::handle(&self.handler, message, dead_letters, backoff, shutdown)
                .instrument(span)
                .await
                .map_err(|source| self.failure(message, source))
        })
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

/// A consumer that has started: what the loop keeps from one turn to the
/// next.
#[derive(Debug)]
pub struct Running<H> {
    consumer: Consumer<H>,
    positions: PositionStore,
    dead_letters: DeadLetterStream,
    subscription: Subscription,
    progress: Progress,
}

/// What one turn of the loop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// A batch was read; `handled` of its messages, from its start, were
    /// handled (all of them, unless shutdown came in the middle); the
    /// position was recorded if `recorded`.
    Batch { handled: usize, recorded: bool },
    /// The category has no more messages for now (the position recorded if
    /// `recorded`).
    CaughtUp { recorded: bool },
    /// A poll interval passed with nothing new (the position recorded, if
    /// there was anything to record).
    Idle { recorded: bool },
    /// Shutdown was requested.
    Stopped,
}

impl<H: Handler> Running<H> {
    /// The global position its next read starts from: everything before it
    /// has been handed out.
    pub fn reading_from(&self) -> i64 {
        self.subscription.position()
    }

    /// One turn of the loop: steps 2 to 4 of the module documentation.
    pub async fn step(&mut self, shutdown: &CancellationToken) -> Result<Turn, ConsumerError> {
        // 2. Read the next batch of the category (waiting, if there is
        //    nothing new, until there is or the poll interval passes).
        let next = self
            .subscription
            .next(shutdown)
            .await
            .map_err(|source| self.consumer.store_error(source))?;
        let Running {
            consumer,
            positions,
            dead_letters,
            progress,
            ..
        } = self;
        let turn = match next {
            Next::Batch(messages) => {
                // 3. Hand each message to the handler, in order.
                let handle_one = |message| consumer.handle(message, dead_letters, shutdown);
                let (handled, ended) = consumer.batches.handle(&messages, &handle_one).await;
                if let Some(last) = handled.checked_sub(1).and_then(|i| messages.get(i)) {
                    progress.handled(last.global_position, handled as u64);
                }
                if ended? == Handled::Stopped {
                    return Ok(Turn::Stopped);
                }
                // 4. Record how far it got, every so often.
                let due = progress.due_after(consumer.settings.position_update_interval);
                let recorded =
                    due && record(positions, progress, consumer.settings.backoff, shutdown).await;
                Turn::Batch { handled, recorded }
            }
            Next::CaughtUp => {
                let due = progress.due_on_catching_up();
                let recorded =
                    due && record(positions, progress, consumer.settings.backoff, shutdown).await;
                Turn::CaughtUp { recorded }
            }
            Next::Idle => Turn::Idle {
                recorded: record(positions, progress, consumer.settings.backoff, shutdown).await,
            },
            Next::Stopped => Turn::Stopped,
        };
        Ok(turn)
    }

    /// One last recording as the consumer stops, even though shutdown was
    /// requested: a fresh token lets it retry for a few seconds. Failing
    /// only means some messages are handled again after the restart.
    pub async fn stop(mut self) {
        let grace = CancellationToken::new();
        let backoff = self.consumer.settings.backoff;
        let recording = record(&self.positions, &mut self.progress, backoff, &grace);
        if tokio::time::timeout(LAST_RECORDING, recording)
            .await
            .is_err()
        {
            tracing::warn!("could not record the final position");
        }
    }
}

/// Records the position reached, if it is not recorded yet; whether it
/// recorded one. Failing is not fatal: the position is only where to resume
/// after a restart, and handlers are idempotent.
async fn record(
    positions: &PositionStore,
    progress: &mut Progress,
    backoff: Backoff,
    shutdown: &CancellationToken,
) -> bool {
    let Some(position) = progress.unrecorded_position() else {
        return false;
    };
    match retry_with(backoff, shutdown, || positions.put(position)).await {
        Ok(Some(())) => {
            progress.recorded();
            true
        }
        Ok(None) => false,
        Err(error) => {
            tracing::warn!(%error, "could not record position");
            false
        }
    }
}

/// How long a stopping consumer keeps trying to record its position.
const LAST_RECORDING: Duration = Duration::from_secs(5);
