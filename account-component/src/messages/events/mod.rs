//! Events: what happened to an account. Written to `account-{accountId}`,
//! and nowhere else; the account's state is nothing but these events.
//!
//! Every event carries `sequence`: the global position of the message it
//! answers. The account remembers the highest sequence it has processed, and
//! that is how a handler recognizes a message it has already handled
//! (`Account::has_processed`).

mod close_rejected;
mod closed;
mod deposit_rejected;
mod deposited;
mod opened;
mod withdrawal_rejected;
mod withdrawn;

pub use close_rejected::CloseRejected;
pub use closed::Closed;
pub use deposit_rejected::DepositRejected;
pub use deposited::Deposited;
pub use opened::Opened;
pub use withdrawal_rejected::WithdrawalRejected;
pub use withdrawn::Withdrawn;
