//! # views: the read model
//!
//! The components answer no queries. Whatever a person sees (a balance, a
//! statement, a transfer's progress, what is still pending) comes from
//! *views*: tables kept up to date from the events, in a database of their
//! own. This crate is their one home. For each view, one file holds its
//! columns, its typed row, how the aggregator writes it and how the web UI
//! reads it:
//!
//! 1. [`accounts`]: one row per account, with its balance and status.
//! 2. [`statement`]: one line per deposit, withdrawal or refusal.
//! 3. [`transfers`]: one row per transfer, with the time of each step.
//! 4. [`commands`]: what was asked and whether it was answered ("pending").
//! 5. [`operations`]: consumers' positions and lag, parked messages.
//! 6. [`positions`]: how far the aggregator has applied each category, and
//!    [`presence`]: which aggregators are running against the views.
//!
//! [`directory`] finds accounts in the first view a page at a time, or by
//! name, so that no page reads every account.
//!
//! Two crates use it, for opposite ends: the aggregator, the only writer,
//! and the web UI, which only reads ([`Views`]). Neither depends on the
//! other; this crate is the only link between them, so the rule "the UI
//! reads only views" is visible in the dependency graph.
//!
//! Also here: [`ViewDatabase`] (Postgres or a SQLite file), `columns.rs`
//! (how typed values are stored as text and integers), [`account_page`] and
//! `bulk.rs` (two performance layers, each saying what it buys), and
//! [`snapshot`] (how two view databases are compared).

pub mod account_page;
pub mod accounts;
mod bulk;
pub mod columns;
pub mod commands;
mod database;
pub mod directory;
pub mod operations;
pub mod positions;
pub mod presence;
pub mod snapshot;
pub mod statement;
pub mod transfers;

use std::sync::Arc;

use sqlx::AnyPool;

pub use database::{BeforeAcquire, Kind, SCHEMA_VERSION, TABLES, ViewDatabase};

/// Read access to the views: everything the web UI shows. Each view's file
/// adds the reads it offers.
#[derive(Clone, Debug)]
pub struct Views {
    pool: AnyPool,
    /// Which database the views are in: a few statements are spelled
    /// differently in each.
    kind: Kind,
    /// The account page's one statement, in this database's dialect.
    account_page_statement: Arc<str>,
}

impl Views {
    /// Reads the views in `database`.
    pub fn new(database: &ViewDatabase) -> Views {
        Views {
            pool: database.pool().clone(),
            kind: database.kind(),
            account_page_statement: account_page::statement(database.kind()).into(),
        }
    }
}
