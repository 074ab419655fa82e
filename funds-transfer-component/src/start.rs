//! Starting the funds-transfer component: three consumers, one entity store.

use account_component::streams as account_streams;
use messaging::{Clock, Component, ComponentSettings, Consumer, MessageStore};
use tokio_util::sync::CancellationToken;

use crate::handlers::account::events::AccountEvents;
use crate::handlers::commands::Commands;
use crate::handlers::events::Events;
use crate::{store, streams};

/// Starts the component's consumers: its commands, its own events, and the
/// account events correlated with transfers. Await [`Component::run`].
pub fn start(
    store: MessageStore,
    settings: &ComponentSettings,
    clock: Clock,
    shutdown: &CancellationToken,
) -> Component {
    let transfers = store::build(store.clone());
    let mut component = Component::new(shutdown);
    component.start(Consumer::new(
        store.clone(),
        settings.consumer(streams::COMMAND_CATEGORY),
        Commands::new(store.clone(), transfers.clone(), clock.clone()),
    ));
    component.start(Consumer::new(
        store.clone(),
        settings.consumer(streams::CATEGORY),
        Events::new(store.clone(), transfers.clone(), clock.clone()),
    ));
    // The account category, but only what answers a transfer, under an
    // identifier of its own so its position does not mix with anyone else's.
    let mut account_events = settings.consumer(account_streams::CATEGORY);
    account_events.identifier = Some(streams::ACCOUNT_CONSUMER.to_string());
    account_events.correlation = Some(streams::CATEGORY);
    component.start(Consumer::new(
        store.clone(),
        account_events,
        AccountEvents::new(store, transfers, clock),
    ));
    component
}
