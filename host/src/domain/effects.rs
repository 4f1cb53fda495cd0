//! A decision's effects, applied in the transaction that records it: stays
//! opened and closed (a missed exit's stay closed with its fee left owed),
//! orders placed at a locked price, picks made and charged, cases handed to
//! the agents.

use boomgate_engine::sdk::{Decision, Effect, OrderKind};
use sqlx::AnyConnection;

use super::orders::{self, Place};
use super::payments;
use super::pipeline::{Assembled, Site};
use crate::db::ids::new_id;
use crate::db::payments::OrderRow;
use crate::db::stays::{self, Exit, NewSession, SessionRow};
use crate::db::types::{CaseOrigin, ClosedBy};
use crate::db::{self};

/// What applying the effects made.
#[derive(Debug, Default)]
pub struct Applied {
    /// The orders the decision placed (or kept), in effect order.
    pub orders: Vec<OrderRow>,
}

/// How the effects are applied.
pub struct Context<'a> {
    pub site: &'a Site,
    pub assembled: &'a Assembled,
    pub decision_id: &'a str,
    /// The robot whose event it decides, if a robot's.
    pub robot: Option<&'a str>,
    /// Who closes a stay the decision closes.
    pub by: ClosedBy,
    /// How long an order is offered, in milliseconds.
    pub order_lifetime_ms: i64,
    /// The fee of an open stay that an entry replaces without the policy
    /// pricing it (a 0.1.0 module), as the policy's quote priced it.
    pub unpriced_missed_exit: Option<u64>,
    pub now: i64,
}

/// Applies `decision`'s effects.
pub async fn apply(
    conn: &mut AnyConnection,
    cx: &Context<'_>,
    decision: &Decision,
) -> sqlx::Result<Applied> {
    let lot = &cx.site.lot.id;
    let gate = &cx.site.gate.id;
    let event = &cx.assembled.input.event;
    let plate = event.plate.as_ref();
    let at = event.occurred_at.unix_seconds() * 1000;
    let now = cx.now;
    let mut applied = Applied::default();
    let mut session_id = cx.assembled.seen_stay().map(|s| s.id.clone());
    let open_stay = cx.assembled.facts.session.as_ref();
    for effect in &decision.effects {
        match *effect {
            Effect::MissedExit { amount } => {
                if let Some(stay) = open_stay {
                    missed_exit(conn, cx, stay, amount, &mut applied).await?;
                }
            }
            Effect::OpenSession { billing } => {
                // A stay needs a plate to be found again at the exit.
                let Some(plate) = plate else { continue };
                // An open stay for the same plate means its exit was missed;
                // a policy that did not say so (0.1.0) had it priced.
                if let Some(previous) = stays::open_session(&mut *conn, lot, plate).await? {
                    let amount = cx.unpriced_missed_exit.unwrap_or(0);
                    missed_exit(conn, cx, &previous, amount, &mut applied).await?;
                }
                let id = new_id("ses", now);
                let new = NewSession {
                    id: &id,
                    lot,
                    plate,
                    billing,
                    entered_at: at,
                    gate,
                    decision: cx.decision_id,
                    vehicle_class: cx.assembled.input.vehicle.class.as_deref(),
                };
                stays::insert_session(&mut *conn, &new, now).await?;
                session_id = Some(id);
            }
            Effect::CloseSession => {
                if let Some(id) = &session_id {
                    let exit = Exit {
                        at,
                        gate: Some(gate),
                        decision: Some(cx.decision_id),
                        by: cx.by,
                    };
                    stays::close_session(&mut *conn, id, &exit).await?;
                }
            }
            Effect::CreateOrder {
                order,
                amount,
                owed,
            } => {
                let place = Place {
                    lot,
                    session: session_id
                        .as_deref()
                        .filter(|_| order == OrderKind::Temporary),
                    plate,
                    kind: order,
                    amount,
                    owed,
                    priced_at: at,
                    decision: Some(cx.decision_id),
                    lifetime_ms: cx.order_lifetime_ms,
                };
                applied.orders.push(orders::place(conn, &place, now).await?);
            }
            Effect::CreatePick => {
                if let (Some(session), Some(plate)) = (&session_id, plate) {
                    let id = new_id("pck", now);
                    stays::insert_pick(&mut *conn, &id, lot, session, plate, now).await?;
                }
            }
            Effect::ChargePick { amount } => {
                let Some(stay) = cx.assembled.seen_stay() else {
                    continue;
                };
                let Some(pick) = &stay.pick_id else {
                    continue;
                };
                let amount = i64::try_from(amount).unwrap_or(i64::MAX);
                let payment_id = new_id("pay", now);
                payments::charge_pick(&mut *conn, stay, pick, amount, at, &payment_id, now).await?;
            }
            Effect::Escalate => {
                let id = new_id("esc", now);
                db::decisions::insert_escalation(&mut *conn, &id, lot, gate, cx.decision_id, now)
                    .await?;
                let opening = super::cases::Opening {
                    lot,
                    gate,
                    robot: cx.robot,
                    origin: CaseOrigin::Escalation,
                    test: false,
                    decision: Some(cx.decision_id),
                    plate: plate.map(|p| p.as_str()),
                    by: cx.robot.map_or("policy", |_| "robot"),
                    detail: Some(decision.reason.clone()),
                };
                super::cases::open(&mut *conn, &opening, now).await?;
            }
        }
    }
    Ok(applied)
}

/// Closes a stay whose exit was missed, leaving `amount` owed by the plate
/// as a pending order of that stay.
async fn missed_exit(
    conn: &mut AnyConnection,
    cx: &Context<'_>,
    stay: &SessionRow,
    amount: u64,
    applied: &mut Applied,
) -> sqlx::Result<()> {
    let at = cx.assembled.input.event.occurred_at.unix_seconds() * 1000;
    let exit = Exit {
        at,
        gate: None,
        decision: Some(cx.decision_id),
        by: ClosedBy::ExitMissed,
    };
    stays::close_session(&mut *conn, &stay.id, &exit).await?;
    if amount > 0 {
        let place = Place {
            lot: &cx.site.lot.id,
            session: Some(&stay.id),
            plate: Some(&stay.plate),
            kind: OrderKind::Temporary,
            amount: Some(amount),
            owed: 0,
            priced_at: at,
            decision: Some(cx.decision_id),
            // Owed until paid: it is collected at the plate's next exit.
            lifetime_ms: i64::MAX / 4,
        };
        applied
            .orders
            .push(orders::place(conn, &place, cx.now).await?);
    }
    Ok(())
}
