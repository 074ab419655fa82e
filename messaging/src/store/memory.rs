//! The in-memory backend: a substitute for tests, with the store's semantics
//! and a record of every write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    CategoryRead, ExpectedVersion, NewMessage, StoreError, StoredMessage, StreamName, Time,
};

/// One successful write, as a test sees it: which stream, at which expected
/// version, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedWrite {
    /// The stream written to.
    pub stream_name: StreamName,
    /// The expected version the writer gave.
    pub expected_version: ExpectedVersion,
    /// The messages written, in order.
    pub messages: Vec<NewMessage>,
}

/// A message store in memory.
///
/// Handler tests use it as Eventide uses its substitutes: seed it with the
/// events of an entity (built by the controls), run the handler, and look at
/// [`MemoryStore::writes`] to see exactly what was written, where, and at
/// which expected version. It enforces expected versions and unique ids like
/// the real stores, so a handler cannot pass a test here and fail on Postgres
/// for a reason these semantics cover.
#[derive(Clone, Debug)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    new_messages: broadcast::Sender<Arc<str>>,
}

/// How the next write fails, when a test says it must: the two ways a write
/// can fail that matter to a writer. The simulation
/// (`bank/tests/simulation/`) uses them to show that every component
/// survives both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteFailure {
    /// The database could not be reached: nothing is written, and the
    /// writer is told so (a transient error; trying again is right).
    BeforeStoring,
    /// The write is made, but the answer is lost on the way back: the
    /// writer is told the outcome is unknown
    /// ([`StoreError::OutcomeUnknown`]). Only writing the same thing again
    /// (same id, same expected version) tells it what happened.
    AfterStoring,
}

#[derive(Debug, Default)]
struct State {
    /// Every message, in global position order (index + 1).
    messages: Vec<StoredMessage>,
    /// How the next write must fail, if it must.
    next_write_fails: Option<WriteFailure>,
    /// Each stream's messages, as indexes into `messages`.
    streams: HashMap<String, Vec<usize>>,
    /// Every successful write, in order.
    writes: Vec<RecordedWrite>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        let (new_messages, _) = broadcast::channel(1024);
        MemoryStore {
            state: Arc::default(),
            new_messages,
        }
    }
}

impl MemoryStore {
    /// Every successful write so far, oldest first.
    pub fn writes(&self) -> Vec<RecordedWrite> {
        self.lock().writes.clone()
    }

    /// Forgets the record of writes (not the messages). Tests call it after
    /// seeding, so that [`MemoryStore::writes`] shows only the handler's.
    pub fn clear_writes(&self) {
        self.lock().writes.clear();
    }

    /// Makes the next write fail as `failure` says (see [`WriteFailure`]).
    pub fn fail_next_write(&self, failure: WriteFailure) {
        self.lock().next_write_fails = Some(failure);
    }

    /// Whether a failure is still waiting for the next write.
    pub fn write_failure_pending(&self) -> bool {
        self.lock().next_write_fails.is_some()
    }

    /// The category of each write from now on, as this store makes it: for
    /// a listener in this process (the wake-ups layer) to hear of new
    /// messages at once instead of at its next poll.
    pub fn written_categories(&self) -> broadcast::Receiver<Arc<str>> {
        self.new_messages.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only changed in whole steps under the lock, so even
        // after a panic elsewhere it is consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn write(
        &self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        let mut state = self.lock();
        let failure = state.next_write_fails.take();
        if failure == Some(WriteFailure::BeforeStoring) {
            return Err(StoreError::Database(lost_connection()));
        }
        let version = state
            .streams
            .get(stream_name.as_str())
            .map_or(-1, |indexes| {
                i64::try_from(indexes.len()).unwrap_or(i64::MAX) - 1
            });
        expected_version.check(stream_name, version)?;
        for message in messages {
            if state.messages.iter().any(|stored| stored.id == message.id) {
                return Err(StoreError::DuplicateMessageId { id: message.id });
            }
        }
        let now = Time::now();
        let mut position = version;
        for message in messages {
            position += 1;
            let index = state.messages.len();
            let metadata = super::metadata_json(message)?;
            state.messages.push(StoredMessage {
                id: message.id,
                stream_name: stream_name.clone(),
                message_type: message.message_type.clone(),
                position,
                global_position: i64::try_from(index).unwrap_or(i64::MAX) + 1,
                data: message.data.clone(),
                metadata,
                time: now,
            });
            state
                .streams
                .entry(stream_name.to_string())
                .or_default()
                .push(index);
        }
        state.writes.push(RecordedWrite {
            stream_name: stream_name.clone(),
            expected_version,
            messages: messages.to_vec(),
        });
        drop(state);
        let _ = self.new_messages.send(Arc::from(stream_name.category()));
        if failure == Some(WriteFailure::AfterStoring) {
            return Err(StoreError::OutcomeUnknown(lost_connection()));
        }
        Ok(position)
    }

    pub(super) fn read_stream(
        &self,
        stream_name: &StreamName,
        from_position: i64,
        batch_size: u32,
    ) -> Vec<StoredMessage> {
        let state = self.lock();
        let indexes = state.streams.get(stream_name.as_str());
        indexes
            .into_iter()
            .flatten()
            .map(|&index| &state.messages[index])
            .filter(|message| message.position >= from_position)
            .take(batch_size as usize)
            .cloned()
            .collect()
    }

    pub(super) fn read_category(&self, read: &CategoryRead) -> Vec<StoredMessage> {
        let state = self.lock();
        let first = usize::try_from(read.from_global_position.max(1) - 1).unwrap_or(usize::MAX);
        state
            .messages
            .iter()
            .skip(first)
            .filter(|message| message.stream_name.category() == read.category.as_str())
            .filter(|message| match &read.correlation {
                None => true,
                Some(correlation) => message.metadata().ok().is_some_and(|metadata| {
                    metadata.correlation_category() == Some(correlation.as_str())
                }),
            })
            .filter(|message| {
                read.consumer_group
                    .is_none_or(|group| group.includes(&message.stream_name))
            })
            .take(read.batch_size as usize)
            .cloned()
            .collect()
    }

    pub(super) fn read_last(
        &self,
        stream_name: &StreamName,
        message_type: Option<&str>,
    ) -> Option<StoredMessage> {
        let state = self.lock();
        state
            .streams
            .get(stream_name.as_str())?
            .iter()
            .rev()
            .map(|&index| &state.messages[index])
            .find(|message| message_type.is_none_or(|wanted| message.message_type == wanted))
            .cloned()
    }

    pub(super) fn stream_version(&self, stream_name: &StreamName) -> Option<i64> {
        self.lock()
            .streams
            .get(stream_name.as_str())
            .map(|indexes| i64::try_from(indexes.len()).unwrap_or(i64::MAX) - 1)
    }

    /// Every stream's message count and lowest and highest position.
    pub(super) fn stream_summaries(&self) -> Vec<(String, i64, i64, i64)> {
        let state = self.lock();
        state
            .streams
            .iter()
            .map(|(name, indexes)| {
                let positions = indexes.iter().map(|&index| state.messages[index].position);
                let first = positions.clone().min().unwrap_or_default();
                let last = positions.max().unwrap_or_default();
                (
                    name.clone(),
                    i64::try_from(indexes.len()).unwrap_or(i64::MAX),
                    first,
                    last,
                )
            })
            .collect()
    }

    /// Whether a message with this id exists (tests of idempotence use it).
    pub fn contains(&self, id: Uuid) -> bool {
        self.lock().messages.iter().any(|message| message.id == id)
    }
}

/// The error a broken connection gives.
fn lost_connection() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "the connection was lost (a failure the test asked for)",
    ))
}

#[cfg(test)]
mod tests {
    use super::{MemoryStore, WriteFailure};
    use crate::{ExpectedVersion, NewMessage, StoreError, StreamName};

    fn message() -> NewMessage {
        NewMessage {
            id: uuid::Uuid::new_v4(),
            message_type: "Noted".to_string(),
            data: "{}".to_string(),
            metadata: crate::Metadata::default(),
        }
    }

    #[test]
    fn a_write_that_fails_before_storing_writes_nothing_and_the_next_one_works() {
        let store = MemoryStore::default();
        let stream = StreamName::from_stored("note-1");
        store.fail_next_write(WriteFailure::BeforeStoring);
        let failed = store.write(&stream, &[message()], ExpectedVersion::Any);
        assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
        assert_eq!(store.stream_version(&stream), None);
        assert_eq!(
            store
                .write(&stream, &[message()], ExpectedVersion::Any)
                .ok(),
            Some(0)
        );
    }

    #[test]
    fn a_write_whose_answer_is_lost_is_stored_and_a_retry_tells() {
        let store = MemoryStore::default();
        let stream = StreamName::from_stored("note-1");
        let sent = message();
        store.fail_next_write(WriteFailure::AfterStoring);
        let unknown = store.write(
            &stream,
            std::slice::from_ref(&sent),
            ExpectedVersion::INITIAL,
        );
        assert!(
            matches!(&unknown, Err(error) if error.outcome_is_unknown()),
            "{unknown:?}"
        );
        assert!(store.contains(sent.id));
        let again = store.write(&stream, &[sent], ExpectedVersion::INITIAL);
        assert!(
            matches!(again, Err(StoreError::WrongExpectedVersion { .. })),
            "{again:?}"
        );
        assert!(!store.write_failure_pending());
    }
}
