//! A row at the largest global position there is: a consumer refuses it,
//! with an error naming it, rather than overflowing (a panic in a debug
//! build, a wrap to the start of the category in a release build).
//!
//! `write_message` takes global positions from a sequence that never comes
//! near; such a row can only be inserted by hand, by a role allowed to
//! insert into the table (the bank gives that to no role but the store's).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use messaging::controls::postgres::fresh_store;
use messaging::{
    Category, Consumer, ConsumerError, ConsumerSettings, Handler, HandlerError, StoreError,
    StoredMessage,
};
use tokio_util::sync::CancellationToken;

/// Remembers what it was handed.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<i64>>>);

impl Handler for Recorder {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        self.0.lock().expect("lock").push(message.global_position);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_at_the_last_global_position_stops_the_consumer_naming_it() {
    let Some(store) = fresh_store().await else {
        return;
    };
    let pool = store.as_postgres().expect("postgres").pool().clone();
    sqlx::raw_sql(
        "INSERT INTO message_store.messages (id, stream_name, position, type, data, global_position) \
         VALUES (gen_random_uuid(), 'thing-1', 0, 'Happened', '{}', 9223372036854775807)",
    )
    .execute(&pool)
    .await
    .expect("inserted as the superuser");

    let category = Category::new("thing").expect("a category");
    let handler = Recorder::default();
    let consumer = Consumer::new(
        store.clone(),
        ConsumerSettings::new(category.clone()),
        handler.clone(),
    );
    let shutdown = CancellationToken::new();
    let outcome = tokio::time::timeout(Duration::from_secs(10), consumer.run(shutdown))
        .await
        .expect("the consumer stops by itself");

    let error = outcome.expect_err("it stops with an error");
    assert!(
        matches!(
            &error,
            ConsumerError::Store {
                source: StoreError::PositionExhausted { global_position, .. },
                ..
            } if *global_position == i64::MAX
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("thing-1") && text.contains("9223372036854775807"),
        "{text}"
    );
    assert!(
        handler.0.lock().expect("lock").is_empty(),
        "nothing was handled"
    );
    let position = store
        .read_last(&category.companion("position").as_stream_name(), None)
        .await
        .expect("read");
    assert_eq!(position, None, "no position was recorded");
}
