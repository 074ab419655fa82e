//! Controls: example ids, amounts, commands, events and account histories,
//! whose ids line up with each other.
//!
//! The funds-transfer component's tests use them too (feature `controls`),
//! so they build account events from the account's own definitions, never
//! from a copy that could drift.

pub mod commands;
pub mod events;
pub mod history;
pub mod id;
pub mod money;
pub mod store;

pub use messaging::controls::time;
