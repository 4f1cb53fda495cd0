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
    /// How many vehicles it holds.
    pub capacity: Option<i64>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: i64,
}

macro_rules! lot_columns {
    () => {
        "id, owner_id, name, timezone, currency, emergency_contact, active_version, payment_link,
         debounce_seconds, capacity, address, latitude, longitude, created_at"
    };
}

pub async fn insert_lot<'e>(db: impl Exec<'e>, lot: &LotRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO lots (id, owner_id, name, timezone, currency, emergency_contact, created_at,
             payment_link, debounce_seconds, capacity, address, latitude, longitude)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
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
    .bind(lot.capacity)
    .bind(&lot.address)
    .bind(lot.latitude)
    .bind(lot.longitude)
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
    pub capacity: Option<Option<i64>>,
    pub address: Option<Option<&'a str>>,
    /// Latitude and longitude, set together.
    pub position: Option<Option<(f64, f64)>>,
}

/// Changes what is given of a lot.
pub async fn update_lot<'e>(db: impl Exec<'e>, id: &str, c: &LotChanges<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE lots SET
             name = COALESCE($2, name),
             emergency_contact = CASE WHEN $3 = 1 THEN $4 ELSE emergency_contact END,
             payment_link = CASE WHEN $5 = 1 THEN $6 ELSE payment_link END,
             debounce_seconds = CASE WHEN $7 = 1 THEN $8 ELSE debounce_seconds END,
             capacity = CASE WHEN $9 = 1 THEN $10 ELSE capacity END,
             address = CASE WHEN $11 = 1 THEN $12 ELSE address END,
             latitude = CASE WHEN $13 = 1 THEN $14 ELSE latitude END,
             longitude = CASE WHEN $13 = 1 THEN $15 ELSE longitude END
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
    .bind(i64::from(c.capacity.is_some()))
    .bind(c.capacity.flatten())
    .bind(i64::from(c.address.is_some()))
    .bind(c.address.flatten())
    .bind(i64::from(c.position.is_some()))
    .bind(c.position.flatten().map(|p| p.0))
    .bind(c.position.flatten().map(|p| p.1))
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

/// Changes a gate's own debounce window (`None`: the lot's).
pub async fn set_gate_debounce<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    seconds: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE gates SET debounce_seconds = $3 WHERE lot_id = $1 AND id = $2")
        .bind(lot)
        .bind(id)
        .bind(seconds)
        .execute(db)
        .await
        .map(drop)
}

// ---------------------------------------------------------------- robots

#[derive(Debug, Clone, FromRow)]
pub struct RobotRow {
    pub lot_id: String,
    pub id: String,
    pub gate_id: String,
    /// What people call it, e.g. `北门出口`.
    pub name: Option<String>,
    /// The maker's serial number.
    pub factory_code: Option<String>,
    /// Its SIM's number, digits only: calls from it are its gate's.
    pub phone: Option<String>,
    /// When it was retired: its token no longer works.
    pub retired_at: Option<i64>,
    pub created_at: i64,
}

const ROBOT_COLUMNS: &str =
    "lot_id, id, gate_id, name, factory_code, phone, retired_at, created_at";

pub async fn insert_robot<'e>(db: impl Exec<'e>, robot: &RobotRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO robots (lot_id, id, gate_id, name, factory_code, phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&robot.lot_id)
    .bind(&robot.id)
    .bind(&robot.gate_id)
    .bind(&robot.name)
    .bind(&robot.factory_code)
    .bind(&robot.phone)
    .bind(robot.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// Every robot of `lot`, retired ones too.
pub async fn robots<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<RobotRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROBOT_COLUMNS} FROM robots WHERE lot_id = $1 ORDER BY id"
    )))
    .bind(lot)
    .fetch_all(db)
    .await
}

pub async fn robot<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<RobotRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROBOT_COLUMNS} FROM robots WHERE lot_id = $1 AND id = $2"
    )))
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The active robots of the owner's lots that have a SIM number.
pub async fn robots_with_phones<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<RobotRow>> {
    sqlx::query_as(
        "SELECT r.lot_id, r.id, r.gate_id, r.name, r.factory_code, r.phone, r.retired_at, r.created_at
         FROM robots r JOIN lots l ON l.id = r.lot_id
         WHERE l.owner_id = $1 AND r.retired_at IS NULL AND r.phone IS NOT NULL
         ORDER BY r.lot_id, r.id",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

/// What an owner may change of a robot.
pub struct RobotChanges<'a> {
    pub gate_id: Option<&'a str>,
    pub name: Option<Option<&'a str>>,
    pub factory_code: Option<Option<&'a str>>,
    pub phone: Option<Option<&'a str>>,
}

pub async fn update_robot<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    c: &RobotChanges<'_>,
) -> Result<()> {
    sqlx::query(
        "UPDATE robots SET
             gate_id = COALESCE($3, gate_id),
             name = CASE WHEN $4 = 1 THEN $5 ELSE name END,
             factory_code = CASE WHEN $6 = 1 THEN $7 ELSE factory_code END,
             phone = CASE WHEN $8 = 1 THEN $9 ELSE phone END
         WHERE lot_id = $1 AND id = $2",
    )
    .bind(lot)
    .bind(id)
    .bind(c.gate_id)
    .bind(i64::from(c.name.is_some()))
    .bind(c.name.flatten())
    .bind(i64::from(c.factory_code.is_some()))
    .bind(c.factory_code.flatten())
    .bind(i64::from(c.phone.is_some()))
    .bind(c.phone.flatten())
    .execute(db)
    .await
    .map(drop)
}

/// Retires a robot; false if it was retired already.
pub async fn retire_robot<'e>(db: impl Exec<'e>, lot: &str, id: &str, now: i64) -> Result<bool> {
    sqlx::query(
        "UPDATE robots SET retired_at = $3 WHERE lot_id = $1 AND id = $2 AND retired_at IS NULL",
    )
    .bind(lot)
    .bind(id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
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

/// What [`SiteRow`] reads: lot `l`'s columns and gate `g`'s (a macro, so
/// that each query stays one static string: nothing is formatted per
/// request).
macro_rules! site_columns {
    () => {
        "l.id, l.owner_id, l.name, l.timezone, l.currency, l.emergency_contact,
         l.active_version, l.payment_link, l.debounce_seconds, l.capacity, l.address,
         l.latitude, l.longitude, l.created_at,
         g.id AS gate_id, g.direction AS gate_direction, g.debounce_seconds AS gate_debounce"
    };
}

impl SiteRow {
    fn split(self) -> (LotRow, GateRow) {
        let gate = GateRow {
            lot_id: self.lot.id.clone(),
            id: self.gate_id,
            direction: self.gate_direction,
            debounce_seconds: self.gate_debounce,
        };
        (self.lot, gate)
    }
}

/// The lot and gate of robot `robot` of `lot`.
pub async fn robot_site<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
) -> Result<Option<(LotRow, GateRow)>> {
    let row: Option<SiteRow> = sqlx::query_as(concat!(
        "SELECT ",
        site_columns!(),
        " FROM robots r
         JOIN gates g ON g.lot_id = r.lot_id AND g.id = r.gate_id
         JOIN lots l ON l.id = r.lot_id
         WHERE r.lot_id = $1 AND r.id = $2 AND r.retired_at IS NULL"
    ))
    .bind(lot)
    .bind(robot)
    .fetch_optional(db)
    .await?;
    Ok(row.map(SiteRow::split))
}

/// A robot's live token, with the robot's lot and gate: what a robot's
/// request is authenticated by, in one read. `None` for any other token,
/// a revoked one, or a retired robot's.
pub async fn robot_by_token<'e>(
    db: impl Exec<'e>,
    hash: &str,
) -> Result<Option<(RobotTokenRow, LotRow, GateRow)>> {
    let row: Option<RobotSiteRow> = sqlx::query_as(concat!(
        "SELECT ",
        site_columns!(),
        ", t.owner_id AS token_owner, r.id AS robot_id
         FROM tokens t
         JOIN robots r ON r.lot_id = t.lot_id AND r.id = t.robot_id AND r.retired_at IS NULL
         JOIN gates g ON g.lot_id = r.lot_id AND g.id = r.gate_id
         JOIN lots l ON l.id = r.lot_id
         WHERE t.hash = $1 AND t.role = 'robot' AND t.revoked_at IS NULL"
    ))
    .bind(hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let token = RobotTokenRow {
            owner_id: row.token_owner,
            robot_id: row.robot_id,
        };
        let (lot, gate) = row.site.split();
        (token, lot, gate)
    }))
}

/// Whose robot a token is.
#[derive(Debug, Clone)]
pub struct RobotTokenRow {
    pub owner_id: String,
    pub robot_id: String,
}

#[derive(Debug, Clone, FromRow)]
struct RobotSiteRow {
    #[sqlx(flatten)]
    site: SiteRow,
    token_owner: String,
    robot_id: String,
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
