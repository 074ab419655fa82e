//! What a deposit and a withdrawal have in common.

use messaging::{Message, Time};
use uuid::Uuid;

use super::{Deposit, Withdraw};
use crate::Money;
use crate::messages::Reason;
use crate::messages::events::{DepositRejected, WithdrawalRejected};

/// A command that moves money in or out of an account under a transaction
/// id, which the account reserves once (`handlers/commands.rs`): a
/// [`Deposit`] or a [`Withdraw`].
pub trait Transaction: Message {
    /// The event that refuses it: `DepositRejected` or `WithdrawalRejected`.
    type Rejected: Message;

    /// Its idempotence key: the deposit id or the withdrawal id.
    fn transaction_id(&self) -> Uuid;

    /// The account it moves money in or out of.
    fn account_id(&self) -> Uuid;

    /// How much it moves.
    fn amount(&self) -> Money;

    /// It, refused for `reason`; `sequence` is the global position of the
    /// message the refusal answers.
    fn rejected(&self, reason: Reason, sequence: i64, processed_time: Time) -> Self::Rejected;
}

impl Transaction for Deposit {
    type Rejected = DepositRejected;

    fn transaction_id(&self) -> Uuid {
        self.deposit_id
    }

    fn account_id(&self) -> Uuid {
        self.account_id
    }

    fn amount(&self) -> Money {
        self.amount
    }

    fn rejected(&self, reason: Reason, sequence: i64, processed_time: Time) -> DepositRejected {
        DepositRejected::answering(self, reason, sequence, processed_time)
    }
}

impl Transaction for Withdraw {
    type Rejected = WithdrawalRejected;

    fn transaction_id(&self) -> Uuid {
        self.withdrawal_id
    }

    fn account_id(&self) -> Uuid {
        self.account_id
    }

    fn amount(&self) -> Money {
        self.amount
    }

    fn rejected(&self, reason: Reason, sequence: i64, processed_time: Time) -> WithdrawalRejected {
        WithdrawalRejected::answering(self, reason, sequence, processed_time)
    }
}
