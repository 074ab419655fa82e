//! The funds-transfer entity, and the questions its handlers ask it.
//!
//! As for the account, every rule of the process is a method here, and the
//! handlers only ask.

use account_component::Money;
use account_component::messages::Reason;
use messaging::Time;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::RejectionReason;
use crate::messages::commands::Transfer;

/// A transfer, as its events describe it. Each step of the process is
/// recorded by the time it happened; a step that has a time has happened, and
/// a handler that finds its step done ignores the message that asks for it.
/// That is how every step stays idempotent without sequence numbers: each
/// happens at most once per transfer, whatever order messages arrive in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundsTransfer {
    /// The transfer's id, once it was decided.
    pub id: Option<Uuid>,
    /// The source and destination accounts, once it started.
    pub withdrawal_account_id: Option<Uuid>,
    pub deposit_account_id: Option<Uuid>,
    pub amount: Money,
    /// The ids of the commands each step sends, fixed when it started.
    pub withdrawal_id: Option<Uuid>,
    pub deposit_id: Option<Uuid>,
    pub refund_id: Option<Uuid>,
    /// When each step happened; `None` for a step that has not.
    pub initiated_time: Option<Time>,
    pub rejected_time: Option<Time>,
    pub withdrawn_time: Option<Time>,
    pub deposited_time: Option<Time>,
    pub transferred_time: Option<Time>,
    pub cancelled_time: Option<Time>,
    pub deposit_rejected_time: Option<Time>,
    pub reversed_time: Option<Time>,
    pub refund_rejected_time: Option<Time>,
    /// Why the destination refused the deposit, which a reversal reports.
    pub deposit_rejection_reason: Option<Reason>,
}

/// Which of a transfer's two deposits an account's deposit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferDeposit {
    /// The deposit into the destination: the transfer itself.
    ToDestination,
    /// The refund to the source, after the destination refused.
    Refund,
}

impl FundsTransfer {
    /// Why `transfer` must be refused before it starts, if it must: it goes
    /// from an account to itself, or its amount is not positive. (A source
    /// without the money is for the source account to refuse.)
    pub fn initiation_refusal(transfer: &Transfer) -> Option<RejectionReason> {
        if transfer.withdrawal_account_id == transfer.deposit_account_id {
            Some(RejectionReason::SameAccount)
        } else if !transfer.amount.is_positive() {
            Some(RejectionReason::InvalidAmount)
        } else {
            None
        }
    }

    /// Which of this transfer's deposits has the id `deposit_id`, if either.
    pub fn deposit_named(&self, deposit_id: Uuid) -> Option<TransferDeposit> {
        if self.deposit_id == Some(deposit_id) {
            Some(TransferDeposit::ToDestination)
        } else if self.refund_id == Some(deposit_id) {
            Some(TransferDeposit::Refund)
        } else {
            None
        }
    }

    /// Has a `Transfer` command been decided (initiated or rejected)?
    pub fn is_decided(&self) -> bool {
        self.initiated_time.is_some() || self.rejected_time.is_some()
    }

    /// Has it started?
    pub fn is_initiated(&self) -> bool {
        self.initiated_time.is_some()
    }

    /// Has the source account answered the withdrawal (either way)?
    pub fn withdrawal_answered(&self) -> bool {
        self.withdrawn_time.is_some() || self.cancelled_time.is_some()
    }

    /// Has the destination account answered the deposit (either way)?
    pub fn deposit_answered(&self) -> bool {
        self.deposited_time.is_some() || self.deposit_rejected_time.is_some()
    }

    /// Has the source account answered the refund (either way)?
    pub fn refund_answered(&self) -> bool {
        self.reversed_time.is_some() || self.refund_rejected_time.is_some()
    }

    /// Is the transfer over: transferred, cancelled, reversed, or rejected?
    pub fn has_ended(&self) -> bool {
        self.transferred_time.is_some()
            || self.cancelled_time.is_some()
            || self.reversed_time.is_some()
            || self.rejected_time.is_some()
    }
}
