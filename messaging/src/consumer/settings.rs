//! What a consumer reads and how, and the names of its companion streams.

use std::time::Duration;

use super::Backoff;
use crate::{Category, CategoryRead, Clock, ConsumerGroup, StoreError, StreamName};

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
    /// How long to wait before retrying after a transient failure: 100 ms,
    /// doubling up to 5 s.
    pub backoff: Backoff,
    /// Where the time comes from that spaces the recordings of the position
    /// (`progress.rs`); tests and simulations fix it.
    pub clock: Clock,
}

impl ConsumerSettings {
    /// Defaults: batches of 100, a position every 100 messages, a poll every
    /// 100 ms.
    pub fn new(category: Category) -> ConsumerSettings {
        ConsumerSettings {
            category,
            identifier: None,
            correlation: None,
            consumer_group: None,
            batch_size: 100,
            position_update_interval: 100,
            poll_interval: Duration::from_millis(100),
            backoff: Backoff::default(),
            clock: Clock::system(),
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

    /// What this consumer reads: its category, with its correlation and
    /// consumer group filters (from the start, in batches of its size).
    pub fn category_read(&self) -> CategoryRead {
        CategoryRead::new(self.category.clone())
            .batch_size(self.batch_size)
            .correlation(self.correlation.clone())
            .consumer_group(self.consumer_group)
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
