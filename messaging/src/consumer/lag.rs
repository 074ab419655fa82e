//! How far behind a consumer is.

use crate::{CategoryRead, MessageStore, StoreError};

/// The most messages counted when measuring a lag: beyond it, the number
/// says "at least this many" and costs no more to find.
pub const LAG_LIMIT: u32 = 1000;

/// A consumer's lag: how many messages `read` (a category read with the
/// consumer's filters, correlation and group) finds beyond `position`, up
/// to [`LAG_LIMIT`]. The operations page shows it, and the metrics layer
/// reports it.
pub async fn lag(
    store: &MessageStore,
    read: CategoryRead,
    position: i64,
) -> Result<i64, StoreError> {
    let beyond = read
        .from_global_position(position.saturating_add(1))
        .batch_size(LAG_LIMIT);
    Ok(store.read_category(&beyond).await?.len() as i64)
}
