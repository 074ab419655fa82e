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

pub mod backoff;
mod component;
mod dead_letter;
mod handler;
pub mod lanes;
mod position_store;
mod subscription;

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

pub use backoff::Backoff;
pub use component::{Component, ComponentSettings, DEFAULT_LANES};
pub use dead_letter::{DeadLetterStream, DeadLettered};
pub use handler::{Handler, HandlerError};
pub use position_store::{PositionStore, Recorded};
pub use subscription::{Next, Subscription};

use crate::{
    Category, CategoryRead, ConsumerGroup, MessageStore, StoreError, StoredMessage, StreamName,
};

/// What a consumer reads and how.
#[derive(Clone, Debug)]
pub struct ConsumerSettings {
    /// The category to read, such as `account:command`.
    pub category: Category,
    /// Distinguishes this consumer's position stream from other consumers of
    /// the same category: the funds-transfer component reads `account` as
    /// `fundsTransfer`, and records its position in
    /// `account+position-fundsTransfer`.
    pub identifier: Option<String>,
    /// Only messages correlated with this category.
    pub correlation: Option<Category>,
    /// Only the streams of this consumer group member.
    pub consumer_group: Option<ConsumerGroup>,
    /// Messages per read.
    pub batch_size: u32,
    /// Record the position after this many messages.
    pub position_update_interval: u64,
    /// How long to sleep after an empty read.
    pub poll_interval: Duration,
    /// Listen for new-message signals to cut the sleep short.
    pub wake_on_new_messages: bool,
    /// How many entities' messages to handle at once ([`lanes`]). With 1,
    /// every message is handled in the category's order, one at a time.
    pub lanes: u32,
}

impl ConsumerSettings {
    /// Defaults: batches of 100, a position every 100 messages, a poll every
    /// 100 ms, wake-ups on new messages, and one lane (strict order).
    pub fn new(category: Category) -> ConsumerSettings {
        ConsumerSettings {
            category,
            identifier: None,
            correlation: None,
            consumer_group: None,
            batch_size: 100,
            position_update_interval: 100,
            poll_interval: Duration::from_millis(100),
            wake_on_new_messages: true,
            lanes: 1,
        }
    }

    /// The consumer's name in logs, and the id of its position and
    /// dead-letter streams: the identifier, then the group member, if any.
    /// `None` for a plain consumer of a category.
    pub fn stream_id(&self) -> Option<String> {
        let group = self
            .consumer_group
            .map(|group| format!("member-{}-of-{}", group.member(), group.size()));
        match (&self.identifier, group) {
            (Some(identifier), Some(group)) => Some(format!("{identifier}-{group}")),
            (Some(identifier), None) => Some(identifier.clone()),
            (None, group) => group,
        }
    }

    /// `{category}+position`, or `{category}+position-{stream id}`.
    pub fn position_stream(&self) -> Result<StreamName, StoreError> {
        self.companion_stream("position")
    }

    /// `{category}+deadLetter`, or `{category}+deadLetter-{stream id}`.
    pub fn dead_letter_stream(&self) -> Result<StreamName, StoreError> {
        self.companion_stream("deadLetter")
    }

    /// A name for logs: `account:command`, `account (fundsTransfer)`, ...
    pub fn name(&self) -> String {
        match self.stream_id() {
            Some(id) => format!("{} ({id})", self.category),
            None => self.category.to_string(),
        }
    }

    fn companion_stream(&self, kind: &str) -> Result<StreamName, StoreError> {
        let category = self.category.companion(kind);
        match self.stream_id() {
            Some(id) => category
                .stream_with_id(&id)
                .map_err(|error| StoreError::InvalidRequest(error.to_string())),
            None => Ok(category.as_stream_name()),
        }
    }
}

/// Why a consumer stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// A handler failed in a way retrying cannot fix.
    #[error(
        "consumer {consumer} stopped: handling {message_type} at position {position} of \
         {stream_name} (global position {global_position}) failed: {source}"
    )]
    Handler {
        consumer: String,
        stream_name: StreamName,
        position: i64,
        global_position: i64,
        message_type: String,
        #[source]
        source: StoreError,
    },
    /// A consumer's task panicked (a bug).
    #[error("a consumer panicked: {0}")]
    Panicked(String),
    /// The consumer could not read its category or its position.
    #[error("consumer {consumer} stopped: {source}")]
    Store {
        consumer: String,
        #[source]
        source: StoreError,
    },
}

/// Reads a category and hands each message to a handler; see the module
/// documentation.
#[derive(Debug)]
pub struct Consumer<H> {
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
}

/// How far a consumer has got, and how much of that is not yet recorded.
#[derive(Debug, Default)]
struct Progress {
    last_handled: Option<i64>,
    unrecorded: u64,
    last_recorded: Option<Instant>,
}

/// The shortest time between two recordings on catching up.
///
/// Under a steady trickle of messages a consumer catches up after almost
/// every one, and recording the position each time would double the writes
/// it makes (a position is a message too, and a commit). So on catching up
/// it records only if this long has passed since it last did; what it puts
/// off is recorded when the category goes quiet ([`Next::Idle`]) or after
/// `position_update_interval` messages, whichever comes first.
pub const CATCH_UP_RECORDING_PAUSE: Duration = Duration::from_secs(1);

impl Progress {
    /// Whether a recording on catching up is due.
    fn due_on_catching_up(&self) -> bool {
        self.last_recorded
            .is_none_or(|at| at.elapsed() >= CATCH_UP_RECORDING_PAUSE)
    }

    /// `count` more messages were handled, the last at `global_position`.
    fn handled(&mut self, global_position: i64, count: u64) {
        self.last_handled = Some(global_position);
        self.unrecorded += count;
    }

    fn unrecorded_position(&self) -> Option<i64> {
        self.last_handled.filter(|_| self.unrecorded > 0)
    }

    fn recorded(&mut self) {
        self.unrecorded = 0;
        self.last_recorded = Some(Instant::now());
    }
}

/// How handling one message ended, as far as the consumer loop cares.
enum Handled {
    Done,
    Stopped,
}

impl<H: Handler> Consumer<H> {
    /// A consumer of `settings.category` that hands messages to `handler`.
    pub fn new(store: MessageStore, settings: ConsumerSettings, handler: H) -> Consumer<H> {
        Consumer {
            store,
            settings,
            handler,
        }
    }

    /// Runs until `shutdown` is cancelled (returning `Ok`) or a handler fails
    /// beyond retrying (returning the error). Either way the position reached
    /// is recorded before it returns, if the store allows.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
        let name = self.settings.name();
        let store_error = |source| ConsumerError::Store {
            consumer: name.clone(),
            source,
        };
        let positions = PositionStore::new(
            self.store.clone(),
            self.settings.position_stream().map_err(store_error)?,
        );
        let dead_letters = DeadLetterStream::new(
            self.store.clone(),
            self.settings.dead_letter_stream().map_err(store_error)?,
            name.clone(),
        );
        let Some(recorded) = retry_transient(&shutdown, || positions.get())
            .await
            .map_err(store_error)?
        else {
            return Ok(());
        };
        let start = recorded.map_or(1, |position| position + 1);
        tracing::info!(consumer = %name, from_global_position = start, "consumer started");

        let read = CategoryRead::new(self.settings.category.clone())
            .from_global_position(start)
            .batch_size(self.settings.batch_size)
            .correlation(self.settings.correlation.clone())
            .consumer_group(self.settings.consumer_group);
        let mut subscription = Subscription::new(
            self.store.clone(),
            read,
            self.settings.poll_interval,
            self.settings.wake_on_new_messages,
        );

        let mut progress = Progress::default();
        let outcome = 'reading: loop {
            let next = match subscription.next(&shutdown).await {
                Ok(next) => next,
                Err(source) => break 'reading Err(store_error(source)),
            };
            match next {
                Next::Batch(messages) => {
                    let (prefix, outcome) =
                        self.handle_batch(&messages, &dead_letters, &shutdown).await;
                    if let Some(last) = prefix.checked_sub(1).and_then(|i| messages.get(i)) {
                        progress.handled(last.global_position, prefix as u64);
                    }
                    match outcome {
                        Ok(Handled::Done) => {}
                        Ok(Handled::Stopped) => break 'reading Ok(()),
                        Err(error) => break 'reading Err(error),
                    }
                    if progress.unrecorded >= self.settings.position_update_interval {
                        self.record(&positions, &mut progress, &shutdown).await;
                    }
                }
                Next::CaughtUp if progress.due_on_catching_up() => {
                    self.record(&positions, &mut progress, &shutdown).await;
                }
                Next::CaughtUp => {}
                Next::Idle => self.record(&positions, &mut progress, &shutdown).await,
                Next::Stopped => break 'reading Ok(()),
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
            tracing::warn!(consumer = %name, "could not record the final position");
        }
        match &outcome {
            Ok(()) => tracing::info!(consumer = %name, "consumer stopped"),
            Err(error) => tracing::error!(consumer = %name, %error, "consumer failed"),
        }
        outcome
    }

    /// Hands a batch to the handler, in lanes ([`lanes`]), and returns how
    /// many messages from its start were all handled, with how the batch
    /// ended: `Stopped` or the first failure if any lane stopped or failed.
    /// A lane that stops leaves the other lanes to finish their messages.
    async fn handle_batch(
        &self,
        messages: &[StoredMessage],
        dead_letters: &DeadLetterStream,
        shutdown: &CancellationToken,
    ) -> (usize, Result<Handled, ConsumerError>) {
        let lanes = lanes::split(messages, self.settings.lanes);
        let handle_lane = |lane: Vec<usize>| async move {
            let mut handled = Vec::with_capacity(lane.len());
            for index in lane {
                match self.handle(&messages[index], dead_letters, shutdown).await {
                    Ok(Handled::Done) => handled.push(index),
                    stopped_or_failed => return (handled, stopped_or_failed),
                }
            }
            (handled, Ok(Handled::Done))
        };
        let ended = futures_util::future::join_all(lanes.into_iter().map(handle_lane)).await;

        let mut outcome = Ok(Handled::Done);
        let mut handled = Vec::with_capacity(messages.len());
        for (lane_handled, lane_outcome) in ended {
            handled.extend(lane_handled);
            outcome = match (outcome, lane_outcome) {
                (Err(error), _) | (_, Err(error)) => Err(error),
                (Ok(Handled::Stopped), _) | (_, Ok(Handled::Stopped)) => Ok(Handled::Stopped),
                (Ok(Handled::Done), Ok(Handled::Done)) => Ok(Handled::Done),
            };
        }
        (lanes::handled_prefix(messages.len(), handled), outcome)
    }

    /// Hands one message to the handler, applying the failure policy.
    async fn handle(
        &self,
        message: &StoredMessage,
        dead_letters: &DeadLetterStream,
        shutdown: &CancellationToken,
    ) -> Result<Handled, ConsumerError> {
        let mut backoff = Backoff::default();
        let mut conflicts: u32 = 0;
        loop {
            let error = match self.handler.handle(message).await {
                Ok(()) => return Ok(Handled::Done),
                Err(error) => error,
            };
            let delay = match error {
                HandlerError::Message(error) => {
                    tracing::error!(
                        consumer = %self.settings.name(),
                        %error,
                        "cannot handle this message; parking it in the dead-letter stream",
                    );
                    let parked = retry_transient(shutdown, || dead_letters.park(message, &error))
                        .await
                        .map_err(|source| self.failure(message, source))?;
                    return Ok(if parked.is_some() {
                        Handled::Done
                    } else {
                        Handled::Stopped
                    });
                }
                HandlerError::Store(error) if error.is_wrong_expected_version() => {
                    // Someone else wrote first. Fetching again and deciding
                    // again is the whole remedy, so retry at once; only a
                    // stream under constant contention earns a pause.
                    conflicts += 1;
                    tracing::debug!(%error, conflicts, "concurrent write; handling the message again");
                    if conflicts < 10 {
                        continue;
                    }
                    backoff.next_delay()
                }
                HandlerError::Store(error) if error.is_transient() => {
                    let delay = backoff.next_delay();
                    tracing::warn!(
                        consumer = %self.settings.name(),
                        %error,
                        retry_in_ms = delay.as_millis(),
                        "handling failed on a transient error; retrying",
                    );
                    delay
                }
                HandlerError::Store(error) => return Err(self.failure(message, error)),
            };
            tokio::select! {
                () = shutdown.cancelled() => return Ok(Handled::Stopped),
                () = tokio::time::sleep(delay) => {}
            }
        }
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
                tracing::warn!(consumer = %self.settings.name(), %error, "could not record position");
            }
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

/// Runs `operation` until it succeeds, retrying transient store errors with
/// backoff. `Ok(None)` means shutdown came first.
async fn retry_transient<T, F, Fut>(
    shutdown: &CancellationToken,
    mut operation: F,
) -> Result<Option<T>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut backoff = Backoff::default();
    loop {
        match operation().await {
            Ok(value) => return Ok(Some(value)),
            Err(error) if error.is_transient() => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = delay.as_millis(), "store unavailable; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(None),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(error) => return Err(error),
        }
    }
}
