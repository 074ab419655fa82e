//! # messaging-layers: what wraps the plain path
//!
//! The `messaging` crate is the textbook: a store with one plain write, a
//! consumer that handles one message after another. Everything here exists
//! for speed or for the people who run the bank, and each layer is put on
//! by a binary, in one visible place (`bank/src/bin/`, and `bank serve`).
//! Each is held to the same contract tests as the plain path
//! (`messaging-layers/tests/contract.rs` runs the core's suite on them), so
//! none of them changes what a handler or a reader can observe.
//!
//! What each buys, and what it costs:
//!
//! | layer | buys | costs |
//! |---|---|---|
//! | [`group_commit`] | a busy category commits one group per disk flush, not one write per flush | a queue and a task per busy category; a group is in doubt as a whole when its connection breaks |
//! | [`notifier`] | consumers hear of a write at once, and writers do not commit in single file to notify | a task; a listener hears up to 2 ms later |
//! | [`idle_ping`] | one round trip per query instead of two | a connection that died in the last second fails one query (retried) |
//! | [`wake_ups`] | a consumer starts on a new message in milliseconds, not at its next poll | a listening connection per consumer |
//! | [`lanes`] | a consumer keeps many entities' work in flight, which the writes share commits for | the order *between* entities, which no handler may rely on anyway |
//! | [`pause`] | the all-in-one bank can show autonomy: a component held still while the rest goes on | nothing while it runs |
//! | [`metrics`] | an operator sees each consumer's progress, lag and parked messages | two atomic stores per message; reads of the store per scrape |
//! | [`host`] | a process configured from its environment, logging, stopping cleanly on a signal, serving its metrics | its dependencies (clap, tracing-subscriber, axum) |
//!
//! [`connect`] opens a store with the store layers on; [`LayeredComponent`]
//! runs a component's consumers with the consumer layers on.

mod component;
mod connect;
pub mod group_commit;
pub mod host;
pub mod idle_ping;
pub mod lanes;
pub mod metrics;
mod new_message_signal;
pub mod notifier;
pub mod pause;
pub mod wake_ups;

pub use component::{ConsumerLayers, DEFAULT_LANES, LayeredComponent};
pub use connect::connect;
pub use new_message_signal::NewMessageSignal;
pub use pause::Pause;
