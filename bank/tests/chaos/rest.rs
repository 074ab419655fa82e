//! Knowing when the bank has come to rest after the chaos: every command
//! the clients sent has its outcome in the views, no command is pending,
//! and the aggregator has applied every message there is.

use std::time::{Duration, Instant};

use aggregator::updates::Source;
use messaging::{CategoryRead, MessageStore};
use views::{ViewDatabase, Views, positions};

use crate::ledger::Ledger;

/// Waits until the bank is at rest; returns how long that took, or what
/// was still going on after `limit`.
pub async fn wait_for_rest(
    store: &MessageStore,
    views: &ViewDatabase,
    ledger: &Ledger,
    limit: Duration,
) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        let busy = match still_busy(store, views, ledger).await {
            Ok(None) => return Ok(started.elapsed()),
            Ok(Some(busy)) => busy,
            Err(error) => error.to_string(),
        };
        if started.elapsed() > limit {
            return Err(busy);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the bank is still busy with, if anything.
async fn still_busy(
    store: &MessageStore,
    views: &ViewDatabase,
    ledger: &Ledger,
) -> anyhow::Result<Option<String>> {
    let read = Views::new(views);
    if let Some(op) = ledger.first_unanswered(&read, store).await? {
        return Ok(Some(format!("no outcome in the views yet for {op:?}")));
    }
    if let Some(pending) = read.pending_commands(None).await?.first() {
        return Ok(Some(format!("a command is pending: {pending:?}")));
    }
    for source in Source::ALL {
        let category = source.category();
        let applied = positions::applied(views.pool(), category.as_str()).await?;
        let rest = CategoryRead::new(category)
            .from_global_position(applied + 1)
            .batch_size(1);
        if let Some(next) = store.read_category(&rest).await?.first() {
            return Ok(Some(format!(
                "the aggregator has yet to apply {} at {}",
                next.message_type, next.global_position
            )));
        }
    }
    Ok(None)
}
