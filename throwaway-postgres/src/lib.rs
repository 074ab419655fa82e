//! A throwaway PostgreSQL cluster for tests and benchmarks.
//!
//! The bank's tests run against a real Postgres, never a mock. So that
//! `cargo test --workspace` passes on a fresh machine with nothing to
//! configure, the tests start a cluster of their own from the server binaries
//! that are installed (`initdb` into a temporary folder, a free port, trust
//! authentication) and remove it when the test process ends.
//!
//! Two ways in:
//!
//! - [`Server::shared`] is what tests use. When `DATABASE_URL` is set it points
//!   at that server; otherwise it starts one throwaway cluster for the whole
//!   test process. Each test then creates a fresh database on it, named by
//!   [`Server::unique_database_name`] (`messaging::controls::postgres` does
//!   this), so tests never see each other's messages.
//! - [`Cluster::start`] starts a cluster with settings of your choosing. The
//!   benchmarks use it to measure a cluster that really flushes to disk.
//!
//! Where Postgres is not installed, [`Server::shared`] returns `None` after
//! saying so loudly, and the tests that need it skip. Under `CI=true` a
//! missing server is a failure instead, so CI can never go green by skipping.

mod cluster;
mod server;

pub use cluster::{Cluster, ClusterSettings};
pub use server::{Server, postgres_is_required};

/// What can go wrong while starting or talking to the throwaway cluster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No PostgreSQL server binaries were found on this machine.
    #[error(
        "no PostgreSQL server binaries found (looked for initdb in $POSTGRES_BIN, \
         /usr/lib/postgresql/*/bin and $PATH); install PostgreSQL or set DATABASE_URL"
    )]
    NotInstalled,
    /// A command we ran (initdb, pg_ctl, psql) failed; its output says why.
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
    /// The operating system refused something (a folder, a process, a port).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}
