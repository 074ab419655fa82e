//! The Postgres server a test process talks to: `DATABASE_URL`, or a cluster
//! of its own.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Cluster, ClusterSettings, Error};

/// A Postgres server that tests may create databases on.
#[derive(Debug)]
pub struct Server {
    /// A URL for a superuser connection to the server's `postgres` database.
    admin_url: String,
    /// The cluster we started, when `DATABASE_URL` was not given. Keeping it
    /// here keeps it running for as long as the test process lives.
    cluster: Option<Cluster>,
}

/// Whether a missing Postgres must fail the run rather than skip the tests:
/// true under `CI=true`, so that CI can never pass by skipping.
pub fn postgres_is_required() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

impl Server {
    /// The server for this test process: the one at `DATABASE_URL` if that is
    /// set, otherwise a throwaway cluster started on first use and shared by
    /// every test of the process.
    ///
    /// Returns `None`, after a loud message on standard error, when neither is
    /// available; the caller then skips its test. Under `CI=true` it panics
    /// instead, because a test that silently does not run proves nothing.
    pub fn shared() -> Option<&'static Server> {
        static SERVER: OnceLock<Option<Server>> = OnceLock::new();
        SERVER
            .get_or_init(|| match Server::connect_or_start() {
                Ok(server) => Some(server),
                Err(error) if postgres_is_required() => {
                    panic!("CI=true and no Postgres for the tests: {error}")
                }
                Err(error) => {
                    eprintln!(
                        "\n\
                         ************************************************************\n\
                         SKIPPING the tests that need PostgreSQL: {error}\n\
                         ************************************************************\n"
                    );
                    None
                }
            })
            .as_ref()
    }

    fn connect_or_start() -> Result<Server, Error> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => Ok(Server {
                admin_url: url,
                cluster: None,
            }),
            _ => {
                let cluster = Cluster::start(&ClusterSettings::default())?;
                Ok(Server {
                    admin_url: cluster.url("postgres"),
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// The superuser URL the server was reached with.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The URL of another database on the same server, with the same
    /// credentials and options.
    pub fn url(&self, database: &str) -> String {
        with_database(&self.admin_url, database)
    }

    /// The cluster behind this server, when we started it ourselves. Tests
    /// that restart Postgres need it; with `DATABASE_URL` they cannot.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    /// A database name no other test of this process has used. The caller
    /// creates it (this crate deliberately speaks no SQL).
    pub fn unique_database_name(&self, prefix: &str) -> String {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        format!(
            "{prefix}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// Replaces the database in a `postgres://` URL, keeping everything else.
fn with_database(url: &str, database: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |index| index + 3);
    let path_start = url[after_scheme..]
        .find('/')
        .map(|index| after_scheme + index);
    let query_start = url.find('?');
    match (path_start, query_start) {
        (Some(path), Some(query)) if path < query => {
            format!("{}/{database}{}", &url[..path], &url[query..])
        }
        (Some(path), None) => format!("{}/{database}", &url[..path]),
        (_, Some(query)) => format!("{}/{database}{}", &url[..query], &url[query..]),
        (None, None) => format!("{url}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "bank"),
            "postgres://u:p@h:5432/bank"
        );
    }

    #[test]
    fn the_options_of_a_url_are_kept() {
        assert_eq!(
            with_database("postgres://h/postgres?sslmode=disable", "bank"),
            "postgres://h/bank?sslmode=disable"
        );
    }

    #[test]
    fn a_url_without_a_database_gets_one() {
        assert_eq!(
            with_database("postgres://h:1", "bank"),
            "postgres://h:1/bank"
        );
        assert_eq!(
            with_database("postgres://h:1?x=y", "bank"),
            "postgres://h:1/bank?x=y"
        );
    }
}
