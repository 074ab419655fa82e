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

#[derive(Debug, Default)]
struct State {
    /// Every message, in global position order (index + 1).
    messages: Vec<StoredMessage>,
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

    pub(super) fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
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
