//! The simulator: one seed, one execution.
//!
//! Everything that could make two runs differ is drawn from one seeded
//! [`Dice`]: what the clients do, which consumer takes the next step, how
//! big the aggregator's batches are, and which fault strikes where. Nothing
//! runs concurrently; time is the fixed clock the simulator moves; the ids
//! the bank makes are derived from the ids its clients chose. So a seed replays exactly, and a
//! failure found once is a failure found for good.
//!
//! The faults are the ones at the seams where money goes wrong: a write
//! that fails before it is stored, or is stored with its answer lost; a
//! consumer that crashes before handling a message or after handling it but
//! before recording its position; a position rewound; a second instance of
//! a consumer; a poison message; an entity cache dropped; the aggregator's
//! positions rewound, its batches cut anywhere, and a slow second instance
//! committing a stale batch. (A real consumer's delayed or re-ordered
//! wake-ups are the simulator's choice of who runs next.)

use std::fmt;

use account_component::streams as account_streams;
use bank::audit::{Expect, audit, views_agree_with_the_streams};
use funds_transfer_component::streams as transfer_streams;
use messaging::consumer::Transient;
use messaging::store::WriteFailure;
use messaging::{ConsumerGroup, ExpectedVersion, Metadata, NewMessage};
use test_processes::Dice;

use crate::aggregation::Aggregation;
use crate::checks;
use crate::consumers::{Consumer, CrashPoint, Role};
use crate::ledger::Tally;
use crate::setup::{Parts, StoreKind};
use crate::workload::{Workload, new_id};

/// How big an execution is.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Client operations.
    pub operations: usize,
    /// Where the message store lives.
    pub store: StoreKind,
}

/// What one execution did, and what it found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub seed: u64,
    pub steps: usize,
    pub faults: Faults,
    /// What the clients did, and what became of it (at rest).
    pub tally: Tally,
    /// What was wrong, if anything.
    pub failure: Option<String>,
    /// Every step, in order: what a replay prints, and what two runs of one
    /// seed must agree on.
    pub trace: Vec<String>,
}

/// The faults struck, by kind.
#[derive(Debug, Default, Clone, Copy)]
pub struct Faults {
    pub writes_failed: usize,
    pub answers_lost: usize,
    pub crashes: usize,
    pub rewinds: usize,
    pub duplicates: usize,
    pub poison: usize,
    pub caches_dropped: usize,
    pub view_rewinds: usize,
    pub stale_batches: usize,
}

impl Faults {
    pub fn total(&self) -> usize {
        self.writes_failed
            + self.answers_lost
            + self.crashes
            + self.rewinds
            + self.duplicates
            + self.poison
            + self.caches_dropped
            + self.view_rewinds
            + self.stale_batches
    }

    pub fn add(&mut self, other: &Faults) {
        self.writes_failed += other.writes_failed;
        self.answers_lost += other.answers_lost;
        self.crashes += other.crashes;
        self.rewinds += other.rewinds;
        self.duplicates += other.duplicates;
        self.poison += other.poison;
        self.caches_dropped += other.caches_dropped;
        self.view_rewinds += other.view_rewinds;
        self.stale_batches += other.stale_batches;
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "writes failed {}, answers lost {}, crashes {}, positions rewound {}, \
             duplicate consumers {}, poison messages {}, caches dropped {}, \
             view positions rewound {}, stale batches {}",
            self.writes_failed,
            self.answers_lost,
            self.crashes,
            self.rewinds,
            self.duplicates,
            self.poison,
            self.caches_dropped,
            self.view_rewinds,
            self.stale_batches
        )
    }
}

/// After the workload, steps with no faults until everything is read; more
/// than this means the bank never comes to rest.
const DRAIN_LIMIT: usize = 20_000;
/// How often (in steps) the invariants that hold at any moment are checked.
const CHECK_EVERY: usize = 25;

/// The bank under simulation.
struct Simulation {
    parts: Parts,
    dice: Dice,
    consumers: Vec<Consumer>,
    aggregations: Vec<Aggregation>,
    workload: Workload,
    outcome: Outcome,
    /// How many consumers the bank runs without duplicates.
    instances: usize,
    /// A crash waiting for a consumer's next step: (consumer, point).
    crash: Option<(usize, CrashPoint)>,
}

/// Runs one execution.
pub async fn simulate(seed: u64, settings: Settings) -> Outcome {
    let parts = Parts::new(settings.store).await;
    let mut dice = Dice::seeded(seed);
    // The account component runs alone or as a consumer group of two.
    let grouped = dice.below(2) == 0;
    let mut consumers = Vec::new();
    for role in Role::ALL {
        let members: Vec<Option<ConsumerGroup>> = if grouped && role.is_the_account_components() {
            (0..2)
                .map(|member| ConsumerGroup::new(member, 2).ok())
                .collect()
        } else {
            vec![None]
        };
        for group in members {
            consumers.push(Consumer::start(role, group, &parts).await.expect("started"));
        }
    }
    let mut simulation = Simulation {
        instances: consumers.len(),
        parts,
        dice,
        consumers,
        aggregations: Aggregation::all(),
        workload: Workload::new(settings.operations),
        outcome: Outcome {
            seed,
            ..Outcome::default()
        },
        crash: None,
    };
    simulation.note(format!(
        "seed {seed}: {} operations, the account component {}",
        settings.operations,
        if grouped { "a group of two" } else { "alone" }
    ));
    if let Err(failure) = simulation.run().await {
        simulation.outcome.failure = Some(failure);
    }
    let Simulation { parts, outcome, .. } = simulation;
    parts.close().await;
    outcome
}

impl Simulation {
    fn note(&mut self, line: String) {
        self.outcome.trace.push(line);
    }

    async fn run(&mut self) -> Result<(), String> {
        // While the clients work, faults strike about one step in eight.
        while !self.workload.is_done() {
            self.step(true).await?;
        }
        // Then no more faults: every consumer catches up, and the bank
        // must come to rest.
        self.end_duplicates();
        let mut drained = 0;
        loop {
            if self.at_rest().await? {
                // At rest, the operator looks at the operations page once
                // more, and releases what the bank holds.
                let released = self
                    .workload
                    .release(&self.parts, &mut self.dice)
                    .await
                    .map_err(|error| error.to_string())?;
                let Some(released) = released else { break };
                self.note(format!("      the operator: {released}"));
            }
            drained += 1;
            if drained > DRAIN_LIMIT {
                return Err("the bank never came to rest".to_string());
            }
            self.step(false).await?;
        }
        self.note("at rest".to_string());
        self.outcome.tally = checks::at_rest(&self.parts, &self.workload.ledger).await?;
        Ok(())
    }

    /// One step: a client, a consumer, the aggregator, or a fault.
    async fn step(&mut self, faults: bool) -> Result<(), String> {
        self.outcome.steps += 1;
        let tick = 1 + self.dice.below(50) as i64;
        self.parts.tick(tick);
        let roll = self.dice.below(100);
        let line = if faults && roll < 12 {
            self.strike().await?
        } else if !self.workload.is_done() && roll < 30 {
            self.workload
                .act(&self.parts, &mut self.dice)
                .await
                .map_err(|error| error.to_string())?
        } else if roll < 78 {
            self.consumer_step().await?
        } else {
            self.aggregation_step().await?
        };
        self.note(format!("{:>5} {line}", self.outcome.steps));
        if self.outcome.steps.is_multiple_of(CHECK_EVERY) {
            self.check_as_we_go().await?;
        }
        Ok(())
    }

    async fn consumer_step(&mut self) -> Result<String, String> {
        let index = self.dice.below(self.consumers.len() as u64) as usize;
        let crash = match self.crash {
            Some((crashing, point)) if crashing == index => {
                self.crash = None;
                Some(point)
            }
            _ => None,
        };
        let consumer = &mut self.consumers[index];
        let name = consumer.name.clone();
        match consumer.step(&self.parts, crash).await {
            Ok(line) => Ok(format!("{name}: {line}")),
            // A transient failure is retried inside the turn, by the
            // failure policy; what comes out is a failure no retry can fix.
            Err(error) => Err(format!(
                "{name} stopped: {error} (a failure no retry can fix)"
            )),
        }
    }

    async fn aggregation_step(&mut self) -> Result<String, String> {
        let index = self.dice.below(self.aggregations.len() as u64) as usize;
        let aggregation = &mut self.aggregations[index];
        let category = aggregation.source.category();
        match aggregation.step(&self.parts, &mut self.dice).await {
            Ok(applied) => Ok(format!("aggregator ({category}): applied {applied}")),
            Err(error) if error.is_transient() => {
                Ok(format!("aggregator ({category}): will retry ({error})"))
            }
            Err(error) => Err(format!("the aggregator stopped: {error}")),
        }
    }

    /// One fault, chosen by the dice.
    async fn strike(&mut self) -> Result<String, String> {
        let consumer = self.dice.below(self.consumers.len() as u64) as usize;
        let aggregation = self.dice.below(self.aggregations.len() as u64) as usize;
        let failed = |error: messaging::StoreError| error.to_string();
        let line = match self.dice.below(10) {
            0 | 1 => {
                let Some(memory) = self.parts.memory() else {
                    return Ok("fault: none (a SQLite store cannot fail a write on demand)".into());
                };
                if self.dice.below(2) == 0 {
                    memory.fail_next_write(WriteFailure::BeforeStoring);
                    self.outcome.faults.writes_failed += 1;
                    "fault: the next write fails before it is stored".to_string()
                } else {
                    memory.fail_next_write(WriteFailure::AfterStoring);
                    self.outcome.faults.answers_lost += 1;
                    "fault: the next write is stored, its answer lost".to_string()
                }
            }
            2 => {
                let point = if self.dice.below(2) == 0 {
                    CrashPoint::BeforeHandling
                } else {
                    CrashPoint::AfterHandling
                };
                self.crash = Some((consumer, point));
                self.outcome.faults.crashes += 1;
                format!(
                    "fault: {} will crash {point:?}",
                    self.consumers[consumer].name
                )
            }
            3 => {
                let target = &mut self.consumers[consumer];
                let rewound = target.rewind(&self.parts).await;
                target
                    .restart(&self.parts)
                    .await
                    .map_err(|error| error.to_string())?;
                self.outcome.faults.rewinds += 1;
                match rewound {
                    Ok(()) => format!("fault: {} rewound and restarted", target.name),
                    Err(error) => {
                        format!("fault: {} restarted, not rewound ({error})", target.name)
                    }
                }
            }
            4 => {
                let original = &self.consumers[consumer];
                let (role, group) = (original.role, original.group());
                let twin = Consumer::start(role, group, &self.parts)
                    .await
                    .map_err(|error| error.to_string())?;
                let line = format!("fault: a second {} starts", twin.name);
                self.consumers.push(twin);
                self.outcome.faults.duplicates += 1;
                line
            }
            5 => match self.poison().await.map_err(failed)? {
                Some(id) => {
                    self.outcome.faults.poison += 1;
                    format!("fault: a poison message {id}")
                }
                None => "fault: a poison message, not stored (its write failed)".to_string(),
            },
            6 => {
                let target = &mut self.consumers[consumer];
                target
                    .drop_cache(&self.parts)
                    .await
                    .map_err(|error| error.to_string())?;
                self.outcome.faults.caches_dropped += 1;
                format!("fault: {} drops its cache", target.name)
            }
            7 => {
                let target = &self.aggregations[aggregation];
                target
                    .rewind(&self.parts)
                    .await
                    .map_err(|e| e.to_string())?;
                self.outcome.faults.view_rewinds += 1;
                format!(
                    "fault: the views' position of {} rewound",
                    target.source.category()
                )
            }
            8 => {
                let target = &mut self.aggregations[aggregation];
                target
                    .start_a_slow_duplicate(&self.parts)
                    .await
                    .map_err(|e| e.to_string())?;
                self.outcome.faults.stale_batches += 1;
                format!(
                    "fault: a slow aggregator reads {}",
                    target.source.category()
                )
            }
            _ => {
                // A duplicate that was started goes away again.
                if self.consumers.len() > self.instances {
                    let gone = self.consumers.pop().map(|c| c.name).unwrap_or_default();
                    format!("fault: a second {gone} stops")
                } else {
                    "fault: none this time".to_string()
                }
            }
        };
        Ok(line)
    }

    /// A command whose data is not its type's: its consumer must park it and
    /// go on.
    async fn poison(&mut self) -> Result<Option<uuid::Uuid>, messaging::StoreError> {
        let category = if self.dice.below(2) == 0 {
            (account_streams::COMMAND_CATEGORY, "Deposit")
        } else {
            (transfer_streams::COMMAND_CATEGORY, "Transfer")
        };
        let stream = category.0.stream(new_id(&mut self.dice));
        let id = new_id(&mut self.dice);
        let message = NewMessage {
            id,
            message_type: category.1.to_string(),
            data: r#"{"poison":"this is not a command"}"#.to_string(),
            metadata: Metadata::default(),
        };
        match self
            .parts
            .store
            .write_message(&stream, &message, ExpectedVersion::Any)
            .await
        {
            Ok(_) => Ok(Some(id)),
            // A failure armed for the next write took this one.
            Err(error) if error.is_transient() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Stops every duplicate consumer, keeping one instance of each.
    fn end_duplicates(&mut self) {
        let mut kept: Vec<Consumer> = Vec::new();
        for consumer in self.consumers.drain(..) {
            if !kept.iter().any(|c| c.name == consumer.name) {
                kept.push(consumer);
            }
        }
        self.consumers = kept;
        self.crash = None;
    }

    /// Whether every client is done, every write known, and every consumer
    /// and the aggregator have read everything there is.
    async fn at_rest(&mut self) -> Result<bool, String> {
        if !self.workload.is_done() {
            return Ok(false);
        }
        for consumer in &self.consumers {
            if consumer
                .next_message(&self.parts)
                .await
                .map_err(|error| error.to_string())?
                .is_some()
            {
                return Ok(false);
            }
        }
        for aggregation in &self.aggregations {
            if !aggregation
                .caught_up(&self.parts)
                .await
                .map_err(|error| error.to_string())?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The invariants that hold at every moment: the store's, and the
    /// views' agreement with the streams whenever the aggregator is caught
    /// up.
    async fn check_as_we_go(&mut self) -> Result<(), String> {
        let report = audit(&self.parts.store, None, Expect::Busy)
            .await
            .map_err(|error| error.to_string())?;
        if report.violations() > 0 {
            return Err(checks::describe(&report));
        }
        let mut caught_up = true;
        for aggregation in &self.aggregations {
            caught_up &= aggregation
                .caught_up(&self.parts)
                .await
                .map_err(|error| error.to_string())?;
        }
        if caught_up {
            let agree = views_agree_with_the_streams(&self.parts.store, &self.parts.views)
                .await
                .map_err(|error| error.to_string())?;
            if !agree.violations.is_empty() {
                return Err(format!(
                    "with the aggregator caught up, {}: {}",
                    agree.name,
                    agree.violations.join("; ")
                ));
            }
        }
        Ok(())
    }
}
