//! A lot's gates (owners): where robots stand and vehicles pass one way.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::Direction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::check_id;
use super::json::Json;
use crate::db::{self, lots::GateRow};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(config, OpenApiRouter::new().routes(routes!(create_gate)))
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

#[utoipa::path(post, path = "/v1/lots/{lot}/gates", tag = "owners", params(("lot" = String, Path)), request_body = NewGate,
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
