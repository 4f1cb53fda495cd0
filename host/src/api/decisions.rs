//! The decision log of a lot: every decision, with the policy version, the
//! input's trace and the timing; and the events robots were answered with
//! the fallback while storage failed, written once it worked again.

use crate::api::query::Query;
use axum::extract::{Path, State};
use boomgate_engine::sdk::{Decision, Direction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, rfc3339};
use crate::db::decisions::{self, DecisionRow};
use crate::db::types::Source;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(list_decisions))
            .routes(routes!(list_storage_faults)),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionsQuery {
    /// Only this gate.
    pub gate: Option<String>,
    /// Only this plate.
    pub plate: Option<String>,
    /// Only decisions with this reason, e.g. `payment_required`.
    pub reason: Option<String>,
    /// Only decisions this policy version made.
    pub version: Option<i64>,
    /// Decisions older than this decision id (for paging).
    pub before: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// A recorded decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRecord {
    pub id: String,
    pub gate_id: String,
    pub direction: Direction,
    pub plate: Option<String>,
    /// `robot` or `agent`.
    pub source: Source,
    pub event_id: Option<String>,
    pub policy_version: Option<i64>,
    pub decision: Decision,
    /// Why the fallback was given, if the policy failed.
    pub fault: Option<String>,
    pub evaluation_us: i64,
    /// The decision this one replaced (an agent's correction).
    pub supersedes: Option<String>,
    /// Who decided, for decisions by people: `agent:<id>` or `owner:<id>`.
    pub decided_by: Option<String>,
    /// RFC 3339 (UTC).
    pub created_at: String,
}

impl TryFrom<DecisionRow> for DecisionRecord {
    type Error = anyhow::Error;
    fn try_from(row: DecisionRow) -> anyhow::Result<Self> {
        Ok(DecisionRecord {
            decision: row.decision()?,
            id: row.id,
            gate_id: row.gate_id,
            direction: row.direction,
            plate: row.plate,
            source: row.source,
            event_id: row.event_id,
            policy_version: row.policy_version,
            fault: row.fault,
            evaluation_us: row.evaluation_us,
            supersedes: row.supersedes,
            decided_by: row.agent_id,
            created_at: rfc3339(row.created_at),
        })
    }
}

#[utoipa::path(get, path = "/v1/lots/{lot}/decisions", tag = "agents", summary = "Search a lot's decision log, newest first", params(("lot" = String, Path), DecisionsQuery),
    responses((status = 200, description = "Newest first", body = Vec<DecisionRecord>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_decisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<DecisionsQuery>,
) -> Result<axum::Json<Vec<DecisionRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let plate = match query.plate.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(fields::plate("plate", p)?),
        None => None,
    };
    let filter = decisions::DecisionFilter {
        gate: query.gate.as_deref(),
        plate: plate.as_ref().map(|p| p.as_str()),
        reason: query.reason.as_deref(),
        version: query.version,
        before: query.before.as_deref(),
    };
    let rows = decisions::decisions(state.db.pool(), &lot.id, &filter, limit).await?;
    let records: anyhow::Result<Vec<DecisionRecord>> =
        rows.into_iter().map(DecisionRecord::try_from).collect();
    Ok(axum::Json(records?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StorageFaultsQuery {
    /// At most this many, newest first (default 50, at most 500).
    pub limit: Option<i64>,
}

/// An event a robot was answered with the fallback (hold, escalate,
/// reason `storage_fault`) because storage failed: nothing of it was
/// recorded then; this is written once storage works again.
#[derive(Debug, Serialize, ToSchema)]
pub struct StorageFault {
    pub robot_id: String,
    pub event_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    /// When the read happened, RFC 3339 in the lot's local time.
    pub occurred_at: String,
    /// What failed.
    pub fault: String,
    /// When the robot was answered, RFC 3339 (UTC).
    pub answered_at: String,
    /// When this was written, RFC 3339 (UTC).
    pub recorded_at: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/storage-faults", tag = "agents", summary = "List events answered with the fallback while storage failed",
    params(("lot" = String, Path), StorageFaultsQuery),
    responses((status = 200, description = "Newest first", body = Vec<StorageFault>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_storage_faults(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<StorageFaultsQuery>,
) -> Result<axum::Json<Vec<StorageFault>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let rows = decisions::storage_faults(state.db.pool(), &lot.id, limit).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| StorageFault {
                occurred_at: lot.zone.local(r.occurred_at).to_string(),
                robot_id: r.robot_id,
                event_id: r.event_id,
                gate_id: r.gate_id,
                plate: r.plate,
                fault: r.fault,
                answered_at: rfc3339(r.answered_at),
                recorded_at: rfc3339(r.recorded_at),
            })
            .collect(),
    ))
}
