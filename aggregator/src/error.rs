//! Why the aggregator stopped, and which failures it waits out.

use messaging::StoreError;
use messaging::consumer::Transient;

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

impl Transient for AggregatorError {
    /// Would trying again later help (a database restarting, a connection
    /// lost)? Then the aggregator retries with backoff, as consumers do
    /// (`messaging::consumer::retry_transient`).
    fn is_transient(&self) -> bool {
        match self {
            AggregatorError::Views(error) => messaging::store::is_transient(error),
            AggregatorError::Store(error) => error.is_transient(),
            AggregatorError::Panicked(_) | AggregatorError::ViewsInUse { .. } => false,
        }
    }
}
