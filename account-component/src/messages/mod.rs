//! The account component's message contracts: the commands it accepts and
//! the events it writes. One message per file, as plain data.
//!
//! Every message is JSON with camelCase keys (`accountId`, `depositId`,
//! `amount`, `time`), amounts in cents, and times as ISO 8601 UTC text, so
//! that a command can be written with plain SQL and read by any Message DB
//! client.

pub mod commands;
pub mod events;
mod reason;

pub use reason::Reason;
