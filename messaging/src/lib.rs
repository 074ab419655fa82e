//! # messaging: a toolkit for autonomous, event-sourced components
//!
//! This crate is the "dumb pipe" and the plumbing around it. It knows nothing
//! about banking: the account and funds-transfer components are built on it,
//! and so could be anything else.
//!
//! Read it in this order:
//!
//! 1. [`stream_name`]: how streams and categories are named, and why the
//!    names must be parsed exactly as Message DB parses them.
//! 2. [`Message`], [`Metadata`], [`NewMessage`], [`StoredMessage`]: what a
//!    message is, going in and coming out, and how `follow` keeps a chain of
//!    messages traceable.
//! 3. [`store`]: the message store, its promises, and its three backends
//!    (Postgres, SQLite, memory).
//! 4. [`consumer`]: reading a category forever, handing each message to a
//!    handler, remembering how far it got, and what it does when things fail.
//! 5. [`entity_store`]: turning a stream of events back into the entity they
//!    describe, with a cache and optional snapshots.
//! 6. [`metrics`]: what each consumer has done, for an operator's monitoring,
//!    and (with the `host` feature) [`host`]: running a component as a
//!    process, metrics served included.
//!
//! With the `controls` feature, `controls` adds test data and substitutes:
//! a fixed clock, predictable ids, a fresh database per test. [`defects`]
//! lists the mistakes the bank's simulation is shown to catch.

// Each `mod` line is one concept; the `pub use` lines below name the types a
// component needs, so that `use messaging::{MessageStore, Consumer}` works
// without knowing the file layout.
mod clock;
pub mod consumer;
pub mod defects;
pub mod entity_store;
mod hash;
#[cfg(feature = "host")]
pub mod host;
mod message;
mod message_error;
mod metadata;
pub mod metrics;
mod new_message;
pub mod store;
mod stored_message;
pub mod stream_name;
mod time;

#[cfg(feature = "controls")]
pub mod controls;

pub use clock::Clock;
pub use consumer::{
    Component, ComponentSettings, Consumer, ConsumerError, ConsumerSettings, DEFAULT_LANES,
    Handler, HandlerError, Pause,
};
pub use entity_store::{EntityStore, FetchError, Projection};

pub use hash::hash_64;
pub use message::Message;
pub use message_error::MessageError;
pub use metadata::Metadata;
pub use new_message::NewMessage;
pub use store::{
    CategoryRead, ConsumerGroup, ExpectedVersion, MessageStore, NewMessageSignal, StoreError,
};
pub use stored_message::StoredMessage;
pub use stream_name::{Category, StreamName, StreamNameError};
pub use time::{Time, TimeError};
