//! Orders (what is owed: a stay's fee, a pass's renewal) and payments
//! (what was paid, by the payment system or charged to a pick).

use boomgate_engine::sdk::{OrderKind, Plate};
use sqlx::FromRow;

use super::types::{OrderStatus, Parsed, PaymentKind};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: String,
    pub lot_id: String,
    pub session_id: Option<String>,
    pub plate: Option<String>,
    #[sqlx(try_from = "Parsed<OrderKind>")]
    pub kind: OrderKind,
    pub amount: Option<i64>,
    /// Of `amount`, what the plate owed from earlier stays.
    pub owed_included: i64,
    pub status: OrderStatus,
    /// The instant the amount is the price at: paying the order settles
    /// the stay up to it.
    pub priced_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub decision_id: Option<String>,
    /// The payment that paid it.
    pub payment_id: Option<String>,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

macro_rules! order_columns {
    () => {
        "id, lot_id, session_id, plate, kind, amount, owed_included, status, priced_at, expires_at,
         decision_id, payment_id, created_at, settled_at"
    };
}

/// A new order.
pub struct NewOrder<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub plate: Option<&'a Plate>,
    pub kind: OrderKind,
    pub amount: Option<i64>,
    pub owed_included: i64,
    pub priced_at: i64,
    pub expires_at: i64,
    pub decision: Option<&'a str>,
}

pub async fn insert_order<'e>(db: impl Exec<'e>, o: &NewOrder<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO orders (id, lot_id, session_id, plate, kind, amount, owed_included, status,
             priced_at, expires_at, decision_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(o.id)
    .bind(o.lot)
    .bind(o.session)
    .bind(o.plate.map(Plate::as_str))
    .bind(o.kind.as_str())
    .bind(o.amount)
    .bind(o.owed_included)
    .bind(OrderStatus::Pending)
    .bind(o.priced_at)
    .bind(o.expires_at)
    .bind(o.decision)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// The pending order of `kind` for a stay, or (`session` none) for the
/// plate without a stay (a pass renewal), newest first.
pub async fn live_order<'e>(
    db: impl Exec<'e>,
    lot: &str,
    session: Option<&str>,
    plate: Option<&Plate>,
    kind: OrderKind,
) -> Result<Option<OrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders WHERE lot_id = $1 AND kind = $4 AND status = $5
             AND (($2 IS NOT NULL AND session_id = $2)
                  OR ($2 IS NULL AND session_id IS NULL AND plate = $3))
         ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(lot)
    .bind(session)
    .bind(plate.map(Plate::as_str))
    .bind(kind.as_str())
    .bind(OrderStatus::Pending)
    .fetch_optional(db)
    .await
}

pub async fn order<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<OrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders WHERE lot_id = $1 AND id = $2"
    ))
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The lot's orders, newest first, of a plate and in a status if given.
pub async fn orders<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: Option<&Plate>,
    status: Option<OrderStatus>,
    limit: i64,
) -> Result<Vec<OrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders WHERE lot_id = $1 AND ($2 IS NULL OR plate = $2) AND ($3 IS NULL OR status = $3)
         ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(lot)
    .bind(plate.map(Plate::as_str))
    .bind(status)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Moves a pending order to `status`; false if it was not pending.
pub async fn end_order<'e>(
    db: impl Exec<'e>,
    id: &str,
    status: OrderStatus,
    payment: Option<&str>,
    at: i64,
) -> Result<bool> {
    sqlx::query(
        "UPDATE orders SET status = $2, payment_id = COALESCE($3, payment_id), settled_at = $4
         WHERE id = $1 AND status = $5",
    )
    .bind(id)
    .bind(status)
    .bind(payment)
    .bind(at)
    .bind(OrderStatus::Pending)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
}

/// Marks an order paid by `payment`: a pending one, or one a newer price
/// replaced (the driver paid the code they saw).
pub async fn mark_paid<'e>(db: impl Exec<'e>, id: &str, payment: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE orders SET status = $2, payment_id = $3, settled_at = $4
         WHERE id = $1 AND status IN ($5, $6)",
    )
    .bind(id)
    .bind(OrderStatus::Paid)
    .bind(payment)
    .bind(at)
    .bind(OrderStatus::Pending)
    .bind(OrderStatus::Replaced)
    .execute(db)
    .await
    .map(drop)
}

/// Marks the stay's pending orders paid; returns how many.
pub async fn settle_orders<'e>(
    db: impl Exec<'e>,
    session: &str,
    payment: Option<&str>,
    at: i64,
) -> Result<u64> {
    sqlx::query(
        "UPDATE orders SET status = $3, settled_at = $2, payment_id = COALESCE($5, payment_id)
         WHERE session_id = $1 AND status = $4",
    )
    .bind(session)
    .bind(at)
    .bind(OrderStatus::Paid)
    .bind(OrderStatus::Pending)
    .bind(payment)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// The plate's pending temporary orders of stays that are closed (what it
/// owes from earlier stays), oldest first.
pub async fn owed_orders<'e>(db: impl Exec<'e>, lot: &str, plate: &Plate) -> Result<Vec<OrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders o WHERE lot_id = $1 AND plate = $2 AND kind = 'temporary' AND status = $3
             AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = o.session_id AND s.exited_at IS NOT NULL)
         ORDER BY created_at"
    ))
    .bind(lot)
    .bind(plate.as_str())
    .bind(OrderStatus::Pending)
    .fetch_all(db)
    .await
}

/// Settles the plate's pending orders of `kind` that belong to no stay
/// (monthly renewals); returns how many.
pub async fn settle_plate_orders<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    kind: OrderKind,
    payment: Option<&str>,
    at: i64,
) -> Result<u64> {
    sqlx::query(
        "UPDATE orders SET status = $5, settled_at = $4, payment_id = COALESCE($7, payment_id)
         WHERE lot_id = $1 AND plate = $2 AND kind = $3 AND session_id IS NULL AND status = $6",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(kind.as_str())
    .bind(at)
    .bind(OrderStatus::Paid)
    .bind(OrderStatus::Pending)
    .bind(payment)
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
    /// The payment system's id, unique per lot.
    pub external_id: Option<&'a str>,
    /// The request as the payment system sent it (JSON), for retries.
    pub request: Option<&'a str>,
}

pub async fn insert_payment<'e>(db: impl Exec<'e>, p: &NewPayment<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO payments (id, lot_id, session_id, order_id, plate, kind, amount, paid_at,
             external_id, request, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(p.id)
    .bind(p.lot)
    .bind(p.session)
    .bind(p.order)
    .bind(p.plate.map(Plate::as_str))
    .bind(p.kind)
    .bind(p.amount)
    .bind(p.paid_at)
    .bind(p.external_id)
    .bind(p.request)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Stores the answer a payment got, for its retries.
pub async fn set_answer<'e>(db: impl Exec<'e>, id: &str, answer: &str) -> Result<()> {
    sqlx::query("UPDATE payments SET answer = $2 WHERE id = $1")
        .bind(id)
        .bind(answer)
        .execute(db)
        .await
        .map(drop)
}

/// A payment recorded under the payment system's id: the request it came
/// with and the answer it got.
#[derive(Debug, Clone, FromRow)]
pub struct Recorded {
    pub request: Option<String>,
    pub answer: Option<String>,
}

pub async fn by_external_id<'e>(
    db: impl Exec<'e>,
    lot: &str,
    external: &str,
) -> Result<Option<Recorded>> {
    sqlx::query_as("SELECT request, answer FROM payments WHERE lot_id = $1 AND external_id = $2")
        .bind(lot)
        .bind(external)
        .fetch_optional(db)
        .await
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

/// The orders a decision placed or kept, oldest first.
pub async fn orders_of_decision<'e>(db: impl Exec<'e>, decision: &str) -> Result<Vec<OrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders WHERE decision_id = $1 ORDER BY created_at"
    ))
    .bind(decision)
    .fetch_all(db)
    .await
}
