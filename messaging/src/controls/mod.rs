//! Controls: deterministic test data and fresh stores, for this crate's tests
//! and for the components' tests (enable the `controls` feature).
//!
//! In Eventide, controls are small factories of example data with names that
//! say what they are (`Controls::Time::Effective.example`). Tests built from
//! them read as sentences and never repeat magic values.

pub mod message_db;
pub mod postgres;
pub mod sqlite;
pub mod time;
pub mod tolerant_reader;
