//! The app platform (seed 000, "주차패스 등록되었으나 pick 미생성"): where a
//! lot does not make picks automatically, the app asks the driver "지금
//! 주차중이신가요?" after entry; the driver confirms and the app creates the
//! pick for the stay, so the exit pays itself. Each parker may also choose
//! automatic picks for themselves ("주차패스 픽 자동생성"), which the lot's
//! policy is told. The app platform calls these with its own `app` token;
//! owners may too.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, service_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use crate::db::ids::new_id;
use crate::db::types::Role;
use crate::db::{passes, stays};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(parked))
            .routes(routes!(confirm_pick))
            .routes(routes!(set_auto_pick))
            .routes(routes!(list_parkers)),
    )
}

/// Whether a registered car is parked in the lot now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Parked {
    pub plate: String,
    /// Whether the car is registered for the parking pass here.
    pub registered: bool,
    /// The parker's own choice of automatic picks; null: the lot's.
    pub auto_pick: Option<bool>,
    /// Whether it is inside now (it has an open stay).
    pub parked: bool,
    pub session_id: Option<String>,
    /// RFC 3339, the lot's local time.
    pub entered_at: Option<String>,
    /// Whether the stay has a pick (it pays itself at the exit).
    pub pick: bool,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/parking/{plate}", tag = "app", summary = "Whether a plate has a parking pass and is parked in the lot now",
    params(("lot" = String, Path), ("plate" = String, Path)),
    responses((status = 200, body = Parked), (status = 400, body = ErrorBody),
        (status = 403, description = "Not an app or owner token", body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn parked(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, plate)): Path<(String, String)>,
) -> Result<axum::Json<Parked>, ApiError> {
    let lot = service_lot(&state, &caller, Role::App, &lot).await?;
    let plate = fields::plate("plate", &plate)?;
    let pool = state.db.pool();
    let pass = passes::parking_pass(pool, &lot.id, &plate).await?;
    let stay = stays::open_session(pool, &lot.id, &plate).await?;
    Ok(axum::Json(Parked {
        plate: plate.into_string(),
        registered: pass.is_some(),
        auto_pick: pass.as_ref().and_then(passes::ParkingPassRow::auto_pick),
        parked: stay.is_some(),
        entered_at: stay
            .as_ref()
            .map(|s| lot.zone.local(s.entered_at).to_string()),
        pick: stay.as_ref().is_some_and(|s| s.pick_id.is_some()),
        session_id: stay.map(|s| s.id),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PickConfirmed {
    pub session_id: String,
    pub pick_id: String,
    /// False when the stay already had its pick (a pick confirmed twice is
    /// one pick).
    pub created: bool,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/parking/{plate}/pick", tag = "app", summary = "Confirm a parker's stay: create its pick so the exit pays itself",
    params(("lot" = String, Path), ("plate" = String, Path)),
    responses((status = 201, description = "The pick was created", body = PickConfirmed),
        (status = 200, description = "The stay already had its pick", body = PickConfirmed),
        (status = 404, description = "Not registered, or not parked now", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn confirm_pick(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, plate)): Path<(String, String)>,
) -> Result<(StatusCode, axum::Json<PickConfirmed>), ApiError> {
    let lot = service_lot(&state, &caller, Role::App, &lot).await?;
    let plate = fields::plate("plate", &plate)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    if passes::parking_pass(&mut *tx, &lot.id, &plate)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "`{plate}` has no parking pass in lot `{}`: register it first",
            lot.id
        )));
    }
    let stay = stays::open_session(&mut *tx, &lot.id, &plate)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("`{plate}` is not parked in lot `{}` now", lot.id))
        })?;
    if let Some(pick) = stay.pick_id {
        tx.rollback().await;
        let confirmed = PickConfirmed {
            session_id: stay.id,
            pick_id: pick,
            created: false,
        };
        return Ok((StatusCode::OK, axum::Json(confirmed)));
    }
    let pick = new_id("pck", now);
    stays::insert_pick(&mut tx, &pick, &lot.id, &stay.id, &plate, now).await?;
    tx.commit().await?;
    let confirmed = PickConfirmed {
        session_id: stay.id,
        pick_id: pick,
        created: true,
    };
    Ok((StatusCode::CREATED, axum::Json(confirmed)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoPick {
    /// Make a pick at every entry (true), let the parker confirm in the
    /// app (false), or follow the lot's settings (null).
    pub auto_pick: Option<bool>,
}

#[utoipa::path(put, path = "/v1/lots/{lot}/parking/{plate}/auto-pick", tag = "app", summary = "Set a parker's own choice of automatic picks",
    params(("lot" = String, Path), ("plate" = String, Path)), request_body = AutoPick,
    responses((status = 200, body = Parker), (status = 404, description = "Not registered", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_auto_pick(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, plate)): Path<(String, String)>,
    Json(req): Json<AutoPick>,
) -> Result<axum::Json<Parker>, ApiError> {
    let lot = service_lot(&state, &caller, Role::App, &lot).await?;
    let plate = fields::plate("plate", &plate)?;
    if !passes::set_auto_pick(state.db.pool(), &lot.id, &plate, req.auto_pick).await? {
        return Err(ApiError::not_found(format!(
            "`{plate}` has no parking pass in lot `{}`",
            lot.id
        )));
    }
    let pass = passes::parking_pass(state.db.pool(), &lot.id, &plate)
        .await?
        .ok_or_else(|| anyhow::anyhow!("parking pass vanished"))?;
    Ok(axum::Json(Parker::new(
        &lot,
        pass,
        lot_auto_pick(&state, &lot.id),
    )))
}

/// A registered parker, as the owner's admin shows it ("주차어드민 - 주차자
/// 정보 - 요약정보 - 주차패스 픽 자동생성").
#[derive(Debug, Serialize, ToSchema)]
pub struct Parker {
    pub plate: String,
    /// RFC 3339, the lot's local time.
    pub registered_at: String,
    /// The parker's own choice; null: the lot's.
    pub auto_pick: Option<bool>,
    /// Whether picks are made at every entry for this parker, all told.
    pub picks_automatically: bool,
}

impl Parker {
    fn new(lot: &crate::db::lots::LotRow, pass: passes::ParkingPassRow, lot_auto: bool) -> Parker {
        let auto_pick = pass.auto_pick();
        Parker {
            plate: pass.plate,
            registered_at: lot.zone.local(pass.registered_at).to_string(),
            picks_automatically: auto_pick.unwrap_or(lot_auto),
            auto_pick,
        }
    }
}

/// Whether the lot's active settings make picks automatically.
fn lot_auto_pick(state: &AppState, lot: &str) -> bool {
    state
        .registry
        .active(lot)
        .and_then(|a| {
            a.policy
                .settings()
                .get("auto_pick")
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(false)
}

/// A lot's registered parkers and whether it makes picks automatically.
#[derive(Debug, Serialize, ToSchema)]
pub struct Parkers {
    /// The lot's own choice (its active settings' `auto_pick`): what a
    /// parker who has not chosen gets.
    pub picks_automatically: bool,
    /// By plate.
    pub parkers: Vec<Parker>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/parkers", tag = "owners", summary = "List a lot's registered parkers and their automatic picks", params(("lot" = String, Path)),
    responses((status = 200, body = Parkers), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_parkers(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Parkers>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let lot_auto = lot_auto_pick(&state, &lot.id);
    let parkers = passes::parking_passes(state.db.pool(), &lot.id)
        .await?
        .into_iter()
        .map(|p| Parker::new(&lot, p, lot_auto))
        .collect();
    Ok(axum::Json(Parkers {
        picks_automatically: lot_auto,
        parkers,
    }))
}
