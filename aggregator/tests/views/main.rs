//! The aggregator on real databases, by concept: the update each event
//! makes to each view (`updates/`), idempotence and rebuilds, statements,
//! pending commands, the UI's reads, and the operations views.

mod binary;
mod operations;
mod pages;
mod pending;
mod rebuilds;
mod statements;
mod support;
mod updates;
