//! What a gate robot's kiosk reports besides plates (PRODUCT.md P19, seed
//! 001 §2.1 and §2.3): heartbeats with the state of its devices, the call
//! button (which opens its gate's case), and the photos it takes — scene
//! snapshots from the environment camera and ID-camera captures — which
//! agents attach as evidence.

use crate::api::query::Query;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Robot};
use super::error::{ApiError, ErrorBody};
use super::json::Json;
use super::photos::{Image, PhotoStored, store};
use crate::db::decisions;
use crate::db::devices::{self, CaptureRow, HealthRow};
use crate::db::ids::new_id;
use crate::db::types::{CaptureKind, CaseOrigin, DeviceState, Power};
use crate::domain::cases;
use crate::domain::health::{self, Status};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    let captures = OpenApiRouter::new()
        .routes(routes!(upload_capture))
        .layer(DefaultBodyLimit::max(config.photo_limit));
    captures.merge(super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(heartbeat))
            .routes(routes!(call_button)),
    ))
}

fn up() -> DeviceState {
    DeviceState::Up
}

fn mains() -> Power {
    Power::Mains
}

/// What a kiosk knows of itself.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatRequest {
    /// The robot's lot and id as it knows them, when it says: a heartbeat
    /// for another robot than the token's is refused (403).
    #[serde(default)]
    pub lot_id: Option<String>,
    #[serde(default)]
    pub robot_id: Option<String>,
    /// `mains`, or `battery` in a power cut.
    #[serde(default = "mains")]
    pub power: Power,
    /// The battery's charge, 0 to 100.
    #[serde(default)]
    pub battery_percent: Option<i64>,
    /// `up`, `down` or `absent`, each.
    #[serde(default = "up")]
    pub lpr_camera: DeviceState,
    #[serde(default = "up")]
    pub environment_camera: DeviceState,
    #[serde(default = "up")]
    pub barrier: DeviceState,
    #[serde(default = "up")]
    pub display: DeviceState,
    /// The kiosk software's version.
    #[serde(default)]
    pub app_version: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeartbeatAnswer {
    /// `online` or `degraded`, as staff now see the robot.
    pub status: Status,
    /// What is wrong, e.g. `lpr_camera down`.
    pub problems: Vec<String>,
    /// Send the next heartbeat within this many seconds.
    pub next_heartbeat_seconds: i64,
    /// The robot is offline after this many seconds without one.
    pub offline_after_seconds: i64,
}

/// 403 when a kiosk names another robot than its token's.
fn same_robot(robot: &Robot, lot: Option<&str>, id: Option<&str>) -> Result<(), ApiError> {
    let lot_differs = lot.is_some_and(|l| l != robot.lot_id());
    let id_differs = id.is_some_and(|r| r != robot.robot_id);
    if lot_differs || id_differs {
        return Err(ApiError::Forbidden(format!(
            "this token is robot `{}` of lot `{}`, not robot `{}` of lot `{}`",
            robot.robot_id,
            robot.lot_id(),
            id.unwrap_or(&robot.robot_id),
            lot.unwrap_or(robot.lot_id())
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/robot/heartbeat", tag = "robots", summary = "Report a robot's heartbeat with the state of its devices", request_body = HeartbeatRequest,
    responses((status = 200, body = HeartbeatAnswer), (status = 400, body = ErrorBody),
        (status = 401, description = "No token, a wrong one, or a retired robot's", body = ErrorBody),
        (status = 403, description = "Not a robot token, or the heartbeat names another robot", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn heartbeat(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<HeartbeatRequest>,
) -> Result<axum::Json<HeartbeatAnswer>, ApiError> {
    let robot = caller.robot()?;
    same_robot(robot, req.lot_id.as_deref(), req.robot_id.as_deref())?;
    if let Some(p) = req.battery_percent
        && !(0..=100).contains(&p)
    {
        return Err(ApiError::field(
            "battery_percent",
            format!("{p} is not between 0 and 100"),
        ));
    }
    let app_version = super::fields::optional_text("app_version", Some(&req.app_version), 50)?
        .flatten()
        .map(str::to_owned);
    let now = state.clock.now_ms();
    let row = HealthRow {
        lot_id: robot.lot_id().to_owned(),
        robot_id: robot.robot_id.clone(),
        gate_id: robot.gate_id().to_owned(),
        heartbeat_at: now,
        power: req.power,
        battery_percent: req.battery_percent,
        lpr_camera: req.lpr_camera,
        environment_camera: req.environment_camera,
        barrier: req.barrier,
        display: req.display,
        app_version,
    };
    let mut tx = state.db.write().await?;
    devices::record_heartbeat(&mut *tx, &row).await?;
    tx.commit().await?;
    let (status, problems) = health::status(Some(&row), now, state.config.robot_offline_seconds);
    Ok(axum::Json(HeartbeatAnswer {
        status,
        problems,
        next_heartbeat_seconds: state.config.heartbeat_seconds,
        offline_after_seconds: state.config.robot_offline_seconds,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// A commissioning test (seed 001 §2.1.3): it reaches the desk as a
    /// test case, apart from real ones.
    #[serde(default)]
    pub test: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallAnswer {
    pub case_id: String,
    /// False when the gate's case was open already (the button was
    /// pressed again, or a decision escalated it first).
    pub opened: bool,
    /// What the robot says while the driver waits.
    pub voice: String,
}

#[utoipa::path(post, path = "/v1/robot/call", tag = "robots", summary = "Report a robot's call button press: open its gate's case", request_body(content = Option<CallRequest>, description = "Optional: `{\"test\": true}` for a commissioning test"),
    responses((status = 200, description = "The gate's case, opened now or open already", body = CallAnswer),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn call_button(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<axum::Json<CallAnswer>, ApiError> {
    let robot = caller.robot()?;
    // The button alone sends no body.
    let test = match body.iter().all(u8::is_ascii_whitespace) {
        true => false,
        false => super::json::parse::<CallRequest>(&body)?.test,
    };
    let lot = robot.lot_id();
    let gate = robot.gate_id();
    // The event waiting at the gate is its latest decision, if that holds.
    let held = decisions::latest_hold(state.db.pool(), lot, gate).await?;
    let now = state.clock.now_ms();
    let by = caller.label();
    let opening = cases::Opening {
        lot,
        gate,
        robot: Some(&robot.robot_id),
        origin: CaseOrigin::CallButton,
        test,
        decision: held.as_ref().map(|d| d.id.as_str()),
        plate: held.as_ref().and_then(|d| d.plate.as_deref()),
        by: &by,
        detail: Some(if test { "test call" } else { "call button" }.to_owned()),
    };
    let mut tx = state.db.write().await?;
    let (case, opened) = cases::open(&mut tx, &opening, now).await?;
    tx.commit().await?;
    if opened {
        state
            .metrics
            .case_opened(lot, CaseOrigin::CallButton.as_str());
    }
    Ok(axum::Json(CallAnswer {
        case_id: case.id,
        opened,
        voice: "正在为您联系客服，请稍候".to_owned(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaptureQuery {
    /// `scene` (the environment camera's snapshot, the default) or
    /// `id_card` (a document held up to the ID camera).
    pub kind: Option<CaptureKind>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureStored {
    pub id: String,
    pub kind: CaptureKind,
    /// sha256 of the image: what an abnormal opening's `id_photos` or
    /// `scene_photos` names to attach it as evidence.
    pub digest: String,
    /// Where staff read it.
    pub url: String,
}

#[utoipa::path(post, path = "/v1/robot/captures", tag = "robots", summary = "Upload a robot's scene snapshot or ID-camera capture", params(CaptureQuery),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "A JPEG or PNG image the robot took at its gate"),
    responses((status = 201, body = CaptureStored), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_capture(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<CaptureQuery>,
    image: Image,
) -> Result<(StatusCode, axum::Json<CaptureStored>), ApiError> {
    let robot = caller.robot()?;
    let kind = query.kind.unwrap_or(CaptureKind::Scene);
    let PhotoStored { digest, url } =
        store(&state, robot.lot_id(), &image, &caller.label()).await?;
    let now = state.clock.now_ms();
    let row = CaptureRow {
        id: new_id("cap", now),
        lot_id: robot.lot_id().to_owned(),
        gate_id: robot.gate_id().to_owned(),
        robot_id: robot.robot_id.clone(),
        kind,
        digest: digest.clone(),
        created_at: now,
    };
    devices::insert_capture(state.db.pool(), &row).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CaptureStored {
            id: row.id,
            kind,
            digest,
            url,
        }),
    ))
}
