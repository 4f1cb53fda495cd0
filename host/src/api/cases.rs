//! The call centre (seed 001 §2.3): agents bind a seat (§2.3.1 A, B); the
//! telephony system reports each call to a seat; a call from a robot's SIM
//! is its gate's case, a call from a driver's phone finds their passes and
//! stays (§2.4); the case goes to the agent at the seat, everything done
//! at the gate is attached to it, and the agent closes it (关单) with an
//! outcome.

use std::time::Duration;

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, staff_lot, visible_lots};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use super::lookups::{self, PhoneFindings};
use crate::db::cases::{self, CallRow, CaseFilter, CaseRow, SeatRow};
use crate::db::ids::new_id;
use crate::db::lots::{self, LotRow};
use crate::db::types::{CallResolved, CaseActKind, CaseOrigin, CaseOutcome, LookupKind, Role};
use crate::domain::cases as case_acts;
use crate::domain::zone::parse_instant;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(list_seats))
            .routes(routes!(bind_seat, leave_seat))
            .routes(routes!(report_call))
            .routes(routes!(list_cases))
            .routes(routes!(open_case))
            .routes(routes!(get_case))
            .routes(routes!(answer_case))
            .routes(routes!(close_case)),
    )
}

// ---------------------------------------------------------------- seats

/// A seat of the call centre and the agent at it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Seat {
    pub seat: String,
    pub agent_id: String,
    pub agent_name: String,
    /// RFC 3339 (UTC).
    pub bound_at: String,
}

impl From<SeatRow> for Seat {
    fn from(s: SeatRow) -> Seat {
        Seat {
            seat: s.seat,
            agent_id: s.agent_id,
            agent_name: s.agent_name,
            bound_at: fields::rfc3339(s.bound_at),
        }
    }
}

fn owner_of(caller: &Caller) -> Result<&str, ApiError> {
    match caller {
        Caller::Owner { owner_id, .. } | Caller::Agent { owner_id, .. } => Ok(owner_id),
        _ => Err(ApiError::Forbidden(
            "this route is for agents and lot owners".into(),
        )),
    }
}

#[utoipa::path(get, path = "/v1/seats", tag = "agents", summary = "List the call centre's seats and the agents at them",
    responses((status = 200, description = "The call centre's seats and who sits at each, by seat number", body = Vec<Seat>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_seats(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Seat>>, ApiError> {
    let owner = owner_of(&caller)?;
    let seats = cases::seats(state.db.pool(), owner).await?;
    Ok(axum::Json(seats.into_iter().map(Seat::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatBinding {
    /// The seat (extension) number the agent's phone rings at, e.g. `8001`.
    pub seat: String,
}

#[utoipa::path(put, path = "/v1/seat", tag = "agents", summary = "Bind the agent to a call centre seat", request_body = SeatBinding,
    responses((status = 200, description = "The agent now sits at the seat (moved from its earlier one, if any)", body = Seat),
        (status = 400, body = ErrorBody), (status = 403, description = "Not an agent", body = ErrorBody),
        (status = 409, description = "Another agent sits at the seat", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn bind_seat(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SeatBinding>,
) -> Result<axum::Json<Seat>, ApiError> {
    let Caller::Agent { agent_id, owner_id } = &caller else {
        return Err(ApiError::Forbidden("seats are bound by agents".into()));
    };
    let seat = req.seat.trim();
    if seat.is_empty()
        || seat.len() > 16
        || !seat.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ApiError::field(
            "seat",
            format!("`{seat}` is not a seat number (1 to 16 letters, digits or `-`)"),
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    if let Some(holder) = cases::agent_at_seat(&mut *tx, owner_id, seat).await? {
        if holder != *agent_id {
            return Err(ApiError::Conflict(format!(
                "agent `{holder}` sits at seat `{seat}`: they leave it first (`DELETE /v1/seat`)"
            )));
        }
    } else {
        cases::unbind_seat(&mut *tx, agent_id).await?;
        cases::bind_seat(&mut *tx, owner_id, seat, agent_id, now).await?;
    }
    let row = cases::seat_of_agent(&mut *tx, agent_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("agent `{agent_id}` has no seat after binding one"))?;
    tx.commit().await?;
    Ok(axum::Json(row.into()))
}

#[utoipa::path(delete, path = "/v1/seat", tag = "agents", summary = "Leave the agent's seat",
    responses((status = 204, description = "The agent left its seat"), (status = 403, body = ErrorBody),
        (status = 404, description = "The agent sits at no seat", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn leave_seat(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let Caller::Agent { agent_id, .. } = &caller else {
        return Err(ApiError::Forbidden("seats are bound by agents".into()));
    };
    if cases::unbind_seat(state.db.pool(), agent_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "agent `{agent_id}` sits at no seat"
        )))
    }
}

// ---------------------------------------------------------------- cases

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Nobody has answered it yet.
    Waiting,
    /// An agent has it.
    Answered,
    /// Closed (关单).
    Closed,
}

/// Something done on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseAct {
    pub kind: CaseActKind,
    /// What it made or named: a decision, a command, a call, a stay.
    pub ref_id: Option<String>,
    pub detail: Option<String>,
    pub by: String,
    /// RFC 3339, the lot's local time.
    pub at: String,
}

/// A case, as the desk shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    pub robot_id: Option<String>,
    pub robot_name: Option<String>,
    /// The robot's SIM number: the agent calls it back (§2.3.3).
    pub robot_phone: Option<String>,
    pub opened_by: CaseOrigin,
    /// A commissioning test.
    pub test: bool,
    pub status: CaseStatus,
    /// The event waiting at the gate: its decision.
    pub decision_id: Option<String>,
    pub plate: Option<String>,
    pub caller: Option<String>,
    pub seat: Option<String>,
    pub agent_id: Option<String>,
    /// RFC 3339, the lot's local time.
    pub opened_at: String,
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
    /// Seconds from opening to an agent's answer (or until now).
    pub waiting_seconds: i64,
    pub outcome: Option<CaseOutcome>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    /// Everything done on it, in order (only when one case is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acts: Option<Vec<CaseAct>>,
}

fn status_of(row: &CaseRow) -> CaseStatus {
    match (row.closed_at, row.agent_id.as_ref()) {
        (Some(_), _) => CaseStatus::Closed,
        (None, Some(_)) => CaseStatus::Answered,
        (None, None) => CaseStatus::Waiting,
    }
}

/// A case row as the desk shows it, with its robot (and its acts).
pub(crate) async fn view(
    state: &AppState,
    lot: &LotRow,
    row: CaseRow,
    with_acts: bool,
) -> Result<Case, ApiError> {
    let pool = state.db.pool();
    let zone = &lot.zone;
    let robot = match &row.robot_id {
        Some(id) => lots::robot(pool, &lot.id, id).await?,
        None => lots::robots(pool, &lot.id)
            .await?
            .into_iter()
            .find(|r| r.gate_id == row.gate_id && r.retired_at.is_none()),
    };
    let acts = match with_acts {
        true => Some(
            cases::acts(pool, &row.id)
                .await?
                .into_iter()
                .map(|a| CaseAct {
                    kind: a.kind,
                    ref_id: a.ref_id,
                    detail: a.detail,
                    by: a.done_by,
                    at: zone.local(a.created_at).to_string(),
                })
                .collect(),
        ),
        false => None,
    };
    let now = state.clock.now_ms();
    let answered = row.answered_at.or(row.closed_at).unwrap_or(now);
    Ok(Case {
        status: status_of(&row),
        robot_id: robot.as_ref().map(|r| r.id.clone()),
        robot_name: robot.as_ref().and_then(|r| r.name.clone()),
        robot_phone: robot.as_ref().and_then(|r| r.phone.clone()),
        opened_at: zone.local(row.opened_at).to_string(),
        answered_at: row.answered_at.map(|t| zone.local(t).to_string()),
        closed_at: row.closed_at.map(|t| zone.local(t).to_string()),
        waiting_seconds: (answered - row.opened_at) / 1000,
        test: row.test != 0,
        id: row.id,
        lot_id: row.lot_id,
        gate_id: row.gate_id,
        opened_by: row.opened_by,
        decision_id: row.decision_id,
        plate: row.plate,
        caller: row.caller,
        seat: row.seat,
        agent_id: row.agent_id,
        outcome: row.outcome,
        note: row.note,
        closed_by: row.closed_by,
        acts,
    })
}

/// A case read again after a change, with its acts.
async fn reread(state: &AppState, lot: &LotRow, id: &str) -> Result<Case, ApiError> {
    let row = cases::case(state.db.pool(), id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("case `{id}` vanished"))?;
    view(state, lot, row, true).await
}

/// A case the caller may see (404 otherwise), with its lot.
async fn visible_case(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(LotRow, CaseRow), ApiError> {
    caller.staff()?;
    let missing = || ApiError::not_found(format!("no case `{id}`"));
    let row = cases::case(state.db.pool(), id)
        .await?
        .ok_or_else(missing)?;
    let lot = staff_lot(state, caller, &row.lot_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => missing(),
            other => other,
        })?;
    Ok((lot, row))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// `open` (waiting or answered), `closed`, or every case (absent).
    pub status: Option<String>,
    pub gate: Option<String>,
    /// Only cases this agent has.
    pub agent: Option<String>,
    /// Opened at or after this instant (RFC 3339); the last 7 days by
    /// default.
    pub since: Option<String>,
    /// Opened before this instant (RFC 3339).
    pub until: Option<String>,
    /// Commissioning test cases instead of real ones.
    pub test: Option<bool>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/cases", tag = "agents", summary = "List a lot's cases, newest first", params(("lot" = String, Path), CasesQuery),
    responses((status = 200, description = "The lot's cases, newest first", body = Vec<Case>),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<CasesQuery>,
) -> Result<axum::Json<Vec<Case>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let open = match query.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(other) => {
            return Err(ApiError::field(
                "status",
                format!("`{other}` is none of `open`, `closed`, `all`"),
            ));
        }
    };
    let now = state.clock.now_ms();
    let instant = |field: &str, raw: Option<&str>, default: i64| match raw {
        Some(raw) => parse_instant(raw).map_err(|e| ApiError::field(field, e)),
        None => Ok(default),
    };
    let since = instant("since", query.since.as_deref(), now - 7 * 86_400_000)?;
    let until = instant("until", query.until.as_deref(), i64::MAX)?;
    let filter = CaseFilter {
        open,
        gate: query.gate.as_deref(),
        agent: query.agent.as_deref(),
        since,
        until,
        test: query.test.unwrap_or(false),
        limit: query.limit.unwrap_or(100).clamp(1, 1000),
    };
    let mut out = Vec::new();
    for row in cases::cases(state.db.pool(), &lot.id, &filter).await? {
        out.push(view(&state, &lot, row, false).await?);
    }
    Ok(axum::Json(out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// Why the agent opens it, e.g. `外呼：车辆滞留超过10分钟`.
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/cases", tag = "agents", summary = "Open a gate's case as the agent, for an outbound call",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = NewCase,
    responses((status = 200, description = "The gate's case, opened now by the agent (an outbound call, §2.3.3) or open already; the agent has it", body = Case),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_case(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<NewCase>,
) -> Result<axum::Json<Case>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let gate = fields::gate_of(&state, &lot.id, &gate).await?;
    let held = crate::db::decisions::latest_hold(state.db.pool(), &lot.id, &gate.id).await?;
    let by = caller.label();
    let note = fields::optional_text("note", Some(&req.note), 500)?.flatten();
    let now = state.clock.now_ms();
    let opening = case_acts::Opening {
        lot: &lot.id,
        gate: &gate.id,
        robot: None,
        origin: CaseOrigin::Agent,
        test: false,
        decision: held.as_ref().map(|d| d.id.as_str()),
        plate: held.as_ref().and_then(|d| d.plate.as_deref()),
        by: &by,
        detail: note.map(str::to_owned),
    };
    let mut tx = state.db.write().await?;
    let (case, opened) = case_acts::open(&mut tx, &opening, now).await?;
    if let Caller::Agent { agent_id, .. } = &caller {
        let seat = cases::seat_of_agent(&mut *tx, agent_id)
            .await?
            .map(|s| s.seat);
        cases::answer_case(&mut *tx, &case.id, agent_id, seat.as_deref(), None, now).await?;
    }
    tx.commit().await?;
    if opened {
        state
            .metrics
            .case_opened(&lot.id, CaseOrigin::Agent.as_str());
    }
    Ok(axum::Json(reread(&state, &lot, &case.id).await?))
}

#[utoipa::path(get, path = "/v1/cases/{case}", tag = "agents", summary = "Read a case and everything done on it", params(("case" = String, Path)),
    responses((status = 200, description = "The case and everything done on it", body = Case), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<axum::Json<Case>, ApiError> {
    let (lot, row) = visible_case(&state, &caller, &case).await?;
    Ok(axum::Json(view(&state, &lot, row, true).await?))
}

fn closed_already(row: &CaseRow) -> ApiError {
    ApiError::Conflict(format!(
        "case `{}` was closed at {} by {} ({})",
        row.id,
        row.closed_at.map_or_else(String::new, fields::rfc3339),
        row.closed_by.as_deref().unwrap_or("?"),
        row.outcome.map_or("?", |o| o.as_str())
    ))
}

#[utoipa::path(post, path = "/v1/cases/{case}/answer", tag = "agents", summary = "Answer a case: the agent takes it", params(("case" = String, Path)),
    responses((status = 200, description = "The agent has the case", body = Case), (status = 403, description = "Not an agent", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The case is closed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answer_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<axum::Json<Case>, ApiError> {
    let (lot, row) = visible_case(&state, &caller, &case).await?;
    let Caller::Agent { agent_id, .. } = &caller else {
        return Err(ApiError::Forbidden("cases are answered by agents".into()));
    };
    if row.closed_at.is_some() {
        return Err(closed_already(&row));
    }
    let now = state.clock.now_ms();
    let by = caller.label();
    let mut tx = state.db.write().await?;
    let seat = cases::seat_of_agent(&mut *tx, agent_id)
        .await?
        .map(|s| s.seat);
    cases::answer_case(&mut *tx, &row.id, agent_id, seat.as_deref(), None, now).await?;
    let done = case_acts::Done {
        kind: CaseActKind::Answered,
        ref_id: None,
        detail: seat.clone(),
        by: &by,
    };
    case_acts::act(&mut tx, &row.id, &done, now).await?;
    tx.commit().await?;
    if row.answered_at.is_none() {
        state.metrics.case_answered(Duration::from_millis(
            u64::try_from(now - row.opened_at).unwrap_or(0),
        ));
    }
    Ok(axum::Json(reread(&state, &lot, &row.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseClosing {
    /// `opened`, `paid`, `turned_away`, `no_answer`, `resolved` (say how in
    /// `note`) or `test`.
    pub outcome: CaseOutcome,
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/v1/cases/{case}/close", tag = "agents", summary = "Close a case (关单) with an outcome", params(("case" = String, Path)), request_body = CaseClosing,
    responses((status = 200, description = "Closed (关单): it leaves the pending view and the congestion list", body = Case),
        (status = 400, description = "`resolved` without a note", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Closed already: when, by whom, how", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(case): Path<String>,
    Json(req): Json<CaseClosing>,
) -> Result<axum::Json<Case>, ApiError> {
    let (lot, row) = visible_case(&state, &caller, &case).await?;
    let note = fields::optional_text("note", Some(&req.note), 500)?.flatten();
    if req.outcome == CaseOutcome::Resolved && note.is_none() {
        return Err(ApiError::field("note", "say how the case was resolved"));
    }
    let now = state.clock.now_ms();
    let by = caller.label();
    let mut tx = state.db.write().await?;
    if !cases::close_case(&mut *tx, &row.id, req.outcome, note, &by, now).await? {
        drop(tx);
        let row = cases::case(state.db.pool(), &row.id).await?.unwrap_or(row);
        return Err(closed_already(&row));
    }
    let done = case_acts::Done {
        kind: CaseActKind::Closed,
        ref_id: None,
        detail: Some(match note {
            Some(n) => format!("{}: {n}", req.outcome),
            None => req.outcome.to_string(),
        }),
        by: &by,
    };
    case_acts::act(&mut tx, &row.id, &done, now).await?;
    tx.commit().await?;
    let took = Duration::from_millis(u64::try_from(now - row.opened_at).unwrap_or(0));
    if row.test == 0 {
        state
            .metrics
            .case_closed(&lot.id, req.outcome.as_str(), took);
    }
    Ok(axum::Json(reread(&state, &lot, &row.id).await?))
}

// ---------------------------------------------------------------- calls

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallReport {
    /// The telephony system's id for the call: a retry with the same id
    /// gets the same answer and records nothing twice.
    #[serde(default)]
    pub call_id: Option<String>,
    /// The calling number, as the network shows it.
    pub caller: String,
    /// The seat (extension) it rang.
    pub seat: String,
}

/// The robot a call came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallingRobot {
    pub lot_id: String,
    pub robot_id: String,
    pub gate_id: String,
    pub name: Option<String>,
}

/// What a call resolved to, for the agent at the seat.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallAnswer {
    pub call_id: String,
    pub seat: String,
    /// The agent at the seat.
    pub agent_id: String,
    /// `robot` (a robot's SIM: its gate's case), `pass`, `visitor`,
    /// `stays` (a driver's phone) or `nothing`.
    pub resolved: CallResolved,
    /// True when this answers a retry of the same `call_id`.
    pub replayed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robot: Option<CallingRobot>,
    /// The robot's gate's case, now the agent's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    /// What the driver's phone is known for (empty lists for a robot or
    /// an unknown number).
    pub driver: PhoneFindings,
}

/// The lots a call may concern: a telephony token's, or an owner's.
async fn call_lots(state: &AppState, caller: &Caller) -> Result<(String, Vec<LotRow>), ApiError> {
    match caller {
        Caller::Service(s) if s.role == Role::Telephony => {
            let mut out = Vec::new();
            for lot in &s.lots {
                if let Some(row) = lots::lot(state.db.pool(), lot).await? {
                    out.push(row);
                }
            }
            Ok((s.owner_id.clone(), out))
        }
        Caller::Owner { owner_id, .. } => {
            Ok((owner_id.clone(), visible_lots(state, caller).await?))
        }
        _ => Err(ApiError::Forbidden(
            "this route is for the telephony system and lot owners".into(),
        )),
    }
}

#[utoipa::path(post, path = "/v1/calls", tag = "telephony", summary = "Report a call that rang a seat: a robot's case or a driver's data", request_body = CallReport,
    responses((status = 200, description = "What the call is: a robot's gate's case given to the agent at the seat, or what the driver's phone is known for", body = CallAnswer),
        (status = 400, description = "A malformed number, or a seat no agent sits at", body = ErrorBody),
        (status = 403, description = "Not the telephony system or an owner", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn report_call(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CallReport>,
) -> Result<axum::Json<CallAnswer>, ApiError> {
    let (owner, scope) = call_lots(&state, &caller).await?;
    let number = fields::phone("caller", &req.caller)?;
    let seat = req.seat.trim();
    let external = fields::optional_text("call_id", Some(&req.call_id), 128)?.flatten();
    let pool = state.db.pool();
    if let Some(id) = external
        && let Some(call) = cases::call_by_external(pool, &owner, id).await?
    {
        return answer_of(&state, &scope, call, true).await;
    }
    let Some(agent) = cases::agent_at_seat(pool, &owner, seat).await? else {
        return Err(ApiError::field(
            "seat",
            format!("no agent sits at seat `{seat}` (`GET /v1/seats` lists them)"),
        ));
    };
    let now = state.clock.now_ms();
    let by = caller.label();
    // The robot whose SIM this is: the same number, or with a prefix.
    let mut robots: Vec<_> = lots::robots_with_phones(pool, &owner)
        .await?
        .into_iter()
        .filter(|r| {
            scope.iter().any(|l| l.id == r.lot_id)
                && r.phone
                    .as_deref()
                    .is_some_and(|p| fields::same_phone(p, &number))
        })
        .collect();
    robots.sort_by_key(|r| r.phone.as_deref() != Some(number.as_str()));
    let robot = robots.into_iter().next();
    let call_id = new_id("call", now);
    let mut tx = state.db.write().await?;
    let (resolved, lot_id, case_id) = match &robot {
        Some(r) => {
            let open = cases::open_case_at(&mut *tx, &r.lot_id, &r.gate_id, false).await?;
            let held = crate::db::decisions::latest_hold(&mut *tx, &r.lot_id, &r.gate_id).await?;
            let opening = case_acts::Opening {
                lot: &r.lot_id,
                gate: &r.gate_id,
                robot: Some(&r.id),
                origin: CaseOrigin::Call,
                test: false,
                decision: match &open {
                    Some(c) => c.decision_id.as_deref(),
                    None => held.as_ref().map(|d| d.id.as_str()),
                },
                plate: match &open {
                    Some(c) => c.plate.as_deref(),
                    None => held.as_ref().and_then(|d| d.plate.as_deref()),
                },
                by: &by,
                detail: Some(format!("call from {number} to seat {seat}")),
            };
            let (case, opened) = case_acts::open(&mut tx, &opening, now).await?;
            cases::answer_case(&mut *tx, &case.id, &agent, Some(seat), Some(&number), now).await?;
            if opened {
                state
                    .metrics
                    .case_opened(&r.lot_id, CaseOrigin::Call.as_str());
            }
            if case.answered_at.is_none() {
                state.metrics.case_answered(Duration::from_millis(
                    u64::try_from(now - case.opened_at).unwrap_or(0),
                ));
            }
            (CallResolved::Robot, Some(r.lot_id.clone()), Some(case.id))
        }
        None => (CallResolved::Nothing, None, None),
    };
    let mut call = CallRow {
        id: call_id,
        owner_id: owner.clone(),
        external_id: external.map(str::to_owned),
        caller: number,
        seat: seat.to_owned(),
        agent_id: Some(agent),
        resolved,
        lot_id,
        case_id,
        reported_by: by,
        received_at: now,
    };
    if call.resolved == CallResolved::Nothing {
        // A driver's phone: what it is known for decides the resolution.
        let found = lookups::find_phone(&state, &scope, &call.caller).await?;
        call.resolved = if !found.passes.is_empty() {
            CallResolved::Pass
        } else if !found.visits.is_empty() {
            CallResolved::Visitor
        } else if !found.stays.is_empty() {
            CallResolved::Stays
        } else {
            CallResolved::Nothing
        };
        call.lot_id = found
            .passes
            .first()
            .map(|p| p.lot_id.clone())
            .or_else(|| found.visits.first().map(|v| v.lot_id.clone()));
    }
    if let Err(e) = cases::insert_call(&mut *tx, &call).await {
        if crate::db::is_unique_violation(&e) {
            drop(tx);
            if let Some(id) = external
                && let Some(call) = cases::call_by_external(pool, &owner, id).await?
            {
                return answer_of(&state, &scope, call, true).await;
            }
        }
        return Err(e.into());
    }
    tx.commit().await?;
    answer_of(&state, &scope, call, false).await
}

/// A recorded call as the seat's agent sees it: the robot and its case,
/// or the driver's data (the lookup recorded in the access log, as the
/// agent's).
async fn answer_of(
    state: &AppState,
    scope: &[LotRow],
    call: CallRow,
    replayed: bool,
) -> Result<axum::Json<CallAnswer>, ApiError> {
    let agent_id = call.agent_id.clone().unwrap_or_default();
    let mut answer = CallAnswer {
        call_id: call.id.clone(),
        seat: call.seat.clone(),
        agent_id: agent_id.clone(),
        resolved: call.resolved,
        replayed,
        robot: None,
        case: None,
        driver: PhoneFindings {
            phone: call.caller.clone(),
            ..PhoneFindings::default()
        },
    };
    match (&call.case_id, &call.lot_id) {
        (Some(case_id), Some(lot_id)) => {
            let lot = scope
                .iter()
                .find(|l| &l.id == lot_id)
                .ok_or_else(|| ApiError::not_found(format!("lot `{lot_id}` not found")))?;
            if let Some(row) = cases::case(state.db.pool(), case_id).await? {
                let case = view(state, lot, row, true).await?;
                answer.robot = case.robot_id.clone().map(|robot_id| CallingRobot {
                    lot_id: case.lot_id.clone(),
                    robot_id,
                    gate_id: case.gate_id.clone(),
                    name: case.robot_name.clone(),
                });
                answer.case = Some(case);
            }
        }
        _ if call.resolved != CallResolved::Nothing => {
            answer.driver = lookups::find_phone(state, scope, &call.caller).await?;
            if !replayed {
                let owner = Caller::Agent {
                    agent_id: agent_id.clone(),
                    owner_id: call.owner_id.clone(),
                };
                lookups::record(
                    state,
                    &owner,
                    call.lot_id.as_deref(),
                    LookupKind::Phone,
                    &call.caller,
                    answer.driver.count(),
                    None,
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(axum::Json(answer))
}
