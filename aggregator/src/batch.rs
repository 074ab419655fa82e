//! One batch of a category, applied to the views in one transaction with
//! the aggregator's new position.

use messaging::consumer::DeadLetterStream;
use messaging::{ConsumerSettings, MessageStore, StoredMessage};
use views::{Kind, ViewDatabase, positions};

use crate::error::AggregatorError;
use crate::updates::{Source, Unhandleable};

/// The consumer name the aggregator parks unhandleable events under.
pub const IDENTIFIER: &str = "aggregator";

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
pub async fn apply(
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
    let applied = positions::applied(&mut *transaction, &category).await?;
    let fresh: Vec<&StoredMessage> = batch
        .iter()
        .filter(|message| message.global_position > applied)
        .collect();
    let unhandleable = source.apply_batch(&mut transaction, &fresh).await?;
    park(store, source, unhandleable).await?;
    positions::record(&mut *transaction, &category, last.global_position).await?;
    transaction.commit().await?;
    Ok(())
}

/// Parks the events of `source` that cannot be applied.
async fn park(
    store: &MessageStore,
    source: Source,
    unhandleable: Vec<Unhandleable<'_>>,
) -> Result<(), AggregatorError> {
    if unhandleable.is_empty() {
        return Ok(());
    }
    let settings = consumer_settings(source);
    let dead_letters = DeadLetterStream::new(
        store.clone(),
        settings.dead_letter_stream()?,
        settings.name(),
    );
    for Unhandleable { message, error } in unhandleable {
        tracing::error!(%error, "cannot apply this event to the views; parking it");
        dead_letters.park(message, &error).await?;
    }
    Ok(())
}

/// The aggregator as a consumer of `source`'s category: it is named
/// `aggregator` in its dead-letter stream and in the metrics.
pub fn consumer_settings(source: Source) -> ConsumerSettings {
    let mut settings = ConsumerSettings::new(source.category());
    settings.identifier = Some(IDENTIFIER.to_string());
    settings
}
