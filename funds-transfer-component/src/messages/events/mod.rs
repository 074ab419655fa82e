//! Events: the life of a transfer, in `fundsTransfer-{fundsTransferId}`.
//!
//! ```text
//! Initiated ─► Withdrawn ─► Deposited ─► Transferred
//!     │            │
//!     │            └─► DepositRejected ─► Reversed        (refund deposited)
//!     │                        └────────► RefundRejected  (refund refused too)
//!     └─► Cancelled                                       (withdrawal refused)
//! Rejected                                                (refused outright)
//! ```
//!
//! Each event is made from the message it answers: `Initiated` and
//! `Rejected` from the `Transfer`, the others from the account's answer
//! (`Withdrawn::answering(&withdrawn, funds_transfer_id, processed_time)`),
//! and written as a message that follows it (`NewMessage::follow`).
//! `time` is when the step happened where it happened (the account's own
//! processed time); `processed_time` is when this component recorded it.
//!
//! A transfer ends in exactly one of `Transferred`, `Cancelled`, `Reversed`
//! (or `Rejected`, when it never started). `RefundRejected` is the one state
//! that needs a person: the money is held by the bank, and nothing is lost.

mod cancelled;
mod deposit_rejected;
mod deposited;
mod initiated;
mod refund_rejected;
mod rejected;
mod release_rejected;
mod release_requested;
mod released;
mod reversed;
mod transferred;
mod withdrawn;

pub use cancelled::Cancelled;
pub use deposit_rejected::DepositRejected;
pub use deposited::Deposited;
pub use initiated::Initiated;
pub use refund_rejected::RefundRejected;
pub use rejected::Rejected;
pub use release_rejected::ReleaseRejected;
pub use release_requested::ReleaseRequested;
pub use released::Released;
pub use reversed::Reversed;
pub use transferred::Transferred;
pub use withdrawn::Withdrawn;
