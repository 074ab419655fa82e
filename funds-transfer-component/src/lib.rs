//! # The funds-transfer component
//!
//! A transfer moves money between two accounts that this component does not
//! own. It shows a *process*: a chain of steps, each triggered by an event
//! and recorded as one, that completes, is cancelled, or is reversed exactly
//! once, whatever crashes or re-deliveries happen along the way. It shows
//! *correlation*: the account component's answers carry
//! `correlationStreamName = fundsTransfer-{id}`, and this component reads the
//! `account` category filtered by it. And it shows *compensation*: when the
//! destination refuses the money, it goes back to the source.
//!
//! Read it in this order: [`messages`], `FundsTransfer` and
//! `projection.rs`, then `handlers` (the module documentation draws the
//! process), [`client`], `start()`. The binary that runs it is
//! `bank/src/bin/funds-transfer-component.rs`.

// What anyone who talks to transfers needs: their messages, the client that
// sends them commands, and where their messages live.
pub mod client;
#[cfg(feature = "controls")]
pub mod controls;
pub mod messages;
pub mod step_ids;
pub mod streams;

// The component itself (the `handlers` feature, on by default).
#[cfg(feature = "handlers")]
mod funds_transfer;
#[cfg(feature = "handlers")]
pub mod handlers;
#[cfg(feature = "handlers")]
mod projection;
#[cfg(feature = "handlers")]
pub mod start;
#[cfg(feature = "handlers")]
pub mod store;

#[cfg(feature = "handlers")]
pub use funds_transfer::{FundsTransfer, ReleaseRefusal, TransferDeposit};
#[cfg(feature = "handlers")]
pub use start::start;
