//! From a plate read to a durable decision: the host assembles the policy
//! input from its records (the pass and days expired in the lot's time zone,
//! the account's other vehicles inside, the open stay with its payments),
//! evaluates the lot's active policy, and applies the decision's effects in
//! one transaction with the decision and the event.

use std::time::Instant;

use boomgate_engine::Fallback;
use boomgate_engine::sdk::{
    Billing, Date, Decision, Direction, Effect, Event, Input, MonthlyPass, ParkingPass, Plate,
    Session, Vehicle,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::error::ApiError;
use crate::db::{self, DecisionRow, LotRow, PassRow, SessionRow, Tx};
use crate::ids::new_id;
use crate::state::AppState;
use crate::tz::LotZone;

/// What the policy saw and what the host knows beside it.
pub struct Assembled {
    pub input: Input,
    pub session: Option<SessionRow>,
    pub pass: Option<PassRow>,
    /// The account's other vehicles inside, with when they entered.
    pub vehicles_inside: Vec<(String, i64)>,
}

/// A vehicle of the same account inside the lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VehicleInside {
    pub plate: String,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
}

/// A stored stay's billing.
pub fn parse_billing(s: &str) -> Billing {
    match s {
        "monthly" => Billing::Monthly,
        "free" => Billing::Free,
        _ => Billing::Temporary,
    }
}

/// Reads the records the policy input is made of.
pub async fn assemble(
    state: &AppState,
    lot: &LotRow,
    zone: &LotZone,
    gate_id: &str,
    direction: Direction,
    plate: Option<&Plate>,
    occurred_ms: i64,
) -> Result<Assembled, ApiError> {
    let pool = state.db.pool();
    let mut vehicle = Vehicle::default();
    let mut session = None;
    let mut pass = None;
    let mut vehicles_inside = Vec::new();
    if let Some(plate) = plate {
        if let Some(row) = db::monthly_pass(pool, &lot.id, plate.as_str()).await? {
            let valid_until = Date::parse(&row.valid_until)
                .map_err(|e| anyhow::anyhow!("stored pass of `{plate}`: {e}"))?;
            vehicles_inside =
                db::account_vehicles_inside(pool, &lot.id, &row.account_id, plate.as_str()).await?;
            vehicle.monthly_pass = Some(MonthlyPass {
                valid_until,
                spaces: u32::try_from(row.spaces).unwrap_or(0),
                vehicles_inside: u32::try_from(vehicles_inside.len()).unwrap_or(u32::MAX),
            });
            pass = Some(row);
        }
        if db::has_parking_pass(pool, &lot.id, plate.as_str()).await? {
            vehicle.parking_pass = Some(ParkingPass { registered: true });
        }
        if direction == Direction::Exit
            && let Some(row) = db::open_session(pool, &lot.id, plate.as_str()).await?
        {
            vehicle.session = Some(Session {
                entered_at: zone.local(row.entered_at),
                billing: parse_billing(&row.billing),
                paid_amount: u64::try_from(row.paid_amount).unwrap_or(0),
                paid_at: row.paid_at.map(|t| zone.local(t)),
                pick: row.pick_id.is_some(),
            });
            session = Some(row);
        }
    }
    let input = Input {
        event: Event {
            lot_id: lot.id.clone(),
            gate_id: gate_id.to_owned(),
            direction,
            plate: plate.cloned(),
            occurred_at: zone.local(occurred_ms),
            confidence: None,
            agent: None,
        },
        vehicle,
    };
    Ok(Assembled {
        input,
        session,
        pass,
        vehicles_inside,
    })
}

/// A decision and how it was reached.
pub struct Evaluated {
    pub decision: Decision,
    pub fault: Option<(String, String)>,
    pub version: Option<i64>,
    pub digest: Option<String>,
    pub micros: i64,
}

/// Evaluates the lot's active policy; never fails (no policy, a faulting
/// policy, or a fee in another currency all give the fallback decision).
pub fn evaluate(state: &AppState, lot: &LotRow, input: &Input) -> Evaluated {
    let started = Instant::now();
    let Some(active) = state.registry.active(&lot.id) else {
        let fault = "the lot has no active policy".to_owned();
        let decision = Decision::fault(
            Fallback::default().voice,
            Fallback::default().text,
            format!("policy_fault: {fault}"),
        );
        return finish(
            state,
            lot,
            started,
            decision,
            Some(("no_policy".into(), fault)),
            None,
            None,
        );
    };
    let evaluation = active.policy.evaluate_detailed(input);
    let mut decision = evaluation.decision;
    let mut fault = evaluation
        .fault
        .map(|f| (f.kind().to_owned(), f.to_string()));
    if let Some(fee) = decision
        .fee
        .filter(|fee| fee.currency.code() != lot.currency)
    {
        let why = format!(
            "the policy charges in {} but the lot charges in {}",
            fee.currency, lot.currency
        );
        decision = Decision::fault(
            Fallback::default().voice,
            Fallback::default().text,
            format!("policy_fault: {why}"),
        );
        fault = Some(("currency".into(), why));
    }
    finish(
        state,
        lot,
        started,
        decision,
        fault,
        Some(active.version),
        Some(active.digest.clone()),
    )
}

fn finish(
    state: &AppState,
    lot: &LotRow,
    started: Instant,
    decision: Decision,
    fault: Option<(String, String)>,
    version: Option<i64>,
    digest: Option<String>,
) -> Evaluated {
    let took = started.elapsed();
    state.metrics.decided(
        &lot.id,
        &decision.reason,
        took,
        fault.as_ref().map(|(kind, _)| kind.as_str()),
    );
    if let Some((kind, why)) = &fault {
        tracing::warn!(lot = lot.id, kind, why, "fallback decision");
    }
    Evaluated {
        decision,
        fault,
        version,
        digest,
        micros: i64::try_from(took.as_micros()).unwrap_or(i64::MAX),
    }
}

/// Who caused a decision.
pub enum Source<'a> {
    Robot {
        robot_id: &'a str,
        event_id: &'a str,
    },
    Agent {
        agent_id: &'a str,
        supersedes: Option<&'a str>,
    },
}

/// Records a decision and applies its effects, inside `tx`. Returns the
/// decision's id.
pub async fn record(
    state: &AppState,
    tx: &mut Tx,
    lot: &LotRow,
    assembled: &Assembled,
    evaluated: &Evaluated,
    source: &Source<'_>,
) -> Result<String, ApiError> {
    let now = state.clock.now_ms();
    let id = new_id("dec", now);
    let event = &assembled.input.event;
    let (source_name, robot_id, event_id, agent_id, supersedes) = match source {
        Source::Robot { robot_id, event_id } => {
            ("robot", Some(*robot_id), Some(*event_id), None, None)
        }
        Source::Agent {
            agent_id,
            supersedes,
        } => ("agent", None, None, Some(*agent_id), *supersedes),
    };
    let row = DecisionRow {
        id: id.clone(),
        lot_id: lot.id.clone(),
        gate_id: event.gate_id.clone(),
        direction: event.direction.as_str().to_owned(),
        plate: event.plate.as_ref().map(|p| p.as_str().to_owned()),
        source: source_name.to_owned(),
        robot_id: robot_id.map(str::to_owned),
        event_id: event_id.map(str::to_owned),
        policy_version: evaluated.version,
        module_digest: evaluated.digest.clone(),
        gate: if evaluated.decision.is_open() {
            "open"
        } else {
            "hold"
        }
        .to_owned(),
        reason: evaluated.decision.reason.clone(),
        decision: serde_json::to_string(&evaluated.decision).map_err(anyhow::Error::from)?,
        input: serde_json::to_string(&assembled.input).map_err(anyhow::Error::from)?,
        fault_kind: evaluated.fault.as_ref().map(|(k, _)| k.clone()),
        fault: evaluated.fault.as_ref().map(|(_, f)| f.clone()),
        evaluation_us: evaluated.micros,
        supersedes: supersedes.map(str::to_owned),
        agent_id: agent_id.map(str::to_owned),
        created_at: now,
    };
    db::insert_decision(&mut **tx, &row).await?;
    apply(
        tx,
        lot,
        assembled,
        &evaluated.decision,
        &id,
        source_name,
        now,
    )
    .await?;
    Ok(id)
}

/// Applies a decision's effects.
async fn apply(
    tx: &mut Tx,
    lot: &LotRow,
    assembled: &Assembled,
    decision: &Decision,
    decision_id: &str,
    by: &str,
    now: i64,
) -> Result<(), ApiError> {
    let event = &assembled.input.event;
    let plate = event.plate.as_ref().map(Plate::as_str);
    let at = event.occurred_at.unix_seconds() * 1000;
    let mut session_id = assembled.session.as_ref().map(|s| s.id.clone());
    for effect in &decision.effects {
        match *effect {
            Effect::OpenSession { billing } => {
                // A stay needs a plate to be found again at the exit.
                let Some(plate) = plate else { continue };
                // An open stay for the same plate means its exit was missed.
                if let Some(previous) = db::open_session(&mut **tx, &lot.id, plate).await? {
                    db::close_session(
                        &mut **tx,
                        &previous.id,
                        at,
                        None,
                        Some(decision_id),
                        "reentry",
                    )
                    .await?;
                }
                let id = new_id("ses", now);
                let new = db::NewSession {
                    id: &id,
                    lot: &lot.id,
                    plate,
                    billing: billing.as_str(),
                    entered_at: at,
                    gate: &event.gate_id,
                    decision: decision_id,
                };
                db::insert_session(&mut **tx, &new, now).await?;
                session_id = Some(id);
            }
            Effect::CloseSession => {
                if let Some(id) = &session_id {
                    db::close_session(
                        &mut **tx,
                        id,
                        at,
                        Some(&event.gate_id),
                        Some(decision_id),
                        by,
                    )
                    .await?;
                }
            }
            Effect::CreateOrder { order, amount } => {
                let id = new_id("ord", now);
                let new = db::NewOrder {
                    id: &id,
                    lot: &lot.id,
                    session: session_id.as_deref(),
                    plate,
                    kind: order.as_str(),
                    amount: amount.map(|a| i64::try_from(a).unwrap_or(i64::MAX)),
                    decision: Some(decision_id),
                };
                db::upsert_pending_order(tx, &new, now).await?;
            }
            Effect::CreatePick => {
                if let (Some(session), Some(plate)) = (&session_id, plate) {
                    let id = new_id("pck", now);
                    db::insert_pick(&mut **tx, &id, &lot.id, session, plate, now).await?;
                    db::set_session_pick(&mut **tx, session, &id).await?;
                }
            }
            Effect::ChargePick { amount } => {
                let Some(session) = &assembled.session else {
                    continue;
                };
                let Some(pick) = &session.pick_id else {
                    continue;
                };
                let amount = i64::try_from(amount).unwrap_or(i64::MAX);
                db::charge_pick(&mut **tx, pick, amount, at).await?;
                let id = new_id("pay", now);
                let payment = db::NewPayment {
                    id: &id,
                    lot: &lot.id,
                    session: Some(&session.id),
                    order: None,
                    plate,
                    kind: "pick",
                    amount,
                    paid_at: at,
                };
                db::insert_payment(&mut **tx, &payment, now).await?;
                db::add_session_payment(&mut **tx, &session.id, amount, at).await?;
                db::settle_orders(&mut **tx, &session.id, at).await?;
            }
            Effect::Escalate => {
                let id = new_id("esc", now);
                db::insert_escalation(&mut **tx, &id, &lot.id, &event.gate_id, decision_id, now)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The account's vehicles inside, as the robot shows them.
pub fn vehicles_inside(zone: &LotZone, assembled: &Assembled) -> Vec<VehicleInside> {
    assembled
        .vehicles_inside
        .iter()
        .map(|(plate, entered)| VehicleInside {
            plate: plate.clone(),
            entered_at: zone.local(*entered).to_string(),
        })
        .collect()
}
