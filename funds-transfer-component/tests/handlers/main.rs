//! Handler tests for every step of a transfer, and for each step's input
//! arriving again. In-memory store, fixed clock, sequential ids, controls.

mod account_events;
mod commands;
mod events;
mod release;
mod support;
