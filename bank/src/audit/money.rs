//! Where the money is: what came in from outside equals what the accounts
//! hold plus what transfers hold, and no balance went below zero.

use std::collections::BTreeMap;

use account_component::Money;
use uuid::Uuid;

use super::Invariant;
use super::records::{Direction, Records};
use super::trace::Traced;

/// The money from outside (the commands customers sent, as the accounts
/// accepted them) against the money inside (the account streams' balances,
/// and what transfers hold between a withdrawal and its deposit, or after a
/// refund was refused). The answers that did not trace to their command, or
/// repeat one, are left out here: their own invariants report them.
pub fn conserved(records: &Records, traced: &Traced) -> Invariant {
    let (mut came_in, mut went_out) = (0i64, 0i64);
    let (mut in_accounts, mut held, mut released) = (0i64, 0i64, 0i64);
    let mut held_by: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut violations = Vec::new();
    for answer in &records.answers {
        if !traced.counted.contains(&answer.global_position) || !answer.accepted {
            continue;
        }
        let change = answer.change();
        in_accounts += change;
        match answer.transfer {
            // From outside: the command's own amount, which the answer's
            // equals (it traced).
            None => match answer.direction {
                Direction::In => came_in += answer.amount.cents(),
                Direction::Out => went_out += answer.amount.cents(),
            },
            Some(transfer) => match records.transfers.get(&transfer) {
                Some(record) if record.initiated => {
                    // A transfer holds what its source gave and its
                    // destination (or a refund, or a release) has not taken.
                    *held_by.entry(transfer).or_default() -= change;
                    if record.releases.contains_key(&answer.transaction_id) {
                        released += change;
                    }
                }
                _ => violations.push(format!(
                    "{} moved {} for transfer {transfer}, which never started",
                    answer.describe(),
                    Money::from_cents(change)
                )),
            },
        }
    }
    held += held_by.values().sum::<i64>();
    let refused_refunds = records
        .transfers
        .values()
        .filter(|record| record.endings.contains(&"RefundRejected"))
        .count();
    if came_in - went_out != in_accounts + held && violations.is_empty() {
        violations.push(format!(
            "from outside {} in - {} out differs from the accounts' {} plus {} held",
            Money::from_cents(came_in),
            Money::from_cents(went_out),
            Money::from_cents(in_accounts),
            Money::from_cents(held)
        ));
    }
    Invariant {
        name: "money from outside is in the accounts or held",
        checked: format!(
            "{} in - {} out = {} in accounts + {} held ({} refunds refused, {} released)",
            Money::from_cents(came_in),
            Money::from_cents(went_out),
            Money::from_cents(in_accounts),
            Money::from_cents(held),
            refused_refunds,
            Money::from_cents(released)
        ),
        violations,
    }
}

/// Replays every account's answers, in its stream's order: no balance may
/// ever have gone below zero.
pub fn never_negative(records: &Records) -> Invariant {
    let mut balances: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut violations = Vec::new();
    for answer in &records.answers {
        let balance = balances.entry(answer.account_id).or_default();
        *balance = balance.saturating_add(answer.change());
        if *balance < 0 {
            violations.push(format!(
                "{} went to {} at position {}",
                answer.stream_name,
                Money::from_cents(*balance),
                answer.position
            ));
        }
    }
    Invariant {
        name: "no balance ever went negative",
        checked: format!(
            "{} accounts, {} events",
            balances.len(),
            records.account_events
        ),
        violations,
    }
}
