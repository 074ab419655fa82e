//! The funds-transfer component's message contracts.
//!
//! It accepts one command, `Transfer`, and records the life of each transfer
//! as events in `fundsTransfer-{fundsTransferId}`. The commands it sends to
//! accounts (`Withdraw`, `Deposit`) and the account events it reads back are
//! the account component's own messages, used through its client.

pub mod commands;
pub mod events;
mod rejection_reason;

pub use rejection_reason::RejectionReason;
