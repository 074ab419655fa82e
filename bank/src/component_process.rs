//! A component as a process of its own, with the layers a production
//! process wants: what `account-component` and `funds-transfer-component`
//! share (each binary only names its component).

use anyhow::Context;
use messaging::MessageStore;
use messaging_layers::LayeredComponent;
use messaging_layers::host::{ConsumerOptions, MetricsOptions, init_logging, shutdown_on_signals};

use crate::layers;

/// What a component process is told, by its environment or its flags.
#[derive(Debug, clap::Args)]
pub struct ComponentOptions {
    /// The message store: postgres://... (installed) or sqlite://path.
    #[arg(long, env = "MESSAGE_STORE_URL")]
    pub message_store_url: String,
    #[command(flatten)]
    pub consumers: ConsumerOptions,
    #[command(flatten)]
    pub metrics: MetricsOptions,
}

/// Runs the component `start` starts (named `name` in the logs) until a
/// signal asks it to stop, or it fails.
pub async fn run(
    name: &str,
    options: ComponentOptions,
    start: impl FnOnce(&mut LayeredComponent, MessageStore),
) -> anyhow::Result<()> {
    init_logging();
    let (settings, consumer_layers) = options.consumers.settings()?;
    let store = layers::message_store(&options.message_store_url, 10)
        .await
        .context("connecting to the message store")?;
    let shutdown = shutdown_on_signals();
    tracing::info!(consumer_group = ?settings.consumer_group, "{name} starting");
    options
        .metrics
        .start(layers::METRICS_NAMESPACE, None, &shutdown)
        .await
        .context("serving metrics")?;
    let mut component = LayeredComponent::new(store.clone(), settings, consumer_layers, &shutdown);
    start(&mut component, store);
    component.run().await?;
    Ok(())
}
