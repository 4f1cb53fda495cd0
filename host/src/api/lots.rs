//! Lots, their gates and the robots bound to them (owners).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::Currency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::json::Json;
use crate::auth::{Caller, owned_lot};
use crate::db::{self, LotRow, NewToken};
use crate::ids;
use crate::state::AppState;
use crate::tz::LotZone;

/// Checks an id given by a client: 1 to 64 letters, digits, `-`, `_`, `.`.
pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            format!("`{id}` is not an id (1 to 64 letters, digits, `-`, `_`, `.`)"),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLot {
    pub id: String,
    pub name: String,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
    /// Who to call in an emergency, e.g. `张三 13000000000`.
    #[serde(default)]
    pub emergency_contact: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lot {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub emergency_contact: Option<String>,
    /// The active policy version, if any.
    pub active_version: Option<i64>,
}

impl From<LotRow> for Lot {
    fn from(row: LotRow) -> Self {
        Lot {
            id: row.id,
            name: row.name,
            timezone: row.timezone,
            currency: row.currency,
            emergency_contact: row.emergency_contact,
            active_version: row.active_version,
        }
    }
}

#[utoipa::path(post, path = "/v1/lots", tag = "owners", request_body = NewLot,
    responses((status = 201, body = Lot), (status = 400, body = ErrorBody), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_lot(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewLot>,
) -> Result<(StatusCode, axum::Json<Lot>), ApiError> {
    let owner = caller.owner()?;
    check_id("id", &req.id)?;
    if req.name.trim().is_empty() || req.name.chars().count() > 200 {
        return Err(ApiError::field("name", "must be 1 to 200 characters"));
    }
    LotZone::parse(&req.timezone).map_err(|e| ApiError::field("timezone", e))?;
    Currency::parse(&req.currency).map_err(|e| ApiError::field("currency", e))?;
    let row = LotRow {
        id: req.id,
        owner_id: owner.to_owned(),
        name: req.name.trim().to_owned(),
        timezone: req.timezone,
        currency: req.currency,
        emergency_contact: req.emergency_contact,
        active_version: None,
        created_at: state.clock.now_ms(),
    };
    match db::insert_lot(state.db.pool(), &row).await {
        Ok(()) => Ok((StatusCode::CREATED, axum::Json(row.into()))),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ApiError::Conflict(format!("lot id `{}` is taken", row.id)))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/v1/lots", tag = "owners",
    responses((status = 200, body = Vec<Lot>)), security(("bearer" = [])))]
pub async fn list_lots(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Lot>>, ApiError> {
    let owner = caller.owner()?;
    let lots = db::lots_of_owner(state.db.pool(), owner).await?;
    Ok(axum::Json(lots.into_iter().map(Lot::from).collect()))
}

#[utoipa::path(get, path = "/v1/lots/{lot}", tag = "owners", params(("lot" = String, Path)),
    responses((status = 200, body = Lot), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_lot(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Lot>, ApiError> {
    let owner = caller.owner()?;
    Ok(axum::Json(owned_lot(&state, owner, &lot).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGate {
    pub id: String,
    /// `entry` or `exit`.
    pub direction: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Gate {
    pub id: String,
    pub direction: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates", tag = "owners", params(("lot" = String, Path)), request_body = NewGate,
    responses((status = 201, body = Gate), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_gate(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewGate>,
) -> Result<(StatusCode, axum::Json<Gate>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    check_id("id", &req.id)?;
    if !matches!(req.direction.as_str(), "entry" | "exit") {
        return Err(ApiError::field(
            "direction",
            format!("`{}` is neither `entry` nor `exit`", req.direction),
        ));
    }
    match db::insert_gate(
        state.db.pool(),
        &lot.id,
        &req.id,
        &req.direction,
        state.clock.now_ms(),
    )
    .await
    {
        Ok(()) => Ok((
            StatusCode::CREATED,
            axum::Json(Gate {
                id: req.id,
                direction: req.direction,
            }),
        )),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ApiError::Conflict(format!("gate `{}` exists", req.id)))
        }
        Err(e) => Err(e.into()),
    }
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
    if db::gate(state.db.pool(), &lot.id, &req.gate_id)
        .await?
        .is_none()
    {
        return Err(ApiError::field(
            "gate_id",
            format!("lot `{}` has no gate `{}`", lot.id, req.gate_id),
        ));
    }
    let now = state.clock.now_ms();
    let (token, hash) = ids::token("robot")?;
    let mut tx = state.db.write().await?;
    if let Err(e) = db::insert_robot(&mut *tx, &lot.id, &req.id, &req.gate_id, now).await {
        return Err(if db::is_unique_violation(&e) {
            ApiError::Conflict(format!("robot `{}` exists", req.id))
        } else {
            e.into()
        });
    }
    let scope = NewToken {
        hash: &hash,
        role: "robot",
        owner_id: owner,
        lot_id: Some(&lot.id),
        robot_id: Some(&req.id),
        agent_id: None,
    };
    db::insert_token(&mut *tx, &scope, now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RobotCreated {
            id: req.id,
            gate_id: req.gate_id,
            token,
        }),
    ))
}
