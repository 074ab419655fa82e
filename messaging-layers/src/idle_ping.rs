//! When a pooled connection is checked before it is used.
//!
//! What it buys: one round trip per query instead of two (a one-integer
//! SELECT behind axum: 18,300 to 25,400 requests a second). What it costs: a
//! connection that died less than [`IDLE_BEFORE_PING`] after its last use
//! fails its next query with a transient error, which consumers retry.
//!
//! A connection pool hands out connections that may have died while they
//! sat in it (the database restarted, a firewall dropped an idle socket).
//! By default, sqlx checks every connection before handing it out with a
//! "ping", which is a full round trip to the server: a query then costs two
//! round trips instead of one, and a round trip is most of what a short
//! query costs (each one wakes the server's process and ours and crosses
//! the network stack twice).
//!
//! A connection that was in use a moment ago is alive, or about to fail
//! whatever we check. So the bank's pools ping only a connection that has
//! been idle for longer than [`IDLE_BEFORE_PING`]: after a quiet spell, or a
//! restart of the database, a stale connection is still found and replaced
//! before anyone's query fails on it, and under load no query pays for the
//! check. A connection that does fail mid-query fails as one that broke
//! during the query would: a transient error, which consumers retry.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sqlx::Connection;
use sqlx::pool::PoolConnectionMetadata;

/// How long a connection may sit in the pool and still be handed out
/// without a ping.
pub const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// For `PoolOptions::before_acquire` (with `test_before_acquire(false)`):
/// pings the connection only if it has been idle for longer than
/// [`IDLE_BEFORE_PING`]. A failed ping makes the pool close it and try
/// another.
pub fn ping_if_idle<C: Connection>(
    connection: &mut C,
    metadata: PoolConnectionMetadata,
) -> Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    Box::pin(async move {
        if metadata.idle_for > IDLE_BEFORE_PING {
            connection.ping().await?;
        }
        Ok(true)
    })
}
