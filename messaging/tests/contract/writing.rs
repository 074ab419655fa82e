//! Writing: expected versions, atomic multi-message writes, unique ids.

use std::sync::Arc;

use messaging::{ExpectedVersion, Metadata, NewMessage, StoreError};

use crate::support::{Fixture, SomethingHappened, happened, stream};

pub async fn a_written_message_is_read_back_as_written(fixture: Fixture) {
    let metadata = Metadata {
        correlation_stream_name: Some("process-7".into()),
        causation_message_position: Some(3),
        ..Metadata::default()
    };
    let message = happened(11).with_metadata(metadata.clone());
    let thing = stream("thing-1");
    fixture
        .store
        .write_message(&thing, &message, ExpectedVersion::Any)
        .await
        .expect("written");

    let read = fixture
        .store
        .read_stream(&thing, 0, 10)
        .await
        .expect("read");
    assert_eq!(read.len(), 1);
    let stored = &read[0];
    assert_eq!(stored.id, message.id);
    assert_eq!(stored.stream_name, thing);
    assert_eq!(stored.message_type, "SomethingHappened");
    assert_eq!(
        stored.decode::<SomethingHappened>(),
        Ok(SomethingHappened { amount: 11 })
    );
    assert_eq!(stored.metadata(), Ok(metadata));
}

pub async fn positions_count_from_zero_and_global_positions_increase(fixture: Fixture) {
    let first = stream("thing-1");
    let second = stream("thing-2");
    for (target, amount) in [(&first, 1), (&second, 2), (&first, 3)] {
        fixture
            .store
            .write_message(target, &happened(amount), ExpectedVersion::Any)
            .await
            .expect("written");
    }
    let read = fixture
        .store
        .read_stream(&first, 0, 10)
        .await
        .expect("read");
    assert_eq!(
        read.iter().map(|m| m.position).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert!(read[0].global_position < read[1].global_position);
    let other = fixture
        .store
        .read_stream(&second, 0, 10)
        .await
        .expect("read");
    assert_eq!(other[0].position, 0);
    assert!(read[0].global_position < other[0].global_position);
    assert!(other[0].global_position < read[1].global_position);
}

pub async fn writing_at_the_wrong_expected_version_writes_nothing(fixture: Fixture) {
    let thing = stream("thing-1");
    fixture
        .store
        .write_message(&thing, &happened(1), ExpectedVersion::INITIAL)
        .await
        .expect("written");

    let error = fixture
        .store
        .write_message(&thing, &happened(2), ExpectedVersion::Exactly(5))
        .await
        .expect_err("stream is at version 0");
    match error {
        StoreError::WrongExpectedVersion {
            stream_name,
            expected,
            actual,
        } => {
            assert_eq!(stream_name, thing);
            assert_eq!(expected, 5);
            assert_eq!(actual, 0);
        }
        other => panic!("expected a wrong expected version, got {other:?}"),
    }
    assert_eq!(
        fixture.store.stream_version(&thing).await.expect("read"),
        Some(0)
    );

    fixture
        .store
        .write_message(&thing, &happened(3), ExpectedVersion::Exactly(0))
        .await
        .expect("the right version is accepted");
    assert_eq!(
        fixture.store.stream_version(&thing).await.expect("read"),
        Some(1)
    );
}

pub async fn the_initial_expected_version_requires_an_empty_stream(fixture: Fixture) {
    let thing = stream("thing-1");
    fixture
        .store
        .write_message(&thing, &happened(1), ExpectedVersion::INITIAL)
        .await
        .expect("an empty stream accepts the initial version");
    let error = fixture
        .store
        .write_message(&thing, &happened(2), ExpectedVersion::INITIAL)
        .await
        .expect_err("the stream exists now");
    assert!(error.is_wrong_expected_version(), "{error:?}");
}

pub async fn several_messages_are_written_together_or_not_at_all(fixture: Fixture) {
    let thing = stream("thing-1");
    let position = fixture
        .store
        .write(
            &thing,
            &[happened(1), happened(2), happened(3)],
            ExpectedVersion::INITIAL,
        )
        .await
        .expect("written");
    assert_eq!(position, 2);

    // The second batch repeats the first message's id in its second
    // message: the whole batch fails, including the message before the
    // duplicate, and the error names the id that was taken.
    let taken = fixture.store.read_stream(&thing, 0, 1).await.expect("read")[0].id;
    let refused = fixture
        .store
        .write(
            &thing,
            &[happened(4), happened(5).with_id(taken)],
            ExpectedVersion::Exactly(2),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::DuplicateMessageId { id }) if id == taken),
        "{refused:?}"
    );
    let amounts: Vec<i64> = fixture
        .store
        .read_stream(&thing, 0, 10)
        .await
        .expect("read")
        .iter()
        .map(|m| m.decode::<SomethingHappened>().expect("decodes").amount)
        .collect();
    assert_eq!(amounts, vec![1, 2, 3]);
}

pub async fn a_message_id_is_written_only_once(fixture: Fixture) {
    let message = happened(1);
    fixture
        .store
        .write_message(&stream("thing-1"), &message, ExpectedVersion::Any)
        .await
        .expect("written");
    let error = fixture
        .store
        .write_message(&stream("thing-2"), &message, ExpectedVersion::Any)
        .await
        .expect_err("the id is taken");
    assert!(
        matches!(error, StoreError::DuplicateMessageId { id } if id == message.id),
        "{error:?}"
    );
    assert_eq!(
        fixture
            .store
            .stream_version(&stream("thing-2"))
            .await
            .expect("read"),
        None
    );
}

pub async fn of_writers_racing_at_one_version_exactly_one_wins(fixture: Fixture) {
    let thing = stream("thing-1");
    fixture
        .store
        .write_message(&thing, &happened(0), ExpectedVersion::INITIAL)
        .await
        .expect("written");
    let store = Arc::new(fixture.store.clone());
    let writers: Vec<_> = (1..=8)
        .map(|amount| {
            let store = Arc::clone(&store);
            let thing = thing.clone();
            tokio::spawn(async move {
                store
                    .write_message(&thing, &happened(amount), ExpectedVersion::Exactly(0))
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for writer in writers {
        match writer.await.expect("task") {
            Ok(position) => {
                winners += 1;
                assert_eq!(position, 1);
            }
            Err(error) => assert!(error.is_wrong_expected_version(), "{error:?}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(
        fixture.store.stream_version(&thing).await.expect("read"),
        Some(1)
    );
}

/// Writes made at the same moment may share a transaction (the Postgres
/// store commits a category's waiting writes together), but each keeps its
/// own expected version and its own all-or-nothing: one wrong write among
/// many fails alone, and the others are written as if it were not there.
pub async fn a_wrong_write_among_concurrent_writes_fails_alone(fixture: Fixture) {
    let streams: Vec<_> = (1..=20).map(|n| stream(&format!("thing-{n}"))).collect();
    for thing in &streams {
        fixture
            .store
            .write_message(thing, &happened(0), ExpectedVersion::INITIAL)
            .await
            .expect("written");
    }
    let store = Arc::new(fixture.store.clone());
    let writers: Vec<_> = streams
        .iter()
        .enumerate()
        .map(|(n, thing)| {
            let (store, thing) = (Arc::clone(&store), thing.clone());
            tokio::spawn(async move {
                match n {
                    // The wrong one: the stream is at version 0.
                    6 => {
                        store
                            .write_message(&thing, &happened(6), ExpectedVersion::Exactly(5))
                            .await
                    }
                    // Two messages at once.
                    7 => {
                        store
                            .write(
                                &thing,
                                &[happened(71), happened(72)],
                                ExpectedVersion::Exactly(0),
                            )
                            .await
                    }
                    _ => {
                        store
                            .write_message(&thing, &happened(n as i64), ExpectedVersion::Exactly(0))
                            .await
                    }
                }
            })
        })
        .collect();
    for (n, writer) in writers.into_iter().enumerate() {
        let written = writer.await.expect("task");
        match n {
            6 => assert!(
                written
                    .as_ref()
                    .is_err_and(StoreError::is_wrong_expected_version),
                "{written:?}"
            ),
            7 => assert_eq!(written.expect("written"), 2),
            _ => assert_eq!(written.expect("written"), 1),
        }
    }
    let version = |n: usize| fixture.store.stream_version(&streams[n]);
    assert_eq!(version(6).await.expect("read"), Some(0));
    assert_eq!(version(7).await.expect("read"), Some(2));
    assert_eq!(version(0).await.expect("read"), Some(1));
}

pub async fn writing_nothing_is_refused(fixture: Fixture) {
    let empty: [NewMessage; 0] = [];
    let error = fixture
        .store
        .write(&stream("thing-1"), &empty, ExpectedVersion::Any)
        .await
        .expect_err("nothing to write");
    assert!(matches!(error, StoreError::InvalidRequest(_)), "{error:?}");
}
