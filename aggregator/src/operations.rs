//! The operations views: every consumer's position and lag, and the
//! messages parked in dead-letter streams.
//!
//! These are not updates from business events but readings of the store,
//! refreshed every second: where each consumer has recorded its position
//! (`{category}+position[-{id}]`), and how many messages of its category,
//! filtered as it reads them, lie beyond it. A consumer that has caught up
//! records its position, so its lag reads zero.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use messaging::consumer::{DeadLettered, Recorded};
use messaging::{Category, CategoryRead, ConsumerGroup, MessageStore, Time};
use tokio_util::sync::CancellationToken;
use views::ViewDatabase;
use views::operations::{self, ConsumerProgress, DeadLetter};
use views::positions;

use crate::error::AggregatorError;
use crate::updates::Source;

/// A consumer the bank runs, with the filter it reads with.
struct Known {
    category: &'static str,
    identifier: Option<&'static str>,
    correlation: Option<&'static str>,
}

/// The bank's consumers: the account component's two, the funds-transfer
/// component's three. Consumer groups are read from the position streams.
const KNOWN: [Known; 5] = [
    Known {
        category: "account:command",
        identifier: None,
        correlation: None,
    },
    Known {
        category: "accountTransaction",
        identifier: None,
        correlation: None,
    },
    Known {
        category: "fundsTransfer:command",
        identifier: None,
        correlation: None,
    },
    Known {
        category: "fundsTransfer",
        identifier: None,
        correlation: None,
    },
    Known {
        category: "account",
        identifier: Some("fundsTransfer"),
        correlation: Some("fundsTransfer"),
    },
];

/// Refreshes the operations views, remembering how far it has read the
/// position and dead-letter categories.
#[derive(Debug)]
pub struct Operations {
    store: MessageStore,
    views: ViewDatabase,
    /// For each position category: the next global position to read, and the
    /// latest recorded position of each stream in it.
    positions: HashMap<String, (i64, BTreeMap<String, i64>)>,
    /// For each dead-letter category: the next global position to read.
    dead_letters: HashMap<String, i64>,
}

impl Operations {
    /// Operations views over `store`, written to `views`.
    pub fn new(store: MessageStore, views: ViewDatabase) -> Operations {
        Operations {
            store,
            views,
            positions: HashMap::new(),
            dead_letters: HashMap::new(),
        }
    }

    /// Refreshes every `interval` until `shutdown`. A failed refresh is
    /// logged and tried again next time: these views are a convenience, and
    /// must not stop the aggregator.
    pub async fn run(
        mut self,
        interval: Duration,
        shutdown: CancellationToken,
    ) -> Result<(), AggregatorError> {
        loop {
            if let Err(error) = self.refresh().await {
                tracing::warn!(%error, "could not refresh the operations views");
            }
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// Reads new positions and dead letters, and measures every lag.
    pub async fn refresh(&mut self) -> Result<(), AggregatorError> {
        let now = Time::now();
        for known in &KNOWN {
            let category = Category::new(known.category)
                .map_err(|error| messaging::StoreError::InvalidRequest(error.to_string()))?;
            for (stream, position) in self.recorded_positions(&category).await? {
                let (identifier, group) = parse_consumer_id(&stream);
                let correlation = if identifier.as_deref() == known.identifier {
                    known.correlation
                } else {
                    None
                };
                let lag = self.lag(&category, position, correlation, group).await?;
                let progress = ConsumerProgress {
                    position_stream: stream,
                    category: known.category.to_string(),
                    position: Some(position),
                    lag,
                    updated_time: now,
                };
                operations::save_consumer(self.views.pool(), &progress).await?;
            }
        }
        for source in Source::ALL {
            let category = source.category();
            let position = positions::applied(self.views.pool(), category.as_str()).await?;
            let lag = self.lag(&category, position, None, None).await?;
            let progress = ConsumerProgress {
                position_stream: format!("aggregator: {category}"),
                category: category.to_string(),
                position: Some(position),
                lag,
                updated_time: now,
            };
            operations::save_consumer(self.views.pool(), &progress).await?;
        }
        for known in &KNOWN {
            self.read_dead_letters(known.category).await?;
        }
        Ok(())
    }

    /// The latest recorded position of each stream of `{category}+position`.
    async fn recorded_positions(
        &mut self,
        category: &Category,
    ) -> Result<Vec<(String, i64)>, AggregatorError> {
        let position_category = category.companion("position");
        let (next, latest) = self
            .positions
            .entry(position_category.to_string())
            .or_insert_with(|| (1, BTreeMap::new()));
        loop {
            let read = CategoryRead::new(position_category.clone()).from_global_position(*next);
            let batch = self.store.read_category(&read).await?;
            let Some(last) = batch.last() else { break };
            *next = last.next_global_position()?;
            for message in &batch {
                if let Ok(recorded) = message.decode::<Recorded>() {
                    latest.insert(message.stream_name.to_string(), recorded.position);
                }
            }
        }
        Ok(latest
            .iter()
            .map(|(stream, position)| (stream.clone(), *position))
            .collect())
    }

    /// How many messages of `category`, as a consumer with these filters
    /// reads it, lie beyond `position` (up to
    /// [`messaging::consumer::LAG_LIMIT`]).
    async fn lag(
        &self,
        category: &Category,
        position: i64,
        correlation: Option<&str>,
        group: Option<ConsumerGroup>,
    ) -> Result<i64, AggregatorError> {
        let correlation = correlation
            .map(Category::new)
            .transpose()
            .map_err(|error| messaging::StoreError::InvalidRequest(error.to_string()))?;
        let read = CategoryRead::new(category.clone())
            .correlation(correlation)
            .consumer_group(group);
        Ok(messaging::consumer::lag(&self.store, read, position).await?)
    }

    async fn read_dead_letters(&mut self, category: &str) -> Result<(), AggregatorError> {
        let dead_letter_category = Category::new(category)
            .map_err(|error| messaging::StoreError::InvalidRequest(error.to_string()))?
            .companion("deadLetter");
        let next = self
            .dead_letters
            .entry(dead_letter_category.to_string())
            .or_insert(1);
        loop {
            let read = CategoryRead::new(dead_letter_category.clone()).from_global_position(*next);
            let batch = self.store.read_category(&read).await?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            *next = last.next_global_position()?;
            for message in &batch {
                let Ok(parked) = message.decode::<DeadLettered>() else {
                    continue;
                };
                let letter = DeadLetter {
                    global_position: message.global_position,
                    consumer: parked.consumer,
                    stream_name: parked.stream_name,
                    position: parked.position,
                    message_type: parked.message_type,
                    error: parked.error,
                    time: message.time,
                };
                operations::add_dead_letter(self.views.pool(), &letter).await?;
            }
        }
    }
}

/// The identifier and consumer group a position stream's id names:
/// `fundsTransfer`, `member-0-of-2`, `fundsTransfer-member-0-of-2`.
fn parse_consumer_id(stream: &str) -> (Option<String>, Option<ConsumerGroup>) {
    let Some((_, id)) = stream.split_once('-') else {
        return (None, None);
    };
    let (identifier, group) = match id.split_once("member-") {
        Some((before, group)) => (before.trim_end_matches('-'), Some(group)),
        None => (id, None),
    };
    let group = group.and_then(|group| {
        let (member, size) = group.split_once("-of-")?;
        ConsumerGroup::new(member.parse().ok()?, size.parse().ok()?).ok()
    });
    let identifier = (!identifier.is_empty()).then(|| identifier.to_string());
    (identifier, group)
}

#[cfg(test)]
mod tests {
    use super::parse_consumer_id;

    #[test]
    fn position_stream_ids_name_the_identifier_and_the_group() {
        assert_eq!(parse_consumer_id("account:command+position"), (None, None));
        let (identifier, group) = parse_consumer_id("account+position-fundsTransfer-member-1-of-2");
        assert_eq!(identifier.as_deref(), Some("fundsTransfer"));
        assert_eq!(group.map(|g| (g.member(), g.size())), Some((1, 2)));
        let (identifier, group) = parse_consumer_id("accountTransaction+position-member-0-of-3");
        assert_eq!(identifier, None);
        assert_eq!(group.map(|g| (g.member(), g.size())), Some((0, 3)));
    }
}
