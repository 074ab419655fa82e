//! Reading categories: order, batches, correlation, consumer groups, and the
//! promise that a reader never skips a message.

use std::time::Duration;

use messaging::{
    Category, CategoryRead, ConsumerGroup, ExpectedVersion, NewMessage, StoredMessage, hash_64,
};

use crate::support::{Fixture, Kind, SomethingHappened, happened, stream};

fn category(name: &str) -> Category {
    Category::new(name).expect("valid category")
}

fn amounts(messages: &[StoredMessage]) -> Vec<i64> {
    messages
        .iter()
        .map(|m| m.decode::<SomethingHappened>().expect("decodes").amount)
        .collect()
}

pub async fn a_category_is_read_in_global_position_order(fixture: Fixture) {
    for (name, amount) in [
        ("thing-1", 1),
        ("other-1", 99),
        ("thing-2", 2),
        ("thing-1", 3),
    ] {
        fixture
            .store
            .write_message(&stream(name), &happened(amount), ExpectedVersion::Any)
            .await
            .expect("written");
    }
    let read = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")))
        .await
        .expect("read");
    assert_eq!(amounts(&read), vec![1, 2, 3]);
    assert!(
        read.windows(2)
            .all(|pair| pair[0].global_position < pair[1].global_position)
    );
}

pub async fn a_category_read_starts_at_a_global_position_and_stops_at_the_batch_size(
    fixture: Fixture,
) {
    let messages: Vec<NewMessage> = (0..10).map(happened).collect();
    fixture
        .store
        .write(&stream("thing-1"), &messages, ExpectedVersion::Any)
        .await
        .expect("written");
    let all = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")))
        .await
        .expect("read");
    let from = all[4].global_position;
    let read = fixture
        .store
        .read_category(
            &CategoryRead::new(category("thing"))
                .from_global_position(from)
                .batch_size(3),
        )
        .await
        .expect("read");
    assert_eq!(amounts(&read), vec![4, 5, 6]);
    let none = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")).batch_size(0))
        .await
        .expect("read");
    assert!(none.is_empty());
}

pub async fn correlation_keeps_messages_correlated_with_a_category(fixture: Fixture) {
    let correlated =
        |amount, correlation: &str| happened(amount).correlated_with(&stream(correlation));
    for message in [
        correlated(1, "process-7"),
        happened(2),
        correlated(3, "otherProcess-1"),
        correlated(4, "process-8"),
        correlated(5, "process"),
    ] {
        fixture
            .store
            .write_message(&stream("thing-1"), &message, ExpectedVersion::Any)
            .await
            .expect("written");
    }
    let read = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")).correlation(Some(category("process"))))
        .await
        .expect("read");
    assert_eq!(amounts(&read), vec![1, 4, 5]);
}

pub async fn consumer_groups_split_streams_by_cardinal_id(fixture: Fixture) {
    let names = ["thing-1+a", "thing-1+b", "thing-1", "thing-2+a", "thing-3"];
    for (amount, name) in names.iter().enumerate() {
        fixture
            .store
            .write_message(
                &stream(name),
                &happened(amount as i64),
                ExpectedVersion::Any,
            )
            .await
            .expect("written");
    }
    for member in 0..2 {
        let group = ConsumerGroup::new(member, 2).expect("valid");
        let read = fixture
            .store
            .read_category(&CategoryRead::new(category("thing")).consumer_group(Some(group)))
            .await
            .expect("read");
        let got: Vec<String> = read.iter().map(|m| m.stream_name.to_string()).collect();
        // The member is |hash_64(cardinal id)| mod size, the same formula on
        // every backend and in every Message DB client.
        let expected: Vec<String> = names
            .iter()
            .filter(|name| {
                let cardinal = stream(name).cardinal_id().expect("has an id").to_string();
                (hash_64(&cardinal).unsigned_abs() % 2) as i64 == member
            })
            .map(|name| (*name).to_string())
            .collect();
        assert_eq!(got, expected, "member {member}");
        // All streams of cardinal id 1 are with one member.
        let ones = got
            .iter()
            .filter(|name| name.starts_with("thing-1"))
            .count();
        assert!(ones == 0 || ones == 3, "{got:?}");
    }
}

pub async fn every_stream_belongs_to_exactly_one_group_member(fixture: Fixture) {
    for n in 0..30 {
        fixture
            .store
            .write_message(
                &stream(&format!("thing-{n}")),
                &happened(n),
                ExpectedVersion::Any,
            )
            .await
            .expect("written");
    }
    let mut seen = Vec::new();
    for member in 0..3 {
        let group = ConsumerGroup::new(member, 3).expect("valid");
        let read = fixture
            .store
            .read_category(&CategoryRead::new(category("thing")).consumer_group(Some(group)))
            .await
            .expect("read");
        seen.extend(amounts(&read));
    }
    seen.sort();
    assert_eq!(seen, (0..30).collect::<Vec<_>>());
}

/// Two writers in one category. Writer A writes first, so it holds the lower
/// global position, but it has not committed. Writer B then writes to the
/// same category. Without the category lock, B could commit first, a reader
/// would see B, move past A's position, and never see A. With the lock, B
/// waits for A, and the reader sees both, in order.
pub async fn a_category_reader_never_skips_a_message_that_commits_late(fixture: Fixture) {
    let held = hold_uncommitted_write(&fixture, "thing-1", 1).await;

    let store = fixture.store.clone();
    let writer_b = tokio::spawn(async move {
        store
            .write_message(&stream("thing-2"), &happened(2), ExpectedVersion::Any)
            .await
    });

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !writer_b.is_finished(),
        "writer B must wait for writer A's category lock"
    );
    let meanwhile = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")))
        .await
        .expect("read");
    assert!(
        meanwhile.is_empty(),
        "nothing is committed yet: {meanwhile:?}"
    );

    held.commit().await;
    writer_b
        .await
        .expect("task")
        .expect("writer B writes after A commits");

    let read = fixture
        .store
        .read_category(&CategoryRead::new(category("thing")))
        .await
        .expect("read");
    assert_eq!(amounts(&read), vec![1, 2]);
    assert!(read[0].global_position < read[1].global_position);
}

/// A write inside a transaction that stays open until `commit`.
enum HeldWrite {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
}

impl HeldWrite {
    async fn commit(self) {
        match self {
            HeldWrite::Postgres(transaction) => transaction.commit().await.expect("commit"),
            HeldWrite::Sqlite(transaction) => transaction.commit().await.expect("commit"),
        }
    }
}

async fn hold_uncommitted_write(fixture: &Fixture, name: &str, amount: i64) -> HeldWrite {
    let message = happened(amount);
    match fixture.kind {
        Kind::Postgres => {
            let pool = fixture.store.as_postgres().expect("postgres").pool();
            let mut transaction = pool.begin().await.expect("begin");
            sqlx::query("SELECT message_store.write_message($1, $2, $3, $4::jsonb)")
                .bind(message.id.to_string())
                .bind(name)
                .bind(&message.message_type)
                .bind(&message.data)
                .execute(&mut *transaction)
                .await
                .expect("write inside the transaction");
            HeldWrite::Postgres(transaction)
        }
        Kind::Sqlite => {
            let pool = fixture.store.as_sqlite().expect("sqlite").pool();
            let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
            sqlx::query(
                "INSERT INTO messages (position, stream_name, type, data, id, category) \
                 VALUES (0, ?, ?, ?, ?, 'thing')",
            )
            .bind(name)
            .bind(&message.message_type)
            .bind(&message.data)
            .bind(message.id.to_string())
            .execute(&mut *transaction)
            .await
            .expect("write inside the transaction");
            HeldWrite::Sqlite(transaction)
        }
        Kind::Memory => panic!("the memory store has no transactions to hold"),
    }
}
