//! Starting the account component: two consumers, sharing one entity store.

use messaging::{Clock, ConsumerSettings, Consumers, MessageStore};

use crate::handlers::commands::CommandHandler;
use crate::handlers::commands::transactions::TransactionHandler;
use crate::{store, streams};

/// Starts the component's consumers on `consumers` (whoever runs the
/// component: see `messaging::Consumers`): one on `account:command`, one on
/// `accountTransaction`, both writing to `store`, with the time from `clock`.
pub fn start(consumers: &mut impl Consumers, store: MessageStore, clock: Clock) {
    // One entity store for both handlers, so its cache serves both.
    let accounts = store::build(store.clone());
    consumers.start(
        ConsumerSettings::new(streams::COMMAND_CATEGORY),
        CommandHandler::new(store.clone(), accounts.clone(), clock.clone()),
    );
    consumers.start(
        ConsumerSettings::new(streams::TRANSACTION_CATEGORY),
        TransactionHandler::new(store, accounts, clock),
    );
}
