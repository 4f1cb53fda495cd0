//! Monthly-pass accounts (a household, a company) and their passes, and
//! the app parking passes of seed 000.

use boomgate_engine::sdk::{Date, Plate};
use sqlx::FromRow;

use super::types::{Parsed, Unsigned};
use super::{Exec, Result};

pub async fn upsert_account<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    spaces: u32,
    holder: Option<&str>,
    phone: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO accounts (lot_id, id, spaces, holder, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lot_id, id) DO UPDATE SET spaces = excluded.spaces,
             holder = COALESCE(excluded.holder, accounts.holder),
             phone = COALESCE(excluded.phone, accounts.phone)",
    )
    .bind(lot)
    .bind(id)
    .bind(i64::from(spaces))
    .bind(holder)
    .bind(phone)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn upsert_monthly_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    account: &str,
    valid_until: Date,
    // None keeps the class registered before.
    vehicle_class: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO monthly_passes (lot_id, plate, account_id, valid_until, created_at, updated_at,
             vehicle_class)
         VALUES ($1, $2, $3, $4, $5, $5, $6)
         ON CONFLICT (lot_id, plate) DO UPDATE SET account_id = excluded.account_id,
             valid_until = excluded.valid_until, updated_at = excluded.updated_at,
             vehicle_class = COALESCE(excluded.vehicle_class, monthly_passes.vehicle_class)",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(account)
    .bind(valid_until.to_string())
    .bind(now)
    .bind(vehicle_class)
    .execute(db)
    .await
    .map(drop)
}

/// A monthly pass with its account.
#[derive(Debug, Clone, FromRow)]
pub struct PassRow {
    #[sqlx(try_from = "Parsed<Plate>")]
    pub plate: Plate,
    pub account_id: String,
    /// The last local date on which the pass is valid.
    #[sqlx(try_from = "Parsed<Date>")]
    pub valid_until: Date,
    /// The spaces the account holds.
    #[sqlx(try_from = "Unsigned<u32>")]
    pub spaces: u32,
    pub holder: Option<String>,
    pub phone: Option<String>,
    /// The vehicle's class, when registered (`large`, `new-energy`, ...).
    pub vehicle_class: Option<String>,
}

macro_rules! pass_select {
    () => {
        "SELECT p.plate, p.account_id, p.valid_until, a.spaces, a.holder, a.phone, p.vehicle_class
         FROM monthly_passes p JOIN accounts a ON a.lot_id = p.lot_id AND a.id = p.account_id"
    };
}

pub async fn monthly_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
) -> Result<Option<PassRow>> {
    sqlx::query_as(concat!(
        pass_select!(),
        " WHERE p.lot_id = $1 AND p.plate = $2"
    ))
    .bind(lot)
    .bind(plate.as_str())
    .fetch_optional(db)
    .await
}

pub async fn monthly_passes<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<PassRow>> {
    sqlx::query_as(concat!(
        pass_select!(),
        " WHERE p.lot_id = $1 ORDER BY p.plate"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Passes of `lot` matching a phone and a plate, each if given.
pub async fn find_passes<'e>(
    db: impl Exec<'e>,
    lot: &str,
    phone: Option<&str>,
    plate: Option<&Plate>,
) -> Result<Vec<PassRow>> {
    sqlx::query_as(concat!(
        pass_select!(),
        " WHERE p.lot_id = $1 AND ($2 IS NULL OR a.phone = $2) AND ($3 IS NULL OR p.plate = $3)
         ORDER BY p.plate"
    ))
    .bind(lot)
    .bind(phone)
    .bind(plate.map(Plate::as_str))
    .fetch_all(db)
    .await
}

/// A vehicle of an account inside the lot now.
#[derive(Debug, Clone, FromRow)]
pub struct InsideRow {
    pub plate: String,
    pub entered_at: i64,
}

/// The account's vehicles inside now, but `except`.
pub async fn account_vehicles_inside<'e>(
    db: impl Exec<'e>,
    lot: &str,
    account: &str,
    except: &Plate,
) -> Result<Vec<InsideRow>> {
    sqlx::query_as(
        "SELECT s.plate, s.entered_at FROM sessions s
         JOIN monthly_passes p ON p.lot_id = s.lot_id AND p.plate = s.plate
         WHERE s.lot_id = $1 AND p.account_id = $2 AND s.plate <> $3 AND s.exited_at IS NULL
         ORDER BY s.entered_at",
    )
    .bind(lot)
    .bind(account)
    .bind(except.as_str())
    .fetch_all(db)
    .await
}

pub async fn delete_monthly_pass<'e>(db: impl Exec<'e>, lot: &str, plate: &Plate) -> Result<bool> {
    sqlx::query("DELETE FROM monthly_passes WHERE lot_id = $1 AND plate = $2")
        .bind(lot)
        .bind(plate.as_str())
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

// ---------------------------------------------------------------- app parking passes

pub async fn insert_parking_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO parking_passes (lot_id, plate, registered_at) VALUES ($1, $2, $3)
         ON CONFLICT (lot_id, plate) DO NOTHING",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn has_parking_pass<'e>(db: impl Exec<'e>, lot: &str, plate: &Plate) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM parking_passes WHERE lot_id = $1 AND plate = $2")
            .bind(lot)
            .bind(plate.as_str())
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// A registered app parking pass.
#[derive(Debug, Clone, FromRow)]
pub struct ParkingPassRow {
    pub plate: String,
    pub registered_at: i64,
    /// The parker's own choice of automatic picks (0/1), none: the lot's.
    #[sqlx(rename = "auto_pick")]
    pub auto_pick_flag: Option<i64>,
}

impl ParkingPassRow {
    /// The parker's own choice of automatic picks.
    pub fn auto_pick(&self) -> Option<bool> {
        self.auto_pick_flag.map(|v| v != 0)
    }
}

pub async fn parking_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
) -> Result<Option<ParkingPassRow>> {
    sqlx::query_as(
        "SELECT plate, registered_at, auto_pick FROM parking_passes WHERE lot_id = $1 AND plate = $2",
    )
    .bind(lot)
    .bind(plate.as_str())
    .fetch_optional(db)
    .await
}

pub async fn parking_passes<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<ParkingPassRow>> {
    sqlx::query_as(
        "SELECT plate, registered_at, auto_pick FROM parking_passes WHERE lot_id = $1 ORDER BY plate",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Sets a parker's own choice of automatic picks; false if not registered.
pub async fn set_auto_pick<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    auto_pick: Option<bool>,
) -> Result<bool> {
    sqlx::query("UPDATE parking_passes SET auto_pick = $3 WHERE lot_id = $1 AND plate = $2")
        .bind(lot)
        .bind(plate.as_str())
        .bind(auto_pick.map(i64::from))
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

/// Passes of `lot` whose account's phone is one of `phones`.
pub async fn passes_by_phones<'e>(
    db: impl Exec<'e>,
    lot: &str,
    phones: &[String],
) -> Result<Vec<PassRow>> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::placeholders(2, phones.len());
    let sql = format!(
        "{} WHERE p.lot_id = $1 AND a.phone IN ({list}) ORDER BY p.plate",
        pass_select!()
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(lot);
    for phone in phones {
        query = query.bind(phone);
    }
    query.fetch_all(db).await
}
