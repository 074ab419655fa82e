//! Binding a port and serving until shutdown.

use std::net::SocketAddr;

use tokio::net::TcpListener;
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
}

impl Application {
    /// Binds `address` (for example `127.0.0.1:3000`, or `:0` for any port).
    /// Hosts allowed on port 0 are allowed on the port bound.
    pub async fn bind(address: SocketAddr, mut state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(address).await?;
        state.hosts = state.hosts.on_port(listener.local_addr()?.port());
        Ok(Application { listener, state })
    }

    /// The address actually bound.
    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled, then finishes the requests in
    /// flight and returns.
    pub async fn serve(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let router = app_until(self.state, Limits::default(), shutdown.clone());
        axum::serve(self.listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    }
}
