//! # The web UI
//!
//! A small bank you can click through, built to make the ideas underneath
//! visible. It follows two rules (ARCHITECTURE.md, invariant 7):
//!
//! - it **writes only commands**, through the components' clients, and never
//!   waits for or asks a component anything;
//! - it **reads only views**, through [`aggregator::Views`].
//!
//! So after you submit a form, the page tells you the command was received
//! and is pending, and refreshes itself when the views show its outcome. The
//! [`inspector`] is the clearly separate exception: a read-only look at the
//! raw messages in the store, for teaching.
//!
//! Read it in this order: [`app`] (the router and its layers), [`routes`],
//! [`forms`] (validation), [`pages`] (what templates show), [`security`],
//! [`inspector`], [`startup`].

pub mod app;
pub mod error;
pub mod forms;
pub mod inspector;
pub mod pages;
pub mod routes;
pub mod security;
pub mod startup;

pub use app::{AppState, app};
pub use startup::Application;
