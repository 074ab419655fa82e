//! Entity stores: projection, cache and snapshots.

use messaging::{
    Category, EntityStore, ExpectedVersion, FetchError, MessageError, Metadata, NewMessage,
    Projection, StoredMessage,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::support::{Fixture, SomethingHappened, happened};

/// A tiny entity: the sum and count of the amounts that happened to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Tally {
    total: i64,
    count: u32,
}

impl Projection for Tally {
    fn apply(&mut self, event: &StoredMessage) -> Result<(), MessageError> {
        if event.is::<SomethingHappened>() {
            let happened: SomethingHappened = event.decode()?;
            self.total += happened.amount;
            self.count += 1;
        }
        Ok(())
    }
}

fn things() -> Category {
    Category::new("thing").expect("valid")
}

async fn write(fixture: &Fixture, id: Uuid, amounts: &[i64]) {
    let messages: Vec<NewMessage> = amounts.iter().map(|amount| happened(*amount)).collect();
    fixture
        .store
        .write(&things().stream(id), &messages, ExpectedVersion::Any)
        .await
        .expect("written");
}

pub async fn an_entity_is_projected_from_its_events(fixture: Fixture) {
    let id = Uuid::new_v4();
    write(&fixture, id, &[5, 7, 11]).await;
    let store: EntityStore<Tally> = EntityStore::new(fixture.store.clone(), things());
    let (tally, version) = store.fetch(id).await.expect("fetched");
    assert_eq!(
        tally,
        Tally {
            total: 23,
            count: 3
        }
    );
    assert_eq!(version, 2);
}

pub async fn an_empty_stream_is_the_default_entity_at_version_minus_one(fixture: Fixture) {
    let store: EntityStore<Tally> = EntityStore::new(fixture.store.clone(), things());
    let (tally, version) = store.fetch(Uuid::new_v4()).await.expect("fetched");
    assert_eq!(tally, Tally::default());
    assert_eq!(version, -1);
}

pub async fn a_cached_entity_catches_up_with_new_events(fixture: Fixture) {
    let id = Uuid::new_v4();
    write(&fixture, id, &[1, 2]).await;
    let store: EntityStore<Tally> = EntityStore::new(fixture.store.clone(), things());
    assert_eq!(store.fetch(id).await.expect("fetched").1, 1);
    write(&fixture, id, &[3]).await;
    let (tally, version) = store.fetch(id).await.expect("fetched");
    assert_eq!((tally.total, version), (6, 2));
    store.clear_cache();
    assert_eq!(store.fetch(id).await.expect("fetched"), (tally, version));
}

pub async fn a_snapshot_is_written_and_a_cold_store_starts_from_it(fixture: Fixture) {
    let id = Uuid::new_v4();
    write(&fixture, id, &[1, 1, 1, 1, 1]).await;
    let store: EntityStore<Tally> =
        EntityStore::new(fixture.store.clone(), things()).with_snapshots(3);
    store.fetch(id).await.expect("fetched");
    let snapshot_stream = things().with_type("snapshot").stream(id);
    assert_eq!(snapshot_stream.category(), "thing:snapshot");
    let snapshot = fixture
        .store
        .read_last(&snapshot_stream, Some("Snapshot"))
        .await
        .expect("read")
        .expect("a snapshot was written");
    let data: serde_json::Value = serde_json::from_str(&snapshot.data).expect("json");
    assert_eq!(data["version"], 4);
    assert_eq!(data["entity"]["total"], 5);

    // A snapshot that disagrees with the events proves where a cold store
    // starts: from the snapshot, applying only the events after it.
    let planted = NewMessage {
        id: Uuid::new_v4(),
        message_type: "Snapshot".into(),
        data: r#"{"version":4,"entity":{"total":1000,"count":5}}"#.into(),
        metadata: Metadata::default(),
    };
    fixture
        .store
        .write_message(&snapshot_stream, &planted, ExpectedVersion::Any)
        .await
        .expect("written");
    write(&fixture, id, &[10]).await;
    let cold: EntityStore<Tally> =
        EntityStore::new(fixture.store.clone(), things()).with_snapshots(3);
    let (tally, version) = cold.fetch(id).await.expect("fetched");
    assert_eq!((tally.total, tally.count, version), (1010, 6, 5));
}

pub async fn an_unapplicable_event_is_reported_with_its_position(fixture: Fixture) {
    let id = Uuid::new_v4();
    write(&fixture, id, &[1]).await;
    let bad = NewMessage {
        id: Uuid::new_v4(),
        message_type: "SomethingHappened".into(),
        data: r#"{"amount":"many"}"#.into(),
        metadata: Metadata::default(),
    };
    fixture
        .store
        .write_message(&things().stream(id), &bad, ExpectedVersion::Any)
        .await
        .expect("written");
    let store: EntityStore<Tally> = EntityStore::new(fixture.store.clone(), things());
    let error = store.fetch(id).await.expect_err("the event does not parse");
    assert!(matches!(error, FetchError::Message(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("position 1"), "{text}");
    assert!(text.contains(&things().stream(id).to_string()), "{text}");
}
