//! Events: what happened to an account. Written to `account-{accountId}`,
//! and nowhere else; the account's state is nothing but these events.
//!
//! Each event is made from the command it answers
//! (`Deposited::answering(&deposit, sequence, processed_time)`): the fields
//! the two share are copied over, and the event adds what the account
//! component knows only when it decides. Two of those appear on every event:
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
//! Then the handler writes it as a message that *follows* the one it answers
//! (`NewMessage::follow`): the new message records its causation (the stream
//! and positions of the message it answers) and carries the correlation on.
//! That is what `follow` means, in this bank as in Eventide, and only that.
//! (Eventide's `Deposited.follow(deposit)` does both halves at once; a Rust
//! struct holds only its data, so here they are two calls.)

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
