//! Transfers: each account answer made for a transfer carries the
//! transfer's amount and accounts, each transfer moved what its ending
//! says, and each ended once.

use account_component::grouped;
use uuid::Uuid;

use super::Invariant;
use super::records::{Answer, Direction, Records, TransferRecord};
use super::trace::Traced;

/// What the accounts did for one transfer, in cents.
#[derive(Debug, Default)]
struct Moved {
    withdrawn: i128,
    deposited: i128,
    refunded: i128,
    released: i128,
}

/// The steps of every transfer, against the transfer's own record. While
/// the bank is busy (`at_rest` false) a release may have paid its deposit
/// before the transfer recorded `Released`; at rest it must have.
pub fn steps_carry_the_transfer(records: &Records, traced: &Traced, at_rest: bool) -> Invariant {
    let mut violations = Vec::new();
    let mut moved: std::collections::BTreeMap<Uuid, Moved> = Default::default();
    for answer in &records.answers {
        let Some(id) = answer.transfer else { continue };
        if !traced.counted.contains(&answer.global_position) {
            continue;
        }
        let Some(record) = records.transfers.get(&id).filter(|record| record.initiated) else {
            // Money for a transfer that never started is the money
            // invariant's to report.
            continue;
        };
        let entry = moved.entry(id).or_default();
        match expected_step(record, answer) {
            Ok(slot) => {
                if answer.accepted {
                    *slot(entry) += i128::from(answer.amount.cents());
                }
            }
            Err(problem) => {
                violations.push(format!("transfer {id}: {}: {problem}", answer.describe()))
            }
        }
    }
    for (id, record) in records
        .transfers
        .iter()
        .filter(|(_, record)| record.initiated)
    {
        let done = moved.remove(id).unwrap_or_default();
        let amount = i128::from(record.amount.cents());
        let expected = match record.endings.first() {
            Some(&"Transferred") => Some((amount, amount, 0)),
            Some(&"Cancelled") => Some((0, 0, 0)),
            Some(&"Reversed") => Some((amount, 0, amount)),
            Some(&"RefundRejected") => Some((amount, 0, 0)),
            _ => None,
        };
        if let Some(expected) = expected
            && (done.withdrawn, done.deposited, done.refunded) != expected
        {
            violations.push(format!(
                "transfer {id} of {} ended {} but withdrew {}, deposited {} and refunded {}",
                record.amount,
                record.endings.first().copied().unwrap_or_default(),
                grouped(done.withdrawn),
                grouped(done.deposited),
                grouped(done.refunded)
            ));
        }
        let release_expected = if record.released { amount } else { 0 };
        let in_flight = !at_rest && !record.released && done.released == amount;
        if done.released != release_expected && !in_flight {
            violations.push(format!(
                "transfer {id} released {} of the {} it held",
                grouped(done.released),
                grouped(release_expected)
            ));
        }
    }
    Invariant {
        name: "each transfer's steps carry its amount and accounts",
        checked: format!(
            "{} transfers",
            records.transfers.values().filter(|r| r.initiated).count()
        ),
        violations,
    }
}

type Slot = fn(&mut Moved) -> &mut i128;

/// Which step of `record` an account's answer is, if it is one: the
/// withdrawal from the source, the deposit into the destination, the refund
/// to the source, or a release to the account an operator chose, each of
/// the transfer's whole amount.
fn expected_step(record: &TransferRecord, answer: &Answer) -> Result<Slot, String> {
    let id = Some(answer.transaction_id);
    let (account, direction, slot): (Option<Uuid>, Direction, Slot) = if id == record.withdrawal_id
    {
        (record.from, Direction::Out, |moved| &mut moved.withdrawn)
    } else if id == record.deposit_id {
        (record.to, Direction::In, |moved| &mut moved.deposited)
    } else if id == record.refund_id {
        (record.from, Direction::In, |moved| &mut moved.refunded)
    } else if let Some(chosen) = record.releases.get(&answer.transaction_id) {
        (Some(*chosen), Direction::In, |moved| &mut moved.released)
    } else {
        return Err("an id the transfer never fixed".to_string());
    };
    let mut problems = Vec::new();
    if Some(answer.account_id) != account {
        problems.push(format!(
            "account {} instead of {:?}",
            answer.account_id, account
        ));
    }
    if answer.direction != direction {
        problems.push(format!("{:?} instead of {direction:?}", answer.direction));
    }
    if answer.amount != record.amount {
        problems.push(format!(
            "{} instead of the transfer's {}",
            answer.amount, record.amount
        ));
    }
    if problems.is_empty() {
        Ok(slot)
    } else {
        Err(problems.join(", "))
    }
}

/// Every transfer that started ended once: at rest, none is unfinished, and
/// none ended twice.
pub fn ended_once(records: &Records, at_rest: bool) -> Invariant {
    let (mut ended, mut unfinished) = (0, 0);
    let mut violations = Vec::new();
    for (id, record) in records
        .transfers
        .iter()
        .filter(|(_, record)| record.initiated)
    {
        match record.endings.as_slice() {
            [] => {
                unfinished += 1;
                if at_rest {
                    violations.push(format!("transfer {id} never ended"));
                }
            }
            [_] => ended += 1,
            several => violations.push(format!(
                "transfer {id} ended {} times: {several:?}",
                several.len()
            )),
        }
    }
    Invariant {
        name: "every transfer ended exactly once",
        checked: format!(
            "{} transfers, {ended} ended, {unfinished} unfinished",
            records.transfers.len()
        ),
        violations,
    }
}
