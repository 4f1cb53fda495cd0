//! The boomgate service and its command line.
//!
//! Gate robots post plate events and get decisions in milliseconds; lot
//! owners register lots, gates, robots and passes, upload policy modules and
//! activate them without a restart; every decision and its effects are
//! durable (SQLite by default, PostgreSQL for several hosts).
//!
//! [`api::app`] builds the router from an [`AppState`], so tests drive the
//! service in process or over TCP exactly as `boomgate serve` runs it.

pub mod admin;
pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod decide;
pub mod demo;
pub mod ids;
pub mod metrics;
pub mod policies;
pub mod shipped;
pub mod state;
pub mod tz;

pub use api::app;
pub use state::AppState;
