//! The transfer page: the steps of one transfer as they happen.

use std::collections::HashMap;

use messaging::Time;
use uuid::Uuid;
use views::transfers::{Transfer, TransferStatus};

use super::{name_in, transfer_status};
use crate::format;
use crate::pages::{Step, TransferDetails};

/// A transfer as its page shows it, with its accounts' names.
pub fn details(transfer: Transfer, names: &HashMap<Uuid, String>) -> TransferDetails {
    let reason = transfer.reason.clone().map(|reason| match transfer.status {
        TransferStatus::RefundRejected => format!("refund refused: {reason}"),
        _ => reason,
    });
    TransferDetails {
        from: name_in(names, transfer.withdrawal_account_id),
        to: name_in(names, transfer.deposit_account_id),
        from_id: transfer.withdrawal_account_id.to_string(),
        to_id: transfer.deposit_account_id.to_string(),
        amount: format::money(transfer.amount),
        status: transfer_status(transfer.status),
        steps: steps(&transfer),
        reason,
    }
}

/// The steps of the path this transfer took, each done, failed or waiting.
fn steps(transfer: &Transfer) -> Vec<Step> {
    let step = |label, time: Option<Time>| Step {
        label,
        state: if time.is_some() { "done" } else { "waiting" },
        time: time.map(format::time),
    };
    let failed = |label, time: Option<Time>| Step {
        label,
        state: "failed",
        time: time.map(format::time),
    };
    let mut steps = vec![step("Requested", Some(transfer.requested_time))];
    if transfer.rejected_time.is_some() {
        steps.push(failed("Refused before it started", transfer.rejected_time));
        return steps;
    }
    steps.push(step("Initiated", transfer.initiated_time));
    if transfer.cancelled_time.is_some() {
        steps.push(failed(
            "Withdrawal refused: cancelled, nothing moved",
            transfer.cancelled_time,
        ));
        return steps;
    }
    steps.push(step(
        "Withdrawn from the source account",
        transfer.withdrawn_time,
    ));
    if transfer.deposit_rejected_time.is_some() {
        steps.push(failed(
            "Deposit refused by the destination account",
            transfer.deposit_rejected_time,
        ));
        if transfer.refund_rejected_time.is_some() {
            steps.push(failed(
                "Refund refused: the money is held by the bank",
                transfer.refund_rejected_time,
            ));
            if transfer.release_requested_time.is_some() {
                steps.push(step(
                    "Released by an operator to the account chosen",
                    transfer.released_time,
                ));
            }
        } else {
            steps.push(step(
                "Refunded to the source account: reversed",
                transfer.reversed_time,
            ));
        }
        return steps;
    }
    steps.push(step(
        "Deposited into the destination account",
        transfer.deposited_time,
    ));
    steps.push(step("Transferred", transfer.transferred_time));
    steps
}
