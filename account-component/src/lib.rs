//! # The account component
//!
//! The account is where money lives. This component owns every account's
//! balance: it alone writes `account-{id}`, and it decides every deposit,
//! withdrawal and close from that stream alone.
//!
//! Read it in this order:
//!
//! 1. [`messages`]: the commands it accepts and the events it writes.
//! 2. [`Account`] and its questions (`is_open`, `has_sufficient_funds`,
//!    `has_processed`), and `projection.rs`, which builds it from events.
//! 3. [`handlers`]: the commands handler, which reserves each transaction,
//!    and the transactions handler, which decides it. Together they show the
//!    two layers of idempotence.
//! 4. [`client`]: how others send it commands.
//! 5. `start()`: the two consumers. The binary that runs them is
//!    `bank/src/bin/account-component.rs`.
//!
//! Whoever only sends accounts commands or reads their messages depends on
//! this crate without its `handlers` feature, and gets none of the deciding.

// What anyone who talks to accounts needs: their messages, the client that
// sends them commands, where their messages live, and money.
pub mod client;
#[cfg(feature = "controls")]
pub mod controls;
pub mod messages;
mod money;
pub mod streams;

// The component itself (the `handlers` feature, on by default).
#[cfg(feature = "handlers")]
mod account;
#[cfg(feature = "handlers")]
pub mod handlers;
#[cfg(feature = "handlers")]
mod projection;
#[cfg(feature = "handlers")]
pub mod start;
#[cfg(feature = "handlers")]
pub mod store;

#[cfg(feature = "handlers")]
pub use account::Account;
pub use money::{Money, MoneyError, grouped};
#[cfg(feature = "handlers")]
pub use start::start;
