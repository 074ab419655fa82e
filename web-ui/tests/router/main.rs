//! Router tests: every page and every validation error, through the real
//! router with `oneshot`, on the real components (in this process, on the
//! in-memory store) and real views (a SQLite file).

mod accounts;
mod autonomy;
mod connections;
mod events;
mod finding;
mod forms;
mod home;
mod hostile;
mod metrics;
mod pages;
mod release;
mod security;
mod support;
mod unknown_outcome;
