//! The auditor: does the message store show a bank that never lost or
//! created money?
//!
//! It reconciles records written by different hands ([`records`]): the
//! commands customers and transfers sent, the account component's
//! reservations of them, the accounts' answers, and the transfers' own
//! events; and it checks the views against the account streams. Each
//! invariant catches its own kind of damage:
//!
//! - **every answer traces to its command** (same id, account, amount,
//!   caused by its reservation): catches money nobody asked for, and an
//!   amount changed on the way ([`trace`]);
//! - **every command is applied at most once**, and, at rest, **every
//!   command was answered** ([`trace`]);
//! - **money from outside is in the accounts or held**: what customers
//!   brought in and took out, from their commands, against the balances and
//!   what transfers hold ([`money`]);
//! - **each transfer's steps carry its amount and accounts**, and it moved
//!   what its ending says; **every transfer ended exactly once**
//!   ([`transfers`]);
//! - **no balance ever went negative** ([`money`]);
//! - **positions are contiguous in every stream**;
//! - **balances and statements agree with the account streams**, and
//!   **transfers and commands in the views equal a rebuild** ([`views`]).
//!
//! `bank/tests/audit.rs` plants each kind of damage in a real store, one at
//! a time, and shows each caught by its own invariant, the others quiet.

mod money;
pub mod records;
mod trace;
mod transfers;
mod views;

use std::io::Write;

use messaging::MessageStore;

use records::{Parked, Records};

/// One invariant, how many things it looked at, and what broke it.
#[derive(Debug, Clone)]
pub struct Invariant {
    pub name: &'static str,
    /// A summary of what was checked, such as `1203 deposit ids`.
    pub checked: String,
    pub violations: Vec<String>,
}

/// Everything the auditor found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub invariants: Vec<Invariant>,
    /// The messages consumers parked, described. Not violations: parking a
    /// message whose content cannot be handled is the bank doing its job
    /// (ARCHITECTURE.md, "When a consumer cannot handle a message"). They
    /// are listed for an operator to look at.
    pub parked: Vec<String>,
}

impl Report {
    /// How many violations, over every invariant.
    pub fn violations(&self) -> usize {
        self.invariants
            .iter()
            .map(|invariant| invariant.violations.len())
            .sum()
    }

    /// The violations of the invariant named `name`.
    pub fn violations_of(&self, name: &str) -> &[String] {
        self.invariants
            .iter()
            .find(|invariant| invariant.name == name)
            .map_or(&[], |invariant| invariant.violations.as_slice())
    }

    /// Prints each invariant with its counts and its first violations.
    pub fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "Audit of the message store")?;
        for invariant in &self.invariants {
            let verdict = if invariant.violations.is_empty() {
                "ok  "
            } else {
                "FAIL"
            };
            writeln!(
                out,
                "  {verdict} {:<56} {}",
                invariant.name, invariant.checked
            )?;
            for violation in invariant.violations.iter().take(10) {
                writeln!(out, "         - {violation}")?;
            }
            if invariant.violations.len() > 10 {
                writeln!(
                    out,
                    "         ... and {} more",
                    invariant.violations.len() - 10
                )?;
            }
        }
        if !self.parked.is_empty() {
            writeln!(
                out,
                "Parked messages (not violations; for an operator to look at)"
            )?;
            for parked in &self.parked {
                writeln!(out, "  - {parked}")?;
            }
        }
        writeln!(out, "violations: {}", self.violations())
    }
}

/// Whether the bank is expected to be at rest (every command processed).
/// Then an unfinished transfer is a violation; while the bank is busy it is
/// only money in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Quiescent,
    Busy,
}

/// Audits the store (and the views, when given).
pub async fn audit(
    store: &MessageStore,
    views: Option<&::views::ViewDatabase>,
    expect: Expect,
) -> anyhow::Result<Report> {
    let records = Records::read(store).await?;
    let at_rest = expect == Expect::Quiescent;
    let (mut invariants, traced) = trace::check(&records, at_rest);
    invariants.push(money::conserved(&records, &traced));
    invariants.push(transfers::steps_carry_the_transfer(
        &records, &traced, at_rest,
    ));
    invariants.push(transfers::ended_once(&records, at_rest));
    invariants.push(money::never_negative(&records));
    let positions = store.audit_positions().await?;
    invariants.push(Invariant {
        name: "positions are contiguous in every stream",
        checked: format!("{} streams", positions.streams),
        violations: positions.broken,
    });
    if let Some(views) = views {
        invariants.push(views::agree_with_the_streams(&records, views).await?);
        invariants.push(views::equal_a_rebuild(store, views).await?);
    }
    let parked = records.parked.iter().map(Parked::describe).collect();
    Ok(Report { invariants, parked })
}

/// Only the check of the views against the account streams: the one a
/// simulation can make in the middle of a run, whenever the aggregator has
/// caught up (the other views checks need a rebuild, too dear per step).
pub async fn views_agree_with_the_streams(
    store: &MessageStore,
    views: &::views::ViewDatabase,
) -> anyhow::Result<Invariant> {
    let records = Records::read(store).await?;
    views::agree_with_the_streams(&records, views).await
}
