//! `funds-transfer-component`: the funds-transfer component as a process.

use anyhow::Context;
use clap::Parser;
use messaging::host::{ConsumerOptions, MetricsOptions, init_logging, shutdown_on_signals};
use messaging::{Clock, MessageStore};

/// Runs the funds-transfer component: reads `fundsTransfer:command`,
/// `fundsTransfer` and (correlated) `account`, and writes transfer events
/// and account commands.
#[derive(Debug, Parser)]
#[command(name = "funds-transfer-component", version)]
struct Options {
    /// The message store: postgres://... (installed) or sqlite://path.
    #[arg(long, env = "MESSAGE_STORE_URL")]
    message_store_url: String,
    #[command(flatten)]
    consumers: ConsumerOptions,
    #[command(flatten)]
    metrics: MetricsOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let options = Options::parse();
    let settings = options.consumers.settings()?;
    let store = MessageStore::connect(&options.message_store_url, 10)
        .await
        .context("connecting to the message store")?;
    let shutdown = shutdown_on_signals();
    tracing::info!(consumer_group = ?settings.consumer_group, "funds-transfer component starting");
    options
        .metrics
        .start(None, &shutdown)
        .await
        .context("serving metrics")?;
    funds_transfer_component::start(store, &settings, Clock::system(), &shutdown)
        .run()
        .await?;
    Ok(())
}
