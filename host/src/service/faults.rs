//! Robots' events answered with the fallback decision because storage
//! failed (down, hung, full): kept in memory, counted in the metrics and
//! logged, and written to `storage_faults` once storage works again, so
//! that agents and owners see what the robots were told meanwhile.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::db::Db;
use crate::db::ids::new_id;

/// One event answered without a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecorded {
    pub lot: String,
    pub robot: String,
    pub event_id: String,
    pub gate: String,
    pub plate: Option<String>,
    pub occurred_at: i64,
    /// What failed.
    pub fault: String,
    pub answered_at: i64,
}

/// The most events kept in memory; older ones are dropped (and counted).
const KEPT: usize = 10_000;

/// The events waiting to be written.
#[derive(Default)]
pub struct StorageFaults {
    waiting: Mutex<VecDeque<Unrecorded>>,
    dropped: AtomicU64,
}

impl StorageFaults {
    /// Keeps an event answered with the fallback, to write later.
    pub fn push(&self, event: Unrecorded) {
        tracing::error!(
            lot = event.lot,
            robot = event.robot,
            event_id = event.event_id,
            fault = event.fault,
            "storage failed: the robot got the fallback decision"
        );
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if waiting.len() >= KEPT {
            waiting.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        waiting.push_back(event);
    }

    /// How many are waiting.
    pub fn waiting(&self) -> usize {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// How many were dropped because too many waited.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes what waits; keeps it if storage still fails.
    pub async fn flush(&self, db: &Db, now: i64) -> sqlx::Result<usize> {
        let batch: Vec<Unrecorded> = {
            let waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            waiting.iter().take(500).cloned().collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let mut tx = db.write().await?;
        for event in &batch {
            sqlx::query(
                "INSERT INTO storage_faults (id, lot_id, robot_id, event_id, gate_id, plate,
                     occurred_at, fault, answered_at, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new_id("flt", event.answered_at))
            .bind(&event.lot)
            .bind(&event.robot)
            .bind(&event.event_id)
            .bind(&event.gate)
            .bind(&event.plate)
            .bind(event.occurred_at)
            .bind(&event.fault)
            .bind(event.answered_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        for event in &batch {
            if waiting.front() == Some(event) {
                waiting.pop_front();
            }
        }
        Ok(batch.len())
    }
}

/// How often waiting events are tried.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
