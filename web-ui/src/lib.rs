//! # The web UI
//!
//! A small bank you can click through, built to make the ideas underneath
//! visible. It follows two rules (ARCHITECTURE.md, invariant 7):
//!
//! - it **writes only commands**, through the components' clients, and never
//!   waits for or asks a component anything;
//! - it **reads only views**, through [`views::Views`]: it does not even
//!   depend on the aggregator, only on the `views` crate.
//!
//! So after you submit a form, the page tells you the command was received
//! and is pending, and refreshes itself when the views show its outcome. The
//! [`inspector`] is the clearly separate exception: a read-only look at the
//! raw messages in the store, for teaching.
//!
//! Read it in this order:
//!
//! 1. [`mod@app`]: the router, every page and form, and the layers around them.
//! 2. [`routes`]: what each page reads, what each form checks and sends.
//! 3. [`forms`]: reading what people type, with an error that says how to
//!    fix it; [`send`]: the ending every form shares (the form's id as the
//!    command's id, post/redirect/get, "already sent").
//! 4. [`presenters`]: what the views say, turned into what a page shows;
//!    [`pages`] and `templates/`: how it is laid out; [`mod@format`].
//! 5. [`live`] (pages that change in place when the views do),
//!    [`security`] (allowed hosts, cross-site writes, strict headers),
//!    [`limits`] (what keeps one client from exhausting the server),
//!    [`metrics`] (requests and their latency, for an operator),
//!    [`error`], [`inspector`], [`startup`], and [`components`] (pausing
//!    the components of the all-in-one bank from the operations page).

pub mod app;
pub mod components;
pub mod error;
pub mod form_id;
pub mod format;
pub mod forms;
pub mod inspector;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod pages;
pub mod presenters;
pub mod routes;
pub mod security;
pub mod send;
pub mod startup;

pub use app::{AppState, app, app_with};
pub use startup::Application;
