//! The call centre's records (seed 001 §2.3): agents' seats, cases and
//! everything done on them, the telephony system's calls, and the log of
//! every lookup of a person's data.

use sqlx::FromRow;

use super::types::{CallResolved, CaseActKind, CaseOrigin, CaseOutcome, LookupKind};
use super::{Exec, Result};

// ---------------------------------------------------------------- seats

/// A seat and the agent at it.
#[derive(Debug, Clone, FromRow)]
pub struct SeatRow {
    pub seat: String,
    pub agent_id: String,
    pub agent_name: String,
    pub bound_at: i64,
}

/// The owner's seats, by number.
pub async fn seats<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<SeatRow>> {
    sqlx::query_as(
        "SELECT s.seat, s.agent_id, a.name AS agent_name, s.bound_at
         FROM seats s JOIN agents a ON a.id = s.agent_id
         WHERE s.owner_id = $1 ORDER BY s.seat",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

/// The agent at a seat of the owner's call centre.
pub async fn agent_at_seat<'e>(
    db: impl Exec<'e>,
    owner: &str,
    seat: &str,
) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT agent_id FROM seats WHERE owner_id = $1 AND seat = $2")
        .bind(owner)
        .bind(seat)
        .fetch_optional(db)
        .await
}

/// The seat an agent sits at.
pub async fn seat_of_agent<'e>(db: impl Exec<'e>, agent: &str) -> Result<Option<SeatRow>> {
    sqlx::query_as(
        "SELECT s.seat, s.agent_id, a.name AS agent_name, s.bound_at
         FROM seats s JOIN agents a ON a.id = s.agent_id WHERE s.agent_id = $1",
    )
    .bind(agent)
    .fetch_optional(db)
    .await
}

/// Frees the seat an agent sits at; false if it sat at none.
pub async fn unbind_seat<'e>(db: impl Exec<'e>, agent: &str) -> Result<bool> {
    sqlx::query("DELETE FROM seats WHERE agent_id = $1")
        .bind(agent)
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

pub async fn bind_seat<'e>(
    db: impl Exec<'e>,
    owner: &str,
    seat: &str,
    agent: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO seats (owner_id, seat, agent_id, bound_at) VALUES ($1, $2, $3, $4)")
        .bind(owner)
        .bind(seat)
        .bind(agent)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

// ---------------------------------------------------------------- cases

#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    pub robot_id: Option<String>,
    pub opened_by: CaseOrigin,
    /// 1 for a commissioning test.
    pub test: i64,
    /// The event waiting at the gate: its latest decision.
    pub decision_id: Option<String>,
    pub plate: Option<String>,
    /// The number that called, when a call reached a seat.
    pub caller: Option<String>,
    pub seat: Option<String>,
    pub agent_id: Option<String>,
    pub opened_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub outcome: Option<CaseOutcome>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
}

const CASE_COLUMNS: &str = "id, lot_id, gate_id, robot_id, opened_by, test, decision_id, plate,
    caller, seat, agent_id, opened_at, answered_at, closed_at, outcome, note, closed_by";

/// A case to open at a gate.
pub struct NewCase<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub gate: &'a str,
    pub robot: Option<&'a str>,
    pub origin: CaseOrigin,
    pub test: bool,
    pub decision: Option<&'a str>,
    pub plate: Option<&'a str>,
    pub now: i64,
}

/// Opens a case at a gate, or finds the one open there (a gate has at
/// most one open case, and one open test case); the held event it names
/// becomes the case's. True when it was opened now.
pub async fn open_case(conn: &mut sqlx::AnyConnection, c: &NewCase<'_>) -> Result<(CaseRow, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO cases (id, lot_id, gate_id, robot_id, opened_by, test, decision_id, plate, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(c.id)
    .bind(c.lot)
    .bind(c.gate)
    .bind(c.robot)
    .bind(c.origin)
    .bind(i64::from(c.test))
    .bind(c.decision)
    .bind(c.plate)
    .bind(c.now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0;
    if !inserted && c.decision.is_some() {
        sqlx::query(
            "UPDATE cases SET decision_id = $4, plate = $5, robot_id = COALESCE(robot_id, $6)
             WHERE lot_id = $1 AND gate_id = $2 AND test = $3 AND closed_at IS NULL",
        )
        .bind(c.lot)
        .bind(c.gate)
        .bind(i64::from(c.test))
        .bind(c.decision)
        .bind(c.plate)
        .bind(c.robot)
        .execute(&mut *conn)
        .await?;
    }
    let row = open_case_at(&mut *conn, c.lot, c.gate, c.test)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound)?;
    Ok((row, inserted))
}

/// The case open at a gate.
pub async fn open_case_at<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    test: bool,
) -> Result<Option<CaseRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases
         WHERE lot_id = $1 AND gate_id = $2 AND test = $3 AND closed_at IS NULL"
    )))
    .bind(lot)
    .bind(gate)
    .bind(i64::from(test))
    .fetch_optional(db)
    .await
}

pub async fn case<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<CaseRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The ids of a lot's open cases about `plate`.
pub async fn open_cases_of_plate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM cases WHERE lot_id = $1 AND plate = $2 AND closed_at IS NULL ORDER BY id",
    )
    .bind(lot)
    .bind(plate)
    .fetch_all(db)
    .await
}

/// Which cases to list.
pub struct CaseFilter<'a> {
    /// `Some(true)`: open ones; `Some(false)`: closed ones.
    pub open: Option<bool>,
    pub gate: Option<&'a str>,
    pub agent: Option<&'a str>,
    pub since: i64,
    pub until: i64,
    pub test: bool,
    pub limit: i64,
}

/// A lot's cases opened in a window, newest first.
pub async fn cases<'e>(db: impl Exec<'e>, lot: &str, f: &CaseFilter<'_>) -> Result<Vec<CaseRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases
         WHERE lot_id = $1 AND opened_at >= $2 AND opened_at < $3
             AND ($4 IS NULL OR ($4 = 1 AND closed_at IS NULL) OR ($4 = 0 AND closed_at IS NOT NULL))
             AND ($5 IS NULL OR gate_id = $5) AND ($6 IS NULL OR agent_id = $6) AND test = $7
         ORDER BY opened_at DESC, id DESC LIMIT $8"
    )))
    .bind(lot)
    .bind(f.since)
    .bind(f.until)
    .bind(f.open.map(i64::from))
    .bind(f.gate)
    .bind(f.agent)
    .bind(i64::from(f.test))
    .bind(f.limit)
    .fetch_all(db)
    .await
}

/// Gives a case to an agent at a seat; the first answer's time stays.
pub async fn answer_case<'e>(
    db: impl Exec<'e>,
    id: &str,
    agent: &str,
    seat: Option<&str>,
    caller: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET agent_id = $2, seat = COALESCE($3, seat), caller = COALESCE($4, caller),
             answered_at = COALESCE(answered_at, $5)
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(agent)
    .bind(seat)
    .bind(caller)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Closes a case (关单); false if it was closed already.
pub async fn close_case<'e>(
    db: impl Exec<'e>,
    id: &str,
    outcome: CaseOutcome,
    note: Option<&str>,
    by: &str,
    now: i64,
) -> Result<bool> {
    sqlx::query(
        "UPDATE cases SET closed_at = $2, outcome = $3, note = $4, closed_by = $5,
             answered_at = COALESCE(answered_at, $2)
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(outcome)
    .bind(note)
    .bind(by)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
}

/// Whether a (real) case at the gate was closed at or after `since`: the
/// hold it was about is settled.
pub async fn closed_since<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    since: i64,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases
         WHERE lot_id = $1 AND gate_id = $2 AND closed_at >= $3 AND test = 0",
    )
    .bind(lot)
    .bind(gate)
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct ActRow {
    pub id: String,
    pub case_id: String,
    pub kind: CaseActKind,
    /// What the act made or named: a decision, a command, an opening, a
    /// call, a stay.
    pub ref_id: Option<String>,
    pub detail: Option<String>,
    pub done_by: String,
    pub created_at: i64,
}

pub async fn add_act<'e>(db: impl Exec<'e>, act: &ActRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_acts (id, case_id, kind, ref_id, detail, done_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&act.id)
    .bind(&act.case_id)
    .bind(act.kind)
    .bind(&act.ref_id)
    .bind(&act.detail)
    .bind(&act.done_by)
    .bind(act.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// What was done on a case, in order.
pub async fn acts<'e>(db: impl Exec<'e>, case: &str) -> Result<Vec<ActRow>> {
    sqlx::query_as(
        "SELECT id, case_id, kind, ref_id, detail, done_by, created_at FROM case_acts
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(case)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------- calls

#[derive(Debug, Clone, FromRow)]
pub struct CallRow {
    pub id: String,
    pub owner_id: String,
    /// The telephony system's id for the call.
    pub external_id: Option<String>,
    pub caller: String,
    pub seat: String,
    pub agent_id: Option<String>,
    pub resolved: CallResolved,
    pub lot_id: Option<String>,
    pub case_id: Option<String>,
    pub reported_by: String,
    pub received_at: i64,
}

pub async fn insert_call<'e>(db: impl Exec<'e>, c: &CallRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO calls (id, owner_id, external_id, caller, seat, agent_id, resolved, lot_id,
             case_id, reported_by, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&c.id)
    .bind(&c.owner_id)
    .bind(&c.external_id)
    .bind(&c.caller)
    .bind(&c.seat)
    .bind(&c.agent_id)
    .bind(c.resolved)
    .bind(&c.lot_id)
    .bind(&c.case_id)
    .bind(&c.reported_by)
    .bind(c.received_at)
    .execute(db)
    .await
    .map(drop)
}

/// A call the telephony system reported before under its id.
pub async fn call_by_external<'e>(
    db: impl Exec<'e>,
    owner: &str,
    external: &str,
) -> Result<Option<CallRow>> {
    sqlx::query_as(
        "SELECT id, owner_id, external_id, caller, seat, agent_id, resolved, lot_id, case_id,
             reported_by, received_at
         FROM calls WHERE owner_id = $1 AND external_id = $2",
    )
    .bind(owner)
    .bind(external)
    .fetch_optional(db)
    .await
}

// ---------------------------------------------------------------- lookups

#[derive(Debug, Clone, FromRow)]
pub struct LookupRow {
    pub id: String,
    pub owner_id: String,
    pub lot_id: Option<String>,
    pub looked_by: String,
    pub kind: LookupKind,
    pub query: String,
    /// How many records it found.
    pub results: i64,
    pub case_id: Option<String>,
    pub created_at: i64,
}

pub async fn insert_lookup<'e>(db: impl Exec<'e>, l: &LookupRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO lookups (id, owner_id, lot_id, looked_by, kind, query, results, case_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&l.id)
    .bind(&l.owner_id)
    .bind(&l.lot_id)
    .bind(&l.looked_by)
    .bind(l.kind)
    .bind(&l.query)
    .bind(l.results)
    .bind(&l.case_id)
    .bind(l.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// The owner's lookups since `since`, newest first.
pub async fn lookups<'e>(
    db: impl Exec<'e>,
    owner: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<LookupRow>> {
    sqlx::query_as(
        "SELECT id, owner_id, lot_id, looked_by, kind, query, results, case_id, created_at
         FROM lookups WHERE owner_id = $1 AND created_at >= $2
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(owner)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}
