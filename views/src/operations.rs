//! The operations views: every consumer's position and lag, and the
//! messages consumers parked.
//!
//! These are not updates from business events but readings of the store,
//! which the aggregator refreshes every second; a rebuild does not need to
//! reproduce them. The tables are `consumers` and `dead_letters` in
//! `migrations/views/`; the web UI's operations page reads them.

use messaging::Time;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::Views;
use crate::columns::parsed;

/// Lag is counted up to this many messages (the same limit as the
/// metrics'); the page shows "1000+" beyond.
pub use messaging::consumer::LAG_LIMIT;

/// A consumer's recorded position and lag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerProgress {
    /// Its position stream, which names it: `account:command+position`,
    /// `account+position-fundsTransfer`, or `aggregator: account` for the
    /// aggregator's own reading of a category.
    pub position_stream: String,
    /// The category it reads.
    pub category: String,
    /// The global position it recorded last, if any.
    pub position: Option<i64>,
    /// How many messages it has yet to read, as it filters the category,
    /// up to [`LAG_LIMIT`].
    pub lag: i64,
    /// When this reading was taken.
    pub updated_time: Time,
}

impl ConsumerProgress {
    /// Has it read everything there is?
    pub fn is_caught_up(&self) -> bool {
        self.lag == 0
    }
}

/// A message a consumer parked, as its dead-letter record describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// The global position of the dead-letter record: its identity.
    pub global_position: i64,
    /// The consumer that could not handle the message.
    pub consumer: String,
    /// Where the message is.
    pub stream_name: String,
    pub position: i64,
    pub message_type: String,
    /// Why it could not be handled.
    pub error: String,
    /// When it was parked.
    pub time: Time,
}

/// The aggregator's write: a fresh reading of a consumer.
pub async fn save_consumer(pool: &AnyPool, consumer: &ConsumerProgress) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consumers (position_stream, category, position, lag, updated_time) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (position_stream) DO UPDATE SET \
           position = excluded.position, lag = excluded.lag, updated_time = excluded.updated_time",
    )
    .bind(consumer.position_stream.clone())
    .bind(consumer.category.clone())
    .bind(consumer.position)
    .bind(consumer.lag)
    .bind(consumer.updated_time.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// The aggregator's write: a parked message, once.
pub async fn add_dead_letter(pool: &AnyPool, letter: &DeadLetter) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dead_letters (global_position, consumer, stream_name, position, \
                                   message_type, error, time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (global_position) DO NOTHING",
    )
    .bind(letter.global_position)
    .bind(letter.consumer.clone())
    .bind(letter.stream_name.clone())
    .bind(letter.position)
    .bind(letter.message_type.clone())
    .bind(letter.error.clone())
    .bind(letter.time.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

fn consumer(row: &AnyRow) -> Result<ConsumerProgress, sqlx::Error> {
    Ok(ConsumerProgress {
        position_stream: row.try_get("position_stream")?,
        category: row.try_get("category")?,
        position: row.try_get("position")?,
        lag: row.try_get("lag")?,
        updated_time: parsed(row, "updated_time")?,
    })
}

fn dead_letter(row: &AnyRow) -> Result<DeadLetter, sqlx::Error> {
    Ok(DeadLetter {
        global_position: row.try_get("global_position")?,
        consumer: row.try_get("consumer")?,
        stream_name: row.try_get("stream_name")?,
        position: row.try_get("position")?,
        message_type: row.try_get("message_type")?,
        error: row.try_get("error")?,
        time: parsed(row, "time")?,
    })
}

/// The web UI's reads.
impl Views {
    /// Every consumer's position and lag, by category.
    pub async fn consumers(&self) -> Result<Vec<ConsumerProgress>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT position_stream, category, position, lag, updated_time \
             FROM consumers ORDER BY category, position_stream",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consumer).collect()
    }

    /// The messages consumers parked, newest first.
    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT global_position, consumer, stream_name, position, message_type, error, time \
             FROM dead_letters ORDER BY global_position DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(dead_letter).collect()
    }
}
