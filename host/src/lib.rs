//! The boomgate service and its command line.
//!
//! Gate robots post plate events and get decisions in milliseconds; lot
//! owners register lots, gates, robots and passes, upload policy modules and
//! activate them without a restart; remote agents resolve what robots
//! cannot; every decision and its effects are durable (SQLite by default,
//! PostgreSQL for several hosts).
//!
//! - [`api`]: the HTTP API, one module per resource.
//! - [`domain`]: the decision pipeline robots and agents share, a
//!   decision's effects, the one payment path, commands to robots.
//! - [`db`]: storage, one module per group of tables, typed rows.
//! - [`service`]: the shared state, configuration, metrics and the
//!   registry of every lot's active policy.
//! - [`cli`]: the `boomgate` command line.
//!
//! [`api::app()`] builds the router from an [`AppState`], so tests drive the
//! service in process or over TCP exactly as `boomgate serve` runs it.
//! `ARCHITECTURE.md` at the repository's root follows one plate event
//! through these modules.

pub mod api;
pub mod cli;
pub mod console;
pub mod db;
pub mod domain;
pub mod loadtest;
pub mod service;

pub use api::app;
pub use service::AppState;
