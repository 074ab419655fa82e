//! Why the account refused something.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a deposit, a withdrawal or a close was refused.
///
/// Refusals are ordinary outcomes, recorded as events (`WithdrawalRejected`
/// with reason `insufficientFunds`), not errors: a customer asking for more
/// than they have is business as usual, not a broken system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The balance is lower than the amount to withdraw.
    InsufficientFunds,
    /// The account was never opened.
    AccountNotOpen,
    /// The account has been closed.
    AccountClosed,
    /// The amount is zero or negative.
    InvalidAmount,
    /// The deposit would take the balance beyond what can be represented.
    BalanceLimitExceeded,
    /// An account can only be closed with a balance of zero.
    BalanceNotZero,
    /// Another command had reserved the transaction's id already: a
    /// different amount, a deposit where that was a withdrawal, or another
    /// correlation (see `Commands::reserve`). The one that reserved the id
    /// first is the one the account processes.
    TransactionIdInUse,
}

impl Reason {
    /// Whether a refusal for this reason answers a *command* (read from
    /// `account:command`, by the commands handler) rather than a reserved
    /// transaction. The account keeps the two sequences apart (see
    /// [`Account`](crate::Account)), so its projection needs to know which
    /// one a refusal moves.
    pub fn answers_a_command(self) -> bool {
        self == Reason::TransactionIdInUse
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Reason::InsufficientFunds => "insufficient funds",
            Reason::AccountNotOpen => "account not open",
            Reason::AccountClosed => "account closed",
            Reason::InvalidAmount => "the amount must be positive",
            Reason::BalanceLimitExceeded => "the balance would exceed its limit",
            Reason::BalanceNotZero => "the balance is not zero",
            Reason::TransactionIdInUse => "its id is another command's",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    /// The words a statement shows for each refusal.
    #[test]
    fn each_reason_is_said_in_words() {
        let words = [
            (Reason::InsufficientFunds, "insufficient funds"),
            (Reason::AccountNotOpen, "account not open"),
            (Reason::AccountClosed, "account closed"),
            (Reason::InvalidAmount, "the amount must be positive"),
            (
                Reason::BalanceLimitExceeded,
                "the balance would exceed its limit",
            ),
            (Reason::BalanceNotZero, "the balance is not zero"),
            (Reason::TransactionIdInUse, "its id is another command's"),
        ];
        for (reason, said) in words {
            assert_eq!(reason.to_string(), said);
        }
    }

    #[test]
    fn only_an_id_in_use_answers_a_command() {
        assert!(Reason::TransactionIdInUse.answers_a_command());
        assert!(!Reason::InsufficientFunds.answers_a_command());
    }
}
