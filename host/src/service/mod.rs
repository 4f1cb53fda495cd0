//! Running the service: its shared state, configuration, clock, metrics,
//! the registry of every lot's active policy, the policies built into the
//! binary, and first-start administration (owners, the demo lot).

pub mod admin;
pub mod clock;
pub mod config;
pub mod demo;
pub mod faults;
pub mod live;
pub mod metrics;
pub mod registry;
pub mod sender;
pub mod shipped;
pub mod state;
pub mod worker;

pub use clock::Clock;
pub use config::Config;
pub use state::AppState;
