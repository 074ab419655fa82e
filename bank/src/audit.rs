//! The auditor: does the message store show a bank that never lost or
//! created money?
//!
//! It reads only the message store (the views are compared with a rebuild,
//! never trusted), replays every account and every transfer, and checks the
//! invariants a bank promises whatever failed along the way:
//!
//! - **money is conserved**: the accounts' balances plus the money in flight
//!   in unfinished transfers equal the deposits made from outside minus the
//!   withdrawals paid out; and each transfer moved exactly what its outcome
//!   says (nothing for a cancelled one, its amount there and back for a
//!   reversed one);
//! - **every transfer ended exactly once**;
//! - **at most one `Deposited` per deposit id, one `Withdrawn` per
//!   withdrawal id**, and never both an acceptance and a refusal;
//! - **no balance ever went negative**;
//! - **every stream's positions are contiguous**;
//! - **the views equal a rebuild from scratch**.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use account_component::Money;
use account_component::messages::events as account;
use account_component::streams as account_streams;
use funds_transfer_component::messages::events as transfer;
use funds_transfer_component::streams as transfer_streams;
use messaging::{Category, CategoryRead, Message, MessageStore, StoredMessage};
use uuid::Uuid;

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
                "  {verdict} {:<52} {}",
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

/// A transfer as its own events and the accounts' correlated events show it.
#[derive(Debug, Default)]
struct TransferAudit {
    amount: i64,
    initiated: bool,
    endings: Vec<&'static str>,
    /// Money the accounts withdrew for it, and deposited for it (including a
    /// refund).
    withdrawn: i64,
    deposited: i64,
}

/// Reads every message of `category`.
async fn read_all(store: &MessageStore, category: Category) -> anyhow::Result<Vec<StoredMessage>> {
    let mut read = CategoryRead::new(category).batch_size(1000);
    let mut all = Vec::new();
    loop {
        let batch = store.read_category(&read).await?;
        let Some(last) = batch.last() else {
            return Ok(all);
        };
        read.from_global_position = last.next_global_position()?;
        all.extend(batch);
    }
}

/// Audits the store (and the views, when given).
pub async fn audit(
    store: &MessageStore,
    views: Option<&views::ViewDatabase>,
    expect: Expect,
) -> anyhow::Result<Report> {
    let account_events = read_all(store, account_streams::CATEGORY).await?;
    let transfer_events = read_all(store, transfer_streams::CATEGORY).await?;

    let mut transfers: BTreeMap<Uuid, TransferAudit> = BTreeMap::new();
    for event in &transfer_events {
        let Some(id) = transfer_streams::transfer_id_of(event.stream_name.as_str()) else {
            continue;
        };
        let entry = transfers.entry(id).or_default();
        match event.message_type.as_str() {
            transfer::Initiated::TYPE => {
                entry.initiated = true;
                entry.amount = event.decode::<transfer::Initiated>()?.amount.cents();
            }
            transfer::Transferred::TYPE => entry.endings.push("Transferred"),
            transfer::Cancelled::TYPE => entry.endings.push("Cancelled"),
            transfer::Reversed::TYPE => entry.endings.push("Reversed"),
            transfer::RefundRejected::TYPE => entry.endings.push("RefundRejected"),
            _ => {}
        }
    }

    let mut duplicates = Vec::new();
    let mut negatives = Vec::new();
    let mut stray_money = Vec::new();
    let mut outcomes: HashMap<Uuid, Vec<&'static str>> = HashMap::new();
    let mut balances: BTreeMap<Uuid, i64> = BTreeMap::new();
    let (mut external_deposits, mut external_withdrawals) = (0i64, 0i64);
    for event in &account_events {
        let Some(account_id) = account_streams::account_id_of(&event.stream_name) else {
            continue;
        };
        let (transaction, outcome, change) = match event.message_type.as_str() {
            account::Deposited::TYPE => {
                let deposited: account::Deposited = event.decode()?;
                (deposited.deposit_id, "Deposited", deposited.amount.cents())
            }
            account::Withdrawn::TYPE => {
                let withdrawn: account::Withdrawn = event.decode()?;
                (
                    withdrawn.withdrawal_id,
                    "Withdrawn",
                    -withdrawn.amount.cents(),
                )
            }
            account::DepositRejected::TYPE => (
                event.decode::<account::DepositRejected>()?.deposit_id,
                "DepositRejected",
                0,
            ),
            account::WithdrawalRejected::TYPE => (
                event.decode::<account::WithdrawalRejected>()?.withdrawal_id,
                "WithdrawalRejected",
                0,
            ),
            _ => continue,
        };
        outcomes.entry(transaction).or_default().push(outcome);
        let balance = balances.entry(account_id).or_default();
        *balance = balance
            .checked_add(change)
            .ok_or_else(|| anyhow::anyhow!("a balance overflowed"))?;
        if *balance < 0 {
            negatives.push(format!(
                "{} went to {} at position {}",
                event.stream_name,
                Money::from_cents(*balance),
                event.position
            ));
        }
        if change == 0 {
            continue;
        }
        let correlation = event.metadata()?.correlation_stream_name;
        match correlation
            .as_deref()
            .and_then(transfer_streams::transfer_id_of)
        {
            Some(transfer_id) => match transfers.get_mut(&transfer_id) {
                Some(audit) if change < 0 => audit.withdrawn -= change,
                Some(audit) => audit.deposited += change,
                None => stray_money.push(format!(
                    "{} at {} moved {} for transfer {transfer_id}, which never started",
                    outcome,
                    event.stream_name,
                    Money::from_cents(change)
                )),
            },
            None if change > 0 => external_deposits += change,
            None => external_withdrawals -= change,
        }
    }
    for (transaction, seen) in &outcomes {
        if seen.len() > 1 {
            duplicates.push(format!(
                "transaction {transaction} was answered {}",
                seen.join(", ")
            ));
        }
    }

    let mut endings = Vec::new();
    let mut conservation = stray_money;
    let (mut in_flight, mut ended, mut unfinished) = (0i64, 0usize, 0usize);
    for (id, audit) in &transfers {
        let held = audit.withdrawn - audit.deposited;
        in_flight += held;
        if !audit.initiated {
            if audit.withdrawn != 0 || audit.deposited != 0 {
                conservation.push(format!("transfer {id} was refused yet moved money"));
            }
            continue;
        }
        match audit.endings.as_slice() {
            [] => {
                unfinished += 1;
                if expect == Expect::Quiescent {
                    endings.push(format!("transfer {id} never ended"));
                }
                if held != 0 && held != audit.amount {
                    conservation.push(format!(
                        "unfinished transfer {id} holds {} of {}",
                        Money::from_cents(held),
                        Money::from_cents(audit.amount)
                    ));
                }
            }
            [ending] => {
                ended += 1;
                let expected = match *ending {
                    "Transferred" | "Reversed" => (audit.amount, audit.amount),
                    "Cancelled" => (0, 0),
                    _ => (audit.amount, 0),
                };
                if (audit.withdrawn, audit.deposited) != expected {
                    conservation.push(format!(
                        "transfer {id} ended {ending} but withdrew {} and deposited {} (amount {})",
                        Money::from_cents(audit.withdrawn),
                        Money::from_cents(audit.deposited),
                        Money::from_cents(audit.amount)
                    ));
                }
            }
            several => endings.push(format!(
                "transfer {id} ended {} times: {several:?}",
                several.len()
            )),
        }
    }
    let total: i64 = balances.values().sum();
    if total + in_flight != external_deposits - external_withdrawals {
        conservation.push(format!(
            "balances {} + in flight {} differ from external deposits {} - external withdrawals {}",
            Money::from_cents(total),
            Money::from_cents(in_flight),
            Money::from_cents(external_deposits),
            Money::from_cents(external_withdrawals)
        ));
    }

    let positions = store.audit_positions().await?;
    let mut report = Report::default();
    report.invariants.push(Invariant {
        name: "money is conserved",
        checked: format!(
            "balances {} + in flight {} = deposits {} - withdrawals {}",
            Money::from_cents(total),
            Money::from_cents(in_flight),
            Money::from_cents(external_deposits),
            Money::from_cents(external_withdrawals)
        ),
        violations: conservation,
    });
    report.invariants.push(Invariant {
        name: "every transfer ended exactly once",
        checked: format!(
            "{} transfers, {ended} ended, {unfinished} unfinished",
            transfers.len()
        ),
        violations: endings,
    });
    report.invariants.push(Invariant {
        name: "one outcome per deposit id and per withdrawal id",
        checked: format!("{} transactions", outcomes.len()),
        violations: duplicates,
    });
    report.invariants.push(Invariant {
        name: "no balance ever went negative",
        checked: format!(
            "{} accounts, {} events",
            balances.len(),
            account_events.len()
        ),
        violations: negatives,
    });
    report.invariants.push(Invariant {
        name: "positions are contiguous in every stream",
        checked: format!("{} streams", positions.streams),
        violations: positions.broken,
    });
    if let Some(views) = views {
        report
            .invariants
            .push(views_equal_a_rebuild(store, views).await?);
    }
    Ok(report)
}

/// Rebuilds the views from scratch into a temporary SQLite file and compares
/// them, row for row, with the live ones (which may be on Postgres: the rows
/// are compared as text, which both databases render alike).
async fn views_equal_a_rebuild(
    store: &MessageStore,
    views: &views::ViewDatabase,
) -> anyhow::Result<Invariant> {
    let folder = std::env::temp_dir().join(format!(
        "bank-audit-{}-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    std::fs::create_dir_all(&folder)?;
    let url = format!("sqlite://{}", folder.join("views.sqlite").display());
    let rebuilt = views::ViewDatabase::connect(&url, 2).await?;
    rebuilt.install().await?;
    aggregator::catch_up(store, &rebuilt, 1000).await?;
    let live = views::Views::new(views).snapshot().await?;
    let fresh = views::Views::new(&rebuilt).snapshot().await?;
    rebuilt.pool().close().await;
    let _ = std::fs::remove_dir_all(&folder);
    let mut violations = Vec::new();
    let mut rows = 0;
    for (table, fresh_rows) in &fresh {
        rows += fresh_rows.len();
        let live_rows = live.get(table).cloned().unwrap_or_default();
        if &live_rows != fresh_rows {
            let missing: Vec<&String> = fresh_rows
                .iter()
                .filter(|row| !live_rows.contains(row))
                .collect();
            let extra: Vec<&String> = live_rows
                .iter()
                .filter(|row| !fresh_rows.contains(row))
                .collect();
            violations.push(format!(
                "{table}: {} row(s) missing from the live views, {} not in the rebuild; \
                 rebuilt: {:?}; live: {:?}",
                missing.len(),
                extra.len(),
                missing.first(),
                extra.first()
            ));
        }
    }
    Ok(Invariant {
        name: "the views equal a rebuild from scratch",
        checked: format!("{rows} rows in {} tables", fresh.len()),
        violations,
    })
}
