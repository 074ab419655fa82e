//! Hosting a component in a process: options from the environment, logs,
//! and shutting down on SIGTERM or Ctrl-C.
//!
//! What it buys: every binary is configured the same way, by environment
//! variables (or the matching `--flags`; `--help` lists them), so a process
//! supervisor, a compose file or a person at a terminal can all run it.
//! Each also serves its metrics when given `METRICS_ADDRESS`
//! ([`metrics_endpoint`]).

mod metrics_endpoint;

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use messaging::{ComponentSettings, ConsumerGroup, StoreError};

use crate::ConsumerLayers;

pub use metrics_endpoint::{MetricsOptions, MoreMetrics, serve_metrics};

/// How a component's consumers read: consumer group and polling.
#[derive(Clone, Debug, clap::Args)]
pub struct ConsumerOptions {
    /// This instance's member number in a consumer group, from 0. Set it with
    /// CONSUMER_GROUP_SIZE to share a category between several instances.
    #[arg(long, env = "CONSUMER_GROUP_MEMBER")]
    pub consumer_group_member: Option<i64>,
    /// How many instances share the work.
    #[arg(long, env = "CONSUMER_GROUP_SIZE")]
    pub consumer_group_size: Option<i64>,
    /// Milliseconds to sleep after finding nothing new, before reading again.
    /// On Postgres consumers are also woken by notifications, so this is a
    /// safety net, not the latency.
    #[arg(long, env = "POLL_INTERVAL_MS", default_value_t = 100)]
    pub poll_interval_ms: u64,
    /// Wake up as soon as a message is written (LISTEN/NOTIFY on Postgres),
    /// rather than only at the next poll. Turn off to measure polling alone.
    #[arg(long, env = "WAKE_ON_NEW_MESSAGES", default_value_t = true, action = clap::ArgAction::Set)]
    pub wake_on_new_messages: bool,
    /// How many entities (accounts, transfers) each consumer handles at once.
    /// Each entity's messages stay in order; 1 handles the whole category in
    /// order, one message at a time.
    #[arg(long, env = "CONSUMER_LANES", default_value_t = crate::DEFAULT_LANES)]
    pub consumer_lanes: u32,
}

impl ConsumerOptions {
    /// The settings these options describe, and the layers they choose.
    /// Member and size must be given together, with Message DB's checks.
    pub fn settings(&self) -> Result<(ComponentSettings, ConsumerLayers), StoreError> {
        let consumer_group = match (self.consumer_group_member, self.consumer_group_size) {
            (None, None) => None,
            (Some(member), Some(size)) => Some(ConsumerGroup::new(member, size)?),
            (member, size) => {
                let show =
                    |value: Option<i64>| value.map_or("<NULL>".to_string(), |v| v.to_string());
                return Err(StoreError::InvalidRequest(format!(
                    "Consumer group member and size must be specified \
                     (Consumer Group Member: {}, Consumer Group Size: {})",
                    show(member),
                    show(size)
                )));
            }
        };
        let settings = ComponentSettings {
            consumer_group,
            poll_interval: Duration::from_millis(self.poll_interval_ms.max(1)),
        };
        let layers = ConsumerLayers {
            lanes: self.consumer_lanes.max(1),
            wake_ups: self.wake_on_new_messages,
        };
        Ok((settings, layers))
    }
}

/// Sends logs to standard error, filtered by `RUST_LOG` (default `info`).
/// Each line carries the event's fields (`account_id=... outcome=ignored`),
/// so logs can be searched by them. Colours only on a terminal: in a file
/// or a pipe their escape codes would be noise.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// A token that is cancelled on SIGTERM or Ctrl-C (SIGINT). Consumers finish
/// the message in hand, record their positions and stop.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        cancel.cancel();
    });
    token
}

async fn wait_for_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::ConsumerOptions;

    fn options(member: Option<i64>, size: Option<i64>) -> ConsumerOptions {
        ConsumerOptions {
            consumer_group_member: member,
            consumer_group_size: size,
            poll_interval_ms: 100,
            wake_on_new_messages: true,
            consumer_lanes: 4,
        }
    }

    #[test]
    fn member_and_size_make_a_group() {
        let (settings, _) = options(Some(1), Some(2)).settings().expect("valid");
        assert_eq!(
            settings.consumer_group.map(|g| (g.member(), g.size())),
            Some((1, 2))
        );
    }

    #[test]
    fn a_member_without_a_size_is_refused() {
        let error = options(Some(1), None).settings().expect_err("size missing");
        assert!(
            error.to_string().contains("Consumer Group Size: <NULL>"),
            "{error}"
        );
    }

    #[test]
    fn no_group_is_the_default() {
        assert!(
            options(None, None)
                .settings()
                .expect("valid")
                .0
                .consumer_group
                .is_none()
        );
    }

    #[test]
    fn no_lanes_is_one_lane() {
        let mut none = options(None, None);
        none.consumer_lanes = 0;
        assert_eq!(none.settings().expect("valid").1.lanes, 1);
    }
}
