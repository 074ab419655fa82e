//! Deterministic simulation: the whole bank in one thread, under a
//! simulator that owns time, randomness and faults, so that one seed is
//! one exact execution (as FoundationDB's simulator and TigerBeetle's VOPR
//! test those systems).
//!
//! The fault run (`tests/chaos/`) kills real processes; it is realistic, but
//! each run explores one schedule, and a failure it finds cannot be
//! replayed. Here thousands of schedules run a minute, each one replayable
//! from its seed. See `simulator.rs` for what is simulated and how.
//!
//! ```sh
//! cargo test -p bank --test simulation -- --nocapture                 # the bounded run
//! SIMULATION_SEEDS=100000 cargo test --release -p bank --test simulation -- --nocapture
//! SIMULATION_SEED=1234 cargo test -p bank --test simulation -- --nocapture   # replay one
//! ```

#[allow(dead_code)]
#[path = "../support/ledger.rs"]
mod ledger;

mod aggregation;
mod checks;
mod consumers;
mod setup;
mod simulator;
mod workload;

use std::time::Instant;

use ledger::Tally;
use setup::StoreKind;
use simulator::{Faults, Outcome, Settings, simulate};

/// Seeds in the bounded run of `cargo test --workspace`.
const BOUNDED_SEEDS: u64 = 200;
/// Of which on the SQLite store, the slower mode.
const SQLITE_SEEDS: u64 = 8;
/// Client operations per execution.
const OPERATIONS: usize = 40;

fn environment(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

/// What a failing seed prints: enough to replay it.
fn failed(outcome: &Outcome, failure: &str) -> String {
    format!(
        "seed {} failed after {} steps: {failure}\n\
         replay it: SIMULATION_SEED={} cargo test -p bank --test simulation -- --nocapture",
        outcome.seed, outcome.steps, outcome.seed
    )
}

/// Runs `seeds` executions from `first`; panics, with the replay command,
/// at the first that fails.
async fn explore(first: u64, seeds: u64, store: StoreKind) -> (Faults, Tally) {
    let started = Instant::now();
    let (mut faults, mut tally, mut steps) = (Faults::default(), Tally::default(), 0);
    for seed in first..first + seeds {
        let settings = Settings {
            operations: OPERATIONS,
            store,
        };
        let outcome = simulate(seed, settings).await;
        if let Some(failure) = &outcome.failure {
            panic!("{}", failed(&outcome, failure));
        }
        faults.add(&outcome.faults);
        tally.add(&outcome.tally);
        steps += outcome.steps;
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "simulation ({store:?} store): {seeds} seeds, {} operations, {steps} steps in {seconds:.1}s \
         ({:.0} seeds/s, {:.0} operations/s, {:.0} steps/s); faults: {faults} ({} in all); \
         {tally}; no failure",
        seeds * OPERATIONS as u64,
        seeds as f64 / seconds,
        (seeds * OPERATIONS as u64) as f64 / seconds,
        steps as f64 / seconds,
        faults.total(),
    );
    (faults, tally)
}

#[tokio::test]
async fn seeded_executions_lose_and_double_nothing() {
    if let Some(seed) = environment("SIMULATION_SEED") {
        let settings = Settings {
            operations: OPERATIONS,
            store: StoreKind::Memory,
        };
        let outcome = simulate(seed, settings).await;
        for line in &outcome.trace {
            eprintln!("{line}");
        }
        if let Some(failure) = &outcome.failure {
            panic!("{}", failed(&outcome, failure));
        }
        return;
    }
    let seeds = environment("SIMULATION_SEEDS").unwrap_or(BOUNDED_SEEDS);
    let first = environment("SIMULATION_FIRST_SEED").unwrap_or(1);
    let (faults, tally) = explore(first, seeds, StoreKind::Memory).await;
    // Every kind of fault struck somewhere in the run, and every way a
    // transfer can end was reached.
    for (kind, count) in [
        ("writes failed", faults.writes_failed),
        ("answers lost", faults.answers_lost),
        ("crashes", faults.crashes),
        ("rewinds", faults.rewinds),
        ("duplicates", faults.duplicates),
        ("poison messages", faults.poison),
        ("caches dropped", faults.caches_dropped),
        ("view rewinds", faults.view_rewinds),
        ("stale batches", faults.stale_batches),
        ("transfers done", tally.transferred),
        ("transfers cancelled", tally.cancelled),
        ("transfers reversed", tally.reversed),
        ("refunds held", tally.held),
        ("releases", tally.released),
    ] {
        assert!(count > 0, "no {kind} in the run: {faults}");
    }
}

#[tokio::test]
async fn the_sqlite_store_meets_the_same_schedules() {
    let (faults, tally) = explore(1_000_000, SQLITE_SEEDS, StoreKind::Sqlite).await;
    assert!(
        tally.transfers > 0 && faults.crashes + faults.rewinds > 0,
        "{faults}"
    );
}

#[tokio::test]
async fn one_seed_is_one_execution() {
    let settings = Settings {
        operations: OPERATIONS,
        store: StoreKind::Memory,
    };
    let first = simulate(7, settings).await;
    let again = simulate(7, settings).await;
    let other = simulate(8, settings).await;
    assert!(first.trace.len() > OPERATIONS, "{:?}", first.trace);
    assert_eq!(
        first.trace, again.trace,
        "seed 7 ran two different executions"
    );
    assert_ne!(
        first.trace, other.trace,
        "seeds 7 and 8 ran the same execution"
    );
}
