//! Browser tests: a real headless Chromium, driven through chromedriver,
//! clicking through the bank while all four components run as processes on
//! Postgres. Each test saves a screenshot under `target/browser-screenshots/`.
//!
//! Without Chromium and chromedriver the tests say so loudly and skip;
//! under `CI=true` they fail instead (`.ci/run` installs both).

mod bank;
mod browser;
mod every_journey;
mod journeys;
