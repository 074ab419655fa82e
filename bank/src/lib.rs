//! # The bank in one process
//!
//! `cargo run` starts this: the account component, the funds-transfer
//! component, the aggregator and the web UI, side by side in one process, on
//! two SQLite files under `./data` (one for the message store, one for the
//! views). Nothing to install, and the same code that runs as four separate
//! processes on Postgres in `docker compose up`: the components still talk
//! only through the message store, even when they share a process.
//!
//! The operator commands live here too: print a stream or category,
//! rebuild the views.

pub mod audit;
pub mod component_process;
pub mod databases;
pub mod layers;
pub mod print;
pub mod roles;
pub mod serve;

pub use databases::Databases;
