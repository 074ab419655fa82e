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
        })
    }
}
