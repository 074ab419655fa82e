//! Commands: what someone asks the account component to do. Sent to
//! `account:command-{accountId}`.

mod close;
mod deposit;
mod open;
mod transaction;
mod withdraw;

pub use close::Close;
pub use deposit::Deposit;
pub use open::Open;
pub use transaction::Transaction;
pub use withdraw::Withdraw;
