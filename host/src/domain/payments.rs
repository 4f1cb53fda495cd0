//! The one path every payment on a stay takes, whoever pays: the payment
//! system reporting a driver's payment, a pick charged at the exit by the
//! policy's decision, or an agent closing a stay at a stated time. Each
//! records the payment, adds it to the stay, and settles the stay's
//! pending orders, in the caller's transaction.

use boomgate_engine::sdk::Plate;
use sqlx::AnyConnection;

use crate::db::payments::{self, NewPayment};
use crate::db::stays::{self, SessionRow};
use crate::db::types::PaymentKind;

/// A payment to record.
pub struct Payment<'a> {
    /// The payment's id: the payment system's (prefixed) or a new one.
    pub id: &'a str,
    pub kind: PaymentKind,
    /// In the currency's minor unit; positive.
    pub amount: i64,
    /// When it was paid, Unix milliseconds.
    pub paid_at: i64,
}

/// What a payment on a stay changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    /// Everything paid on the stay now.
    pub paid_amount: u64,
    /// Pending orders of the stay now settled.
    pub orders_settled: u64,
}

/// Records `payment` on `stay`. A unique violation on the payment's id
/// comes back as the database error (the caller knows what a repeated id
/// means for it).
pub async fn pay_stay(
    conn: &mut AnyConnection,
    stay: &SessionRow,
    payment: &Payment<'_>,
    now: i64,
) -> sqlx::Result<Paid> {
    let row = NewPayment {
        id: payment.id,
        lot: &stay.lot_id,
        session: Some(&stay.id),
        order: None,
        plate: Some(&stay.plate),
        kind: payment.kind,
        amount: payment.amount,
        paid_at: payment.paid_at,
    };
    payments::insert_payment(&mut *conn, &row, now).await?;
    stays::add_session_payment(&mut *conn, &stay.id, payment.amount, payment.paid_at).await?;
    let orders_settled = payments::settle_orders(&mut *conn, &stay.id, payment.paid_at).await?;
    Ok(Paid {
        paid_amount: stay
            .paid_amount
            .saturating_add(u64::try_from(payment.amount).unwrap_or(0)),
        orders_settled,
    })
}

/// Charges a stay's fee to its app parking-pass pick: the pick is marked
/// charged and, when something is due, the charge is paid on the stay.
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
        };
        pay_stay(conn, stay, &payment, now).await?;
    }
    Ok(())
}

/// Records a monthly pass's renewal payment (which belongs to no stay) and
/// settles the plate's pending renewal orders; returns how many.
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
    };
    payments::insert_payment(&mut *conn, &row, now).await?;
    payments::settle_plate_orders(
        &mut *conn,
        lot,
        plate,
        boomgate_engine::sdk::OrderKind::MonthlyRenewal,
        payment.paid_at,
    )
    .await
}
