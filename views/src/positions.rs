//! How far the aggregator has applied each category: the table
//! `aggregator_positions`.
//!
//! The aggregator writes a batch's rows and its new position in one view
//! transaction, so after a crash it resumes exactly after the last batch it
//! committed: the views and the position can never disagree. (A consumer of
//! the message store keeps its position in a stream instead, apart from what
//! its handler wrote, and pays for that with idempotent handlers.)

use sqlx::{Any, Executor, Row};

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
