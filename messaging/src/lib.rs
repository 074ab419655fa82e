//! # messaging: a toolkit for autonomous, event-sourced components
//!
//! This crate is the "dumb pipe" and the plumbing around it, in its plainest
//! form: the textbook. It knows nothing about what the messages mean: the
//! components are built on it, and so could be anything else. What exists
//! only for speed or for operators (group commit, wake-ups, lanes, pausing,
//! metrics, hosting a process) is in `messaging-layers`, beside it, and a
//! binary chooses which layers to put on.
//!
//! Read it in this order:
//!
//! 1. [`stream_name`]: how streams and categories are named, and why the
//!    names must be parsed exactly as Message DB parses them.
//! 2. [`Message`], [`Metadata`], [`NewMessage`], [`StoredMessage`]: what a
//!    message is, going in and coming out, and how `follow` keeps a chain of
//!    messages traceable; [`Command`], a command addressed to its stream.
//! 3. [`store`]: the message store, its promises, and its three backends
//!    (Postgres, SQLite, memory).
//! 4. [`consumer`]: reading a category forever, handing each message to a
//!    handler, remembering how far it got, and what it does when things fail.
//! 5. [`entity_store`]: turning a stream of events back into the entity they
//!    describe, with a cache and optional snapshots.
//!
//! With the `controls` feature, `controls` adds test data and substitutes:
//! a fixed clock, a fresh database per test.

// Each `mod` line is one concept; the `pub use` lines below name the types a
// component needs, so that `use messaging::{MessageStore, Consumer}` works
// without knowing the file layout.
mod clock;
mod command;
pub mod consumer;
pub mod entity_store;
mod hash;
mod message;
mod message_error;
mod metadata;
mod new_message;
pub mod store;
mod stored_message;
pub mod stream_name;
mod time;

#[cfg(feature = "controls")]
pub mod controls;

pub use clock::Clock;
pub use command::Command;
pub use consumer::{
    Component, ComponentSettings, Consumer, ConsumerError, ConsumerSettings, Consumers, Handler,
    HandlerError,
};
pub use entity_store::{EntityStore, FetchError, Projection};

pub use hash::hash_64;
pub use message::Message;
pub use message_error::MessageError;
pub use metadata::Metadata;
pub use new_message::NewMessage;
pub use store::{CategoryRead, ConsumerGroup, ExpectedVersion, MessageStore, StoreError};
pub use stored_message::StoredMessage;
pub use stream_name::{Category, StreamName, StreamNameError};
pub use time::{Time, TimeError};
