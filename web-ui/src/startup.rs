//! Binding a port and serving until shutdown.
//!
//! `axum::serve` would do for a start, but it offers no way to bound the
//! connections themselves, only the requests once they are read. So this
//! file runs the accept loop itself, with hyper (which axum is built on):
//! each connection gets [`Limits::header_read_timeout`] to send a request's
//! headers (and as long, once kept alive, to start its next request), a
//! head of at most [`Limits::header_limit`] bytes, and at most
//! [`Limits::connections`] are served at once (see `limits.rs` for why).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::AppState;
use crate::app::app_until;
use crate::limits::Limits;

/// The web UI bound to a port. Binding port 0 picks a free one, which is how
/// tests run many at once; [`Application::address`] says which.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    limits: Limits,
}

impl Application {
    /// Binds `address` (for example `127.0.0.1:3000`, or `:0` for any port).
    /// Hosts allowed on port 0 are allowed on the port bound.
    pub async fn bind(address: SocketAddr, mut state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(address).await?;
        state.hosts = state.hosts.on_port(listener.local_addr()?.port());
        Ok(Application {
            listener,
            state,
            limits: Limits::default(),
        })
    }

    /// The same, with other bounds (for tests of the bounds themselves).
    pub fn with_limits(mut self, limits: Limits) -> Application {
        self.limits = limits;
        self
    }

    /// The address actually bound.
    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled, then finishes the requests in
    /// flight and returns.
    pub async fn serve(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let limits = self.limits;
        let router = app_until(self.state, limits, shutdown.clone());
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_header_size(limits.header_limit);
        let places = Arc::new(Semaphore::new(limits.connections));
        let graceful = GracefulShutdown::new();
        loop {
            // A place first, then a connection: with every place taken,
            // nothing more is accepted, and new connections wait in the
            // kernel's queue rather than in this process.
            let place = tokio::select! {
                place = places.clone().acquire_owned() => place,
                () = shutdown.cancelled() => break,
            };
            let Ok(place) = place else { break };
            let stream = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // A connection that failed before it was accepted
                    // (reset, or the process is out of file descriptors):
                    // nothing to serve. A moment's pause keeps a lasting
                    // failure from spinning the loop.
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = shutdown.cancelled() => break,
            };
            let service = TowerToHyperService::new(router.clone());
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                // A client that breaks off, or is cut off by the timeout,
                // ends its connection with an error: nothing to report.
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "connection ended");
                }
                drop(place);
            });
        }
        // Idle connections are closed now; those with a request in flight
        // finish it first.
        graceful.shutdown().await;
        Ok(())
    }
}
