//! Handler tests: given an account's history, when a message arrives, then
//! exactly this was written, to that stream, at that expected version.
//!
//! No database: the store is the in-memory substitute, which records every
//! write; the clock is fixed; the data comes from the controls. One outcome
//! per test, and the test's name says it.

mod commands;
mod support;
mod transactions;
