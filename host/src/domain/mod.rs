//! What the service does, apart from how it is asked over HTTP: the one
//! decision pipeline that robots' events and agents' acts share, the effects
//! a decision has, the one path every payment takes, commands to robots,
//! and lot time zones.

pub mod apds;
pub mod cases;
pub mod commands;
pub mod effects;
pub mod health;
pub mod input;
pub mod logins;
pub mod orders;
pub mod payments;
pub mod pipeline;
pub mod presets;
pub mod zone;
