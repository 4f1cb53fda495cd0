//! The decision pipeline: the one path from something read at a gate to a
//! durable decision, for a robot's plate event and an agent's act alike.
//!
//! 1. [`read`]: one query for everything the input needs (whether the event
//!    is a retry, the pass and its account, the parking pass, the open
//!    stay); the lot and gate come from the caller (a robot's token is bound
//!    to them), then [`assemble`] makes the policy input.
//! 2. [`evaluate`]: the lot's active policy decides, in the engine; it never
//!    fails (no policy, a faulting policy, a fee in another currency all give
//!    the fallback decision).
//! 3. [`commit`]: one transaction records the decision, applies its effects
//!    and writes what the origin adds (the robot's event; the agent's
//!    opening, visitor, resolved cases and the command to the robot).

use std::time::Instant;

use boomgate_engine::sdk::{Decision, Input};

use super::commands::{self, Command};
use super::effects;
use super::input::{Reading, assemble};
use crate::api::error::ApiError;
use crate::db::decisions::{self, DecisionRow, NewEvent};
use crate::db::desk::{self, NewOpening, NewVisitor};
use crate::db::ids::new_id;
use crate::db::input::{Ask, Facts};
use crate::db::lots::{GateRow, LotRow};
use crate::db::stays::SessionRow;
use crate::db::types::{ClosedBy, OpeningKind, Source};
use crate::db::{self};
use crate::service::AppState;

/// Where a decision is made: a lot and one of its gates.
#[derive(Debug, Clone)]
pub struct Site {
    pub lot: LotRow,
    pub gate: GateRow,
}

/// A robot's event, as it identifies itself.
#[derive(Debug, Clone)]
pub struct EventKey<'a> {
    pub robot_id: &'a str,
    pub event_id: &'a str,
    /// What makes a retry the same event.
    pub payload_hash: &'a str,
    /// The entry photo it names, uploaded first.
    pub photo: Option<&'a str>,
    pub confidence: Option<f64>,
}

/// The policy input and the records it came from.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub input: Input,
    pub facts: Facts,
}

impl Assembled {
    /// The open stay, if the policy saw it (at an exit).
    pub fn seen_stay(&self) -> Option<&SessionRow> {
        self.input.vehicle.session.and(self.facts.session.as_ref())
    }
}

/// What [`read`] found.
#[derive(Debug)]
pub enum Read {
    /// A new event, or an agent's act: its input.
    Fresh(Box<Assembled>),
    /// The robot's event id was received before.
    Received {
        payload_hash: String,
        decision_id: String,
    },
}

/// Reads what a decision at `site` needs and assembles the policy input.
pub async fn read(
    state: &AppState,
    site: &Site,
    reading: &Reading,
    event: Option<&EventKey<'_>>,
) -> Result<Read, ApiError> {
    let ask = Ask {
        lot: &site.lot.id,
        plate: reading.plate.as_ref(),
        event: event.map(|e| (e.robot_id, e.event_id)),
        photo: event.and_then(|e| e.photo),
    };
    let facts = db::input::facts(state.db.pool(), &ask).await?;
    if event.is_some()
        && let Some((payload_hash, decision_id)) = facts.received.clone()
    {
        return Ok(Read::Received {
            payload_hash,
            decision_id,
        });
    }
    if let Some(photo) = ask.photo
        && !facts.photo_found
    {
        return Err(ApiError::field(
            "photo",
            format!("no photo `{photo}` was uploaded to this lot"),
        ));
    }
    let input = assemble(&site.lot, &site.gate, reading, &facts);
    Ok(Read::Fresh(Box::new(Assembled { input, facts })))
}

/// A decision and how it was reached.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub decision: Decision,
    /// Why the fallback was given: a fault kind and what happened.
    pub fault: Option<(String, String)>,
    /// The policy version that decided, if the lot has one.
    pub version: Option<i64>,
    pub digest: Option<String>,
    pub micros: i64,
}

/// Evaluates the lot's active policy. Never fails: no policy, a faulting
/// policy, or a fee in another currency all give the fallback decision.
pub fn evaluate(state: &AppState, lot: &LotRow, input: &Input) -> Evaluated {
    let started = Instant::now();
    let fallback = &state.registry.engine().config().fallback;
    let Some(active) = state.registry.active(&lot.id) else {
        let why = "the lot has no active policy".to_owned();
        let decision = fallback.decision(format!("policy_fault: {why}"));
        return finish(
            state,
            lot,
            started,
            decision,
            Some(("no_policy", why)),
            None,
        );
    };
    let evaluation = active.policy.evaluate_detailed(input);
    let mut decision = evaluation.decision;
    let mut fault = evaluation.fault.map(|f| (f.kind(), f.to_string()));
    if let Some(fee) = decision.fee.filter(|fee| fee.currency != lot.currency) {
        let why = format!(
            "the policy charges in {} but the lot charges in {}",
            fee.currency, lot.currency
        );
        decision = fallback.decision(format!("policy_fault: {why}"));
        fault = Some(("currency", why));
    }
    let policy = Some((active.version, active.digest.clone()));
    finish(state, lot, started, decision, fault, policy)
}

/// An agent's own decision (an abnormal opening overrides the policy),
/// recorded with the version of the policy it overrides.
pub fn overridden(state: &AppState, lot: &LotRow, decision: Decision) -> Evaluated {
    let policy = state
        .registry
        .active(&lot.id)
        .map(|active| (active.version, active.digest.clone()));
    finish(state, lot, Instant::now(), decision, None, policy)
}

fn finish(
    state: &AppState,
    lot: &LotRow,
    started: Instant,
    decision: Decision,
    fault: Option<(&str, String)>,
    policy: Option<(i64, String)>,
) -> Evaluated {
    let took = started.elapsed();
    let kind = fault.as_ref().map(|(kind, _)| *kind);
    state.metrics.decided(&lot.id, &decision.reason, took, kind);
    if let Some((kind, why)) = &fault {
        tracing::warn!(lot = lot.id, kind, why, "fallback decision");
    }
    let (version, digest) = policy.unzip();
    Evaluated {
        decision,
        fault: fault.map(|(kind, why)| (kind.to_owned(), why)),
        version,
        digest,
        micros: i64::try_from(took.as_micros()).unwrap_or(i64::MAX),
    }
}

/// An opening a person makes, recorded when the gate opens.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub kind: OpeningKind,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub id_photos: &'a [String],
    pub scene_photos: &'a [String],
}

impl<'a> Opening<'a> {
    /// An opening with no reason, note or evidence.
    pub fn plain(kind: OpeningKind) -> Opening<'a> {
        Opening {
            kind,
            reason: None,
            note: None,
            id_photos: &[],
            scene_photos: &[],
        }
    }
}

/// An agent's (or owner's) act at a gate.
#[derive(Debug, Clone)]
pub struct AgentAct<'a> {
    /// Who: `agent:<id>` or `owner:<id>`.
    pub by: &'a str,
    /// The held decision the act answers.
    pub supersedes: Option<&'a str>,
    pub opening: Opening<'a>,
    /// A visitor registered by the act: phone and reason.
    pub visitor: Option<(&'a str, &'a str)>,
}

/// Who a decision is for, and what that adds to its record.
#[derive(Debug, Clone)]
pub enum Origin<'a> {
    Robot(&'a EventKey<'a>),
    Agent(&'a AgentAct<'a>),
}

/// What [`commit`] recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub decision_id: String,
    /// The opening, when an agent's act opened the gate.
    pub opening_id: Option<String>,
    /// The command sent to the robot, for an agent's act.
    pub command_id: Option<String>,
}

/// How [`commit`] ended.
#[derive(Debug)]
pub enum Committed {
    Recorded(Recorded),
    /// A retry of the robot's event committed first: nothing was written;
    /// answer with what the retry recorded.
    Raced,
}

/// Records the decision, applies its effects and writes what the origin
/// adds, in one transaction; wakes the robots an agent's command is for.
pub async fn commit(
    state: &AppState,
    site: &Site,
    assembled: &Assembled,
    evaluated: &Evaluated,
    origin: Origin<'_>,
) -> Result<Committed, ApiError> {
    let now = state.clock.now_ms();
    let decision_id = new_id("dec", now);
    let event = &assembled.input.event;
    let plate = event.plate.as_ref().map(|p| p.as_str().to_owned());
    let mut tx = state.db.write().await?;
    // The event first: a retry racing its original fails here, before any
    // effect.
    if let Origin::Robot(key) = &origin {
        let row = NewEvent {
            lot: &site.lot.id,
            robot: key.robot_id,
            event_id: key.event_id,
            gate: &site.gate.id,
            plate: plate.as_deref(),
            occurred_at: event.occurred_at.unix_seconds() * 1000,
            confidence: key.confidence,
            photo: key.photo,
            payload_hash: key.payload_hash,
            decision: &decision_id,
        };
        if let Err(e) = decisions::insert_event(&mut *tx, &row, now).await {
            return if db::is_unique_violation(&e) {
                Ok(Committed::Raced)
            } else {
                Err(e.into())
            };
        }
    }
    let (source, closed_by) = match origin {
        Origin::Robot(_) => (Source::Robot, ClosedBy::Robot),
        Origin::Agent(_) => (Source::Agent, ClosedBy::Agent),
    };
    let row = DecisionRow {
        id: decision_id.clone(),
        lot_id: site.lot.id.clone(),
        gate_id: site.gate.id.clone(),
        direction: site.gate.direction,
        plate: plate.clone(),
        source,
        robot_id: match &origin {
            Origin::Robot(key) => Some(key.robot_id.to_owned()),
            Origin::Agent(_) => None,
        },
        event_id: match &origin {
            Origin::Robot(key) => Some(key.event_id.to_owned()),
            Origin::Agent(_) => None,
        },
        policy_version: evaluated.version,
        module_digest: evaluated.digest.clone(),
        gate: evaluated.decision.gate,
        reason: evaluated.decision.reason.clone(),
        decision: serde_json::to_string(&evaluated.decision).map_err(anyhow::Error::from)?,
        input: serde_json::to_string(&assembled.input).map_err(anyhow::Error::from)?,
        fault_kind: evaluated.fault.as_ref().map(|(kind, _)| kind.clone()),
        fault: evaluated.fault.as_ref().map(|(_, why)| why.clone()),
        evaluation_us: evaluated.micros,
        supersedes: match &origin {
            Origin::Agent(act) => act.supersedes.map(str::to_owned),
            Origin::Robot(_) => None,
        },
        agent_id: match &origin {
            Origin::Agent(act) => Some(act.by.to_owned()),
            Origin::Robot(_) => None,
        },
        created_at: now,
    };
    decisions::insert_decision(&mut *tx, &row).await?;
    effects::apply(
        &mut tx,
        site,
        assembled,
        &evaluated.decision,
        &decision_id,
        closed_by,
        now,
    )
    .await?;
    let mut recorded = Recorded {
        decision_id,
        opening_id: None,
        command_id: None,
    };
    match origin {
        Origin::Robot(key) => {
            if let Some(photo) = key.photo {
                db::stays::set_entry_photo(&mut *tx, &recorded.decision_id, photo).await?;
            }
        }
        Origin::Agent(act) => {
            let plate = plate.as_deref();
            record_act(&mut tx, site, plate, evaluated, act, &mut recorded, now).await?;
        }
    }
    tx.commit().await?;
    if recorded.command_id.is_some() {
        state.commands.wake(&site.lot.id, &site.gate.id);
    }
    Ok(Committed::Recorded(recorded))
}

/// What an agent's act adds: the opening (and the visitor) when the gate
/// opens, the gate's cases resolved, and the command telling the robot.
async fn record_act(
    tx: &mut db::Tx,
    site: &Site,
    plate: Option<&str>,
    evaluated: &Evaluated,
    act: &AgentAct<'_>,
    recorded: &mut Recorded,
    now: i64,
) -> Result<(), ApiError> {
    let lot = &site.lot.id;
    let gate = &site.gate.id;
    let decision_id = recorded.decision_id.as_str();
    let opened = evaluated.decision.is_open();
    if opened {
        let id = new_id("opn", now);
        let row = NewOpening {
            id: &id,
            lot,
            gate,
            direction: site.gate.direction.as_str(),
            plate,
            kind: act.opening.kind,
            reason: act.opening.reason,
            note: act.opening.note,
            id_photos: act.opening.id_photos,
            scene_photos: act.opening.scene_photos,
            decision: decision_id,
            by: act.by,
        };
        desk::insert_opening(&mut **tx, &row, now).await?;
        recorded.opening_id = Some(id);
    }
    if let Some((phone, reason)) = act.visitor.filter(|_| opened) {
        let id = new_id("vis", now);
        let row = NewVisitor {
            id: &id,
            lot,
            gate,
            plate,
            phone,
            reason,
            decision: decision_id,
            by: act.by,
        };
        desk::insert_visitor(&mut **tx, &row, now).await?;
    }
    decisions::resolve_escalations(&mut **tx, lot, gate, decision_id, now).await?;
    let command = Command::decision(decision_id, &evaluated.decision);
    let command_id = commands::issue(tx, now, lot, gate, &command, act.by).await?;
    recorded.command_id = Some(command_id);
    Ok(())
}
