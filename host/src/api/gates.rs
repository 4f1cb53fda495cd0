//! A lot's gates (owners): where robots stand and vehicles pass one way.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::Direction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::check_id;
use super::json::Json;
use crate::db::{self, lots::GateRow};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(create_gate, list_gates))
            .routes(routes!(update_gate)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGate {
    pub id: String,
    /// `entry` or `exit`.
    pub direction: String,
    /// This gate's debounce window in seconds, instead of the lot's.
    #[serde(default)]
    pub debounce_seconds: Option<i64>,
}

/// A gate of a lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct GateRecord {
    pub id: String,
    pub direction: Direction,
    pub debounce_seconds: Option<i64>,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates", tag = "owners", summary = "Add a gate to a lot", params(("lot" = String, Path)), request_body = NewGate,
    responses((status = 201, body = GateRecord), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_gate(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewGate>,
) -> Result<(StatusCode, axum::Json<GateRecord>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    check_id("id", &req.id)?;
    let direction = req.direction.parse::<Direction>().map_err(|_| {
        ApiError::field(
            "direction",
            format!("`{}` is neither `entry` nor `exit`", req.direction),
        )
    })?;
    super::lots::debounce("debounce_seconds", req.debounce_seconds)?;
    let gate = GateRow {
        lot_id: lot.id,
        id: req.id,
        direction,
        debounce_seconds: req.debounce_seconds,
    };
    match db::lots::insert_gate(state.db.pool(), &gate, state.clock.now_ms()).await {
        Ok(()) => Ok((
            StatusCode::CREATED,
            axum::Json(GateRecord {
                id: gate.id,
                direction,
                debounce_seconds: gate.debounce_seconds,
            }),
        )),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ApiError::Conflict(format!("gate `{}` exists", gate.id)))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/v1/lots/{lot}/gates", tag = "agents", summary = "List a lot's gates", params(("lot" = String, Path)),
    responses((status = 200, description = "The lot's gates, by id", body = Vec<GateRecord>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_gates(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<GateRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let gates = db::lots::gates(state.db.pool(), &lot.id).await?;
    Ok(axum::Json(
        gates
            .into_iter()
            .map(|g| GateRecord {
                id: g.id,
                direction: g.direction,
                debounce_seconds: g.debounce_seconds,
            })
            .collect(),
    ))
}

/// What an owner changes of a gate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateUpdate {
    /// The gate's own debounce window in seconds; `null`: the lot's.
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<i64>)]
    pub debounce_seconds: Option<Option<i64>>,
}

#[utoipa::path(patch, path = "/v1/lots/{lot}/gates/{gate}", tag = "owners", summary = "Change a gate's debounce window",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = GateUpdate,
    responses((status = 200, body = GateRecord), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_gate(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<GateUpdate>,
) -> Result<axum::Json<GateRecord>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let gate = super::fields::gate_of(&state, &lot.id, &gate).await?;
    let mut debounce_seconds = gate.debounce_seconds;
    if let Some(seconds) = req.debounce_seconds {
        super::lots::debounce("debounce_seconds", seconds)?;
        db::lots::set_gate_debounce(state.db.pool(), &lot.id, &gate.id, seconds).await?;
        debounce_seconds = seconds;
    }
    Ok(axum::Json(GateRecord {
        id: gate.id,
        direction: gate.direction,
        debounce_seconds,
    }))
}
