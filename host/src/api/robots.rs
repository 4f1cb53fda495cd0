//! The robots at a lot's gates and their cameras (owners; seed 001 §2.1):
//! a robot has a name, the maker's factory code, its SIM's phone number and
//! a gate; it gets a token bound to it, shown once, which can be rotated;
//! a retired robot's token stops working. Staff read each robot's state
//! from its heartbeats.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Robot, owned_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, check_id, nullable};
use super::json::Json;
use crate::db::devices::{self, CameraRow, HealthRow};
use crate::db::lots::{LotRow, RobotChanges, RobotRow};
use crate::db::owners::NewToken;
use crate::db::types::{CameraKind, DeviceState, Power, Role};
use crate::db::{self, ids};
use crate::domain::health::{self, Status};
use crate::domain::pipeline::Site;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(create_robot, list_robots))
            .routes(routes!(update_robot))
            .routes(routes!(retire_robot))
            .routes(routes!(rotate_robot_token))
            .routes(routes!(robot_tests))
            .routes(routes!(create_camera, list_cameras))
            .routes(routes!(delete_camera)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRobot {
    pub id: String,
    /// The gate the robot stands at.
    pub gate_id: String,
    /// What people call it, e.g. `北门出口`.
    #[serde(default)]
    pub name: Option<String>,
    /// The maker's serial number (出厂编码).
    #[serde(default)]
    pub factory_code: Option<String>,
    /// Its SIM's phone number: a call from it opens its gate's case.
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RobotCreated {
    pub id: String,
    pub gate_id: String,
    /// The robot's token: shown once, stored only as a hash.
    pub token: String,
}

/// A robot's latest heartbeat, as staff read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Heartbeat {
    /// RFC 3339, the lot's local time.
    pub at: String,
    /// Seconds since it, as of this answer.
    pub age_seconds: i64,
    pub power: Power,
    pub battery_percent: Option<i64>,
    pub lpr_camera: DeviceState,
    pub environment_camera: DeviceState,
    pub barrier: DeviceState,
    pub display: DeviceState,
    pub app_version: Option<String>,
}

/// A camera at a robot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Camera {
    pub id: String,
    pub robot_id: String,
    pub kind: CameraKind,
    pub name: String,
    pub vendor_id: Option<String>,
    pub snapshot_url: Option<String>,
    pub stream_url: Option<String>,
}

impl From<CameraRow> for Camera {
    fn from(c: CameraRow) -> Camera {
        Camera {
            id: c.id,
            robot_id: c.robot_id,
            kind: c.kind,
            name: c.name,
            vendor_id: c.vendor_id,
            snapshot_url: c.snapshot_url,
            stream_url: c.stream_url,
        }
    }
}

/// A robot, its state and its cameras.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RobotView {
    pub id: String,
    pub gate_id: String,
    pub name: Option<String>,
    pub factory_code: Option<String>,
    /// Its SIM's number, digits only.
    pub phone: Option<String>,
    /// `active`, or `retired` (its token no longer works).
    pub state: RobotState,
    /// From its heartbeats: `online`, `degraded` or `offline`; retired
    /// robots are `offline`.
    pub status: Status,
    /// What is wrong, e.g. `lpr_camera down`, `no heartbeat for 95 s`.
    pub problems: Vec<String>,
    pub heartbeat: Option<Heartbeat>,
    /// When it last sent a plate event, RFC 3339 in the lot's local time.
    pub last_event_at: Option<String>,
    pub cameras: Vec<Camera>,
    /// RFC 3339, the lot's local time.
    pub retired_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RobotState {
    Active,
    Retired,
}

/// Whether a robot's view says when it last sent a plate event: a search of
/// every event of the lot, for the views that show it, not for the
/// congestion list agents poll, which does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastEvents {
    Read,
    Skip,
}

/// Every robot of a lot as staff see it, by gate and id.
pub async fn robot_views(
    state: &AppState,
    lot: &LotRow,
    last_events: LastEvents,
) -> Result<Vec<RobotView>, ApiError> {
    let pool = state.db.pool();
    let zone = &lot.zone;
    let now = state.clock.now_ms();
    let beats: HashMap<String, HealthRow> = devices::health_of_lot(pool, &lot.id)
        .await?
        .into_iter()
        .map(|h| (h.robot_id.clone(), h))
        .collect();
    let events: HashMap<String, i64> = match last_events {
        LastEvents::Read => db::lots::robots_last_seen(pool, &lot.id)
            .await?
            .into_iter()
            .collect(),
        LastEvents::Skip => HashMap::new(),
    };
    let mut cameras: HashMap<String, Vec<Camera>> = HashMap::new();
    for c in devices::cameras(pool, &lot.id).await? {
        cameras
            .entry(c.robot_id.clone())
            .or_default()
            .push(c.into());
    }
    let mut out = Vec::new();
    for r in db::lots::robots(pool, &lot.id).await? {
        let beat = beats.get(&r.id);
        let (status, problems) = match r.retired_at {
            Some(_) => (Status::Offline, vec!["retired".to_owned()]),
            None => health::status(beat, now, state.config.robot_offline_seconds),
        };
        out.push(RobotView {
            heartbeat: beat.map(|h| Heartbeat {
                at: zone.local(h.heartbeat_at).to_string(),
                age_seconds: (now - h.heartbeat_at) / 1000,
                power: h.power,
                battery_percent: h.battery_percent,
                lpr_camera: h.lpr_camera,
                environment_camera: h.environment_camera,
                barrier: h.barrier,
                display: h.display,
                app_version: h.app_version.clone(),
            }),
            last_event_at: events.get(&r.id).map(|&t| zone.local(t).to_string()),
            cameras: cameras.remove(&r.id).unwrap_or_default(),
            state: match r.retired_at {
                Some(_) => RobotState::Retired,
                None => RobotState::Active,
            },
            retired_at: r.retired_at.map(|t| zone.local(t).to_string()),
            status,
            problems,
            id: r.id,
            gate_id: r.gate_id,
            name: r.name,
            factory_code: r.factory_code,
            phone: r.phone,
        });
    }
    out.sort_by(|a, b| a.gate_id.cmp(&b.gate_id).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// A change to a field: absent, cleared or set.
type Change<T> = Option<Option<T>>;

/// A robot's name, factory code and phone, checked.
struct Described<'a> {
    name: Change<&'a str>,
    factory_code: Change<&'a str>,
    phone: Change<String>,
}

fn described<'a>(
    name: Option<&'a Option<String>>,
    factory_code: Option<&'a Option<String>>,
    phone: Option<&'a Option<String>>,
) -> Result<Described<'a>, ApiError> {
    let name = fields::optional_text("name", name, 100)?;
    let code = fields::optional_text("factory_code", factory_code, 100)?;
    let phone = match phone {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) if raw.trim().is_empty() => Some(None),
        Some(Some(raw)) => Some(Some(fields::phone("phone", raw)?)),
    };
    Ok(Described {
        name,
        factory_code: code,
        phone,
    })
}

/// 409 if another active robot of the owner's lots has this SIM number.
async fn phone_free(
    state: &AppState,
    owner: &str,
    phone: Option<&str>,
    robot: (&str, &str),
) -> Result<(), ApiError> {
    let Some(phone) = phone else {
        return Ok(());
    };
    let taken = db::lots::robots_with_phones(state.db.pool(), owner).await?;
    match taken.into_iter().find(|r| {
        (r.lot_id.as_str(), r.id.as_str()) != robot
            && r.phone
                .as_deref()
                .is_some_and(|p| fields::same_phone(p, phone))
    }) {
        Some(other) => Err(ApiError::Conflict(format!(
            "robot `{}` of lot `{}` has the phone number {phone}",
            other.id, other.lot_id
        ))),
        None => Ok(()),
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/robots", tag = "owners", summary = "Add a robot at a gate of a lot and get its token", params(("lot" = String, Path)), request_body = NewRobot,
    responses((status = 201, body = RobotCreated), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The id is taken, or another robot has the phone number", body = ErrorBody)),
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
    let (name, factory_code, phone) = (
        req.name.clone().map(Some),
        req.factory_code.clone().map(Some),
        req.phone.clone().map(Some),
    );
    let Described {
        name,
        factory_code,
        phone,
    } = described(name.as_ref(), factory_code.as_ref(), phone.as_ref())?;
    let Some(gate) = db::lots::gate(state.db.pool(), &lot.id, &req.gate_id).await? else {
        return Err(ApiError::field(
            "gate_id",
            format!("lot `{}` has no gate `{}`", lot.id, req.gate_id),
        ));
    };
    let phone = phone.flatten();
    phone_free(&state, owner, phone.as_deref(), (&lot.id, &req.id)).await?;
    let now = state.clock.now_ms();
    let (token, hash) = ids::token(Role::Robot)?;
    let robot = RobotRow {
        lot_id: lot.id.clone(),
        id: req.id.clone(),
        gate_id: req.gate_id.clone(),
        name: name.flatten().map(str::to_owned),
        factory_code: factory_code.flatten().map(str::to_owned),
        phone,
        retired_at: None,
        created_at: now,
    };
    let mut tx = state.db.write().await?;
    if let Err(e) = db::lots::insert_robot(&mut *tx, &robot).await {
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

#[utoipa::path(get, path = "/v1/lots/{lot}/robots", tag = "agents", summary = "List a lot's robots with their heartbeat state and cameras", params(("lot" = String, Path)),
    responses((status = 200, description = "The lot's robots, retired ones too, by gate: their state from heartbeats and their cameras", body = Vec<RobotView>),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_robots(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<RobotView>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    Ok(axum::Json(
        robot_views(&state, &lot, LastEvents::Read).await?,
    ))
}

/// What an owner changes of a robot: each field given is set (`null`
/// clears it), the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RobotUpdate {
    /// Moves the robot to another gate of the lot.
    #[serde(default)]
    pub gate_id: Option<String>,
    #[serde(default, with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub factory_code: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
}

/// An active robot of an owner's lot, or 404.
async fn owned_robot(
    state: &AppState,
    owner: &str,
    lot: &str,
    robot: &str,
) -> Result<(LotRow, RobotRow), ApiError> {
    let lot = owned_lot(state, owner, lot).await?;
    let row = db::lots::robot(state.db.pool(), &lot.id, robot)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{}` has no robot `{robot}`", lot.id)))?;
    Ok((lot, row))
}

fn retired(robot: &RobotRow) -> Result<(), ApiError> {
    match robot.retired_at {
        Some(at) => Err(ApiError::Conflict(format!(
            "robot `{}` was retired at {}",
            robot.id,
            fields::rfc3339(at)
        ))),
        None => Ok(()),
    }
}

#[utoipa::path(patch, path = "/v1/lots/{lot}/robots/{robot}", tag = "owners", summary = "Change a robot's gate, name, factory code or phone",
    params(("lot" = String, Path), ("robot" = String, Path)), request_body = RobotUpdate,
    responses((status = 200, body = RobotView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The robot is retired, or another robot has the phone number", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_robot(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, robot)): Path<(String, String)>,
    Json(req): Json<RobotUpdate>,
) -> Result<axum::Json<RobotView>, ApiError> {
    let owner = caller.owner()?;
    let (lot, row) = owned_robot(&state, owner, &lot, &robot).await?;
    retired(&row)?;
    let Described {
        name,
        factory_code,
        phone,
    } = described(
        req.name.as_ref(),
        req.factory_code.as_ref(),
        req.phone.as_ref(),
    )?;
    if let Some(gate) = &req.gate_id
        && db::lots::gate(state.db.pool(), &lot.id, gate)
            .await?
            .is_none()
    {
        return Err(ApiError::field(
            "gate_id",
            format!("lot `{}` has no gate `{gate}`", lot.id),
        ));
    }
    if let Some(Some(phone)) = &phone {
        phone_free(&state, owner, Some(phone), (&lot.id, &row.id)).await?;
    }
    let changes = RobotChanges {
        gate_id: req.gate_id.as_deref(),
        name,
        factory_code,
        phone: phone.as_ref().map(Option::as_deref),
    };
    db::lots::update_robot(state.db.pool(), &lot.id, &row.id, &changes).await?;
    if req.gate_id.is_some() {
        // Its token now stands at another gate.
        state.robots_seen.forget_robot(&lot.id, &row.id);
    }
    let view = robot_views(&state, &lot, LastEvents::Read)
        .await?
        .into_iter()
        .find(|v| v.id == row.id)
        .ok_or_else(|| anyhow::anyhow!("robot `{}` vanished", row.id))?;
    Ok(axum::Json(view))
}

#[utoipa::path(post, path = "/v1/lots/{lot}/robots/{robot}/retire", tag = "owners", summary = "Retire a robot; its token stops working",
    params(("lot" = String, Path), ("robot" = String, Path)),
    responses((status = 204, description = "Retired: its token no longer authenticates (401)"), (status = 404, body = ErrorBody),
        (status = 409, description = "Retired already", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn retire_robot(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, robot)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    let (lot, row) = owned_robot(&state, owner, &lot, &robot).await?;
    retired(&row)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    if !db::lots::retire_robot(&mut *tx, &lot.id, &row.id, now).await? {
        return Err(ApiError::Conflict(format!(
            "robot `{}` was retired",
            row.id
        )));
    }
    db::owners::revoke_robot_tokens(&mut *tx, &lot.id, &row.id, now).await?;
    tx.commit().await?;
    state.robots_seen.forget_robot(&lot.id, &row.id);
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/lots/{lot}/robots/{robot}/token", tag = "owners", summary = "Issue a robot a new token, ending its earlier ones",
    params(("lot" = String, Path), ("robot" = String, Path)),
    responses((status = 201, description = "A new token, shown once; the robot's earlier tokens stop working", body = RobotCreated),
        (status = 404, body = ErrorBody), (status = 409, description = "The robot is retired", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rotate_robot_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, robot)): Path<(String, String)>,
) -> Result<(StatusCode, axum::Json<RobotCreated>), ApiError> {
    let owner = caller.owner()?;
    let (lot, row) = owned_robot(&state, owner, &lot, &robot).await?;
    retired(&row)?;
    let now = state.clock.now_ms();
    let (token, hash) = ids::token(Role::Robot)?;
    let mut tx = state.db.write().await?;
    db::owners::revoke_robot_tokens(&mut *tx, &lot.id, &row.id, now).await?;
    let scope = NewToken::robot(&hash, owner, &lot.id, &row.id);
    db::owners::insert_token(&mut *tx, &scope, now).await?;
    tx.commit().await?;
    state.robots_seen.forget_robot(&lot.id, &row.id);
    Ok((
        StatusCode::CREATED,
        axum::Json(RobotCreated {
            id: row.id,
            gate_id: row.gate_id,
            token,
        }),
    ))
}

// ---------------------------------------------------------------- cameras

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCamera {
    pub id: String,
    /// The robot whose gate it films.
    pub robot_id: String,
    /// `environment` (the gate's scene) or `id` (the robot's ID camera).
    pub kind: CameraKind,
    /// By default the seed's rule: `<lot>-机器人环境摄像头<出口/入口>`
    /// (`<lot>-机器人证件摄像头<出口/入口>` for an ID camera).
    #[serde(default)]
    pub name: Option<String>,
    /// The camera maker's id for it (e.g. the Ezviz serial).
    #[serde(default)]
    pub vendor_id: Option<String>,
    /// An `http(s)` URL that returns a current snapshot.
    #[serde(default)]
    pub snapshot_url: Option<String>,
    /// An `http(s)`, `rtsp` or `rtmp` URL of its live stream.
    #[serde(default)]
    pub stream_url: Option<String>,
}

fn url(field: &str, value: Option<&str>, schemes: &[&str]) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok = schemes
        .iter()
        .any(|s| value.starts_with(&format!("{s}://")))
        && value.len() <= 500
        && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(Some(value.to_owned()))
    } else {
        Err(ApiError::field(
            field,
            format!(
                "`{value}` is not a URL of at most 500 characters starting with {}",
                schemes
                    .iter()
                    .map(|s| format!("`{s}://`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ))
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/cameras", tag = "owners", summary = "Add an environment or ID camera at a robot", params(("lot" = String, Path)), request_body = NewCamera,
    responses((status = 201, body = Camera), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewCamera>,
) -> Result<(StatusCode, axum::Json<Camera>), ApiError> {
    let owner = caller.owner()?;
    let (lot, robot) = owned_robot(&state, owner, &lot, &req.robot_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(why) => ApiError::field("robot_id", why),
            other => other,
        })?;
    retired(&robot)?;
    check_id("id", &req.id)?;
    let gate = fields::gate_of(&state, &lot.id, &robot.gate_id).await?;
    let name = match req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => fields::text("name", name, 100, "name the camera")?.to_owned(),
        None => {
            let side = match gate.direction {
                boomgate_engine::sdk::Direction::Entry => "入口",
                boomgate_engine::sdk::Direction::Exit => "出口",
            };
            let what = match req.kind {
                CameraKind::Environment => "机器人环境摄像头",
                CameraKind::Id => "机器人证件摄像头",
            };
            format!("{}-{what}{side}", lot.name)
        }
    };
    let vendor_id = fields::optional_text("vendor_id", Some(&req.vendor_id), 100)?
        .flatten()
        .map(str::to_owned);
    let row = CameraRow {
        lot_id: lot.id.clone(),
        id: req.id.clone(),
        robot_id: robot.id,
        kind: req.kind,
        name,
        vendor_id,
        snapshot_url: url(
            "snapshot_url",
            req.snapshot_url.as_deref(),
            &["https", "http"],
        )?,
        stream_url: url(
            "stream_url",
            req.stream_url.as_deref(),
            &["https", "http", "rtsp", "rtmp"],
        )?,
        created_at: state.clock.now_ms(),
    };
    match devices::insert_camera(state.db.pool(), &row).await {
        Ok(()) => Ok((StatusCode::CREATED, axum::Json(row.into()))),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ApiError::Conflict(format!("camera `{}` exists", req.id)))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/v1/lots/{lot}/cameras", tag = "agents", summary = "List a lot's cameras", params(("lot" = String, Path)),
    responses((status = 200, body = Vec<Camera>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_cameras(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<Camera>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let cameras = devices::cameras(state.db.pool(), &lot.id).await?;
    Ok(axum::Json(cameras.into_iter().map(Camera::from).collect()))
}

#[utoipa::path(delete, path = "/v1/lots/{lot}/cameras/{camera}", tag = "owners", summary = "Remove a camera from a lot",
    params(("lot" = String, Path), ("camera" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, camera)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    if devices::delete_camera(state.db.pool(), &lot.id, &camera).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "lot `{}` has no camera `{camera}`",
            lot.id
        )))
    }
}

/// A commissioning test event and the policy's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestRecord {
    pub id: String,
    pub event_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    /// RFC 3339, the lot's local time.
    pub occurred_at: String,
    /// `open` or `hold`.
    pub gate: String,
    pub reason: String,
    pub decision: boomgate_engine::sdk::Decision,
    pub received_at: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/robots/{robot}/tests", tag = "agents", summary = "List a robot's commissioning test events and the policy's answers",
    params(("lot" = String, Path), ("robot" = String, Path)),
    responses((status = 200, description = "The robot's commissioning test events (`\"test\": true`) and what the policy answered, newest first (at most 100)", body = Vec<TestRecord>),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn robot_tests(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, robot)): Path<(String, String)>,
) -> Result<axum::Json<Vec<TestRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    if db::lots::robot(state.db.pool(), &lot.id, &robot)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "lot `{}` has no robot `{robot}`",
            lot.id
        )));
    }
    let zone = &lot.zone;
    let mut out = Vec::new();
    for t in db::decisions::test_events(state.db.pool(), &lot.id, &robot, 100).await? {
        out.push(TestRecord {
            decision: serde_json::from_str(&t.decision)
                .map_err(|e| anyhow::anyhow!("stored test `{}`: {e}", t.id))?,
            id: t.id,
            event_id: t.event_id,
            gate_id: t.gate_id,
            plate: t.plate,
            occurred_at: zone.local(t.occurred_at).to_string(),
            gate: t.gate,
            reason: t.reason,
            received_at: zone.local(t.created_at).to_string(),
        });
    }
    Ok(axum::Json(out))
}
