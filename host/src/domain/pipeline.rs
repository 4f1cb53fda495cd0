//! The decision pipeline: the one path from something read at a gate to a
//! durable decision, for a robot's plate event and an agent's act alike.
//!
//! [`decide`] runs in one write transaction that it owns:
//! 1. it takes the plate's turn (on PostgreSQL an advisory lock on the lot
//!    and plate, so two reads of one plate, on any host, decide one after
//!    the other; SQLite's writer is one at a time anyway);
//! 2. reads in one query what the input needs (whether the event is a
//!    retry, the gate's latest decision, the pass and its account, the
//!    parking pass, the open stay, what the plate owes); the lot and gate
//!    come from the caller (a robot's token is bound to them);
//! 3. answers a retry with what was decided, and a duplicate read (the same
//!    plate, or one a camera confuses with it, at the same gate within its
//!    debounce window) with the decision it duplicates, creating nothing;
//! 4. assembles the input ([`assemble`]) and has the lot's active policy
//!    decide ([`evaluate`]), in the engine: that never fails;
//! 5. records the decision, applies its effects and writes what the origin
//!    adds (the robot's event; the agent's opening, visitor, resolved cases
//!    and the command to the robot), and commits.

use std::time::Instant;

use boomgate_engine::sdk::plate::{COST_CONFUSION, lpr_distance};
use boomgate_engine::sdk::{Billing, Decision, Effect, Input, Plate, Stay};
use sha2::{Digest, Sha256};

use super::commands::{self, Command};
use super::effects::{self, Applied, Context};
use super::input::{Reading, assemble};
use super::zone::LotZone;
use crate::api::error::ApiError;
use crate::db::decisions::{self, DecisionRow, NewEvent};
use crate::db::desk::{self, NewOpening, NewVisitor};
use crate::db::ids::new_id;
use crate::db::input::{Ask, Facts};
use crate::db::lots::{GateRow, LotRow};
use crate::db::payments::OrderRow;
use crate::db::stays::SessionRow;
use crate::db::types::{CaseActKind, ClosedBy, OpeningKind, Source};
use crate::db::{self, Backend, Tx};
use crate::service::AppState;

/// How far apart a read and the gate's previous one may be, in the LPR
/// distance, and still be the same vehicle: two confusions (`0`/`D`,
/// `8`/`B`) or a misread province, never a wrong serial character.
pub const DUPLICATE_DISTANCE: u32 = 2 * COST_CONFUSION;

/// Where a decision is made: a lot and one of its gates.
#[derive(Debug, Clone)]
pub struct Site {
    pub lot: LotRow,
    pub gate: GateRow,
}

impl Site {
    /// The gate's debounce window in milliseconds: the gate's own, else the
    /// lot's, else the service's.
    fn debounce_ms(&self, facts: &Facts, default_seconds: i64) -> i64 {
        let (gate, lot) = facts.debounce;
        gate.or(lot).unwrap_or(default_seconds).max(0) * 1000
    }
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
    /// The open stay, if the policy saw it at an exit (the stay it bills).
    pub fn seen_stay(&self) -> Option<&SessionRow> {
        self.input
            .vehicle
            .session
            .filter(|_| self.input.event.direction == boomgate_engine::sdk::Direction::Exit)
            .and(self.facts.session.as_ref())
    }
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

/// Who decides.
pub enum Decider {
    /// The lot's active policy.
    Policy,
    /// The policy, and the act goes ahead only if the gate opens.
    PolicyIfOpen,
    /// The agent: its own decision (an abnormal opening), made from the
    /// input, recorded with the active policy's version.
    Agent(Box<dyn FnOnce(&Assembled) -> Decision + Send>),
}

/// What [`decide`] recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub decision_id: String,
    /// The orders the decision placed or kept.
    pub orders: Vec<OrderRow>,
    /// The opening, when an agent's act opened the gate.
    pub opening_id: Option<String>,
    /// The command sent to the robot, for an agent's act.
    pub command_id: Option<String>,
}

/// How [`decide`] ended.
#[derive(Debug)]
pub enum Outcome {
    /// Decided and recorded.
    Recorded {
        assembled: Box<Assembled>,
        evaluated: Box<Evaluated>,
        recorded: Recorded,
    },
    /// The robot's event id was received before: its payload hash and
    /// decision. Nothing was written.
    Received {
        payload_hash: String,
        decision_id: String,
    },
    /// A duplicate read of the vehicle the gate's decision `of` is about:
    /// the event was recorded as its duplicate and nothing else.
    Duplicate { of: Box<DecisionRow> },
    /// The policy did not open for an agent who asked it to: nothing was
    /// written.
    Refused { evaluated: Box<Evaluated> },
}

/// Reads, decides and records one decision at `site`, in one transaction.
pub async fn decide(
    state: &AppState,
    site: &Site,
    reading: &Reading,
    origin: Origin<'_>,
    decider: Decider,
) -> Result<Outcome, ApiError> {
    let mut tx = state.db.write().await?;
    take_turn(&mut tx, state.db.backend(), site, reading.plate.as_ref()).await?;
    let event = match &origin {
        Origin::Robot(key) => Some(*key),
        Origin::Agent(_) => None,
    };
    let facts = read(&mut tx, site, reading, event).await?;
    if let (Some(_), Some((payload_hash, decision_id))) = (event, facts.received.clone()) {
        tx.rollback().await;
        return Ok(Outcome::Received {
            payload_hash,
            decision_id,
        });
    }
    check(site, reading, event, &facts)?;
    if let Some(key) = event
        && let Some(of) = duplicate(state, &mut tx, site, reading, &facts).await?
    {
        record_event(state, &mut tx, site, reading, key, &of.id, Some(&of.id)).await?;
        tx.commit().await?;
        state.metrics.duplicate(&site.lot.id);
        return Ok(Outcome::Duplicate { of: Box::new(of) });
    }
    let mut assembled = assemble_with_history(state, &mut tx, site, reading, facts).await?;
    if event.is_none() {
        // A person at the desk decides: what the gate's camera sees does
        // not enter into it.
        assembled.input.event.gate_health = Default::default();
    }
    let evaluated = match decider {
        Decider::Policy => evaluate(state, &site.lot, &assembled.input),
        Decider::PolicyIfOpen => {
            let evaluated = evaluate(state, &site.lot, &assembled.input);
            if !evaluated.decision.is_open() {
                tx.rollback().await;
                return Ok(Outcome::Refused {
                    evaluated: Box::new(evaluated),
                });
            }
            evaluated
        }
        Decider::Agent(decide) => overridden(state, &site.lot, decide(&assembled)),
    };
    let unpriced = unpriced_missed_exit(state, &site.lot, &assembled, &evaluated.decision);
    let recorded = commit(state, tx, site, &assembled, &evaluated, origin, unpriced).await?;
    Ok(Outcome::Recorded {
        assembled: Box::new(assembled),
        evaluated: Box::new(evaluated),
        recorded,
    })
}

/// The plate's turn: on PostgreSQL, an advisory lock on the lot and plate
/// (or the gate, for a read without a plate) for the rest of the
/// transaction, across hosts. SQLite's write transaction is the turn.
async fn take_turn(
    tx: &mut Tx,
    backend: Backend,
    site: &Site,
    plate: Option<&Plate>,
) -> Result<(), ApiError> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    let key = match plate {
        Some(plate) => format!("{}\u{0}plate\u{0}{plate}", site.lot.id),
        None => format!("{}\u{0}gate\u{0}{}", site.lot.id, site.gate.id),
    };
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(i64::from_be_bytes(bytes))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn read(
    tx: &mut Tx,
    site: &Site,
    reading: &Reading,
    event: Option<&EventKey<'_>>,
) -> Result<Facts, ApiError> {
    let ask = Ask {
        lot: &site.lot.id,
        gate: &site.gate.id,
        plate: reading.plate.as_ref(),
        event: event.map(|e| (e.robot_id, e.event_id)),
        photo: event.and_then(|e| e.photo),
    };
    Ok(db::input::facts(&mut **tx, &ask).await?)
}

/// What the facts refuse: a photo that was never uploaded, an exit read
/// before the stay it closes began.
fn check(
    site: &Site,
    reading: &Reading,
    event: Option<&EventKey<'_>>,
    facts: &Facts,
) -> Result<(), ApiError> {
    if let Some(photo) = event.and_then(|e| e.photo)
        && !facts.photo_found
    {
        return Err(ApiError::field(
            "photo",
            format!("no photo `{photo}` was uploaded to this lot"),
        ));
    }
    if event.is_some()
        && site.gate.direction == boomgate_engine::sdk::Direction::Exit
        && let Some(stay) = &facts.session
        && reading.occurred_ms < stay.entered_at
    {
        let zone = &site.lot.zone;
        return Err(ApiError::field(
            "occurred_at",
            format!(
                "{} is before the entry of the stay it would close ({}); check the robot's clock",
                zone.local(reading.occurred_ms),
                zone.local(stay.entered_at)
            ),
        ));
    }
    Ok(())
}

/// The gate's decision this read duplicates, if it does: the gate's latest
/// decision, about the same plate (or one the camera confuses with it, or
/// no plate for both), read within the debounce window; or, at an exit,
/// the decision with which this gate just closed the plate's stay.
async fn duplicate(
    state: &AppState,
    tx: &mut Tx,
    site: &Site,
    reading: &Reading,
    facts: &Facts,
) -> Result<Option<DecisionRow>, ApiError> {
    let window = site.debounce_ms(facts, state.config.debounce_seconds);
    if window == 0 {
        return Ok(None);
    }
    let near = |at: i64| (reading.occurred_ms - at).abs() <= window;
    let version = state.registry.active(&site.lot.id).map(|a| a.version);
    let mut of = None;
    // A hold is decided again once the plate paid, and any decision once
    // the lot's policy changed: the answer may differ now.
    if let Some(latest) = &facts.latest
        && near(latest.occurred_at)
        && (latest.opened || !latest.paid_since)
        && latest.policy_version == version
    {
        let same = match (&reading.plate, latest.plate.as_deref().map(Plate::parse)) {
            (None, None) => true,
            (Some(read), Some(Ok(before))) => lpr_distance(read, &before) <= DUPLICATE_DISTANCE,
            _ => false,
        };
        if same {
            of = Some(latest.decision_id.clone());
        }
    }
    if of.is_none()
        && facts.session.is_none()
        && let Some(closed) = &facts.closed_here
        && near(closed.exited_at)
    {
        of = Some(closed.decision_id.clone());
    }
    let Some(id) = of else { return Ok(None) };
    Ok(decisions::decision(&mut **tx, &id).await?)
}

/// The input, with the plate's earlier stays when the policy asks for them.
async fn assemble_with_history(
    state: &AppState,
    tx: &mut Tx,
    site: &Site,
    reading: &Reading,
    facts: Facts,
) -> Result<Assembled, ApiError> {
    let mut input = assemble(
        &site.lot,
        &site.gate,
        reading,
        &facts,
        state.config.robot_offline_seconds,
    );
    if let Some(stay) = input_stay(&facts) {
        input.vehicle.discounts = db::input::discounts(&mut **tx, stay).await?;
    }
    let minutes = state
        .registry
        .active(&site.lot.id)
        .map_or(0, |a| a.policy.needs().history_minutes);
    if let (Some(plate), true) = (&reading.plate, minutes > 0) {
        let since = reading.occurred_ms - i64::from(minutes) * 60_000;
        let rows = db::input::earlier_stays(&mut **tx, &site.lot.id, plate, since).await?;
        input.vehicle.earlier_stays = earlier(&site.lot.zone, rows);
    }
    Ok(Assembled { input, facts })
}

/// The open stay whose discounts the input needs, if it has any.
fn input_stay(facts: &Facts) -> Option<&str> {
    facts
        .session
        .as_ref()
        .filter(|_| facts.discounts > 0)
        .map(|s| s.id.as_str())
}

/// The plate's earlier stays as the policy is told them.
pub fn earlier(
    zone: &LotZone,
    rows: Vec<db::input::EarlierRow>,
) -> Vec<boomgate_engine::sdk::EarlierStay> {
    rows.into_iter()
        .map(|r| boomgate_engine::sdk::EarlierStay {
            entered_at: zone.local(r.entered_at),
            left_at: zone.local(r.exited_at),
            billing: r.billing,
            paid_amount: r.paid_amount,
        })
        .collect()
}

/// Reads what a decision at `site` would see now, without recording
/// anything (what an exit would decide, for an agent's lookup).
pub async fn preview(state: &AppState, site: &Site, reading: &Reading) -> Result<Input, ApiError> {
    let ask = Ask {
        lot: &site.lot.id,
        gate: &site.gate.id,
        plate: reading.plate.as_ref(),
        event: None,
        photo: None,
    };
    let pool = state.db.pool();
    let facts = db::input::facts(pool, &ask).await?;
    let mut input = assemble(
        &site.lot,
        &site.gate,
        reading,
        &facts,
        state.config.robot_offline_seconds,
    );
    if let Some(stay) = input_stay(&facts) {
        input.vehicle.discounts = db::input::discounts(pool, stay).await?;
    }
    let minutes = state
        .registry
        .active(&site.lot.id)
        .map_or(0, |a| a.policy.needs().history_minutes);
    if let (Some(plate), true) = (&reading.plate, minutes > 0) {
        let since = reading.occurred_ms - i64::from(minutes) * 60_000;
        let rows = db::input::earlier_stays(pool, &site.lot.id, plate, since).await?;
        input.vehicle.earlier_stays = earlier(&site.lot.zone, rows);
    }
    Ok(input)
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
fn overridden(state: &AppState, lot: &LotRow, decision: Decision) -> Evaluated {
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

/// The fee of an open stay that an entry replaces when the policy opened a
/// new stay without saying the exit was missed (a 0.1.0 module): priced by
/// the policy's own quote, so that nothing owed is dropped silently.
fn unpriced_missed_exit(
    state: &AppState,
    lot: &LotRow,
    assembled: &Assembled,
    decision: &Decision,
) -> Option<u64> {
    let stay = assembled.facts.session.as_ref()?;
    let opens = decision
        .effects
        .iter()
        .any(|e| matches!(e, Effect::OpenSession { .. }));
    let priced = decision
        .effects
        .iter()
        .any(|e| matches!(e, Effect::MissedExit { .. }));
    if !opens || priced || stay.billing != Billing::Temporary {
        return None;
    }
    let active = state.registry.active(&lot.id)?;
    let zone = &lot.zone;
    let quote = active.policy.fee_quote(&Stay::new(
        zone.local(stay.entered_at),
        assembled.input.event.occurred_at,
        stay.billing,
        stay.paid_amount,
    ));
    quote.ok().map(|q| q.due.amount)
}

/// Records the decision, applies its effects and writes what the origin
/// adds, then commits; wakes the robots an agent's command is for.
async fn commit(
    state: &AppState,
    mut tx: Tx,
    site: &Site,
    assembled: &Assembled,
    evaluated: &Evaluated,
    origin: Origin<'_>,
    unpriced_missed_exit: Option<u64>,
) -> Result<Recorded, ApiError> {
    let now = state.clock.now_ms();
    let decision_id = new_id("dec", now);
    let event = &assembled.input.event;
    let plate = event.plate.as_ref().map(|p| p.as_str().to_owned());
    let occurred_at = event.occurred_at.unix_seconds() * 1000;
    if let Origin::Robot(key) = &origin {
        let reading = Reading {
            plate: event.plate.clone(),
            occurred_ms: occurred_at,
            confidence: event.confidence,
            agent: None,
            vehicle_class: None,
        };
        record_event(state, &mut tx, site, &reading, key, &decision_id, None).await?;
    }
    let (source, by) = match origin {
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
        occurred_at: Some(occurred_at),
        created_at: now,
    };
    decisions::insert_decision(&mut *tx, &row).await?;
    let cx = Context {
        site,
        assembled,
        decision_id: &decision_id,
        robot: match &origin {
            Origin::Robot(key) => Some(key.robot_id),
            Origin::Agent(_) => None,
        },
        by,
        order_lifetime_ms: state.config.order_expiry_minutes.saturating_mul(60_000),
        unpriced_missed_exit,
        now,
    };
    let Applied { orders } = effects::apply(&mut tx, &cx, &evaluated.decision).await?;
    let mut recorded = Recorded {
        decision_id,
        orders,
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
    Ok(recorded)
}

/// Writes a robot's event, answered by `decision` (the one it duplicates,
/// for a duplicate).
async fn record_event(
    state: &AppState,
    tx: &mut Tx,
    site: &Site,
    reading: &Reading,
    key: &EventKey<'_>,
    decision: &str,
    duplicate_of: Option<&str>,
) -> Result<(), ApiError> {
    let row = NewEvent {
        lot: &site.lot.id,
        robot: key.robot_id,
        event_id: key.event_id,
        gate: &site.gate.id,
        plate: reading.plate.as_ref().map(Plate::as_str),
        occurred_at: reading.occurred_ms,
        confidence: key.confidence,
        photo: key.photo,
        payload_hash: key.payload_hash,
        decision,
        duplicate_of,
    };
    match decisions::insert_event(&mut **tx, &row, state.clock.now_ms()).await {
        Ok(()) => Ok(()),
        // Reads of one plate take turns, so a retry cannot race its
        // original: the same id with another plate can.
        Err(e) if db::is_unique_violation(&e) => Err(ApiError::Conflict(format!(
            "event `{}` was already received with other content; a new read needs a new event id",
            key.event_id
        ))),
        Err(e) => Err(e.into()),
    }
}

/// What an agent's act adds: the opening (and the visitor) when the gate
/// opens, the gate's cases resolved, and the command telling the robot.
async fn record_act(
    tx: &mut Tx,
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
    let done = super::cases::Done {
        kind: match act.opening.kind {
            OpeningKind::Normal | OpeningKind::Abnormal | OpeningKind::Ticket => CaseActKind::Open,
            OpeningKind::Visitor => CaseActKind::Visitor,
            OpeningKind::Correction => CaseActKind::Correct,
        },
        ref_id: Some(decision_id),
        detail: Some(format!(
            "{} {}: {}",
            act.opening.kind,
            if opened { "opened" } else { "held" },
            evaluated.decision.reason
        )),
        by: act.by,
    };
    super::cases::attach(tx, lot, gate, &done, now).await?;
    recorded.command_id = Some(command_id);
    Ok(())
}
