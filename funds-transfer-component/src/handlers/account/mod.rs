//! Handlers of the account component's messages.

pub mod events;
