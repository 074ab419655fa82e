//! A Postgres cluster of the test's own, with the bank's two databases, for
//! tests that stop or crash Postgres and so cannot share a server.

use sqlx::Connection;
use throwaway_postgres::{Cluster, ClusterSettings};

/// Starts a cluster with `settings` and creates `bank` (the message store)
/// and `bank_views` in it.
pub async fn cluster_with_bank_databases(settings: &ClusterSettings) -> Cluster {
    let cluster = Cluster::start(settings).expect("a cluster of our own");
    let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .expect("admin");
    for database in ["bank", "bank_views"] {
        let create = format!("CREATE DATABASE {database}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await
            .expect("created");
    }
    cluster
}
