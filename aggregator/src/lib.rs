//! # The aggregator
//!
//! The components answer no queries. Whatever a person sees (a balance, a
//! statement, a transfer's progress, what is still pending) comes from
//! *views*: tables the aggregator keeps up to date from the events, in a
//! database of their own. It is the only writer of those views.
//!
//! Read it in this order:
//!
//! 1. `migrations/views/`: the tables, and why every row remembers a position.
//! 2. [`projections`]: how each event changes the views, idempotently.
//! 3. [`subscriptions`]: one subscription per category, one view transaction
//!    per batch with the position inside it; `rebuild`.
//! 4. [`operations`]: consumer positions, lag and dead letters.
//! 5. [`queries`]: what the web UI reads.

pub mod operations;
pub mod projections;
pub mod queries;
pub mod subscriptions;
pub mod view_database;

pub use queries::Views;
pub use subscriptions::{AggregatorError, Settings, catch_up, rebuild, run};
pub use view_database::ViewDatabase;
