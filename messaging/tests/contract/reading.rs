//! Reading streams: positions, batches, the last message, the version.

use messaging::{ExpectedVersion, NewMessage, StoreError};

use crate::support::{Fixture, SomethingElseHappened, SomethingHappened, happened, stream};

pub async fn a_stream_is_read_from_a_position_in_batches(fixture: Fixture) {
    let thing = stream("thing-1");
    let messages: Vec<NewMessage> = (0..10).map(happened).collect();
    fixture
        .store
        .write(&thing, &messages, ExpectedVersion::Any)
        .await
        .expect("written");
    let batch = fixture.store.read_stream(&thing, 4, 3).await.expect("read");
    let amounts: Vec<i64> = batch
        .iter()
        .map(|m| m.decode::<SomethingHappened>().expect("decodes").amount)
        .collect();
    assert_eq!(amounts, vec![4, 5, 6]);
    assert!(
        fixture
            .store
            .read_stream(&thing, 10, 3)
            .await
            .expect("read")
            .is_empty()
    );
}

pub async fn reading_a_category_as_a_stream_is_refused(fixture: Fixture) {
    let error = fixture
        .store
        .read_stream(&stream("thing"), 0, 10)
        .await
        .expect_err("a category is not a stream");
    assert!(
        matches!(&error, StoreError::InvalidRequest(text) if text == "Must be a stream name: thing"),
        "{error:?}"
    );
}

pub async fn the_last_message_of_a_stream_can_be_of_a_type(fixture: Fixture) {
    let thing = stream("thing-1");
    let other = NewMessage::new(&SomethingElseHappened { note: "hi".into() }).expect("encodes");
    fixture
        .store
        .write(
            &thing,
            &[happened(1), happened(2), other],
            ExpectedVersion::Any,
        )
        .await
        .expect("written");
    let last = fixture
        .store
        .read_last(&thing, None)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(last.position, 2);
    assert_eq!(last.message_type, "SomethingElseHappened");
    let last_happened = fixture
        .store
        .read_last(&thing, Some("SomethingHappened"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(last_happened.position, 1);
    assert!(
        fixture
            .store
            .read_last(&stream("thing-2"), None)
            .await
            .expect("read")
            .is_none()
    );
}

pub async fn the_version_of_an_empty_stream_is_none(fixture: Fixture) {
    assert_eq!(
        fixture
            .store
            .stream_version(&stream("thing-1"))
            .await
            .expect("read"),
        None
    );
    fixture
        .store
        .write(
            &stream("thing-1"),
            &[happened(1), happened(2)],
            ExpectedVersion::Any,
        )
        .await
        .expect("written");
    assert_eq!(
        fixture
            .store
            .stream_version(&stream("thing-1"))
            .await
            .expect("read"),
        Some(1)
    );
}
