//! The components' consumers, one step at a time.
//!
//! A real consumer (`messaging::consumer`) is a loop: read a batch from its
//! position, hand each message to its handler, record the position now and
//! then, sleep when there is nothing new. Here the simulator *is* that loop:
//! it decides which consumer takes its next step, and where a step is cut
//! short by a crash. The handlers, the entity stores, the position and
//! dead-letter streams are the components' own.

use account_component::handlers::commands::CommandHandler as AccountCommands;
use account_component::handlers::commands::transactions::TransactionHandler;
use account_component::streams as account_streams;
use funds_transfer_component::handlers::account::events::AccountEventHandler;
use funds_transfer_component::handlers::commands::CommandHandler as TransferCommands;
use funds_transfer_component::handlers::events::EventHandler as TransferEvents;
use funds_transfer_component::streams as transfer_streams;
use messaging::consumer::{DeadLetterStream, PositionStore};
use messaging::{
    CategoryRead, ConsumerGroup, ConsumerSettings, Handler, HandlerError, StoreError, StoredMessage,
};

use crate::setup::Parts;

/// Which of the components' five consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The account component on `account:command`.
    AccountCommands,
    /// The account component on `accountTransaction`.
    AccountTransactions,
    /// The funds-transfer component on `fundsTransfer:command`.
    TransferCommands,
    /// The funds-transfer component on its own events.
    TransferEvents,
    /// The funds-transfer component on account events answering transfers.
    TransferAccountEvents,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::AccountCommands,
        Role::AccountTransactions,
        Role::TransferCommands,
        Role::TransferEvents,
        Role::TransferAccountEvents,
    ];

    /// Whether the account component runs this one, and so may run it as a
    /// consumer group.
    pub fn is_the_account_components(self) -> bool {
        matches!(self, Role::AccountCommands | Role::AccountTransactions)
    }

    fn settings(self, group: Option<ConsumerGroup>) -> ConsumerSettings {
        let mut settings = match self {
            Role::AccountCommands => ConsumerSettings::new(account_streams::COMMAND_CATEGORY),
            Role::AccountTransactions => {
                ConsumerSettings::new(account_streams::TRANSACTION_CATEGORY)
            }
            Role::TransferCommands => ConsumerSettings::new(transfer_streams::COMMAND_CATEGORY),
            Role::TransferEvents => ConsumerSettings::new(transfer_streams::CATEGORY),
            Role::TransferAccountEvents => {
                let mut settings = ConsumerSettings::new(account_streams::CATEGORY);
                settings.identifier = Some(transfer_streams::ACCOUNT_CONSUMER.to_string());
                settings.correlation = Some(transfer_streams::CATEGORY);
                settings
            }
        };
        settings.consumer_group = group;
        settings
    }
}

/// The handler a consumer runs, as its component's `start` builds it.
enum Handling {
    AccountCommands(AccountCommands),
    AccountTransactions(TransactionHandler),
    TransferCommands(TransferCommands),
    TransferEvents(TransferEvents),
    TransferAccountEvents(AccountEventHandler),
}

impl Handling {
    /// A new handler with a new entity store: what a restarted process has,
    /// its cache empty.
    fn new(role: Role, parts: &Parts) -> Handling {
        let store = parts.store.clone();
        let clock = parts.clock.clone();
        match role {
            Role::AccountCommands => {
                let accounts = account_component::store::build(store.clone());
                Handling::AccountCommands(AccountCommands::new(store, accounts, clock))
            }
            Role::AccountTransactions => {
                let accounts = account_component::store::build(store.clone());
                Handling::AccountTransactions(TransactionHandler::new(store, accounts, clock))
            }
            Role::TransferCommands => {
                let transfers = funds_transfer_component::store::build(store.clone());
                Handling::TransferCommands(TransferCommands::new(store, transfers, clock))
            }
            Role::TransferEvents => {
                let transfers = funds_transfer_component::store::build(store.clone());
                Handling::TransferEvents(TransferEvents::new(store, transfers, clock))
            }
            Role::TransferAccountEvents => {
                let transfers = funds_transfer_component::store::build(store.clone());
                Handling::TransferAccountEvents(AccountEventHandler::new(store, transfers, clock))
            }
        }
    }

    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match self {
            Handling::AccountCommands(handler) => handler.handle(message).await,
            Handling::AccountTransactions(handler) => handler.handle(message).await,
            Handling::TransferCommands(handler) => handler.handle(message).await,
            Handling::TransferEvents(handler) => handler.handle(message).await,
            Handling::TransferAccountEvents(handler) => handler.handle(message).await,
        }
    }
}

/// Where a crash cuts a step short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// With the message read, before the handler runs.
    BeforeHandling,
    /// After the handler wrote its event, before the position is recorded:
    /// the message will be delivered again.
    AfterHandling,
}

/// What one step did.
#[derive(Debug)]
pub enum Step {
    /// Nothing new to read.
    Idle,
    /// The message was handled (or parked), and the consumer moved past it.
    Handled(StoredMessage),
    /// The handler or the store failed in a way worth retrying; the
    /// consumer will read the message again.
    Retry(StoredMessage, String),
    /// The process crashed mid-step and started again from its recorded
    /// position.
    Crashed(StoredMessage, CrashPoint),
    /// A failure no retry can fix: a real consumer would stop here.
    Stopped(StoredMessage, String),
}

/// One consumer process (or one member of a consumer group).
pub struct Consumer {
    pub role: Role,
    pub name: String,
    settings: ConsumerSettings,
    /// The global position of the last message handled, in memory.
    pub position: i64,
    handling: Handling,
    positions: PositionStore,
    dead_letters: DeadLetterStream,
}

impl Consumer {
    /// Starts a consumer: from its recorded position, like a new process.
    pub async fn start(
        role: Role,
        group: Option<ConsumerGroup>,
        parts: &Parts,
    ) -> Result<Consumer, StoreError> {
        let settings = role.settings(group);
        let positions = PositionStore::new(parts.store.clone(), settings.position_stream()?);
        let dead_letters = DeadLetterStream::new(
            parts.store.clone(),
            settings.dead_letter_stream()?,
            settings.name(),
        );
        let position = positions.get().await?.unwrap_or(0);
        Ok(Consumer {
            role,
            name: settings.name(),
            settings,
            position,
            handling: Handling::new(role, parts),
            positions,
            dead_letters,
        })
    }

    /// The consumer group member it is, if it is one.
    pub fn group(&self) -> Option<ConsumerGroup> {
        self.settings.consumer_group
    }

    /// Crashes and starts again: a new handler (its cache empty) and the
    /// position it last recorded.
    pub async fn restart(&mut self, parts: &Parts) -> Result<(), StoreError> {
        self.handling = Handling::new(self.role, parts);
        self.position = self.positions.get().await?.unwrap_or(0);
        Ok(())
    }

    /// Forgets the entities it cached (a cache evicted, say), keeping its
    /// place.
    pub fn drop_cache(&mut self, parts: &Parts) {
        self.handling = Handling::new(self.role, parts);
    }

    /// The next message it would read, if any.
    pub async fn next_message(&self, parts: &Parts) -> Result<Option<StoredMessage>, StoreError> {
        let read = CategoryRead::new(self.settings.category.clone())
            .from_global_position(self.position + 1)
            .batch_size(1)
            .correlation(self.settings.correlation.clone())
            .consumer_group(self.settings.consumer_group);
        Ok(parts.store.read_category(&read).await?.into_iter().next())
    }

    /// Records `position` in the position stream.
    pub async fn record(&self, position: i64) -> Result<(), StoreError> {
        self.positions.put(position).await
    }

    /// Rewinds the recorded position to half of it (an operator's mistake,
    /// a restored backup): after a restart the consumer reads those
    /// messages again.
    pub async fn rewind(&self) -> Result<(), StoreError> {
        let recorded = self.positions.get().await?.unwrap_or(0);
        self.positions.put(recorded / 2).await
    }

    /// One step: read the next message and hand it to the handler, as the
    /// consumer loop and its failure policy do, unless `crash` cuts it short.
    pub async fn step(
        &mut self,
        parts: &Parts,
        crash: Option<CrashPoint>,
    ) -> Result<Step, StoreError> {
        let Some(message) = self.next_message(parts).await? else {
            return Ok(Step::Idle);
        };
        if crash == Some(CrashPoint::BeforeHandling) {
            self.restart(parts).await?;
            return Ok(Step::Crashed(message, CrashPoint::BeforeHandling));
        }
        match self.handling.handle(&message).await {
            Ok(()) => {}
            Err(HandlerError::Message(error)) => {
                if let Err(failed) = self.dead_letters.park(&message, &error).await {
                    return Ok(Step::Retry(message, failed.to_string()));
                }
            }
            Err(HandlerError::Store(error))
                if error.is_wrong_expected_version() || error.is_transient() =>
            {
                return Ok(Step::Retry(message, error.to_string()));
            }
            Err(HandlerError::Store(error)) => {
                return Ok(Step::Stopped(message, error.to_string()));
            }
        }
        if crash == Some(CrashPoint::AfterHandling) {
            self.restart(parts).await?;
            return Ok(Step::Crashed(message, CrashPoint::AfterHandling));
        }
        self.position = message.global_position;
        Ok(Step::Handled(message))
    }
}
