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
//! 5. [`start()`]: the two consumers, and `main.rs`, the binary.

mod account;
pub mod client;
#[cfg(feature = "controls")]
pub mod controls;
pub mod handlers;
pub mod messages;
mod money;
mod projection;
pub mod start;
pub mod store;
pub mod streams;

pub use account::Account;
pub use money::{Money, MoneyError, grouped};
pub use start::start;
