//! Starting the account component: two consumers, sharing one entity store.

use messaging::{Clock, Component, ComponentSettings, Consumer, MessageStore};
use tokio_util::sync::CancellationToken;

use crate::handlers::commands::Commands;
use crate::handlers::commands::transactions::Transactions;
use crate::{store, streams};

/// Starts the component's consumers: one on `account:command`, one on
/// `accountTransaction`. They stop when `shutdown` is cancelled, or when
/// either fails; await [`Component::run`] for the outcome.
pub fn start(
    store: MessageStore,
    settings: &ComponentSettings,
    clock: Clock,
    shutdown: &CancellationToken,
) -> Component {
    // One entity store for both handlers, so its cache serves both.
    let accounts = store::build(store.clone());
    let mut component = Component::new(shutdown);
    component.start(Consumer::new(
        store.clone(),
        settings.consumer(streams::COMMAND_CATEGORY),
        Commands::new(store.clone(), accounts.clone(), clock.clone()),
    ));
    component.start(Consumer::new(
        store.clone(),
        settings.consumer(streams::TRANSACTION_CATEGORY),
        Transactions::new(store, accounts, clock),
    ));
    component
}
