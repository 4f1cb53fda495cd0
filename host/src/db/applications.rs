//! Monthly-pass applications and renewals (seed 001 §2.2.2 scene 3,
//! §2.4.1): they wait in order per lot until an owner or agent approves or
//! rejects them.

use sqlx::FromRow;

use super::types::{ApplicationKind, ApplicationStatus};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub lot_id: String,
    pub plate: String,
    pub kind: ApplicationKind,
    pub account_id: Option<String>,
    pub holder: Option<String>,
    pub phone: Option<String>,
    pub months: i64,
    pub note: Option<String>,
    pub status: ApplicationStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub applied_by: String,
    pub applied_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// The pass's validity once approved.
    pub valid_until: Option<String>,
    /// The renewal order placed on approval.
    pub order_id: Option<String>,
}

const COLUMNS: &str = "id, lot_id, plate, kind, account_id, holder, phone, months, note, status,
    reason, applied_by, applied_at, decided_by, decided_at, valid_until, order_id";

pub async fn insert<'e>(db: impl Exec<'e>, a: &ApplicationRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO pass_applications (id, lot_id, plate, kind, account_id, holder, phone, months,
             note, status, applied_by, applied_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&a.id)
    .bind(&a.lot_id)
    .bind(&a.plate)
    .bind(a.kind)
    .bind(&a.account_id)
    .bind(&a.holder)
    .bind(&a.phone)
    .bind(a.months)
    .bind(&a.note)
    .bind(a.status)
    .bind(&a.applied_by)
    .bind(a.applied_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn application<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
) -> Result<Option<ApplicationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM pass_applications WHERE lot_id = $1 AND id = $2"
    )))
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A lot's applications with `status` (every one when `None`), in the
/// order they were made.
pub async fn applications<'e>(
    db: impl Exec<'e>,
    lot: &str,
    status: Option<ApplicationStatus>,
    plate: Option<&str>,
    limit: i64,
) -> Result<Vec<ApplicationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM pass_applications
         WHERE lot_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR plate = $3)
         ORDER BY applied_at, id LIMIT $4"
    )))
    .bind(lot)
    .bind(status)
    .bind(plate)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Where a pending application stands in its lot's queue: 1 is next.
pub async fn position<'e>(db: impl Exec<'e>, a: &ApplicationRow) -> Result<i64> {
    let ahead: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pass_applications
         WHERE lot_id = $1 AND status = 'pending' AND (applied_at < $2 OR (applied_at = $2 AND id < $3))",
    )
    .bind(&a.lot_id)
    .bind(a.applied_at)
    .bind(&a.id)
    .fetch_one(db)
    .await?;
    Ok(ahead + 1)
}

/// Decides a pending application; false if it was decided already.
pub async fn decide<'e>(db: impl Exec<'e>, a: &ApplicationRow) -> Result<bool> {
    sqlx::query(
        "UPDATE pass_applications SET status = $3, reason = $4, decided_by = $5, decided_at = $6,
             valid_until = $7, order_id = $8
         WHERE lot_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(&a.lot_id)
    .bind(&a.id)
    .bind(a.status)
    .bind(&a.reason)
    .bind(&a.decided_by)
    .bind(a.decided_at)
    .bind(&a.valid_until)
    .bind(&a.order_id)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
}
