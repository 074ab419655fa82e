//! The funds-transfer entity, and the questions its handlers ask it.
//!
//! As for the account, every rule of the process is a method here, and the
//! handlers only ask.

use std::collections::BTreeMap;

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
    /// The transfer's reference, which each step carries to the accounts.
    /// (Transfers are not snapshotted, but if they were, a snapshot taken
    /// before references existed would read as `None`: serde reads a missing
    /// `Option` field as `None`.)
    pub reference: Option<String>,
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
    /// The releases of held money an operator asked for, by release id,
    /// each with whether its account took the money (`Some(true)`), refused
    /// it (`Some(false)`), or has not answered yet (`None`).
    pub releases: BTreeMap<Uuid, Option<bool>>,
    /// When the money held was released for good.
    pub released_time: Option<Time>,
}

/// Which of a transfer's deposits an account's deposit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferDeposit {
    /// The deposit into the destination: the transfer itself.
    ToDestination,
    /// The refund to the source, after the destination refused.
    Refund,
    /// An operator's release of money held, to the account they chose.
    Release,
}

/// Why a release of held money is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseRefusal {
    /// The transfer holds no money: it never had its refund refused.
    NothingHeld,
    /// The money was released already.
    AlreadyReleased,
    /// Another release is under way and not answered yet.
    AnotherUnderWay,
}

impl std::fmt::Display for ReleaseRefusal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            ReleaseRefusal::NothingHeld => "the transfer holds no money",
            ReleaseRefusal::AlreadyReleased => "the money it held was released already",
            ReleaseRefusal::AnotherUnderWay => "another release of its money is under way",
        })
    }
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

    /// Which of this transfer's deposits has the id `deposit_id`, if any.
    pub fn deposit_named(&self, deposit_id: Uuid) -> Option<TransferDeposit> {
        if self.deposit_id == Some(deposit_id) {
            Some(TransferDeposit::ToDestination)
        } else if self.refund_id == Some(deposit_id) {
            Some(TransferDeposit::Refund)
        } else if self.releases.contains_key(&deposit_id) {
            Some(TransferDeposit::Release)
        } else {
            None
        }
    }

    /// Why the release `release_id` must be refused, if it must. (The same
    /// release again is not refused: it is recognised, and ignored.)
    pub fn release_refusal(&self, release_id: Uuid) -> Option<ReleaseRefusal> {
        if self.released_time.is_some() {
            Some(ReleaseRefusal::AlreadyReleased)
        } else if self.refund_rejected_time.is_none() {
            Some(ReleaseRefusal::NothingHeld)
        } else if self
            .releases
            .iter()
            .any(|(id, answer)| *id != release_id && answer.is_none())
        {
            Some(ReleaseRefusal::AnotherUnderWay)
        } else {
            None
        }
    }

    /// Has the release `release_id` been recorded (asked for)?
    pub fn has_release(&self, release_id: Uuid) -> bool {
        self.releases.contains_key(&release_id)
    }

    /// Has the account answered the release `release_id` (either way)?
    pub fn release_answered(&self, release_id: Uuid) -> bool {
        self.releases.get(&release_id).is_some_and(Option::is_some)
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
    /// (One whose money is held waits for a person, not for the process.)
    pub fn has_ended(&self) -> bool {
        self.transferred_time.is_some()
            || self.cancelled_time.is_some()
            || self.reversed_time.is_some()
            || self.rejected_time.is_some()
    }
}
