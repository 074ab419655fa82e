//! Following the sources: one subscription per category, one view
//! transaction per batch.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use messaging::consumer::{Next, Sleep, Subscription, Waiting, retry_transient};
use messaging::{Category, CategoryRead, MessageStore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use views::{ViewDatabase, positions, presence};

use crate::batch;
use crate::error::AggregatorError;
use crate::operations::Operations;
use crate::updates::Source;

/// How the aggregator reads.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Messages per batch, and so per view transaction.
    pub batch_size: u32,
    /// How long to sleep after an empty read.
    pub poll_interval: Duration,
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
            batch_pause: Duration::from_millis(20),
            operations_interval: Duration::from_secs(1),
        }
    }
}

/// Makes the waiter of a subscription to a category that polls at an
/// interval.
pub type WaitingFor = Arc<dyn Fn(Category, Duration) -> Box<dyn Waiting> + Send + Sync>;

/// Is told of a batch applied: its source, the global position of its last
/// message, how many messages it had.
pub type Applied = Arc<dyn Fn(Source, i64, u64) + Send + Sync>;

/// What a binary puts on each of the aggregator's subscriptions (see
/// `messaging-layers`). Plainly, nothing: a subscription sleeps for the poll
/// interval when it has read everything, and tells no one of its batches.
#[derive(Clone, Default)]
pub struct Layers {
    /// How a subscription to a category, polling at an interval, waits
    /// once it has read everything (the wake-ups layer).
    pub waiting: Option<WaitingFor>,
    /// Told of each batch applied (the metrics layer): the source, the
    /// global position of the batch's last message, and how many messages
    /// it had.
    pub applied: Option<Applied>,
}

impl fmt::Debug for Layers {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Layers")
            .field("waiting", &self.waiting.is_some())
            .field("applied", &self.applied.is_some())
            .finish()
    }
}

/// Follows every source and refreshes the operations views until `shutdown`
/// is cancelled. If any part fails beyond retrying, the rest stop too.
pub async fn run(
    store: MessageStore,
    views: ViewDatabase,
    settings: Settings,
    layers: Layers,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let stop = shutdown.child_token();
    let mut tasks = JoinSet::new();
    for source in Source::ALL {
        tasks.spawn(keep_up(
            source,
            store.clone(),
            views.clone(),
            settings,
            layers.clone(),
            stop.clone(),
        ));
    }
    let operations = Operations::new(store.clone(), views.clone());
    tasks.spawn(operations.run(settings.operations_interval, stop.clone()));
    tasks.spawn(announce_presence(views.clone(), stop.clone()));

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

/// Says, every second until `shutdown`, that this aggregator is running
/// against the views, and takes it back when it stops (see
/// `views::presence`). Failing to say so is logged, not fatal: it only
/// matters to a rebuild.
async fn announce_presence(
    views: ViewDatabase,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let instance = format!(
        "aggregator, process {} on {}, {}",
        std::process::id(),
        std::env::var("HOSTNAME").unwrap_or_else(|_| "this machine".to_string()),
        uuid::Uuid::new_v4()
    );
    loop {
        if let Err(error) = presence::announce(views.pool(), &instance).await {
            tracing::warn!(%error, "could not announce the aggregator's presence");
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
    if let Err(error) = presence::withdraw(views.pool(), &instance).await {
        tracing::warn!(%error, "could not withdraw the aggregator's presence");
    }
    Ok(())
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
            .from_global_position(applied(views, source).await? + 1)
            .batch_size(batch_size);
        loop {
            let batch = store.read_category(&read).await?;
            let Some(last) = batch.last() else { break };
            read.from_global_position = last.next_global_position()?;
            batch::apply(store, views, source, &batch).await?;
            total += batch.len() as u64;
        }
    }
    Ok(total)
}

/// Drops the views, creates them again and replays every source from the
/// first message. It refuses while an aggregator runs against the views
/// (see `views::presence`): stop it first, or rebuild into another view
/// database.
pub async fn rebuild(
    store: &MessageStore,
    views: &ViewDatabase,
    batch_size: u32,
) -> Result<u64, AggregatorError> {
    // The table may not exist yet in views that were never installed.
    let running = presence::running(views.pool()).await.unwrap_or_default();
    if let Some((instance, seen_ago_ms)) = running.into_iter().next() {
        return Err(AggregatorError::ViewsInUse {
            instance,
            seen_ago_ms,
        });
    }
    views.reset().await?;
    catch_up(store, views, batch_size).await
}

/// Keeps the views up with one source, forever.
async fn keep_up(
    source: Source,
    store: MessageStore,
    views: ViewDatabase,
    settings: Settings,
    layers: Layers,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let Some(position) = retry_transient(&shutdown, || applied(&views, source)).await? else {
        return Ok(());
    };
    tracing::info!(category = %source.category(), from_global_position = position + 1, "aggregating");
    let read = CategoryRead::new(source.category())
        .from_global_position(position + 1)
        .batch_size(settings.batch_size);
    let waiting = match &layers.waiting {
        Some(waiting) => waiting(source.category(), settings.poll_interval),
        None => Box::new(Sleep {
            poll_interval: settings.poll_interval,
        }),
    };
    let mut subscription = Subscription::new(store.clone(), read, waiting);
    loop {
        match subscription.next(&shutdown).await? {
            Next::Batch(batch) => {
                let applied =
                    retry_transient(&shutdown, || batch::apply(&store, &views, source, &batch))
                        .await?;
                if applied.is_none() {
                    return Ok(());
                }
                if let (Some(last), Some(applied)) = (batch.last(), &layers.applied) {
                    applied(source, last.global_position, batch.len() as u64);
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

/// How far the aggregator has applied `source` (0 before the first batch).
pub async fn applied(views: &ViewDatabase, source: Source) -> Result<i64, AggregatorError> {
    Ok(positions::applied(views.pool(), source.category().as_str()).await?)
}
