//! Following the sources: one subscription per category, one view
//! transaction per batch.

use std::time::Duration;

use messaging::consumer::DeadLetterStream;
use messaging::consumer::{Backoff, Next, Subscription};
use messaging::{CategoryRead, ConsumerSettings, MessageStore, StoreError, StoredMessage};
use sqlx::Row;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::operations::Operations;
use crate::projections::{Source, Unhandleable};
use crate::view_database::{Kind, ViewDatabase};

/// The consumer name the aggregator parks unhandleable events under.
pub const IDENTIFIER: &str = "aggregator";

/// How the aggregator reads.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Messages per batch, and so per view transaction.
    pub batch_size: u32,
    /// How long to sleep after an empty read.
    pub poll_interval: Duration,
    /// Wake up on new-message signals.
    pub wake_on_new_messages: bool,
    /// How long to wait after a short batch before reading again, so that
    /// the next batch gathers what arrives meanwhile. Woken by every new
    /// message, the aggregator would otherwise commit a view transaction per
    /// event; the pause bounds that to one per pause per category, at the
    /// cost of this much latency.
    pub batch_pause: Duration,
    /// How often to refresh the operations views (positions and lag).
    pub operations_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            batch_size: 500,
            poll_interval: Duration::from_millis(100),
            wake_on_new_messages: true,
            batch_pause: Duration::from_millis(20),
            operations_interval: Duration::from_secs(1),
        }
    }
}

/// Why the aggregator stopped.
#[derive(Debug, thiserror::Error)]
pub enum AggregatorError {
    /// The view database failed beyond retrying.
    #[error("view database: {0}")]
    Views(#[from] sqlx::Error),
    /// The message store failed beyond retrying.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A task panicked (a bug).
    #[error("an aggregator task panicked: {0}")]
    Panicked(String),
}

impl AggregatorError {
    fn is_transient(&self) -> bool {
        match self {
            AggregatorError::Views(error) => messaging::store::is_transient(error),
            AggregatorError::Store(error) => error.is_transient(),
            AggregatorError::Panicked(_) => false,
        }
    }
}

/// Follows every source and refreshes the operations views until `shutdown`
/// is cancelled. If any part fails beyond retrying, the rest stop too.
pub async fn run(
    store: MessageStore,
    views: ViewDatabase,
    settings: Settings,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let stop = shutdown.child_token();
    let mut tasks = JoinSet::new();
    for source in Source::ALL {
        tasks.spawn(follow(
            source,
            store.clone(),
            views.clone(),
            settings,
            stop.clone(),
        ));
    }
    let operations = Operations::new(store.clone(), views.clone());
    tasks.spawn(operations.run(settings.operations_interval, stop.clone()));

    let mut outcome = Ok(());
    while let Some(finished) = tasks.join_next().await {
        let result =
            finished.unwrap_or_else(|error| Err(AggregatorError::Panicked(error.to_string())));
        if let Err(error) = result {
            tracing::error!(%error, "aggregator failed");
            stop.cancel();
            if outcome.is_ok() {
                outcome = Err(error);
            }
        }
    }
    outcome
}

/// Applies everything each source has, then returns how many messages were
/// read. It does not wait for more: `aggregator rebuild` and the tests use it
/// to bring the views up to date once.
pub async fn catch_up(
    store: &MessageStore,
    views: &ViewDatabase,
    batch_size: u32,
) -> Result<u64, AggregatorError> {
    let mut total = 0;
    for source in Source::ALL {
        let mut read = CategoryRead::new(source.category())
            .from_global_position(load_position(views, source).await? + 1)
            .batch_size(batch_size);
        loop {
            let batch = store.read_category(&read).await?;
            let Some(last) = batch.last() else { break };
            read.from_global_position = last.global_position + 1;
            apply_batch(store, views, source, &batch).await?;
            total += batch.len() as u64;
        }
    }
    Ok(total)
}

/// Drops the views, creates them again and replays every source from the
/// first message. Stop the live aggregator first (or rebuild into another
/// view database): two writers replaying at once would each skip what the
/// other applied, which is harmless, but the result is only complete once
/// both have caught up.
pub async fn rebuild(
    store: &MessageStore,
    views: &ViewDatabase,
    batch_size: u32,
) -> Result<u64, AggregatorError> {
    views.reset().await?;
    catch_up(store, views, batch_size).await
}

/// Follows one source forever.
async fn follow(
    source: Source,
    store: MessageStore,
    views: ViewDatabase,
    settings: Settings,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let Some(position) = retry(&shutdown, || load_position(&views, source)).await? else {
        return Ok(());
    };
    tracing::info!(category = %source.category(), from_global_position = position + 1, "aggregating");
    let read = CategoryRead::new(source.category())
        .from_global_position(position + 1)
        .batch_size(settings.batch_size);
    let mut subscription = Subscription::new(
        store.clone(),
        read,
        settings.poll_interval,
        settings.wake_on_new_messages,
    );
    loop {
        match subscription.next(&shutdown).await? {
            Next::Batch(batch) => {
                let applied =
                    retry(&shutdown, || apply_batch(&store, &views, source, &batch)).await?;
                if applied.is_none() {
                    return Ok(());
                }
                if batch.len() < settings.batch_size as usize {
                    tokio::select! {
                        () = shutdown.cancelled() => return Ok(()),
                        () = tokio::time::sleep(settings.batch_pause) => {}
                    }
                }
            }
            Next::CaughtUp | Next::Idle => {}
            Next::Stopped => return Ok(()),
        }
    }
}

/// Applies a batch in one view transaction, together with the new position.
///
/// Either the whole batch and its position are committed, or none of it is,
/// so after a crash the aggregator resumes exactly after the last batch it
/// committed. An event that cannot be applied (its data does not parse) is
/// parked in `{category}+deadLetter-aggregator` before the commit, and
/// skipped; nothing is skipped silently.
///
/// Two aggregators may run at once (a rolling deploy, a duplicate started by
/// mistake). Each view row skips events older than the last it applied,
/// which is right only if a category's events are applied in order. So the
/// transaction first takes the category's write lock (an advisory lock on
/// Postgres; SQLite lets one writer in at a time anyway), then reads the
/// position *inside* the lock and applies only the messages beyond it. Every
/// instance applies a category in the one global order; a slower one finds
/// its batch applied already and commits nothing.
async fn apply_batch(
    store: &MessageStore,
    views: &ViewDatabase,
    source: Source,
    batch: &[StoredMessage],
) -> Result<(), AggregatorError> {
    let Some(last) = batch.last() else {
        return Ok(());
    };
    let category = source.category().to_string();
    let mut transaction = views.begin().await?;
    if views.kind() == Kind::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(messaging::hash_64(&format!("aggregator:{category}")))
            .execute(&mut *transaction)
            .await?;
    }
    let applied: i64 = sqlx::query("SELECT position FROM aggregator_positions WHERE category = $1")
        .bind(category.clone())
        .fetch_optional(&mut *transaction)
        .await?
        .map(|row| row.try_get("position"))
        .transpose()?
        .unwrap_or(0);
    let fresh: Vec<&StoredMessage> = batch
        .iter()
        .filter(|message| message.global_position > applied)
        .collect();
    let unhandleable = source.apply_batch(&mut transaction, &fresh).await?;
    if !unhandleable.is_empty() {
        let mut settings = ConsumerSettings::new(source.category());
        settings.identifier = Some(IDENTIFIER.to_string());
        let dead_letters = DeadLetterStream::new(
            store.clone(),
            settings.dead_letter_stream()?,
            settings.name(),
        );
        for Unhandleable { message, error } in unhandleable {
            tracing::error!(%error, "cannot apply this event to the views; parking it");
            dead_letters.park(message, &error).await?;
        }
    }
    sqlx::query(
        "INSERT INTO aggregator_positions (category, position) VALUES ($1, $2) \
         ON CONFLICT (category) DO UPDATE SET position = excluded.position \
         WHERE aggregator_positions.position < excluded.position",
    )
    .bind(category)
    .bind(last.global_position)
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// How far the aggregator has applied a source (0 before the first batch).
pub async fn load_position(views: &ViewDatabase, source: Source) -> Result<i64, AggregatorError> {
    let row = sqlx::query("SELECT position FROM aggregator_positions WHERE category = $1")
        .bind(source.category().to_string())
        .fetch_optional(views.pool())
        .await?;
    Ok(match row {
        Some(row) => row.try_get("position")?,
        None => 0,
    })
}

/// Retries `operation` on transient errors with backoff; `Ok(None)` when
/// shutdown came first.
async fn retry<T, F, Fut>(
    shutdown: &CancellationToken,
    mut operation: F,
) -> Result<Option<T>, AggregatorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AggregatorError>>,
{
    let mut backoff = Backoff::default();
    loop {
        match operation().await {
            Ok(value) => return Ok(Some(value)),
            Err(error) if error.is_transient() => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = delay.as_millis(), "aggregator retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(None),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(error) => return Err(error),
        }
    }
}
