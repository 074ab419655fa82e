//! Why a transfer was refused before anything was asked of the accounts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a `Transfer` was refused outright.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RejectionReason {
    /// From an account to itself.
    SameAccount,
    /// Zero or a negative amount.
    InvalidAmount,
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            RejectionReason::SameAccount => "an account cannot transfer to itself",
            RejectionReason::InvalidAmount => "the amount must be positive",
        })
    }
}
