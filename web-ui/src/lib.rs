//! Coming soon.
