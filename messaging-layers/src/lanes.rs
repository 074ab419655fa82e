//! Lanes: handling the messages of one batch side by side, each entity's
//! messages still in order.
//!
//! A consumer that handles one message at a time spends most of each message
//! waiting: for the entity to be fetched, for its write to commit. Messages
//! about *different* entities do not need to wait for each other, and the
//! store already says which entity a message is about: the stream's cardinal
//! id (`account-A`, `account:command-A` and `accountTransaction-A+T` are all
//! about account `A`). So a batch is split into lanes by that id, the way a
//! consumer group splits a category between processes, and the lanes run
//! concurrently. Within a lane the order is the category's order, so an
//! account still sees its deposits and withdrawals in the order they were
//! reserved; across lanes there is no order, exactly as between the members
//! of a consumer group. A handler that is correct in a consumer group is
//! correct in lanes.
//!
//! The position a consumer may record is the end of the batch's *handled
//! prefix*: the messages before the first one not handled (because shutdown
//! or a failure stopped its lane). Later messages another lane handled are
//! handled again after a restart, which idempotent handlers absorb.
//!
//! What lanes buy: on the benchmark ladder's transfers, Postgres spent 4.9 ms
//! of CPU per transfer with one lane and 2.2 ms with 32, because every write
//! in flight is one more that can share a commit and a round trip with the
//! others (see `benchmarks/README.md`). What they cost: a batch waits for its
//! slowest lane, and the order between entities is given up, which no
//! handler may rely on anyway.

use futures_util::future::BoxFuture;
use messaging::consumer::{BatchHandled, HandleBatch, HandleOne, Handled};
use messaging::{ConsumerGroup, StoredMessage, hash_64};

/// Hands a batch to the handler in this many lanes side by side.
#[derive(Clone, Copy, Debug)]
pub struct Lanes(pub u32);

impl HandleBatch for Lanes {
    /// Hands `messages` to `handle_one` in lanes, and returns how many
    /// messages from the batch's start were all handled, with how the batch
    /// ended: the first failure if any lane failed, else `Stopped` if any
    /// lane stopped, else `Done`. A lane that stops or fails leaves the other
    /// lanes to finish their messages.
    fn handle<'a>(
        &'a self,
        messages: &'a [StoredMessage],
        handle_one: &'a HandleOne<'a>,
    ) -> BoxFuture<'a, BatchHandled> {
        Box::pin(async move {
            let handle_lane = |lane: Vec<usize>| async move {
                let mut handled = Vec::with_capacity(lane.len());
                for index in lane {
                    match handle_one(&messages[index]).await {
                        Ok(Handled::Done) => handled.push(index),
                        stopped_or_failed => return (handled, stopped_or_failed),
                    }
                }
                (handled, Ok(Handled::Done))
            };
            let lanes = split(messages, self.0);
            let ended = futures_util::future::join_all(lanes.into_iter().map(handle_lane)).await;

            let mut outcome = Ok(Handled::Done);
            let mut handled = Vec::with_capacity(messages.len());
            for (lane_handled, lane_outcome) in ended {
                handled.extend(lane_handled);
                outcome = match (outcome, lane_outcome) {
                    (Err(error), _) | (_, Err(error)) => Err(error),
                    (Ok(Handled::Stopped), _) | (_, Ok(Handled::Stopped)) => Ok(Handled::Stopped),
                    (Ok(Handled::Done), Ok(Handled::Done)) => Ok(Handled::Done),
                };
            }
            (handled_prefix(messages.len(), handled), outcome)
        })
    }
}

/// The indexes of a batch's messages, split into `lanes` lanes by cardinal
/// id, each in batch order. Messages of a stream without an id go to lane 0.
/// Empty lanes are left out.
pub fn split(messages: &[StoredMessage], lanes: u32) -> Vec<Vec<usize>> {
    let lanes = lanes.max(1);
    let mut split = vec![Vec::new(); lanes as usize];
    for (index, message) in messages.iter().enumerate() {
        let lane = message.stream_name.cardinal_id().map_or(0, |cardinal| {
            ConsumerGroup::member_for_hash(hash_64(cardinal), lanes)
        });
        split[lane as usize].push(index);
    }
    split.retain(|lane| !lane.is_empty());
    split
}

/// How many messages from the start of a batch of `length` were all
/// handled, given the indexes that were.
pub fn handled_prefix(length: usize, handled: impl IntoIterator<Item = usize>) -> usize {
    let mut done = vec![false; length];
    for index in handled {
        if let Some(slot) = done.get_mut(index) {
            *slot = true;
        }
    }
    done.iter().take_while(|handled| **handled).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use messaging::StreamName;

    fn message(stream: &str, global_position: i64) -> StoredMessage {
        StoredMessage {
            id: uuid::Uuid::nil(),
            stream_name: StreamName::from_stored(stream),
            message_type: "Thing".to_string(),
            position: 0,
            global_position,
            data: "{}".to_string(),
            metadata: None,
            time: messaging::Time::now(),
        }
    }

    #[test]
    fn one_entitys_messages_share_a_lane_in_order() {
        let batch = [
            message("thing-A", 1),
            message("thingPart-A+T1", 2),
            message("thing-B", 3),
            message("thing:command-A", 4),
            message("thing-C", 5),
        ];
        let lanes = split(&batch, 8);
        let lane_of = |index: usize| lanes.iter().position(|lane| lane.contains(&index));
        assert_eq!(lane_of(0), lane_of(1));
        assert_eq!(lane_of(0), lane_of(3));
        for lane in &lanes {
            assert!(lane.windows(2).all(|pair| pair[0] < pair[1]));
        }
        assert_eq!(lanes.iter().map(Vec::len).sum::<usize>(), batch.len());
    }

    #[test]
    fn one_lane_is_the_whole_batch_in_order() {
        let batch = [message("a-1", 1), message("a-2", 2), message("a", 3)];
        assert_eq!(split(&batch, 1), vec![vec![0, 1, 2]]);
        assert_eq!(split(&batch, 0), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn the_handled_prefix_stops_at_the_first_message_not_handled() {
        assert_eq!(handled_prefix(4, [0, 1, 3]), 2);
        assert_eq!(handled_prefix(4, [3, 2, 1, 0]), 4);
        assert_eq!(handled_prefix(4, [1, 2, 3]), 0);
        assert_eq!(handled_prefix(0, []), 0);
    }
}
