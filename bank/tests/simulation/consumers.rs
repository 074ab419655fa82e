//! The components' consumers, one turn of their loop at a time.
//!
//! A consumer (`messaging::consumer`) is a loop: start from the recorded
//! position, then turn after turn, read a batch, hand each message to its
//! handler under the failure policy, record the position by the rules;
//! sleep when there is nothing new. Each consumer here is the real one, run
//! by the simulator a turn at a time ([`Running::step`]): the simulator
//! decides which consumer turns next, where a crash cuts in, and what time
//! it is (the consumers' clock is the simulation's, and it does not wait:
//! its poll interval passes at once, and retries wait no time). The
//! handlers, the entity stores, the position and dead-letter streams, the
//! loop and its failure policy are all the bank's own.

use account_component::handlers::commands::CommandHandler as AccountCommands;
use account_component::handlers::commands::transactions::TransactionHandler;
use account_component::streams as account_streams;
use funds_transfer_component::handlers::account::events::AccountEventHandler;
use funds_transfer_component::handlers::commands::CommandHandler as TransferCommands;
use funds_transfer_component::handlers::events::EventHandler as TransferEvents;
use funds_transfer_component::streams as transfer_streams;
use std::time::Duration;

use futures_util::future::BoxFuture;
use messaging::consumer::{Backoff, PositionStore, Running, Turn, Waited, Waiting};
use messaging::{
    CategoryRead, ConsumerError, ConsumerGroup, ConsumerSettings, Handler, HandlerError,
    StoreError, StoredMessage,
};
use tokio_util::sync::CancellationToken;

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
#[derive(Debug)]
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
}

impl Handler for Handling {
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

/// Where a crash cuts a consumer's turn short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// Before the turn: it reads nothing more.
    BeforeHandling,
    /// After the turn handled what it read, before anything more was
    /// recorded: what it handled since its last recorded position will be
    /// delivered again.
    AfterHandling,
}

/// Waits not at all: in a simulation, a poll interval passes the moment a
/// consumer waits (the simulator moves time itself).
#[derive(Debug)]
struct NoWait;

impl Waiting for NoWait {
    fn wait<'a>(&'a mut self, _: &'a CancellationToken) -> BoxFuture<'a, Waited> {
        Box::pin(async { Waited::PollInterval })
    }
}

/// One consumer process (or one member of a consumer group).
pub struct Consumer {
    pub role: Role,
    pub name: String,
    settings: ConsumerSettings,
    /// The real consumer, started; `None` only in the middle of a restart.
    running: Option<Running<Handling>>,
}

/// Never cancelled: a simulated consumer stops by being dropped (a crash)
/// or stopped ([`Running::stop`]), never by a signal.
fn never() -> CancellationToken {
    CancellationToken::new()
}

impl Consumer {
    /// Starts a consumer: from its recorded position, like a new process,
    /// with a new handler (its cache empty).
    pub async fn start(
        role: Role,
        group: Option<ConsumerGroup>,
        parts: &Parts,
    ) -> Result<Consumer, ConsumerError> {
        let mut settings = role.settings(group);
        // Small batches and frequent recordings, so that crashes and
        // restarts fall everywhere between a read and a recording.
        settings.batch_size = 3;
        settings.position_update_interval = 2;
        settings.backoff = Backoff::new(Duration::ZERO, Duration::ZERO);
        settings.clock = parts.clock.clone();
        let running = Some(run(&settings, role, parts).await?);
        Ok(Consumer {
            role,
            name: settings.name(),
            settings,
            running,
        })
    }

    /// The consumer group member it is, if it is one.
    pub fn group(&self) -> Option<ConsumerGroup> {
        self.settings.consumer_group
    }

    /// Crashes and starts again: what it handled since its last recorded
    /// position is forgotten, and its cache with it.
    pub async fn restart(&mut self, parts: &Parts) -> Result<(), ConsumerError> {
        self.running = None;
        self.running = Some(run(&self.settings, self.role, parts).await?);
        Ok(())
    }

    /// Stops as a process asked to stop does (its position recorded), and
    /// starts again with its cache empty.
    pub async fn drop_cache(&mut self, parts: &Parts) -> Result<(), ConsumerError> {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        self.restart(parts).await
    }

    fn running(&mut self) -> &mut Running<Handling> {
        self.running
            .as_mut()
            .expect("a consumer is started again as soon as it stops")
    }

    /// The next message it would read, if any.
    pub async fn next_message(&self, parts: &Parts) -> Result<Option<StoredMessage>, StoreError> {
        let read = CategoryRead::new(self.settings.category.clone())
            .from_global_position(
                self.running
                    .as_ref()
                    .map_or(0, |running| running.reading_from()),
            )
            .batch_size(1)
            .correlation(self.settings.correlation.clone())
            .consumer_group(self.settings.consumer_group);
        Ok(parts.store.read_category(&read).await?.into_iter().next())
    }

    /// Rewinds the recorded position to half of it (an operator's mistake,
    /// a restored backup): after a restart the consumer reads those
    /// messages again.
    pub async fn rewind(&self, parts: &Parts) -> Result<(), StoreError> {
        let positions = PositionStore::of(&parts.store, &self.settings)?;
        let recorded = positions.get().await?.unwrap_or(0);
        positions.put(recorded / 2).await
    }

    /// One turn of the real loop, unless `crash` cuts in before it (the
    /// consumer restarts instead) or after it (it restarts once the turn is
    /// done, having recorded no more than the turn did).
    pub async fn step(
        &mut self,
        parts: &Parts,
        crash: Option<CrashPoint>,
    ) -> Result<String, ConsumerError> {
        if crash == Some(CrashPoint::BeforeHandling) {
            self.restart(parts).await?;
            return Ok("crashed before its turn, and restarted".to_string());
        }
        let running = self.running();
        let from = running.reading_from();
        let turn = running.step(&never()).await?;
        let mut line = describe(turn, from, running.reading_from());
        if crash == Some(CrashPoint::AfterHandling) {
            self.restart(parts).await?;
            line.push_str(", then crashed and restarted");
        }
        Ok(line)
    }
}

/// A started consumer of `role` with `settings`.
async fn run(
    settings: &ConsumerSettings,
    role: Role,
    parts: &Parts,
) -> Result<Running<Handling>, ConsumerError> {
    let consumer = messaging::Consumer::new(
        parts.store.clone(),
        settings.clone(),
        Handling::new(role, parts),
    )
    .waiting_with(Box::new(NoWait));
    match consumer.start(&never()).await? {
        Some(running) => Ok(running),
        None => unreachable!("a token never cancelled cannot have stopped it"),
    }
}

/// A turn, as the trace tells it: what it read (from and to which global
/// position) and what it recorded.
fn describe(turn: Turn, from: i64, to: i64) -> String {
    let recorded = |recorded: bool| if recorded { ", position recorded" } else { "" };
    match turn {
        Turn::Batch {
            handled,
            recorded: r,
        } => {
            format!(
                "handled {handled} read from {from} up to {to}{}",
                recorded(r)
            )
        }
        Turn::CaughtUp { recorded: r } => format!("caught up at {to}{}", recorded(r)),
        Turn::Idle { recorded: r } => format!("nothing new{}", recorded(r)),
        Turn::Stopped => "stopped".to_string(),
    }
}
