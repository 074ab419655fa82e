//! Serving the process's metrics over HTTP, for Prometheus to scrape.
//!
//! Each binary serves them on an address of its own (`METRICS_ADDRESS`), not
//! on the web UI's port: the components have no other port, and an operator
//! can let a monitoring system reach the metrics without reaching the bank.

use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Metrics a binary adds to its consumers' (the web UI's requests), already
/// in the text format.
pub type MoreMetrics = fn() -> String;

/// Where to serve metrics.
#[derive(Clone, Debug, clap::Args)]
pub struct MetricsOptions {
    /// Serve Prometheus metrics at http://METRICS_ADDRESS/metrics, such as
    /// 127.0.0.1:9100. Not served when unset.
    #[arg(long, env = "METRICS_ADDRESS")]
    pub metrics_address: Option<SocketAddr>,
}

impl MetricsOptions {
    /// Binds the metrics address, if one is set, and serves in the background
    /// until `shutdown`. Failing to bind is an error at start, where an
    /// operator sees it, rather than metrics silently missing.
    pub async fn start(
        &self,
        namespace: &'static str,
        more: Option<MoreMetrics>,
        shutdown: &CancellationToken,
    ) -> std::io::Result<()> {
        let Some(address) = self.metrics_address else {
            return Ok(());
        };
        let listener = TcpListener::bind(address).await?;
        tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
        tokio::spawn(serve_metrics(listener, namespace, more, shutdown.clone()));
        Ok(())
    }
}

/// Answers `GET /metrics` on `listener` until `shutdown`: every running
/// consumer of this process, named in `namespace`
/// ([`crate::metrics::render`]), then `more`.
pub async fn serve_metrics(
    listener: TcpListener,
    namespace: &'static str,
    more: Option<MoreMetrics>,
    shutdown: CancellationToken,
) {
    let metrics = move || async move {
        let mut text = crate::metrics::render(namespace).await;
        if let Some(more) = more {
            text.push_str(&more());
        }
        ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
    };
    let router = Router::new().route("/metrics", get(metrics));
    if let Err(error) = axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    {
        tracing::warn!(%error, "the metrics endpoint stopped");
    }
}
