//! A decision's effects, applied in the transaction that records it: stays
//! opened and closed, orders created, picks made and charged, cases handed
//! to the agents.

use boomgate_engine::sdk::{Decision, Effect};
use sqlx::AnyConnection;

use super::payments;
use super::pipeline::{Assembled, Site};
use crate::db;
use crate::db::ids::new_id;
use crate::db::payments::{NewOrder, upsert_pending_order};
use crate::db::stays::{self, Exit, NewSession};
use crate::db::types::ClosedBy;

/// Applies `decision`'s effects, `decision_id` being its record; `by` is
/// who closes a stay the decision closes.
pub async fn apply(
    conn: &mut AnyConnection,
    site: &Site,
    assembled: &Assembled,
    decision: &Decision,
    decision_id: &str,
    by: ClosedBy,
    now: i64,
) -> sqlx::Result<()> {
    let lot = &site.lot.id;
    let gate = &site.gate.id;
    let event = &assembled.input.event;
    let plate = event.plate.as_ref();
    let at = event.occurred_at.unix_seconds() * 1000;
    let mut session_id = assembled.seen_stay().map(|s| s.id.clone());
    for effect in &decision.effects {
        match *effect {
            Effect::OpenSession { billing } => {
                // A stay needs a plate to be found again at the exit.
                let Some(plate) = plate else { continue };
                // An open stay for the same plate means its exit was missed.
                if let Some(previous) = stays::open_session(&mut *conn, lot, plate).await? {
                    let exit = Exit {
                        at,
                        gate: None,
                        decision: Some(decision_id),
                        by: ClosedBy::Reentry,
                    };
                    stays::close_session(&mut *conn, &previous.id, &exit).await?;
                }
                let id = new_id("ses", now);
                let new = NewSession {
                    id: &id,
                    lot,
                    plate,
                    billing,
                    entered_at: at,
                    gate,
                    decision: decision_id,
                };
                stays::insert_session(&mut *conn, &new, now).await?;
                session_id = Some(id);
            }
            Effect::CloseSession => {
                if let Some(id) = &session_id {
                    let exit = Exit {
                        at,
                        gate: Some(gate),
                        decision: Some(decision_id),
                        by,
                    };
                    stays::close_session(&mut *conn, id, &exit).await?;
                }
            }
            Effect::CreateOrder { order, amount } => {
                let id = new_id("ord", now);
                let new = NewOrder {
                    id: &id,
                    lot,
                    session: session_id.as_deref(),
                    plate,
                    kind: order,
                    amount: amount.map(|a| i64::try_from(a).unwrap_or(i64::MAX)),
                    decision: Some(decision_id),
                };
                upsert_pending_order(&mut *conn, &new, now).await?;
            }
            Effect::CreatePick => {
                if let (Some(session), Some(plate)) = (&session_id, plate) {
                    let id = new_id("pck", now);
                    stays::insert_pick(&mut *conn, &id, lot, session, plate, now).await?;
                }
            }
            Effect::ChargePick { amount } => {
                let Some(stay) = assembled.seen_stay() else {
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
                db::decisions::insert_escalation(&mut *conn, &id, lot, gate, decision_id, now)
                    .await?;
            }
        }
    }
    Ok(())
}
