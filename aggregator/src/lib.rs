//! # The aggregator
//!
//! The components answer no queries. Whatever a person sees comes from
//! *views*, tables in a database of their own (the `views` crate), and the
//! aggregator is their only writer: it reads the events (and the commands,
//! to show what is pending) and keeps the views up to date.
//!
//! Read it in this order:
//!
//! 1. [`updates`]: how each event changes the views, idempotently.
//! 2. [`batch`]: one view transaction per batch, with the position inside it.
//! 3. [`subscriptions`]: one subscription per category, following the store
//!    forever; `catch_up` and `rebuild`.
//! 4. [`operations`]: consumer positions, lag and dead letters.

pub mod batch;
mod error;
pub mod operations;
pub mod subscriptions;
pub mod updates;

pub use error::AggregatorError;
pub use subscriptions::{Layers, Settings, catch_up, rebuild, run};
