//! Entity stores: rebuilding an entity from its events.
//!
//! A component does not keep its state in a table. It keeps the *events*
//! that happened to each entity (`Opened`, `Deposited`, `Withdrawn`, ...) in
//! that entity's stream, and whenever it needs to decide something it
//! *projects* them: starts from an empty entity and applies each event in
//! order. The result is the entity as of the stream's last event, and the
//! position of that event is the *version* the decision is based on. The
//! write that records the decision names that version, and fails if another
//! event slipped in meanwhile (see [`ExpectedVersion`]).
//!
//! Projecting from the first event every time would get slower as streams
//! grow, so the store keeps two optimizations, neither of which can change an
//! answer:
//!
//! - an in-memory **cache** of each entity and its version; a fetch only reads
//!   and applies the events written after the cached version;
//! - optional **snapshots** every N events, written to
//!   `{category}:snapshot-{id}`, so a freshly started process does not have to
//!   replay a long stream from the beginning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Category, ExpectedVersion, Message, MessageError, MessageStore, NewMessage, StoreError,
    StoredMessage,
};

/// An entity that can be rebuilt from its events.
///
/// `Default` is the entity before its first event. `apply` changes it by one
/// event; it must be a pure function of the entity and the event (no clock,
/// no I/O), so that projecting the same events always gives the same entity.
/// Events of types the projection does not know are ignored.
pub trait Projection:
    Default + Clone + Send + Sync + Serialize + DeserializeOwned + 'static
{
    /// Applies one event of the entity's stream.
    fn apply(&mut self, event: &StoredMessage) -> Result<(), MessageError>;
}

/// Why an entity could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An event in the entity's stream could not be applied.
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// A snapshot of an entity at a version, as stored in its snapshot stream.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot<E> {
    version: i64,
    entity: E,
}

impl<E: Serialize + DeserializeOwned> Message for Snapshot<E> {
    const TYPE: &'static str = "Snapshot";
}

/// Beyond this many cached entities the cache starts over. The cache only
/// saves reads, so emptying it is always correct; it just keeps memory
/// bounded without the bookkeeping of an LRU.
const CACHE_LIMIT: usize = 100_000;

/// Events read per round trip while projecting.
const BATCH_SIZE: u32 = 1000;

/// Fetches entities of one category by id; see the module documentation.
#[derive(Clone, Debug)]
pub struct EntityStore<E> {
    store: MessageStore,
    category: Category,
    snapshot_interval: Option<i64>,
    // A std Mutex, not Tokio's: it is held for a map lookup or insert, never
    // across an `.await`, and a std Mutex is cheaper for that.
    cache: Arc<Mutex<HashMap<Uuid, Cached<E>>>>,
}

#[derive(Clone, Debug)]
struct Cached<E> {
    entity: E,
    version: i64,
    snapshot_version: i64,
}

impl<E: Projection> EntityStore<E> {
    /// An entity store for the streams `{category}-{id}`.
    pub fn new(store: MessageStore, category: Category) -> EntityStore<E> {
        EntityStore {
            store,
            category,
            snapshot_interval: None,
            cache: Arc::default(),
        }
    }

    /// The same store, writing a snapshot whenever an entity has moved
    /// `interval` events past its last one.
    pub fn with_snapshots(mut self, interval: i64) -> EntityStore<E> {
        self.snapshot_interval = Some(interval.max(1));
        self
    }

    /// The entity with this id, and its version: the position of the last
    /// event applied, or -1 if its stream is empty.
    pub async fn fetch(&self, id: Uuid) -> Result<(E, i64), FetchError> {
        let stream_name = self.category.stream(id);
        let cached = self.lock_cache().get(&id).cloned();
        let mut current = match cached {
            Some(cached) => cached,
            None => self.last_snapshot(id).await?,
        };
        let start_version = current.version;
        loop {
            let events = self
                .store
                .read_stream(&stream_name, current.version + 1, BATCH_SIZE)
                .await?;
            for event in &events {
                current.entity.apply(event)?;
                current.version = event.position;
            }
            if events.len() < BATCH_SIZE as usize {
                break;
            }
        }
        if current.version != start_version {
            self.snapshot_if_due(id, &mut current).await;
            self.remember(id, current.clone());
        }
        Ok((current.entity, current.version))
    }

    /// Forgets every cached entity (tests use it to prove the cache changes
    /// nothing).
    pub fn clear_cache(&self) {
        self.lock_cache().clear();
    }

    async fn last_snapshot(&self, id: Uuid) -> Result<Cached<E>, StoreError> {
        let empty = Cached {
            entity: E::default(),
            version: -1,
            snapshot_version: -1,
        };
        if self.snapshot_interval.is_none() {
            return Ok(empty);
        }
        let stream_name = self.category.with_type("snapshot").stream(id);
        let Some(message) = self
            .store
            .read_last(&stream_name, Some(Snapshot::<E>::TYPE))
            .await?
        else {
            return Ok(empty);
        };
        match message.decode::<Snapshot<E>>() {
            Ok(snapshot) => Ok(Cached {
                entity: snapshot.entity,
                version: snapshot.version,
                snapshot_version: snapshot.version,
            }),
            Err(error) => {
                // A snapshot is disposable: if the entity's shape changed
                // since it was written, project from the first event instead.
                tracing::warn!(%error, "ignoring an unreadable snapshot");
                Ok(empty)
            }
        }
    }

    async fn snapshot_if_due(&self, id: Uuid, current: &mut Cached<E>) {
        let Some(interval) = self.snapshot_interval else {
            return;
        };
        if current.version - current.snapshot_version < interval {
            return;
        }
        let snapshot = Snapshot {
            version: current.version,
            entity: current.entity.clone(),
        };
        let stream_name = self.category.with_type("snapshot").stream(id);
        let written = match NewMessage::new(&snapshot) {
            Ok(message) => self
                .store
                .write_message(&stream_name, &message, ExpectedVersion::Any)
                .await
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match written {
            Ok(_) => current.snapshot_version = current.version,
            // Only an optimization failed; the fetch itself succeeded.
            Err(error) => tracing::warn!(%error, "could not write a snapshot"),
        }
    }

    fn remember(&self, id: Uuid, fetched: Cached<E>) {
        let mut cache = self.lock_cache();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        // Two fetches of one entity can race; keep the newer.
        let newer = cache
            .get(&id)
            .is_none_or(|cached| cached.version < fetched.version);
        if newer {
            cache.insert(id, fetched);
        }
    }

    fn lock_cache(&self) -> MutexGuard<'_, HashMap<Uuid, Cached<E>>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
