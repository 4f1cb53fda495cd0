//! Stays (a vehicle's time in a lot, from entry to exit), the app
//! parking-pass picks that pay them, and the stays people closed at a
//! stated time.

use boomgate_engine::sdk::{Billing, Plate};
use sqlx::{AnyConnection, FromRow};

use super::types::{ClosedBy, Parsed, PickStatus, Unsigned};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub lot_id: String,
    #[sqlx(try_from = "Parsed<Plate>")]
    pub plate: Plate,
    #[sqlx(try_from = "Parsed<Billing>")]
    pub billing: Billing,
    pub entered_at: i64,
    pub entry_gate: Option<String>,
    pub exited_at: Option<i64>,
    pub exit_gate: Option<String>,
    pub closed_by: Option<ClosedBy>,
    #[sqlx(try_from = "Unsigned<u64>")]
    pub paid_amount: u64,
    pub paid_at: Option<i64>,
    /// The stay is paid up to this instant (the time its paid order was
    /// priced at).
    pub settled_until: Option<i64>,
    pub pick_id: Option<String>,
    /// The digest of the photo the entry robot sent, if any.
    pub entry_photo: Option<String>,
    /// The vehicle's class as known at entry (`large`, `new-energy`, ...).
    pub vehicle_class: Option<String>,
}

macro_rules! session_columns {
    () => {
        "id, lot_id, plate, billing, entered_at, entry_gate, exited_at, exit_gate,
         closed_by, paid_amount, paid_at, settled_until, pick_id, entry_photo, vehicle_class"
    };
}

pub async fn open_session<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
) -> Result<Option<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND plate = $2 AND exited_at IS NULL"
    ))
    .bind(lot)
    .bind(plate.as_str())
    .fetch_optional(db)
    .await
}

pub async fn session<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND id = $2"
    ))
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The vehicles inside now, oldest entry first.
pub async fn sessions_inside<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND exited_at IS NULL ORDER BY entered_at"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

/// The latest stays, newest first.
pub async fn recent_sessions<'e>(
    db: impl Exec<'e>,
    lot: &str,
    limit: i64,
) -> Result<Vec<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 ORDER BY entered_at DESC LIMIT $2"
    ))
    .bind(lot)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The latest stays of `plate`, newest first.
pub async fn stays_of_plate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    limit: i64,
) -> Result<Vec<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND plate = $2 ORDER BY entered_at DESC LIMIT $3"
    ))
    .bind(lot)
    .bind(plate.as_str())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A new stay.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub plate: &'a Plate,
    pub billing: Billing,
    pub entered_at: i64,
    pub gate: &'a str,
    pub decision: &'a str,
    /// The vehicle's class, when the camera or the pass registry knows it.
    pub vehicle_class: Option<&'a str>,
}

pub async fn insert_session<'e>(db: impl Exec<'e>, s: &NewSession<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, lot_id, plate, billing, entered_at, entry_gate, entry_decision,
             paid_amount, created_at, vehicle_class)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
    )
    .bind(s.id)
    .bind(s.lot)
    .bind(s.plate.as_str())
    .bind(s.billing.as_str())
    .bind(s.entered_at)
    .bind(s.gate)
    .bind(s.decision)
    .bind(now)
    .bind(s.vehicle_class)
    .execute(db)
    .await
    .map(drop)
}

/// How a stay ends.
pub struct Exit<'a> {
    pub at: i64,
    pub gate: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub by: ClosedBy,
}

/// Closes a stay, if it is open.
pub async fn close_session<'e>(db: impl Exec<'e>, id: &str, exit: &Exit<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET exited_at = $2, exit_gate = $3, exit_decision = $4, closed_by = $5
         WHERE id = $1 AND exited_at IS NULL",
    )
    .bind(id)
    .bind(exit.at)
    .bind(exit.gate)
    .bind(exit.decision)
    .bind(exit.by)
    .execute(db)
    .await
    .map(drop)
}

/// Adds a payment to a stay; `settles` is the instant up to which it pays
/// the stay (its order's pricing time), if it settles it.
pub async fn add_session_payment<'e>(
    db: impl Exec<'e>,
    id: &str,
    amount: i64,
    at: i64,
    settles: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET paid_amount = paid_amount + $2, paid_at = $3,
             settled_until = CASE WHEN $4 IS NULL THEN settled_until
                                  WHEN settled_until IS NULL OR settled_until < $4 THEN $4
                                  ELSE settled_until END
         WHERE id = $1",
    )
    .bind(id)
    .bind(amount)
    .bind(at)
    .bind(settles)
    .execute(db)
    .await
    .map(drop)
}

/// Gives the stay that decision `entry_decision` opened its entry photo.
pub async fn set_entry_photo<'e>(
    db: impl Exec<'e>,
    entry_decision: &str,
    photo: &str,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET entry_photo = $2 WHERE entry_decision = $1")
        .bind(entry_decision)
        .bind(photo)
        .execute(db)
        .await
        .map(drop)
}

// ---------------------------------------------------------------- picks

/// Makes a pick for a stay: its fee is charged to the app parking pass.
pub async fn insert_pick(
    conn: &mut AnyConnection,
    id: &str,
    lot: &str,
    session: &str,
    plate: &Plate,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO picks (id, lot_id, session_id, plate, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(lot)
    .bind(session)
    .bind(plate.as_str())
    .bind(PickStatus::Open)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE sessions SET pick_id = $2 WHERE id = $1")
        .bind(session)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(drop)
}

pub async fn charge_pick<'e>(db: impl Exec<'e>, id: &str, amount: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE picks SET status = $4, amount = $2, charged_at = $3 WHERE id = $1")
        .bind(id)
        .bind(amount)
        .bind(at)
        .bind(PickStatus::Charged)
        .execute(db)
        .await
        .map(drop)
}

// ---------------------------------------------------------------- closures

/// A stay closed by a person at a stated time.
pub struct NewClosure<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: &'a str,
    pub left_at: i64,
    pub note: Option<&'a str>,
    pub total: i64,
    pub due: i64,
    pub charged: i64,
    pub order: Option<&'a str>,
    pub by: &'a str,
}

pub async fn insert_closure<'e>(db: impl Exec<'e>, c: &NewClosure<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO closures (id, lot_id, session_id, left_at, note, total, due, charged, order_id, closed_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id)
    .bind(c.lot)
    .bind(c.session)
    .bind(c.left_at)
    .bind(c.note)
    .bind(c.total)
    .bind(c.due)
    .bind(c.charged)
    .bind(c.order)
    .bind(c.by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// How many stays of `lot` are open: the vehicles inside.
pub async fn open_count<'e>(db: impl Exec<'e>, lot: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE lot_id = $1 AND exited_at IS NULL")
        .bind(lot)
        .fetch_one(db)
        .await
}
