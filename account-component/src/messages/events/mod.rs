//! Events: what happened to an account. Written to `account-{accountId}`,
//! and nowhere else; the account's state is nothing but these events.
//!
//! Each event is made by following the command it answers
//! (`Deposited::follow(&deposit, sequence, processed_time)`): the fields the
//! two share are copied over, and the event adds what the account component
//! knows only when it decides. Two of those appear on every event:
//!
//! - `processed_time`: when the account component decided, beside `time`,
//!   the command's own time (when the customer asked). The two differ by as
//!   long as the command waited in the store: a moment, or the hours a
//!   component was down.
//! - `sequence`: the global position of the message it answers. The account
//!   remembers the highest sequence it has processed, and that is how a
//!   handler recognizes a message it has already handled
//!   (`Account::has_processed`).
//!
//! (Eventide's `Deposited.follow(deposit)` copies the fields *and* the
//! causation metadata; here the constructor copies the fields and
//! `NewMessage::follow` the metadata, when the event is written.)

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
