//! `aggregator`: keeps the views up to date, or rebuilds them.

use anyhow::Context;
use clap::{Parser, Subcommand};
use messaging::store::Writes;
use messaging_layers::host::{MetricsOptions, init_logging, shutdown_on_signals};

use bank::layers;

/// Keeps the views the web UI reads up to date with the message store.
#[derive(Debug, Parser)]
#[command(name = "aggregator", version)]
struct Options {
    /// The message store: postgres://... (installed) or sqlite://path.
    #[arg(long, env = "MESSAGE_STORE_URL")]
    message_store_url: String,
    /// The view database: postgres://... or sqlite://path (created if missing).
    #[arg(long, env = "VIEW_DATABASE_URL")]
    view_database_url: String,
    /// Milliseconds to sleep after finding nothing new.
    #[arg(long, env = "POLL_INTERVAL_MS", default_value_t = 100)]
    poll_interval_ms: u64,
    /// Wake up as soon as a message is written (LISTEN/NOTIFY on Postgres),
    /// rather than only at the next poll.
    #[arg(long, env = "WAKE_ON_NEW_MESSAGES", default_value_t = true, action = clap::ArgAction::Set)]
    wake_on_new_messages: bool,
    #[command(flatten)]
    metrics: MetricsOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Drop the views and replay every event from the start, then exit.
    /// Stop the running aggregator first.
    Rebuild,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let options = Options::parse();
    // The aggregator writes to the message store only the events it cannot
    // apply, to dead-letter streams: its handle refuses anything else, and
    // on Postgres writes through `write_dead_letter`, all its role may call.
    let store = layers::message_store(&options.message_store_url, 10)
        .await
        .context("connecting to the message store")?
        .restricted_to(Writes::OnlyDeadLetters);
    let views = layers::view_database(&options.view_database_url, 10)
        .await
        .context("connecting to the view database")?;
    views.install().await.context("installing the views")?;
    let settings = aggregator::Settings {
        poll_interval: std::time::Duration::from_millis(options.poll_interval_ms.max(1)),
        ..aggregator::Settings::default()
    };
    match options.command {
        Some(Command::Rebuild) => {
            let replayed = aggregator::rebuild(&store, &views, settings.batch_size).await?;
            tracing::info!(replayed, "views rebuilt");
        }
        None => {
            tracing::info!("aggregator starting");
            let shutdown = shutdown_on_signals();
            options
                .metrics
                .start(layers::METRICS_NAMESPACE, None, &shutdown)
                .await
                .context("serving metrics")?;
            let mut aggregator_layers = layers::aggregator_layers(&store, &views).await;
            if !options.wake_on_new_messages {
                aggregator_layers.waiting = None;
            }
            aggregator::run(store, views, settings, aggregator_layers, shutdown).await?;
        }
    }
    Ok(())
}
