//! Why the aggregator stopped, and how it waits out the failures that pass.

use messaging::StoreError;
use messaging::consumer::Backoff;
use tokio_util::sync::CancellationToken;

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
    /// The views cannot be rebuilt while an aggregator runs against them.
    #[error(
        "an aggregator is running against these views ({instance}, heard from {seen_ago_ms} ms \
         ago): stop it before rebuilding them"
    )]
    ViewsInUse { instance: String, seen_ago_ms: i64 },
}

impl AggregatorError {
    /// Would trying again later help (a database restarting, a connection
    /// lost)?
    pub fn is_transient(&self) -> bool {
        match self {
            AggregatorError::Views(error) => messaging::store::is_transient(error),
            AggregatorError::Store(error) => error.is_transient(),
            AggregatorError::Panicked(_) | AggregatorError::ViewsInUse { .. } => false,
        }
    }
}

/// Retries `operation` on transient errors with backoff; `Ok(None)` when
/// shutdown came first.
pub(crate) async fn retry<T, F, Fut>(
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
