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
//! Read it in this order: [`messages`], [`FundsTransfer`] and
//! `projection.rs`, then [`handlers`] (the module documentation draws the
//! process), [`client`], [`start()`].

pub mod client;
#[cfg(feature = "controls")]
pub mod controls;
mod funds_transfer;
pub mod handlers;
pub mod messages;
mod projection;
pub mod start;
pub mod step_ids;
pub mod store;
pub mod streams;

pub use funds_transfer::{FundsTransfer, ReleaseRefusal, TransferDeposit};
pub use start::start;
