//! Orders: what a driver is asked to pay, at a locked price. Every
//! `create_order` of a decision becomes one, with an id the robot's QR code
//! points at, the instant its amount is the price at (`priced_at`) and an
//! expiry. A stay has at most one live (pending) order of a kind: a new
//! decision at the same price keeps it, a new price replaces it (the old
//! one can still be paid: it settles the stay up to its own `priced_at`).

use boomgate_engine::sdk::{OrderKind, Plate};
use sqlx::AnyConnection;

use crate::db::ids::new_id;
use crate::db::payments::{self, NewOrder, OrderRow};
use crate::db::types::OrderStatus;

/// An order to place.
pub struct Place<'a> {
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub plate: Option<&'a Plate>,
    pub kind: OrderKind,
    pub amount: Option<u64>,
    /// Of `amount`, what the plate owed from earlier stays.
    pub owed: u64,
    /// When the amount is the price at.
    pub priced_at: i64,
    pub decision: Option<&'a str>,
    /// How long the order is offered, in milliseconds.
    pub lifetime_ms: i64,
}

/// Places an order: the live one when it asks the same, else a new one
/// that replaces it. Returns the order.
pub async fn place(
    conn: &mut AnyConnection,
    order: &Place<'_>,
    now: i64,
) -> sqlx::Result<OrderRow> {
    let amount = order.amount.map(|a| i64::try_from(a).unwrap_or(i64::MAX));
    let owed = i64::try_from(order.owed).unwrap_or(i64::MAX);
    let live = payments::live_order(
        &mut *conn,
        order.lot,
        order.session,
        order.plate,
        order.kind,
    )
    .await?;
    if let Some(live) = live {
        let current = live.expires_at.is_none_or(|at| at > now);
        if current && live.amount == amount && live.owed_included == owed {
            return Ok(live);
        }
        payments::end_order(&mut *conn, &live.id, OrderStatus::Replaced, None, now).await?;
    }
    let id = new_id("ord", now);
    let new = NewOrder {
        id: &id,
        lot: order.lot,
        session: order.session,
        plate: order.plate,
        kind: order.kind,
        amount,
        owed_included: owed,
        priced_at: order.priced_at,
        expires_at: now.saturating_add(order.lifetime_ms),
        decision: order.decision,
    };
    payments::insert_order(&mut *conn, &new, now).await?;
    payments::order(&mut *conn, order.lot, &id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// The payment URL of an order, from the lot's template (`{order_id}` is
/// replaced by the order's id, `{lot_id}` by the lot's, `{amount}` by the
/// amount in the minor unit).
pub fn payment_url(template: Option<&str>, order: &OrderRow) -> Option<String> {
    let template = template?;
    Some(
        template
            .replace("{order_id}", &order.id)
            .replace("{lot_id}", &order.lot_id)
            .replace("{amount}", &order.amount.unwrap_or(0).to_string()),
    )
}
