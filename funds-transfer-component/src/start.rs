//! Starting the funds-transfer component: three consumers, one entity store.

use account_component::streams as account_streams;
use messaging::{Clock, ConsumerSettings, Consumers, MessageStore};

use crate::handlers::account::events::AccountEventHandler;
use crate::handlers::commands::CommandHandler;
use crate::handlers::events::EventHandler;
use crate::{store, streams};

/// Starts the component's consumers on `consumers` (whoever runs the
/// component: see `messaging::Consumers`): its commands, its own events,
/// and the account events correlated with transfers, all writing to
/// `store`, with the time from `clock`.
pub fn start(consumers: &mut impl Consumers, store: MessageStore, clock: Clock) {
    let transfers = store::build(store.clone());
    consumers.start(
        ConsumerSettings::new(streams::COMMAND_CATEGORY),
        CommandHandler::new(store.clone(), transfers.clone(), clock.clone()),
    );
    consumers.start(
        ConsumerSettings::new(streams::CATEGORY),
        EventHandler::new(store.clone(), transfers.clone(), clock.clone()),
    );
    // The account category, but only what answers a transfer, under an
    // identifier of its own so its position does not mix with anyone else's.
    let mut account_events = ConsumerSettings::new(account_streams::CATEGORY);
    account_events.identifier = Some(streams::ACCOUNT_CONSUMER.to_string());
    account_events.correlation = Some(streams::CATEGORY);
    consumers.start(
        account_events,
        AccountEventHandler::new(store, transfers, clock),
    );
}
