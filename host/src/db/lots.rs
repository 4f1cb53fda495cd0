//! Lots, their gates, and the robots that stand at them.

use boomgate_engine::sdk::{Currency, Direction};
use sqlx::FromRow;

use super::types::Parsed;
use super::{Exec, Result};
use crate::domain::zone::LotZone;

#[derive(Debug, Clone, FromRow)]
pub struct LotRow {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    #[sqlx(rename = "timezone", try_from = "Parsed<LotZone>")]
    pub zone: LotZone,
    #[sqlx(try_from = "Parsed<Currency>")]
    pub currency: Currency,
    pub emergency_contact: Option<String>,
    pub active_version: Option<i64>,
    /// Where a driver pays an order: a URL with `{order_id}` in it.
    pub payment_link: Option<String>,
    /// The lot's debounce window, in seconds, if it has its own.
    pub debounce_seconds: Option<i64>,
    pub created_at: i64,
}

macro_rules! lot_columns {
    () => {
        "id, owner_id, name, timezone, currency, emergency_contact, active_version, payment_link,
         debounce_seconds, created_at"
    };
}

pub async fn insert_lot<'e>(db: impl Exec<'e>, lot: &LotRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO lots (id, owner_id, name, timezone, currency, emergency_contact, created_at,
             payment_link, debounce_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&lot.id)
    .bind(&lot.owner_id)
    .bind(&lot.name)
    .bind(lot.zone.name())
    .bind(lot.currency.code())
    .bind(&lot.emergency_contact)
    .bind(lot.created_at)
    .bind(&lot.payment_link)
    .bind(lot.debounce_seconds)
    .execute(db)
    .await
    .map(drop)
}

pub async fn lot<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<LotRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        lot_columns!(),
        " FROM lots WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn lots_of_owner<'e>(db: impl Exec<'e>, owner_id: &str) -> Result<Vec<LotRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        lot_columns!(),
        " FROM lots WHERE owner_id = $1 ORDER BY id"
    ))
    .bind(owner_id)
    .fetch_all(db)
    .await
}

/// The lots an agent serves.
pub async fn lots_of_agent<'e>(db: impl Exec<'e>, agent_id: &str) -> Result<Vec<LotRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        lot_columns!(),
        " FROM lots WHERE id IN (SELECT lot_id FROM agent_lots WHERE agent_id = $1) ORDER BY id"
    ))
    .bind(agent_id)
    .fetch_all(db)
    .await
}

/// What an owner may change of a lot after creating it.
pub struct LotChanges<'a> {
    pub name: Option<&'a str>,
    pub emergency_contact: Option<Option<&'a str>>,
    pub payment_link: Option<Option<&'a str>>,
    pub debounce_seconds: Option<Option<i64>>,
}

/// Changes what is given of a lot.
pub async fn update_lot<'e>(db: impl Exec<'e>, id: &str, c: &LotChanges<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE lots SET
             name = COALESCE($2, name),
             emergency_contact = CASE WHEN $3 = 1 THEN $4 ELSE emergency_contact END,
             payment_link = CASE WHEN $5 = 1 THEN $6 ELSE payment_link END,
             debounce_seconds = CASE WHEN $7 = 1 THEN $8 ELSE debounce_seconds END
         WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(i64::from(c.emergency_contact.is_some()))
    .bind(c.emergency_contact.flatten())
    .bind(i64::from(c.payment_link.is_some()))
    .bind(c.payment_link.flatten())
    .bind(i64::from(c.debounce_seconds.is_some()))
    .bind(c.debounce_seconds.flatten())
    .execute(db)
    .await
    .map(drop)
}

/// Every lot's active version, for other hosts' activations.
pub async fn active_versions<'e>(db: impl Exec<'e>) -> Result<Vec<(String, Option<i64>)>> {
    sqlx::query_as("SELECT id, active_version FROM lots")
        .fetch_all(db)
        .await
}

// ---------------------------------------------------------------- gates

#[derive(Debug, Clone, FromRow)]
pub struct GateRow {
    pub lot_id: String,
    pub id: String,
    /// Which way vehicles pass it.
    #[sqlx(try_from = "Parsed<Direction>")]
    pub direction: Direction,
    /// The gate's debounce window, in seconds, if it has its own.
    pub debounce_seconds: Option<i64>,
}

pub async fn insert_gate<'e>(db: impl Exec<'e>, gate: &GateRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO gates (lot_id, id, direction, debounce_seconds, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
        .bind(&gate.lot_id)
        .bind(&gate.id)
        .bind(gate.direction.as_str())
        .bind(gate.debounce_seconds)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn gate<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<GateRow>> {
    sqlx::query_as(
        "SELECT lot_id, id, direction, debounce_seconds FROM gates WHERE lot_id = $1 AND id = $2",
    )
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn gates<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<GateRow>> {
    sqlx::query_as(
        "SELECT lot_id, id, direction, debounce_seconds FROM gates WHERE lot_id = $1 ORDER BY id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------- robots

#[derive(Debug, Clone, FromRow)]
pub struct RobotRow {
    pub lot_id: String,
    pub id: String,
    pub gate_id: String,
}

pub async fn insert_robot<'e>(db: impl Exec<'e>, robot: &RobotRow, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO robots (lot_id, id, gate_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&robot.lot_id)
        .bind(&robot.id)
        .bind(&robot.gate_id)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn robots<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<RobotRow>> {
    sqlx::query_as("SELECT lot_id, id, gate_id FROM robots WHERE lot_id = $1 ORDER BY id")
        .bind(lot)
        .fetch_all(db)
        .await
}

/// Where a robot stands: its lot and gate, in one read.
#[derive(Debug, Clone, FromRow)]
struct SiteRow {
    #[sqlx(flatten)]
    lot: LotRow,
    gate_id: String,
    #[sqlx(try_from = "Parsed<Direction>")]
    gate_direction: Direction,
    gate_debounce: Option<i64>,
}

/// The lot and gate of robot `robot` of `lot`.
pub async fn robot_site<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
) -> Result<Option<(LotRow, GateRow)>> {
    let row: Option<SiteRow> = sqlx::query_as(
        "SELECT l.id, l.owner_id, l.name, l.timezone, l.currency, l.emergency_contact,
             l.active_version, l.payment_link, l.debounce_seconds, l.created_at,
             g.id AS gate_id, g.direction AS gate_direction, g.debounce_seconds AS gate_debounce
         FROM robots r
         JOIN gates g ON g.lot_id = r.lot_id AND g.id = r.gate_id
         JOIN lots l ON l.id = r.lot_id
         WHERE r.lot_id = $1 AND r.id = $2",
    )
    .bind(lot)
    .bind(robot)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let gate = GateRow {
            lot_id: row.lot.id.clone(),
            id: row.gate_id,
            direction: row.gate_direction,
            debounce_seconds: row.gate_debounce,
        };
        (row.lot, gate)
    }))
}

/// When each robot of `lot` last sent an event.
pub async fn robots_last_seen<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT robot_id, MAX(received_at) FROM events WHERE lot_id = $1 GROUP BY robot_id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}
