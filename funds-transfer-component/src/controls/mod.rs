//! Controls: example transfers and their events, with ids that line up with
//! the account component's controls (the transfer moves money from its
//! example account to its other example account).

pub mod commands;
pub mod events;
pub mod id;

pub use account_component::controls::{money, store, time};
