//! Which aggregators are running against these views: the table
//! `aggregators`.
//!
//! Rebuilding the views drops every table and replays the store. An
//! aggregator running meanwhile would write rows into tables about to be
//! dropped, or apply batches while the rebuild replays the same ones; the
//! result would be right only once both had caught up, and the operator
//! would not know when that was. So each running aggregator says, every
//! second, that it is there, and a rebuild refuses while any has said so a
//! moment ago. A row, not a database lock: it works the same on Postgres and
//! SQLite, and an operator can see it (`SELECT * FROM aggregators`).

use std::time::Duration;

use messaging::Time;
use sqlx::{AnyPool, Row};

use crate::columns::parsed;

/// How long after its last word an aggregator counts as gone: a few of its
/// one-second heartbeats, so that a busy moment does not let a rebuild in.
pub const PRESENCE_LIFETIME: Duration = Duration::from_secs(5);

/// Says that `instance` is running, now.
pub async fn announce(pool: &AnyPool, instance: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO aggregators (instance, seen_time) VALUES ($1, $2) \
         ON CONFLICT (instance) DO UPDATE SET seen_time = excluded.seen_time",
    )
    .bind(instance.to_string())
    .bind(Time::now().to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// Says that `instance` has stopped.
pub async fn withdraw(pool: &AnyPool, instance: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM aggregators WHERE instance = $1")
        .bind(instance.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// The aggregators heard from within [`PRESENCE_LIFETIME`], with how long
/// ago, in milliseconds.
pub async fn running(pool: &AnyPool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT instance, seen_time FROM aggregators")
        .fetch_all(pool)
        .await?;
    let now = Time::now().unix_milliseconds();
    let lifetime = i64::try_from(PRESENCE_LIFETIME.as_millis()).unwrap_or(i64::MAX);
    let mut running = Vec::new();
    for row in rows {
        let seen: Time = parsed(&row, "seen_time")?;
        let ago = now - seen.unix_milliseconds();
        if ago < lifetime {
            running.push((row.try_get("instance")?, ago));
        }
    }
    Ok(running)
}
