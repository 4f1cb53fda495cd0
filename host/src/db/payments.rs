//! Orders (what is owed: a stay's fee, a pass's renewal) and payments
//! (what was paid, by the payment system or charged to a pick).

use boomgate_engine::sdk::{OrderKind, Plate};
use sqlx::{AnyConnection, FromRow};

use super::types::{OrderStatus, Parsed, PaymentKind};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: String,
    pub session_id: Option<String>,
    pub plate: Option<String>,
    #[sqlx(try_from = "Parsed<OrderKind>")]
    pub kind: OrderKind,
    pub amount: Option<i64>,
    pub status: OrderStatus,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

/// A new order.
pub struct NewOrder<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub plate: Option<&'a Plate>,
    pub kind: OrderKind,
    pub amount: Option<i64>,
    pub decision: Option<&'a str>,
}

/// Creates a pending order, or updates the amount of the stay's pending
/// order of the same kind (a driver who comes back to the gate later owes
/// one order, at the new amount). Returns the order's id.
pub async fn upsert_pending_order(
    conn: &mut AnyConnection,
    o: &NewOrder<'_>,
    now: i64,
) -> Result<String> {
    if let Some(session) = o.session {
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE session_id = $1 AND kind = $2 AND status = $3",
        )
        .bind(session)
        .bind(o.kind.as_str())
        .bind(OrderStatus::Pending)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = existing {
            sqlx::query("UPDATE orders SET amount = $2, decision_id = $3 WHERE id = $1")
                .bind(&id)
                .bind(o.amount)
                .bind(o.decision)
                .execute(&mut *conn)
                .await?;
            return Ok(id);
        }
    }
    sqlx::query(
        "INSERT INTO orders (id, lot_id, session_id, plate, kind, amount, status, decision_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(o.id)
    .bind(o.lot)
    .bind(o.session)
    .bind(o.plate.map(Plate::as_str))
    .bind(o.kind.as_str())
    .bind(o.amount)
    .bind(OrderStatus::Pending)
    .bind(o.decision)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(o.id.to_owned())
}

pub async fn orders_of_session<'e>(db: impl Exec<'e>, session: &str) -> Result<Vec<OrderRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, status, created_at, settled_at FROM orders
         WHERE session_id = $1 ORDER BY created_at",
    )
    .bind(session)
    .fetch_all(db)
    .await
}

/// Marks the stay's pending orders paid; returns how many.
pub async fn settle_orders<'e>(db: impl Exec<'e>, session: &str, at: i64) -> Result<u64> {
    sqlx::query(
        "UPDATE orders SET status = $3, settled_at = $2 WHERE session_id = $1 AND status = $4",
    )
    .bind(session)
    .bind(at)
    .bind(OrderStatus::Paid)
    .bind(OrderStatus::Pending)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Settles the plate's pending orders of `kind` that belong to no stay
/// (monthly renewals); returns how many.
pub async fn settle_plate_orders<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    kind: OrderKind,
    at: i64,
) -> Result<u64> {
    sqlx::query(
        "UPDATE orders SET status = $5, settled_at = $4
         WHERE lot_id = $1 AND plate = $2 AND kind = $3 AND session_id IS NULL AND status = $6",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(kind.as_str())
    .bind(at)
    .bind(OrderStatus::Paid)
    .bind(OrderStatus::Pending)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

// ---------------------------------------------------------------- payments

/// A payment.
pub struct NewPayment<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub order: Option<&'a str>,
    pub plate: Option<&'a Plate>,
    pub kind: PaymentKind,
    pub amount: i64,
    pub paid_at: i64,
}

pub async fn insert_payment<'e>(db: impl Exec<'e>, p: &NewPayment<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO payments (id, lot_id, session_id, order_id, plate, kind, amount, paid_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id)
    .bind(p.lot)
    .bind(p.session)
    .bind(p.order)
    .bind(p.plate.map(Plate::as_str))
    .bind(p.kind)
    .bind(p.amount)
    .bind(p.paid_at)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct PaymentRow {
    pub id: String,
    pub session_id: Option<String>,
    pub plate: Option<String>,
    pub kind: PaymentKind,
    pub amount: i64,
    pub paid_at: i64,
}

/// The plate's payments since `since`, newest first.
pub async fn payments_of_plate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    since: i64,
) -> Result<Vec<PaymentRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, paid_at FROM payments
         WHERE lot_id = $1 AND plate = $2 AND paid_at >= $3 ORDER BY paid_at DESC",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(since)
    .fetch_all(db)
    .await
}

/// The stay's payments, oldest first.
pub async fn payments_of_session<'e>(db: impl Exec<'e>, session: &str) -> Result<Vec<PaymentRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, paid_at FROM payments
         WHERE session_id = $1 ORDER BY paid_at",
    )
    .bind(session)
    .fetch_all(db)
    .await
}

/// Payments for any plate of `account` since `since`, newest first.
pub async fn account_payments<'e>(
    db: impl Exec<'e>,
    lot: &str,
    account: &str,
    since: i64,
) -> Result<Vec<PaymentRow>> {
    sqlx::query_as(
        "SELECT y.id, y.session_id, y.plate, y.kind, y.amount, y.paid_at FROM payments y
         JOIN monthly_passes p ON p.lot_id = y.lot_id AND p.plate = y.plate
         WHERE y.lot_id = $1 AND p.account_id = $2 AND y.paid_at >= $3 ORDER BY y.paid_at DESC",
    )
    .bind(lot)
    .bind(account)
    .bind(since)
    .fetch_all(db)
    .await
}

/// How many payments for `plate` were recorded after `since`.
pub async fn paid_since<'e>(db: impl Exec<'e>, lot: &str, plate: &str, since: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE lot_id = $1 AND plate = $2 AND created_at > $3",
    )
    .bind(lot)
    .bind(plate)
    .bind(since)
    .fetch_one(db)
    .await
}
