//! The robots at a lot's gates (owners): each gets a token bound to its
//! gate, shown once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Robot, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::check_id;
use super::json::Json;
use crate::db::lots::RobotRow;
use crate::db::owners::NewToken;
use crate::db::types::Role;
use crate::db::{self, ids};
use crate::domain::pipeline::Site;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(config, OpenApiRouter::new().routes(routes!(create_robot)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRobot {
    pub id: String,
    /// The gate the robot stands at.
    pub gate_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RobotCreated {
    pub id: String,
    pub gate_id: String,
    /// The robot's token: shown once, stored only as a hash.
    pub token: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/robots", tag = "owners", params(("lot" = String, Path)), request_body = NewRobot,
    responses((status = 201, body = RobotCreated), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_robot(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewRobot>,
) -> Result<(StatusCode, axum::Json<RobotCreated>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    check_id("id", &req.id)?;
    let Some(gate) = db::lots::gate(state.db.pool(), &lot.id, &req.gate_id).await? else {
        return Err(ApiError::field(
            "gate_id",
            format!("lot `{}` has no gate `{}`", lot.id, req.gate_id),
        ));
    };
    let now = state.clock.now_ms();
    let (token, hash) = ids::token(Role::Robot)?;
    let robot = RobotRow {
        lot_id: lot.id.clone(),
        id: req.id.clone(),
        gate_id: req.gate_id.clone(),
    };
    let mut tx = state.db.write().await?;
    if let Err(e) = db::lots::insert_robot(&mut *tx, &robot, now).await {
        return Err(if db::is_unique_violation(&e) {
            ApiError::Conflict(format!("robot `{}` exists", req.id))
        } else {
            e.into()
        });
    }
    let scope = NewToken::robot(&hash, owner, &lot.id, &req.id);
    db::owners::insert_token(&mut *tx, &scope, now).await?;
    tx.commit().await?;
    // Known from now on, even if the database fails before its first event.
    let robot = Caller::Robot(Box::new(Robot {
        owner_id: owner.to_owned(),
        robot_id: req.id.clone(),
        site: Site { lot, gate },
    }));
    state.robots_seen.remember(&hash, &robot);
    Ok((
        StatusCode::CREATED,
        axum::Json(RobotCreated {
            id: req.id,
            gate_id: req.gate_id,
            token,
        }),
    ))
}
