//! The message store and consumer contract: one suite, run against every
//! backend, on the plain path.
//!
//! Each case is an `async fn` taking a [`Fixture`](support::Fixture) with a
//! fresh, empty store. The macros of `suite.rs` turn every case into three
//! tests, `postgres::...`, `sqlite::...` and `memory::...`, so the three
//! stores are held to exactly the same promises. Cases that need a real
//! database's transactions (the category lock) run on Postgres and SQLite
//! only. The layers crate runs the same suite on the layered path
//! (`messaging-layers/tests/contract/`), with `configuration.rs` its own.

mod category_reads;
mod configuration;
mod consumers;
mod entity_store;
mod in_order;
mod reading;
mod support;
mod writing;
#[macro_use]
mod suite;

every_backend!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite,
    memory: crate::support::Kind::Memory
);

transactional_backends!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite
);

/// What the plain path promises beyond the layers: one message after
/// another, in the category's order, whichever entity it is about.
mod plain {
    contract!(postgres: crate::support::Kind::Postgres => {
        in_order: [a_consumer_hands_every_message_to_its_handler_in_order],
    });
    contract!(sqlite: crate::support::Kind::Sqlite => {
        in_order: [a_consumer_hands_every_message_to_its_handler_in_order],
    });
    contract!(memory: crate::support::Kind::Memory => {
        in_order: [a_consumer_hands_every_message_to_its_handler_in_order],
    });
}
