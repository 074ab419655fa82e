//! A request for a batch of a category's messages.

use crate::hash::hash_64;
use crate::{Category, StoreError, StreamName};

/// One member of a consumer group: several instances of a component share a
/// category, and each handles the streams whose cardinal id hashes to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsumerGroup {
    member: u32,
    size: u32,
}

impl ConsumerGroup {
    /// Member `member` (counting from 0) of a group of `size`. The checks and
    /// their texts are Message DB's.
    pub fn new(member: i64, size: i64) -> Result<ConsumerGroup, StoreError> {
        let suffix = format!("(Consumer Group Member: {member}, Consumer Group Size: {size})");
        if size < 1 {
            return Err(StoreError::InvalidRequest(format!(
                "Consumer group size must not be less than 1 {suffix}"
            )));
        }
        if member < 0 {
            return Err(StoreError::InvalidRequest(format!(
                "Consumer group member must not be less than 0 {suffix}"
            )));
        }
        if member >= size {
            return Err(StoreError::InvalidRequest(format!(
                "Consumer group member must be less than the group size {suffix}"
            )));
        }
        let too_big = |_| StoreError::InvalidRequest(format!("Consumer group too large {suffix}"));
        Ok(ConsumerGroup {
            member: u32::try_from(member).map_err(too_big)?,
            size: u32::try_from(size).map_err(too_big)?,
        })
    }

    /// This member's number, from 0.
    pub fn member(&self) -> u32 {
        self.member
    }

    /// The number of members.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Whether this member handles `stream`: `|hash_64(cardinal id)| mod size
    /// == member`, as in Message DB. A name without an id belongs to no one.
    pub fn includes(&self, stream: &StreamName) -> bool {
        stream.cardinal_id().is_some_and(|cardinal| {
            ConsumerGroup::member_for_hash(hash_64(cardinal), self.size) == self.member
        })
    }

    /// The member of a group of `size` that handles a cardinal id with this
    /// hash.
    pub fn member_for_hash(hash: i64, size: u32) -> u32 {
        // `unsigned_abs` cannot overflow where Postgres' abs() would (for
        // i64::MIN, one value in 2^64); the remainder is below `size`.
        u32::try_from(hash.unsigned_abs() % u64::from(size)).unwrap_or(0)
    }
}

/// "Give me up to `batch_size` messages of `category`, from global position
/// `from_global_position` on, in order", optionally only those correlated
/// with another category and only those of one consumer group member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryRead {
    /// The category to read.
    pub category: Category,
    /// The first global position wanted.
    pub from_global_position: i64,
    /// At most this many messages (0 returns none).
    pub batch_size: u32,
    /// Only messages whose `correlationStreamName` is in this category.
    pub correlation: Option<Category>,
    /// Only the streams of this consumer group member.
    pub consumer_group: Option<ConsumerGroup>,
}

impl CategoryRead {
    /// The default read: from the beginning, 1000 at a time, unfiltered.
    pub fn new(category: Category) -> CategoryRead {
        CategoryRead {
            category,
            from_global_position: 1,
            batch_size: 1000,
            correlation: None,
            consumer_group: None,
        }
    }

    /// The same read, from another global position.
    pub fn from_global_position(mut self, position: i64) -> CategoryRead {
        self.from_global_position = position;
        self
    }

    /// The same read, with another batch size.
    pub fn batch_size(mut self, batch_size: u32) -> CategoryRead {
        self.batch_size = batch_size;
        self
    }

    /// The same read, filtered by correlation category.
    pub fn correlation(mut self, correlation: Option<Category>) -> CategoryRead {
        self.correlation = correlation;
        self
    }

    /// The same read, for one consumer group member.
    pub fn consumer_group(mut self, group: Option<ConsumerGroup>) -> CategoryRead {
        self.consumer_group = group;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::ConsumerGroup;
    use crate::StreamName;

    #[test]
    fn invalid_groups_are_refused_with_message_dbs_words() {
        let text = |member, size| {
            ConsumerGroup::new(member, size)
                .map(|_| String::new())
                .unwrap_or_else(|error| error.to_string())
        };
        assert_eq!(
            text(0, 0),
            "Consumer group size must not be less than 1 (Consumer Group Member: 0, Consumer Group Size: 0)"
        );
        assert_eq!(
            text(-1, 2),
            "Consumer group member must not be less than 0 (Consumer Group Member: -1, Consumer Group Size: 2)"
        );
        assert_eq!(
            text(2, 2),
            "Consumer group member must be less than the group size (Consumer Group Member: 2, Consumer Group Size: 2)"
        );
    }

    #[test]
    fn every_stream_with_an_id_belongs_to_exactly_one_member() {
        let groups: Vec<ConsumerGroup> = (0..3)
            .map(|member| ConsumerGroup::new(member, 3).expect("valid"))
            .collect();
        for n in 0..100 {
            let stream = StreamName::from_stored(format!("thing-{n}"));
            let owners = groups
                .iter()
                .filter(|group| group.includes(&stream))
                .count();
            assert_eq!(owners, 1, "{stream}");
        }
    }

    #[test]
    fn a_category_name_belongs_to_no_member() {
        let group = ConsumerGroup::new(0, 1).expect("valid");
        assert!(!group.includes(&StreamName::from_stored("thing")));
    }
}
