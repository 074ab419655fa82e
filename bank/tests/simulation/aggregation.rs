//! The aggregator, one batch at a time: each step reads a few messages of
//! one source past the position the views record, and applies some of them
//! in one view transaction (`aggregator::batch::apply`, the aggregator's
//! own). A second, slower instance is played by a batch read now and
//! applied later, after the first has moved on.

use aggregator::AggregatorError;
use aggregator::updates::Source;
use messaging::{CategoryRead, StoredMessage};
use test_processes::Dice;

use crate::setup::Parts;

/// The aggregator's reading of one source.
pub struct Aggregation {
    pub source: Source,
    /// A batch a slow duplicate instance read and has yet to apply.
    stale: Option<Vec<StoredMessage>>,
}

impl Aggregation {
    pub fn all() -> Vec<Aggregation> {
        Source::ALL
            .into_iter()
            .map(|source| Aggregation {
                source,
                stale: None,
            })
            .collect()
    }

    /// The messages past the views' position, up to `limit`.
    async fn unread(
        &self,
        parts: &Parts,
        limit: u32,
    ) -> Result<Vec<StoredMessage>, AggregatorError> {
        let applied = aggregator::subscriptions::applied(&parts.views, self.source).await?;
        let read = CategoryRead::new(self.source.category())
            .from_global_position(applied + 1)
            .batch_size(limit);
        Ok(parts.store.read_category(&read).await?)
    }

    /// Whether the views have applied everything there is of this source.
    pub async fn caught_up(&self, parts: &Parts) -> Result<bool, AggregatorError> {
        Ok(self.unread(parts, 1).await?.is_empty() && self.stale.is_none())
    }

    /// One batch: up to twenty messages, cut anywhere. Returns how many it
    /// applied. (A batch that fails is rolled back whole, and read again
    /// next time, as the aggregator retries it.)
    pub async fn step(&mut self, parts: &Parts, dice: &mut Dice) -> Result<usize, AggregatorError> {
        if let Some(stale) = self.stale.take() {
            // The slow instance commits last; the position guard inside the
            // transaction must make its batch change nothing.
            aggregator::batch::apply(&parts.store, &parts.views, self.source, &stale).await?;
            return Ok(0);
        }
        let batch = self.unread(parts, 1 + dice.below(20) as u32).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let cut = 1 + dice.below(batch.len() as u64) as usize;
        aggregator::batch::apply(&parts.store, &parts.views, self.source, &batch[..cut]).await?;
        Ok(cut)
    }

    /// A slow second instance reads the batch the first is about to apply.
    pub async fn start_a_slow_duplicate(&mut self, parts: &Parts) -> Result<(), AggregatorError> {
        let batch = self.unread(parts, 5).await?;
        if !batch.is_empty() {
            self.stale = Some(batch);
        }
        Ok(())
    }

    /// Rewinds the views' position of this source to half (an operator
    /// restoring an old backup of the positions): the rows must skip what
    /// they have seen.
    pub async fn rewind(&self, parts: &Parts) -> Result<(), AggregatorError> {
        sqlx::query("UPDATE aggregator_positions SET position = position / 2 WHERE category = $1")
            .bind(self.source.category().to_string())
            .execute(parts.views.pool())
            .await?;
        Ok(())
    }
}
