//! Running the whole bank in this process.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use messaging::store::Writes;
use messaging::{Clock, ComponentSettings};
use tokio_util::sync::CancellationToken;
use web_ui::components::InProcess;
use web_ui::security::AllowedHosts;
use web_ui::{AppState, Application};

use crate::Databases;

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
    let accounts = account_component::start(store.clone(), &settings, Clock::system(), &stop);
    let transfers =
        funds_transfer_component::start(store.clone(), &settings, Clock::system(), &stop);
    let aggregator_settings = aggregator::Settings {
        poll_interval,
        ..aggregator::Settings::default()
    };
    // Each part gets the handle on the store its binary would have: the UI
    // writes only commands, the aggregator only dead letters.
    let state = AppState {
        views: views::Views::new(&views),
        store: store.clone().restricted_to(Writes::Commands),
        clock: Clock::system(),
        hosts: AllowedHosts::loopback(address.port()),
        components: InProcess::bank(accounts.pause_switch(), transfers.pause_switch()),
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
    let (accounts, transfers, aggregator, web) = tokio::join!(
        async { stopping(accounts.run().await.map_err(anyhow::Error::from)) },
        async { stopping(transfers.run().await.map_err(anyhow::Error::from)) },
        async {
            stopping(
                aggregator::run(
                    store.clone().restricted_to(Writes::DeadLetters),
                    views.clone(),
                    aggregator_settings,
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
