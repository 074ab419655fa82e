//! Where the money is: what came in from outside equals what the accounts
//! hold plus what transfers hold, and no balance went below zero.

use std::collections::BTreeMap;

use account_component::grouped;
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
    // Sums in 128 bits: no store, however damaged, can overflow them (a
    // sum of 2^64 amounts of at most 2^63 cents each still fits).
    let (mut came_in, mut went_out) = (0i128, 0i128);
    let (mut in_accounts, mut held, mut released) = (0i128, 0i128, 0i128);
    let mut held_by: BTreeMap<Uuid, i128> = BTreeMap::new();
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
                Direction::In => came_in += i128::from(answer.amount.cents()),
                Direction::Out => went_out += i128::from(answer.amount.cents()),
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
                    grouped(change)
                )),
            },
        }
    }
    held += held_by.values().sum::<i128>();
    let refused_refunds = records
        .transfers
        .values()
        .filter(|record| record.endings.contains(&"RefundRejected"))
        .count();
    if came_in - went_out != in_accounts + held && violations.is_empty() {
        violations.push(format!(
            "from outside {} in - {} out differs from the accounts' {} plus {} held",
            grouped(came_in),
            grouped(went_out),
            grouped(in_accounts),
            grouped(held)
        ));
    }
    Invariant {
        name: "money from outside is in the accounts or held",
        checked: format!(
            "{} in - {} out = {} in accounts + {} held ({} refunds refused, {} released)",
            grouped(came_in),
            grouped(went_out),
            grouped(in_accounts),
            grouped(held),
            refused_refunds,
            grouped(released)
        ),
        violations,
    }
}

/// Replays every account's answers, in its stream's order: no balance may
/// ever have gone below zero.
pub fn never_negative(records: &Records) -> Invariant {
    let mut balances: BTreeMap<Uuid, i128> = BTreeMap::new();
    let mut violations = Vec::new();
    for answer in &records.answers {
        let balance = balances.entry(answer.account_id).or_default();
        *balance += answer.change();
        if *balance < 0 {
            violations.push(format!(
                "{} went to {} at position {}",
                answer.stream_name,
                grouped(*balance),
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
