//! The one path every payment takes, whoever pays: the payment system
//! reporting a driver's payment, a pick charged at the exit by the
//! policy's decision, or an agent closing a stay at a stated time. Each
//! records the payment and adds it to its stay; a payment that covers an
//! order settles it, and settles the stay up to the order's `priced_at`
//! (time after that is billed again once the payment grace runs out), and
//! the plate's debts the order included. All in the caller's transaction.

use boomgate_engine::sdk::{OrderKind, Plate};
use sqlx::AnyConnection;

use crate::db::payments::{self, NewPayment, OrderRow};
use crate::db::stays::{self, SessionRow};
use crate::db::types::{OrderStatus, PaymentKind};

/// A payment to record.
pub struct Payment<'a> {
    /// The payment's id.
    pub id: &'a str,
    pub kind: PaymentKind,
    /// In the currency's minor unit; positive.
    pub amount: i64,
    /// When it was paid, Unix milliseconds.
    pub paid_at: i64,
    /// The payment system's id for it, unique per lot.
    pub external_id: Option<&'a str>,
    /// The request as the payment system sent it, for retries.
    pub request: Option<&'a str>,
}

/// What a payment changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    /// Everything paid on the stay now.
    pub paid_amount: u64,
    /// The orders it settled.
    pub settled: Vec<String>,
    /// The instant the stay is paid up to now, if it is settled.
    pub settled_until: Option<i64>,
}

/// Records `payment` on `stay`, paying `order` (the stay's order the
/// driver paid, if known). A unique violation on the payment system's id
/// comes back as the database error: the caller knows what a repeated id
/// means for it.
pub async fn pay_stay(
    conn: &mut AnyConnection,
    stay: &SessionRow,
    order: Option<&OrderRow>,
    payment: &Payment<'_>,
    now: i64,
) -> sqlx::Result<Paid> {
    let row = NewPayment {
        id: payment.id,
        lot: &stay.lot_id,
        session: Some(&stay.id),
        order: order.map(|o| o.id.as_str()),
        plate: Some(&stay.plate),
        kind: payment.kind,
        amount: payment.amount,
        paid_at: payment.paid_at,
        external_id: payment.external_id,
        request: payment.request,
    };
    payments::insert_payment(&mut *conn, &row, now).await?;
    // A payment covering the order settles the stay up to its price time;
    // one that covers less is recorded and leaves the order open.
    let covering = order.filter(|o| {
        matches!(o.status, OrderStatus::Pending | OrderStatus::Replaced)
            && payment.amount >= o.amount.unwrap_or(0)
    });
    let settles = covering.and_then(|o| o.priced_at);
    stays::add_session_payment(
        &mut *conn,
        &stay.id,
        payment.amount,
        payment.paid_at,
        settles,
    )
    .await?;
    let mut settled = Vec::new();
    if let Some(order) = covering {
        payments::mark_paid(&mut *conn, &order.id, payment.id, payment.paid_at).await?;
        settled.push(order.id.clone());
        settled.extend(settle_owed(conn, order, payment).await?);
    }
    Ok(Paid {
        paid_amount: stay
            .paid_amount
            .saturating_add(u64::try_from(payment.amount).unwrap_or(0)),
        settled,
        settled_until: settles.or(stay.settled_until),
    })
}

/// The plate's debts from earlier stays that a paid order included,
/// settled oldest first.
async fn settle_owed(
    conn: &mut AnyConnection,
    order: &OrderRow,
    payment: &Payment<'_>,
) -> sqlx::Result<Vec<String>> {
    let (Some(plate), true) = (&order.plate, order.owed_included > 0) else {
        return Ok(Vec::new());
    };
    let Ok(plate) = Plate::parse(plate) else {
        return Ok(Vec::new());
    };
    let mut left = order.owed_included;
    let mut settled = Vec::new();
    for owed in payments::owed_orders(&mut *conn, &order.lot_id, &plate).await? {
        let amount = owed.amount.unwrap_or(0);
        if amount > left {
            break;
        }
        left -= amount;
        payments::end_order(
            &mut *conn,
            &owed.id,
            OrderStatus::Paid,
            Some(payment.id),
            payment.paid_at,
        )
        .await?;
        settled.push(owed.id);
    }
    Ok(settled)
}

/// Charges a stay's fee to its app parking-pass pick: the pick is marked
/// charged and, when something is due, the charge is paid on the stay and
/// settles it.
pub async fn charge_pick(
    conn: &mut AnyConnection,
    stay: &SessionRow,
    pick: &str,
    amount: i64,
    at: i64,
    new_payment_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    stays::charge_pick(&mut *conn, pick, amount, at).await?;
    if amount > 0 {
        let payment = Payment {
            id: new_payment_id,
            kind: PaymentKind::Pick,
            amount,
            paid_at: at,
            external_id: None,
            request: None,
        };
        pay_stay(conn, stay, None, &payment, now).await?;
        payments::settle_orders(&mut *conn, &stay.id, Some(new_payment_id), at).await?;
    }
    Ok(())
}

/// Records a monthly pass's renewal payment (which belongs to no stay) and
/// settles the plate's pending renewal orders; returns them.
pub async fn pay_renewal(
    conn: &mut AnyConnection,
    lot: &str,
    plate: &Plate,
    payment: &Payment<'_>,
    now: i64,
) -> sqlx::Result<u64> {
    let row = NewPayment {
        id: payment.id,
        lot,
        session: None,
        order: None,
        plate: Some(plate),
        kind: payment.kind,
        amount: payment.amount,
        paid_at: payment.paid_at,
        external_id: payment.external_id,
        request: payment.request,
    };
    payments::insert_payment(&mut *conn, &row, now).await?;
    payments::settle_plate_orders(
        &mut *conn,
        lot,
        plate,
        OrderKind::MonthlyRenewal,
        Some(payment.id),
        payment.paid_at,
    )
    .await
}
