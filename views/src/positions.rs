//! How far the aggregator has applied each category: the table
//! `aggregator_positions`.
//!
//! The aggregator writes a batch's rows and its new position in one view
//! transaction, so after a crash it resumes exactly after the last batch it
//! committed: the views and the position can never disagree. (A consumer of
//! the message store keeps its position in a stream instead, apart from what
//! its handler wrote, and pays for that with idempotent handlers.)

use sqlx::{Any, Executor, Row};

use crate::Views;

/// The global position of the last message of `category` applied to the
/// views (0 before the first batch).
pub async fn applied<'e>(
    executor: impl Executor<'e, Database = Any>,
    category: &str,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT position FROM aggregator_positions WHERE category = $1")
        .bind(category.to_string())
        .fetch_optional(executor)
        .await?;
    match row {
        Some(row) => row.try_get("position"),
        None => Ok(0),
    }
}

/// Records that `category` is applied up to `position`. A position never
/// moves back: an older one is ignored.
pub async fn record<'e>(
    executor: impl Executor<'e, Database = Any>,
    category: &str,
    position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO aggregator_positions (category, position) VALUES ($1, $2) \
         ON CONFLICT (category) DO UPDATE SET position = excluded.position \
         WHERE aggregator_positions.position < excluded.position",
    )
    .bind(category.to_string())
    .bind(position)
    .execute(executor)
    .await?;
    Ok(())
}

impl Views {
    /// The sum of the positions the aggregator has applied, over every
    /// category: it moves with every batch that changes the views, and with
    /// nothing else (not with the operations views' refresh, every second).
    pub async fn applied_positions(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT CAST(coalesce(sum(position), 0) AS BIGINT) FROM aggregator_positions",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// A short text that changes whenever the aggregator changes the views:
    /// the positions it has applied (every batch moves one), the consumers'
    /// progress and the parked messages. The web UI's live updates watch it,
    /// one query for the whole server, and re-read a page's own token only
    /// when it changes (see `web-ui/src/live.rs`).
    pub async fn progress(&self) -> Result<String, sqlx::Error> {
        let row = sqlx::query(
            "SELECT \
               (SELECT CAST(coalesce(sum(position), 0) AS BIGINT) FROM aggregator_positions) \
                 AS applied, \
               (SELECT max(updated_time) FROM consumers) AS consumers, \
               (SELECT count(*) FROM dead_letters) AS parked",
        )
        .fetch_one(&self.pool)
        .await?;
        let applied: i64 = row.try_get("applied")?;
        let consumers: Option<String> = row.try_get("consumers")?;
        let parked: i64 = row.try_get("parked")?;
        Ok(format!(
            "{applied}|{}|{parked}",
            consumers.unwrap_or_default()
        ))
    }
}
