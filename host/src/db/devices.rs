//! What stands at a gate besides the robot: its cameras, the captures it
//! uploads, and its heartbeats (the latest one per robot).

use sqlx::FromRow;

use super::types::{CameraKind, CaptureKind, DeviceState, Power};
use super::{Exec, Result};

// ---------------------------------------------------------------- cameras

#[derive(Debug, Clone, FromRow)]
pub struct CameraRow {
    pub lot_id: String,
    pub id: String,
    pub robot_id: String,
    pub kind: CameraKind,
    pub name: String,
    /// The camera maker's id for it.
    pub vendor_id: Option<String>,
    pub snapshot_url: Option<String>,
    pub stream_url: Option<String>,
    pub created_at: i64,
}

pub async fn insert_camera<'e>(db: impl Exec<'e>, c: &CameraRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO cameras (lot_id, id, robot_id, kind, name, vendor_id, snapshot_url, stream_url, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&c.lot_id)
    .bind(&c.id)
    .bind(&c.robot_id)
    .bind(c.kind)
    .bind(&c.name)
    .bind(&c.vendor_id)
    .bind(&c.snapshot_url)
    .bind(&c.stream_url)
    .bind(c.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn cameras<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<CameraRow>> {
    sqlx::query_as(
        "SELECT lot_id, id, robot_id, kind, name, vendor_id, snapshot_url, stream_url, created_at
         FROM cameras WHERE lot_id = $1 ORDER BY robot_id, kind, id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Removes a camera; false if there is none.
pub async fn delete_camera<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<bool> {
    sqlx::query("DELETE FROM cameras WHERE lot_id = $1 AND id = $2")
        .bind(lot)
        .bind(id)
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

// ---------------------------------------------------------------- captures

#[derive(Debug, Clone, FromRow)]
pub struct CaptureRow {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    pub robot_id: String,
    pub kind: CaptureKind,
    pub digest: String,
    pub created_at: i64,
}

pub async fn insert_capture<'e>(db: impl Exec<'e>, c: &CaptureRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO captures (id, lot_id, gate_id, robot_id, kind, digest, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.id)
    .bind(&c.lot_id)
    .bind(&c.gate_id)
    .bind(&c.robot_id)
    .bind(c.kind)
    .bind(&c.digest)
    .bind(c.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// A gate's captures since `since`, newest first.
pub async fn captures<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<CaptureRow>> {
    sqlx::query_as(
        "SELECT id, lot_id, gate_id, robot_id, kind, digest, created_at FROM captures
         WHERE lot_id = $1 AND gate_id = $2 AND created_at >= $3
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(lot)
    .bind(gate)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------- health

/// A robot's latest heartbeat.
#[derive(Debug, Clone, FromRow)]
pub struct HealthRow {
    pub lot_id: String,
    pub robot_id: String,
    pub gate_id: String,
    pub heartbeat_at: i64,
    pub power: Power,
    pub battery_percent: Option<i64>,
    pub lpr_camera: DeviceState,
    pub environment_camera: DeviceState,
    pub barrier: DeviceState,
    pub display: DeviceState,
    pub app_version: Option<String>,
}

pub async fn record_heartbeat<'e>(db: impl Exec<'e>, h: &HealthRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO robot_health (lot_id, robot_id, gate_id, heartbeat_at, power, battery_percent,
             lpr_camera, environment_camera, barrier, display, app_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (lot_id, robot_id) DO UPDATE SET gate_id = excluded.gate_id,
             heartbeat_at = excluded.heartbeat_at, power = excluded.power,
             battery_percent = excluded.battery_percent, lpr_camera = excluded.lpr_camera,
             environment_camera = excluded.environment_camera, barrier = excluded.barrier,
             display = excluded.display, app_version = excluded.app_version",
    )
    .bind(&h.lot_id)
    .bind(&h.robot_id)
    .bind(&h.gate_id)
    .bind(h.heartbeat_at)
    .bind(h.power)
    .bind(h.battery_percent)
    .bind(h.lpr_camera)
    .bind(h.environment_camera)
    .bind(h.barrier)
    .bind(h.display)
    .bind(&h.app_version)
    .execute(db)
    .await
    .map(drop)
}

/// The latest heartbeat of every robot of `lot`.
pub async fn health_of_lot<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<HealthRow>> {
    sqlx::query_as(
        "SELECT lot_id, robot_id, gate_id, heartbeat_at, power, battery_percent, lpr_camera,
             environment_camera, barrier, display, app_version
         FROM robot_health WHERE lot_id = $1 ORDER BY robot_id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Every robot's latest heartbeat, for the metrics.
pub async fn health_of_all<'e>(db: impl Exec<'e>) -> Result<Vec<HealthRow>> {
    sqlx::query_as(
        "SELECT h.lot_id, h.robot_id, h.gate_id, h.heartbeat_at, h.power, h.battery_percent,
             h.lpr_camera, h.environment_camera, h.barrier, h.display, h.app_version
         FROM robot_health h JOIN robots r ON r.lot_id = h.lot_id AND r.id = h.robot_id
         WHERE r.retired_at IS NULL",
    )
    .fetch_all(db)
    .await
}

/// How many active robots each lot has.
pub async fn active_robots<'e>(db: impl Exec<'e>) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT lot_id, COUNT(*) FROM robots WHERE retired_at IS NULL GROUP BY lot_id ORDER BY lot_id",
    )
    .fetch_all(db)
    .await
}
