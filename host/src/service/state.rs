//! What every request handler shares.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use boomgate_engine::{Deadline, Engine, EngineConfig};

use super::clock::Clock;
use super::config::Config;
use super::metrics::Metrics;
use super::registry::{Compiles, Registry};
use crate::db::Db;

/// The service's shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<State>);

pub struct State {
    pub db: Db,
    pub registry: Registry,
    pub config: Config,
    pub clock: Clock,
    pub metrics: Metrics,
    /// Wakes robots waiting for commands at a gate.
    pub commands: crate::domain::commands::Hub,
    /// Robots authenticated lately, recognised while the database fails.
    pub robots_seen: crate::api::auth::RobotsSeen,
    /// Events answered with the fallback while storage failed.
    pub faults: super::faults::StorageFaults,
    /// Where login codes go.
    pub sender: super::sender::Sender,
    /// Wakes the console's live lists.
    pub live: super::live::Live,
    /// Calls to the expensive routes, per token (`expensive_per_minute`).
    pub rate_limits: crate::api::middleware::RateLimits,
}

impl Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    /// Connects to the database, starts the policy engine and installs every
    /// lot's active policy.
    pub async fn new(config: Config, clock: Clock) -> anyhow::Result<AppState> {
        let db = Db::connect(&config.database_url()?).await?;
        let engine = Engine::new(EngineConfig {
            deadline: Deadline::Fuel {
                units: config.policy_fuel,
            },
            memory_limit: config.policy_memory,
            max_module_bytes: config.module_limit,
            compile_limits: boomgate_engine::CompileLimits {
                max_functions: config.max_functions,
                max_code_bytes: config.max_code_bytes,
                ..Default::default()
            },
            ..EngineConfig::default()
        })?;
        let registry = Registry::new(
            engine,
            Compiles {
                concurrency: config.compile_concurrency,
                wait: Duration::from_secs(config.compile_wait_seconds),
                budget: Duration::from_secs(config.compile_budget_seconds),
                memory: config.compile_memory_mib << 20,
                worker: config.compile_worker.clone(),
            },
        );
        registry.refresh(&db).await?;
        let sender = super::sender::Sender::from_config(
            &config.login_sender,
            config.login_webhook_url.as_deref(),
        )?;
        let state = AppState(Arc::new(State {
            sender,
            db,
            registry,
            config,
            clock,
            metrics: Metrics::default(),
            commands: crate::domain::commands::Hub::default(),
            robots_seen: crate::api::auth::RobotsSeen::default(),
            faults: super::faults::StorageFaults::default(),
            live: super::live::Live::default(),
            rate_limits: crate::api::middleware::RateLimits::default(),
        }));
        state
            .robots_seen
            .load(&state)
            .await
            .map_err(|e| anyhow::anyhow!("loading robots' tokens: {e}"))?;
        state.spawn_flusher();
        Ok(state)
    }

    /// Writes the events answered while storage failed, once it works,
    /// until the service is dropped.
    fn spawn_flusher(&self) {
        let state = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(super::faults::FLUSH_EVERY);
            loop {
                tick.tick().await;
                let Some(state) = state.upgrade() else { break };
                if state.faults.waiting() == 0 {
                    continue;
                }
                match state.faults.flush(&state.db, state.clock.now_ms()).await {
                    Ok(n) => tracing::info!(
                        written = n,
                        "events answered while storage failed are recorded"
                    ),
                    Err(e) => tracing::debug!(error = %e, "storage still fails"),
                }
            }
        });
    }

    /// Picks up policy activations made by other hosts, every
    /// `policy_refresh_ms`, until the process ends.
    pub fn spawn_refresher(&self) {
        let state = self.clone();
        let every = std::time::Duration::from_millis(self.config.policy_refresh_ms.max(100));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = state.registry.refresh(&state.db).await {
                    tracing::warn!(error = format!("{e:#}"), "policy refresh failed");
                }
            }
        });
    }
}
