//! Following the sources: one subscription per category, one view
//! transaction per batch.

use std::time::Duration;

use messaging::consumer::{Next, Subscription};
use messaging::metrics::ConsumerMeter;
use messaging::{CategoryRead, MessageStore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use views::{ViewDatabase, positions, presence};

use crate::batch;
use crate::error::{AggregatorError, retry};
use crate::operations::Operations;
use crate::projections::Source;

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

/// Follows one source forever.
async fn follow(
    source: Source,
    store: MessageStore,
    views: ViewDatabase,
    settings: Settings,
    shutdown: CancellationToken,
) -> Result<(), AggregatorError> {
    let Some(position) = retry(&shutdown, || applied(&views, source)).await? else {
        return Ok(());
    };
    tracing::info!(category = %source.category(), from_global_position = position + 1, "aggregating");
    // What an operator's metrics report of this source (messaging's `metrics`).
    let meter = ConsumerMeter::register(&store, &batch::consumer_settings(source), position)?;
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
                    retry(&shutdown, || batch::apply(&store, &views, source, &batch)).await?;
                if applied.is_none() {
                    return Ok(());
                }
                if let Some(last) = batch.last() {
                    meter.handled(last.global_position, batch.len() as u64);
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
