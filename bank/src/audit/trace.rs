//! Every answer traces to its command, once; every command is answered.
//!
//! An account's answer (`Deposited`, ...) is the account component's record
//! of a decision; the command is the customer's (or the transfer's) record
//! of a request, and the reservation is the component's record of having
//! taken it on. They are written by different code at different times, so a
//! bug that creates money (an answer nobody asked for, an amount that
//! changed on the way, a command applied twice) shows as a disagreement
//! between them.

use std::collections::{BTreeMap, HashSet};

use uuid::Uuid;

use super::Invariant;
use super::records::{Answer, Records};

/// Which answers passed the checks, for the invariants that build on them.
#[derive(Debug, Default)]
pub struct Traced {
    /// The global positions of the answers that trace to their command and
    /// are its first answer: the ones the money invariants count.
    pub counted: HashSet<i64>,
}

/// Checks each answer against its command and reservation, and each command
/// for exactly one answer. Returns the three invariants and what passed.
pub fn check(records: &Records, at_rest: bool) -> (Vec<Invariant>, Traced) {
    let mut untraced = records.unreadable.clone();
    let mut traced_answers: Vec<&Answer> = Vec::new();
    // A refusal of a command whose id another had reserved answers that
    // command, not the transaction: it traces to the command it refuses, and
    // is not the transaction's answer.
    let (refusals_of_ids_in_use, answers): (Vec<&Answer>, Vec<&Answer>) = records
        .answers
        .iter()
        .partition(|answer| answer.refuses_an_id_in_use);
    for refusal in &refusals_of_ids_in_use {
        let problems = problems_with_a_refusal_of_an_id_in_use(records, refusal);
        if !problems.is_empty() {
            untraced.push(format!("{}: {}", refusal.describe(), problems.join("; ")));
        }
    }
    for answer in answers.iter().copied() {
        let problems = problems_with(records, answer);
        if problems.is_empty() {
            traced_answers.push(answer);
        } else {
            untraced.push(format!("{}: {}", answer.describe(), problems.join("; ")));
        }
    }

    // A command's first answer is its answer; any other is a second
    // application of the same command, whatever its message id.
    let mut by_transaction: BTreeMap<Uuid, Vec<&Answer>> = BTreeMap::new();
    for answer in answers.iter().copied() {
        by_transaction
            .entry(answer.transaction_id)
            .or_default()
            .push(answer);
    }
    let repeated: Vec<String> = by_transaction
        .iter()
        .filter(|(_, answers)| answers.len() > 1)
        .map(|(transaction, answers)| {
            let all: Vec<String> = answers.iter().map(|answer| answer.describe()).collect();
            format!(
                "transaction {transaction} was answered {} times: {}",
                answers.len(),
                all.join(", ")
            )
        })
        .collect();
    let mut traced = Traced::default();
    for answer in &traced_answers {
        let first = by_transaction
            .get(&answer.transaction_id)
            .and_then(|answers| answers.first());
        if first.is_some_and(|first| first.global_position == answer.global_position) {
            traced.counted.insert(answer.global_position);
        }
    }

    let mut unanswered = Vec::new();
    if at_rest {
        for ((account, transaction), reservation) in &records.reservations {
            if !by_transaction.contains_key(transaction) {
                unanswered.push(format!(
                    "the {:?} {transaction} of account {account}, reserved at {}, was never answered",
                    reservation.command.direction, reservation.stream_name
                ));
            }
        }
        for (transaction, commands) in &records.commands {
            for command in commands {
                let key = (command.account_id, *transaction);
                // A parked command was never to be reserved; it is listed
                // with the parked messages instead.
                if !records.reservations.contains_key(&key)
                    && !records.was_parked(command.global_position)
                {
                    unanswered.push(format!(
                        "the command {transaction} to account {} was never reserved",
                        command.account_id
                    ));
                }
            }
        }
        unanswered.sort();
        unanswered.dedup();
    }

    let invariants = vec![
        Invariant {
            name: "every answer traces to its command",
            checked: format!(
                "{} answers, {} commands, {} reservations",
                records.answers.len(),
                records.commands.values().map(Vec::len).sum::<usize>(),
                records.reservations.len()
            ),
            violations: untraced,
        },
        Invariant {
            name: "every command is applied at most once",
            checked: format!("{} transactions", by_transaction.len()),
            violations: repeated,
        },
        Invariant {
            name: "every command was answered",
            checked: if at_rest {
                format!("{} reservations", records.reservations.len())
            } else {
                "not checked while the bank is busy".to_string()
            },
            violations: unanswered,
        },
    ];
    (invariants, traced)
}

/// What is wrong with `answer`, measured against its reservation and its
/// command: nothing, for an answer that traces.
fn problems_with(records: &Records, answer: &Answer) -> Vec<String> {
    let key = (answer.account_id, answer.transaction_id);
    let Some(reservation) = records.reservations.get(&key) else {
        return vec![format!(
            "no command of account {} has the id {}",
            answer.account_id, answer.transaction_id
        )];
    };
    let reserved = &reservation.command;
    let mut problems = Vec::new();
    if reserved.direction != answer.direction {
        problems.push(format!(
            "it answers a {:?} with a {:?}",
            reserved.direction, answer.direction
        ));
    }
    if reserved.amount != answer.amount {
        problems.push(format!(
            "its amount {} is not its command's {}",
            answer.amount, reserved.amount
        ));
    }
    let sent = records
        .commands
        .get(&answer.transaction_id)
        .into_iter()
        .flatten()
        .any(|command| {
            command.account_id == answer.account_id
                && command.amount == reserved.amount
                && command.direction == reserved.direction
        });
    if !sent {
        problems.push("its reservation copies no command that was sent".to_string());
    }
    let caused_by_its_reservation = answer.causation.as_ref().is_some_and(|(stream, global)| {
        stream == reservation.stream_name.as_str() && *global == reservation.global_position
    });
    if !caused_by_its_reservation {
        problems.push(format!(
            "its causation {:?} is not its reservation {} at {}",
            answer.causation, reservation.stream_name, reservation.global_position
        ));
    }
    problems
}

/// What is wrong with a refusal of a command whose transaction id another
/// command had reserved: nothing, if it was caused by a command of its own
/// account's command stream that carries that id, and a reservation of the
/// id exists (the other command's).
fn problems_with_a_refusal_of_an_id_in_use(records: &Records, refusal: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let key = (refusal.account_id, refusal.transaction_id);
    if !records.reservations.contains_key(&key) {
        problems.push(format!(
            "it refuses an id in use, but no command of account {} reserved {}",
            refusal.account_id, refusal.transaction_id
        ));
    }
    let refused_command = records
        .commands
        .get(&refusal.transaction_id)
        .into_iter()
        .flatten()
        .any(|command| {
            command.account_id == refusal.account_id
                && command.direction == refusal.direction
                && command.amount == refusal.amount
                && refusal
                    .causation
                    .as_ref()
                    .is_some_and(|(_, global)| *global == command.global_position)
        });
    if !refused_command {
        problems.push(format!(
            "its causation {:?} is not a command it refuses",
            refusal.causation
        ));
    }
    problems
}
