//! Commands to robots: what an agent tells the robot at a gate to do (open
//! for a decision) or show (a QR code, a text, the ID prompt). Stored, so a
//! robot that was offline gets them; robots long-poll for new ones and are
//! woken as soon as one is issued on this host (from other hosts, within
//! `command_repoll_ms`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boomgate_engine::sdk::{Decision, Display, Gate, Light};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use utoipa::ToSchema;

use crate::db::ids::new_id;
use crate::db::{self, Tx};
use crate::service::AppState;

/// What a robot is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    /// Act on a decision an agent made: open the barrier if `gate` is open,
    /// and say, show and light what it says.
    Decision {
        decision_id: String,
        gate: Gate,
        reason: String,
        voice: String,
        display: Display,
        light: Light,
    },
    /// Show something (a QR code, a text, the ID prompt); say `voice` if given.
    Display {
        display: Display,
        #[serde(default)]
        voice: Option<String>,
        light: Light,
        /// With `display: vehicles_inside`: the held vehicle's account's
        /// vehicles inside.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vehicles_inside: Option<Vec<crate::domain::input::VehicleInside>>,
    },
}

impl Command {
    pub fn decision(id: &str, d: &Decision) -> Command {
        Command::Decision {
            decision_id: id.to_owned(),
            gate: d.gate,
            reason: d.reason.clone(),
            voice: d.voice.clone(),
            display: d.display.clone(),
            light: d.light,
        }
    }
}

/// A stored command as a robot receives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Issued {
    /// Pass the last id seen as `after` to get only newer commands.
    pub id: String,
    #[serde(flatten)]
    pub command: Command,
    /// Who issued it.
    pub issued_by: String,
    /// RFC 3339 (UTC).
    pub issued_at: String,
}

/// Per gate, what robots waiting for commands wait on.
#[derive(Default)]
pub struct Hub {
    gates: Mutex<HashMap<(String, String), Arc<Waiting>>>,
}

/// The robots waiting at one gate.
#[derive(Default)]
struct Waiting {
    notify: Notify,
    robots: AtomicUsize,
}

/// A robot's turn in a gate's wait; counts it while it waits.
struct Turn(Arc<Waiting>);

impl Turn {
    fn new(waiting: Arc<Waiting>) -> Turn {
        waiting.robots.fetch_add(1, Ordering::AcqRel);
        Turn(waiting)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.0.robots.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hub {
    fn gate(&self, lot: &str, gate: &str) -> Arc<Waiting> {
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        gates
            .entry((lot.to_owned(), gate.to_owned()))
            .or_default()
            .clone()
    }

    /// Wakes the robots waiting at a gate.
    pub fn wake(&self, lot: &str, gate: &str) {
        self.gate(lot, gate).notify.notify_waiters();
    }

    /// How many robots are waiting for commands at a gate now.
    pub fn waiting(&self, lot: &str, gate: &str) -> usize {
        self.gate(lot, gate).robots.load(Ordering::Acquire)
    }
}

/// Stores a command for the robots at a gate, inside `tx`. Call
/// [`Hub::wake`] once `tx` is committed.
pub async fn issue(
    tx: &mut Tx,
    now: i64,
    lot: &str,
    gate: &str,
    command: &Command,
    by: &str,
) -> anyhow::Result<String> {
    let id = new_id("cmd", now);
    db::commands::insert_command(
        &mut **tx,
        &id,
        lot,
        gate,
        &serde_json::to_string(command)?,
        by,
        now,
    )
    .await?;
    Ok(id)
}

/// The gate's commands after `after`, waiting up to `wait` for one.
pub async fn fetch(
    state: &AppState,
    lot: &str,
    gate: &str,
    after: &str,
    wait: Duration,
) -> anyhow::Result<Vec<Issued>> {
    let turn = Turn::new(state.commands.gate(lot, gate));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Register interest before looking, so a command issued in between
        // still wakes this poll.
        let woken = turn.0.notify.notified();
        let rows = db::commands::commands_after(state.db.pool(), lot, gate, after, 50).await?;
        if !rows.is_empty() || tokio::time::Instant::now() >= deadline {
            return rows
                .into_iter()
                .map(|row| {
                    Ok(Issued {
                        command: serde_json::from_str(&row.command)?,
                        issued_by: row.issued_by,
                        issued_at: jiff::Timestamp::from_millisecond(row.created_at)?.to_string(),
                        id: row.id,
                    })
                })
                .collect();
        }
        // Another host may issue it: look again every `command_repoll_ms`.
        let repoll = Duration::from_millis(state.config.command_repoll_ms.max(10));
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let _ = tokio::time::timeout(left.min(repoll), woken).await;
    }
}
