//! Every decision with the input the policy saw, the robots' events that
//! asked for them, and the cases escalated to the agents.

use anyhow::Context as _;
use boomgate_engine::sdk::{Decision, Direction, Gate, Input};
use sqlx::FromRow;

use super::types::{Parsed, Source};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    #[sqlx(try_from = "Parsed<Direction>")]
    pub direction: Direction,
    pub plate: Option<String>,
    pub source: Source,
    pub robot_id: Option<String>,
    pub event_id: Option<String>,
    pub policy_version: Option<i64>,
    pub module_digest: Option<String>,
    /// Whether the barrier opened.
    #[sqlx(try_from = "Parsed<Gate>")]
    pub gate: Gate,
    pub reason: String,
    /// The decision, as JSON.
    pub decision: String,
    /// The policy input, as JSON.
    pub input: String,
    pub fault_kind: Option<String>,
    pub fault: Option<String>,
    pub evaluation_us: i64,
    pub supersedes: Option<String>,
    pub agent_id: Option<String>,
    /// When the read it decided happened (Unix ms); none for decisions
    /// recorded before this was kept.
    pub occurred_at: Option<i64>,
    pub created_at: i64,
}

impl DecisionRow {
    /// The stored decision.
    pub fn decision(&self) -> anyhow::Result<Decision> {
        serde_json::from_str(&self.decision)
            .with_context(|| format!("stored decision `{}` is not a decision", self.id))
    }

    /// The stored input.
    pub fn input(&self) -> anyhow::Result<Input> {
        serde_json::from_str(&self.input)
            .with_context(|| format!("stored decision `{}` has no valid input", self.id))
    }
}

macro_rules! decision_columns {
    () => {
        "id, lot_id, gate_id, direction, plate, source, robot_id, event_id,
         policy_version, module_digest, gate, reason, decision, input, fault_kind, fault,
         evaluation_us, supersedes, agent_id, occurred_at, created_at"
    };
}

pub async fn insert_decision<'e>(db: impl Exec<'e>, d: &DecisionRow) -> Result<()> {
    sqlx::query(concat!(
        "INSERT INTO decisions (",
        decision_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21)"
    ))
    .bind(&d.id)
    .bind(&d.lot_id)
    .bind(&d.gate_id)
    .bind(d.direction.as_str())
    .bind(&d.plate)
    .bind(d.source)
    .bind(&d.robot_id)
    .bind(&d.event_id)
    .bind(d.policy_version)
    .bind(&d.module_digest)
    .bind(d.gate.as_str())
    .bind(&d.reason)
    .bind(&d.decision)
    .bind(&d.input)
    .bind(&d.fault_kind)
    .bind(&d.fault)
    .bind(d.evaluation_us)
    .bind(&d.supersedes)
    .bind(&d.agent_id)
    .bind(d.occurred_at)
    .bind(d.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn decision<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The lot's decisions, newest first, before `before` (exclusive), at one
/// gate if given.
/// Which of a lot's decisions to list; `None` is any.
#[derive(Debug, Default)]
pub struct DecisionFilter<'a> {
    pub gate: Option<&'a str>,
    pub plate: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub version: Option<i64>,
    /// Older than this decision id (paging).
    pub before: Option<&'a str>,
}

pub async fn decisions<'e>(
    db: impl Exec<'e>,
    lot: &str,
    f: &DecisionFilter<'_>,
    limit: i64,
) -> Result<Vec<DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions
         WHERE lot_id = $1 AND ($2 IS NULL OR gate_id = $2) AND ($3 IS NULL OR id < $3)
           AND ($4 IS NULL OR plate = $4) AND ($5 IS NULL OR reason = $5)
           AND ($6 IS NULL OR policy_version = $6)
         ORDER BY id DESC LIMIT $7"
    ))
    .bind(lot)
    .bind(f.gate)
    .bind(f.before)
    .bind(f.plate)
    .bind(f.reason)
    .bind(f.version)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The latest decision at each gate of `lot`: the gate's state.
pub async fn latest_decisions<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions d WHERE lot_id = $1
         AND id = (SELECT MAX(id) FROM decisions e WHERE e.lot_id = d.lot_id AND e.gate_id = d.gate_id)"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------- events

/// A robot's event as received.
pub struct NewEvent<'a> {
    pub lot: &'a str,
    pub robot: &'a str,
    pub event_id: &'a str,
    pub gate: &'a str,
    pub plate: Option<&'a str>,
    pub occurred_at: i64,
    pub confidence: Option<f64>,
    pub photo: Option<&'a str>,
    pub payload_hash: &'a str,
    pub decision: &'a str,
    /// The decision this read duplicates, for a duplicate read.
    pub duplicate_of: Option<&'a str>,
}

pub async fn insert_event<'e>(db: impl Exec<'e>, e: &NewEvent<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (lot_id, robot_id, event_id, gate_id, plate, occurred_at, confidence,
             photo, payload_hash, decision_id, duplicate_of, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.lot)
    .bind(e.robot)
    .bind(e.event_id)
    .bind(e.gate)
    .bind(e.plate)
    .bind(e.occurred_at)
    .bind(e.confidence)
    .bind(e.photo)
    .bind(e.payload_hash)
    .bind(e.decision)
    .bind(e.duplicate_of)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// A robot's event already received: what makes a retry the same, and its
/// decision.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub payload_hash: String,
    pub decision_id: String,
    /// Set when the event was a duplicate read of that decision.
    pub duplicate_of: Option<String>,
}

pub async fn event<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    event_id: &str,
) -> Result<Option<EventRow>> {
    sqlx::query_as(
        "SELECT payload_hash, decision_id, duplicate_of FROM events
         WHERE lot_id = $1 AND robot_id = $2 AND event_id = $3",
    )
    .bind(lot)
    .bind(robot)
    .bind(event_id)
    .fetch_optional(db)
    .await
}

// ---------------------------------------------------------------- escalations

pub async fn insert_escalation<'e>(
    db: impl Exec<'e>,
    id: &str,
    lot: &str,
    gate: &str,
    decision: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO escalations (id, lot_id, gate_id, decision_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(lot)
    .bind(gate)
    .bind(decision)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Marks a gate's open escalations resolved by `decision`.
pub async fn resolve_escalations<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    decision: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE escalations SET resolved_at = $3, resolution = $4
         WHERE lot_id = $1 AND gate_id = $2 AND resolved_at IS NULL",
    )
    .bind(lot)
    .bind(gate)
    .bind(now)
    .bind(decision)
    .execute(db)
    .await
    .map(drop)
}

/// A robot's event answered with the fallback while storage failed,
/// written once it worked again.
#[derive(Debug, Clone, FromRow)]
pub struct StorageFaultRow {
    pub id: String,
    pub robot_id: String,
    pub event_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    pub occurred_at: i64,
    pub fault: String,
    pub answered_at: i64,
    pub recorded_at: i64,
}

/// A lot's events answered while storage failed, newest first.
pub async fn storage_faults<'e>(
    db: impl Exec<'e>,
    lot: &str,
    limit: i64,
) -> Result<Vec<StorageFaultRow>> {
    sqlx::query_as(
        "SELECT id, robot_id, event_id, gate_id, plate, occurred_at, fault, answered_at, recorded_at
         FROM storage_faults WHERE lot_id = $1 ORDER BY answered_at DESC, id DESC LIMIT $2",
    )
    .bind(lot)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The photo a robot's event named.
pub async fn event_photo<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    event_id: &str,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT photo FROM events WHERE lot_id = $1 AND robot_id = $2 AND event_id = $3",
    )
    .bind(lot)
    .bind(robot)
    .bind(event_id)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// A commissioning test event and what the policy answered.
#[derive(Debug, Clone, FromRow)]
pub struct TestEvent {
    pub id: String,
    pub lot_id: String,
    pub robot_id: String,
    pub gate_id: String,
    pub event_id: String,
    pub plate: Option<String>,
    pub occurred_at: i64,
    pub gate: String,
    pub reason: String,
    /// The decision, as JSON.
    pub decision: String,
    pub created_at: i64,
}

pub async fn insert_test_event<'e>(db: impl Exec<'e>, t: &TestEvent) -> Result<()> {
    sqlx::query(
        "INSERT INTO test_events (id, lot_id, robot_id, gate_id, event_id, plate, occurred_at, gate,
             reason, decision, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&t.id)
    .bind(&t.lot_id)
    .bind(&t.robot_id)
    .bind(&t.gate_id)
    .bind(&t.event_id)
    .bind(&t.plate)
    .bind(t.occurred_at)
    .bind(&t.gate)
    .bind(&t.reason)
    .bind(&t.decision)
    .bind(t.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// A robot's test events, newest first.
pub async fn test_events<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    limit: i64,
) -> Result<Vec<TestEvent>> {
    sqlx::query_as(
        "SELECT id, lot_id, robot_id, gate_id, event_id, plate, occurred_at, gate, reason, decision,
             created_at
         FROM test_events WHERE lot_id = $1 AND robot_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(lot)
    .bind(robot)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The latest decision at a gate, if it holds: the event waiting there.
pub async fn latest_hold<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
) -> Result<Option<DecisionRow>> {
    let at_gate = DecisionFilter {
        gate: Some(gate),
        ..DecisionFilter::default()
    };
    let latest = decisions(db, lot, &at_gate, 1).await?;
    Ok(latest
        .into_iter()
        .next()
        .filter(|d| d.gate == boomgate_engine::sdk::Gate::Hold))
}
