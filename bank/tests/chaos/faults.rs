//! The chaos driver: while the clients work, every few hundred
//! milliseconds it does one bad thing to the bank.
//!
//! - It kills a process with SIGKILL and starts it again, as a crash and a
//!   supervisor would.
//! - It rewinds a consumer's recorded position, so that after a restart the
//!   consumer handles messages it has handled before (a re-delivery).
//! - It starts a second instance of a process beside the first, and kills
//!   it the next round (a deploy that overlapped, or a supervisor that
//!   started one too many).
//! - On Postgres, it restarts the server, once cleanly and once as a crash.
//! - It writes a poison message, a command whose data cannot be read, into
//!   each command category: the component must park it and go on.
//!
//! Every fault is one that happens to real systems, and every one is
//! survivable only if the components are idempotent and keep their
//! positions honestly. That is what the run is for.

use std::fmt;
use std::time::{Duration, Instant};

use account_component::streams as account_streams;
use funds_transfer_component::streams as transfer_streams;
use messaging::consumer::DeadLettered;
use messaging::{
    Category, CategoryRead, ExpectedVersion, MessageStore, Metadata, NewMessage, StoreError,
};
use test_processes::{Dice, RunningProcess};
use uuid::Uuid;

use crate::under_test::{ChaosBank, Layout};

/// What the driver did, by kind.
#[derive(Debug, Default)]
pub struct Faults {
    /// Rounds struck, and the longest one took (a round that takes long
    /// means fewer faults in the run).
    pub rounds: usize,
    pub slowest_round: Duration,
    pub kills: usize,
    pub redeliveries: usize,
    pub duplicates: usize,
    pub postgres_restarts: usize,
    /// The poison messages written, by id.
    pub poison: Vec<Uuid>,
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rounds (slowest {:.1}s): kills {}, re-deliveries {}, duplicates {}, \
             postgres restarts {}, poison messages {}",
            self.rounds,
            self.slowest_round.as_secs_f64(),
            self.kills,
            self.redeliveries,
            self.duplicates,
            self.postgres_restarts,
            self.poison.len()
        )
    }
}

/// One bad thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Kill,
    Redeliver,
    Duplicate,
    RestartPostgres(&'static str),
    /// A poison message into the command category `POISON[n]`.
    Poison(usize),
}

/// The first rounds do one of each fault, so that even a short run meets
/// them all; after that the dice choose, and Postgres crashes once more.
const OPENING: [Fault; 7] = [
    Fault::Kill,
    Fault::Poison(0),
    Fault::Redeliver,
    Fault::Poison(1),
    Fault::Duplicate,
    Fault::RestartPostgres("fast"),
    Fault::Kill,
];
const CRASH_ROUND: usize = 12;

/// The command categories, each with a command type whose data the poison
/// message breaks.
const POISON: [(Category, &str); 2] = [
    (account_streams::COMMAND_CATEGORY, "Deposit"),
    (transfer_streams::COMMAND_CATEGORY, "Transfer"),
];

/// The driver's state between rounds.
pub struct Driver {
    pub faults: Faults,
    dice: Dice,
    round: usize,
    duplicate: Option<RunningProcess>,
}

impl Driver {
    pub fn new(dice: Dice) -> Driver {
        Driver {
            faults: Faults::default(),
            dice,
            round: 0,
            duplicate: None,
        }
    }

    /// How long to wait before the next round.
    pub fn pause(&mut self) -> Duration {
        Duration::from_millis(150 + self.dice.below(450))
    }

    /// One round of chaos.
    pub async fn strike(&mut self, bank: &mut ChaosBank) {
        self.end_duplicate().await;
        bank.check_alive();
        let fault = match OPENING.get(self.round) {
            Some(fault) => *fault,
            None if self.round == CRASH_ROUND => Fault::RestartPostgres("immediate"),
            None => [Fault::Kill, Fault::Redeliver, Fault::Duplicate][self.dice.below(3) as usize],
        };
        self.round += 1;
        let started = Instant::now();
        self.inflict(fault, bank).await;
        self.faults.rounds += 1;
        self.faults.slowest_round = self.faults.slowest_round.max(started.elapsed());
    }

    async fn inflict(&mut self, fault: Fault, bank: &mut ChaosBank) {
        let names = ChaosBank::names(bank.layout);
        let name = names[self.dice.below(names.len() as u64) as usize];
        match fault {
            Fault::Kill => {
                bank.restart(name).await;
                self.faults.kills += 1;
            }
            Fault::Redeliver => {
                if let Some(owner) = bank.rewind(&mut self.dice).await {
                    bank.restart(owner).await;
                    self.faults.redeliveries += 1;
                }
            }
            Fault::Duplicate => {
                self.duplicate = Some(bank.spawn(name));
                self.faults.duplicates += 1;
            }
            // The embedded bank has no server to restart.
            Fault::RestartPostgres(_) if bank.layout == Layout::Embedded => {}
            Fault::RestartPostgres(mode) => {
                bank.restart_postgres(mode).await;
                self.faults.postgres_restarts += 1;
            }
            Fault::Poison(n) => {
                let (category, message_type) = POISON[n].clone();
                let id = poison(&bank.store, category, message_type).await;
                self.faults.poison.push(id);
            }
        }
    }

    async fn end_duplicate(&mut self) {
        if let Some(mut extra) = self.duplicate.take() {
            extra.kill().await;
        }
    }

    /// After the clients are done: ends the last duplicate; in a run too
    /// short for the opening rounds, does the faults they did not get to
    /// (Postgres crashing rather than stopping cleanly), so every run meets
    /// every fault.
    pub async fn finish(&mut self, bank: &mut ChaosBank) {
        let missed: Vec<Fault> = OPENING
            .iter()
            .skip(self.round)
            .map(|fault| match fault {
                Fault::RestartPostgres(_) => Fault::RestartPostgres("immediate"),
                other => *other,
            })
            .collect();
        for fault in missed {
            self.end_duplicate().await;
            self.inflict(fault, bank).await;
        }
        if self.faults.redeliveries == 0 {
            // The rewind found no position recorded yet: try once more,
            // now that the consumers have recorded theirs.
            self.inflict(Fault::Redeliver, bank).await;
        }
        self.end_duplicate().await;
        bank.check_alive();
    }
}

/// Writes a command of `message_type` whose data is not that type's, to a
/// new entity's stream in `category`; returns its message id.
async fn poison(store: &MessageStore, category: Category, message_type: &str) -> Uuid {
    let stream = category.stream(Uuid::new_v4());
    let id = Uuid::new_v4();
    let message = NewMessage {
        id,
        message_type: message_type.to_string(),
        data: r#"{"poison":"this is not a command"}"#.to_string(),
        metadata: Metadata::default(),
    };
    crate::bank_commands::send_until_sent(|| async {
        store
            .write_message(&stream, &message, ExpectedVersion::Any)
            .await
            .map(|_| id)
    })
    .await;
    id
}

/// The poison messages a component (not the aggregator, which parks what
/// it cannot project on its own account) parked, by message id.
pub async fn parked_by_components(store: &MessageStore) -> Result<Vec<Uuid>, StoreError> {
    let mut parked = Vec::new();
    for (category, _) in POISON {
        let dead_letters = category.companion("deadLetter");
        let read = CategoryRead::new(dead_letters).batch_size(10_000);
        for record in store.read_category(&read).await? {
            let by_aggregator = record.stream_name.as_str().ends_with("-aggregator");
            if let (false, Ok(letter)) = (by_aggregator, record.decode::<DeadLettered>()) {
                parked.push(letter.message_id);
            }
        }
    }
    Ok(parked)
}
