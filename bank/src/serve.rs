//! Running the whole bank in this process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use messaging::store::Writes;
use messaging::{Clock, ComponentSettings};
use messaging_layers::LayeredComponent;
use tokio_util::sync::CancellationToken;
use web_ui::components::InProcess;
use web_ui::security::AllowedHosts;
use web_ui::{AppState, Application};

use crate::Databases;
use crate::layers::{self, Switch};

/// Starts every part of the bank and runs until `shutdown` is cancelled (or
/// a part fails, which stops the others). `announce` is told the UI's
/// address once it is listening.
pub async fn serve(
    databases: Databases,
    address: SocketAddr,
    poll_interval: Duration,
    shutdown: CancellationToken,
    announce: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let stop = shutdown.child_token();
    let settings = ComponentSettings {
        poll_interval,
        ..ComponentSettings::default()
    };
    let Databases { store, views } = databases;
    // The components, each with the consumer layers (`layers.rs`) and a
    // pause switch the operations page turns.
    let consumer_layers = layers::consumer_layers();
    let mut accounts = LayeredComponent::new(store.clone(), settings, consumer_layers, &stop);
    account_component::start(&mut accounts, store.clone(), Clock::system());
    let mut transfers = LayeredComponent::new(store.clone(), settings, consumer_layers, &stop);
    funds_transfer_component::start(&mut transfers, store.clone(), Clock::system());
    let aggregator_settings = aggregator::Settings {
        poll_interval,
        ..aggregator::Settings::default()
    };
    // Each part gets the handle on the store its binary would have: the UI
    // writes only commands, the aggregator only dead letters.
    let state = AppState {
        views: views::Views::new(&views),
        store: store.clone().restricted_to(Writes::OnlyCommands),
        clock: Clock::system(),
        hosts: AllowedHosts::loopback(address.port()),
        components: InProcess::bank(
            Arc::new(Switch(accounts.pause_switch())),
            Arc::new(Switch(transfers.pause_switch())),
        ),
    };
    let application = Application::bind(address, state)
        .await
        .context("binding the web UI's port")?;
    announce(application.address()?);

    // Each part stops the others when it ends, so that a failure anywhere
    // brings the whole process down (to be restarted) rather than leaving a
    // bank that looks alive but no longer processes, say, transfers.
    let stopping = |result: anyhow::Result<()>| {
        stop.cancel();
        result
    };
    let aggregator_store = store.clone().restricted_to(Writes::OnlyDeadLetters);
    let aggregator_layers = layers::aggregator_layers(&aggregator_store, &views).await;
    let (accounts, transfers, aggregator, web) = tokio::join!(
        async { stopping(accounts.run().await.map_err(anyhow::Error::from)) },
        async { stopping(transfers.run().await.map_err(anyhow::Error::from)) },
        async {
            stopping(
                aggregator::run(
                    aggregator_store,
                    views.clone(),
                    aggregator_settings,
                    aggregator_layers,
                    stop.clone(),
                )
                .await
                .map_err(anyhow::Error::from),
            )
        },
        async {
            stopping(
                application
                    .serve(stop.clone())
                    .await
                    .map_err(anyhow::Error::from),
            )
        },
    );
    accounts.context("the account component")?;
    transfers.context("the funds-transfer component")?;
    aggregator.context("the aggregator")?;
    web.context("the web UI")?;
    Ok(())
}
