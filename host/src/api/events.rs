//! `POST /v1/events`: a robot reports a plate read and gets the decision.
//!
//! The lot, gate and direction come from the robot's binding. A retry of
//! the same `event_id` gets the stored decision back and creates nothing
//! twice; the same `event_id` with other content is refused.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use boomgate_engine::sdk::{Decision, Plate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::json::Json;
use crate::auth::{Caller, Robot};
use crate::db::{self, LotRow};
use crate::decide::{self, Source, VehicleInside};
use crate::ids::sha256;
use crate::state::AppState;
use crate::tz::{LotZone, parse_instant};

/// The longest event id accepted.
const MAX_EVENT_ID: usize = 128;

/// One plate read at the robot's gate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// Unique per robot; a retry sends the same id.
    pub event_id: String,
    /// The plate as read, or null when there is none or it cannot be read.
    pub plate: Option<String>,
    /// When the read happened, RFC 3339 with any offset.
    pub occurred_at: String,
    /// The camera's confidence, 0 to 1.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// The digest of an entry photo uploaded first with `POST /v1/photos`;
    /// agents see it when they match an exit to its entry.
    #[serde(default)]
    pub photo: Option<String>,
}

/// The decision for an event, as the robot acts on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventAnswer {
    pub event_id: String,
    pub decision_id: String,
    /// The lot's policy version that decided; null when the lot had none.
    pub policy_version: Option<i64>,
    /// How long the policy took, in microseconds.
    pub evaluation_us: i64,
    /// True when this answers a retry with the stored decision.
    pub replayed: bool,
    #[serde(flatten)]
    pub decision: Decision,
    /// The account's vehicles inside, when the display shows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vehicles_inside: Option<Vec<VehicleInside>>,
}

/// A validated event.
struct Read {
    plate: Option<Plate>,
    occurred_ms: i64,
    hash: String,
}

fn validate(state: &AppState, req: &EventRequest) -> Result<Read, ApiError> {
    if req.event_id.is_empty()
        || req.event_id.len() > MAX_EVENT_ID
        || req.event_id.chars().any(char::is_control)
    {
        return Err(ApiError::field(
            "event_id",
            format!("must be 1 to {MAX_EVENT_ID} printable characters"),
        ));
    }
    let plate = match req.plate.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(super::plate("plate", raw)?),
    };
    let occurred_ms =
        parse_instant(&req.occurred_at).map_err(|e| ApiError::field("occurred_at", e))?;
    let skew = occurred_ms - state.clock.now_ms();
    if skew > state.config.max_clock_skew_seconds * 1000 {
        return Err(ApiError::field(
            "occurred_at",
            format!(
                "`{}` is {}s ahead of the service's clock; check the robot's clock",
                req.occurred_at,
                skew / 1000
            ),
        ));
    }
    if let Some(c) = req.confidence
        && !(0.0..=1.0).contains(&c)
    {
        return Err(ApiError::field(
            "confidence",
            format!("{c} is not between 0 and 1"),
        ));
    }
    if let Some(photo) = &req.photo
        && (photo.len() != 64
            || !photo
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    {
        return Err(ApiError::field(
            "photo",
            "must be the sha256 digest `POST /v1/photos` returned",
        ));
    }
    // What makes a retry the same event: its content, as the robot meant it.
    let canonical = serde_json::json!([
        req.event_id,
        plate.as_ref().map(Plate::as_str),
        occurred_ms,
        req.confidence,
        req.photo
    ]);
    Ok(Read {
        plate,
        occurred_ms,
        hash: sha256(canonical.to_string().as_bytes()),
    })
}

#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "robots",
    request_body = EventRequest,
    responses(
        (status = 200, description = "The decision (a retry gets the stored one)", body = EventAnswer),
        (status = 400, description = "Malformed event; the field is named", body = ErrorBody),
        (status = 401, description = "No token or a wrong one", body = ErrorBody),
        (status = 403, description = "Not a robot token", body = ErrorBody),
        (status = 409, description = "The event id was used with other content", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<EventRequest>,
) -> Result<(StatusCode, axum::Json<EventAnswer>), ApiError> {
    let started = Instant::now();
    let robot = caller.robot()?;
    let read = validate(&state, &req)?;
    let answer = answer(&state, robot, &req, &read).await;
    state.metrics.event(started.elapsed());
    answer.map(|a| (StatusCode::OK, axum::Json(a)))
}

async fn answer(
    state: &AppState,
    robot: &Robot,
    req: &EventRequest,
    read: &Read,
) -> Result<EventAnswer, ApiError> {
    if let Some(stored) = replay(state, robot, &req.event_id, &read.hash).await? {
        return Ok(stored);
    }
    let lot = robot_lot(state, robot).await?;
    let gate = super::gate_of(state, &lot.id, &robot.gate_id).await?;
    if let Some(photo) = &req.photo
        && !db::has_photo(state.db.pool(), &lot.id, photo).await?
    {
        return Err(ApiError::field(
            "photo",
            format!("no photo `{photo}` was uploaded to this lot"),
        ));
    }
    let zone = LotZone::of(&lot)?;
    let mut assembled = decide::assemble(
        state,
        &lot,
        &zone,
        &gate.id,
        gate.way(),
        read.plate.as_ref(),
        read.occurred_ms,
    )
    .await?;
    assembled.input.event.confidence = req.confidence.map(|c| c as f32);
    let evaluated = decide::evaluate(state, &lot, &assembled.input);

    let mut tx = state.db.write().await?;
    let source = Source::Robot {
        robot_id: &robot.robot_id,
        event_id: &req.event_id,
    };
    let decision_id = decide::record(state, &mut tx, &lot, &assembled, &evaluated, &source).await?;
    let event = db::NewEvent {
        lot: &lot.id,
        robot: &robot.robot_id,
        event_id: &req.event_id,
        gate: &gate.id,
        plate: read.plate.as_ref().map(Plate::as_str),
        occurred_at: read.occurred_ms,
        confidence: req.confidence,
        payload_hash: &read.hash,
        decision: &decision_id,
    };
    if let Err(e) = db::insert_event(&mut *tx, &event, state.clock.now_ms()).await {
        drop(tx);
        // A retry raced its original: answer with the original's decision.
        if db::is_unique_violation(&e)
            && let Some(stored) = replay(state, robot, &req.event_id, &read.hash).await?
        {
            return Ok(stored);
        }
        return Err(e.into());
    }
    if let Some(photo) = &req.photo {
        db::set_event_photo(&mut *tx, &lot.id, &robot.robot_id, &req.event_id, photo).await?;
        db::set_entry_photo(&mut *tx, &decision_id, photo).await?;
    }
    tx.commit().await?;
    let vehicles =
        shows_vehicles(&evaluated.decision).then(|| decide::vehicles_inside(&zone, &assembled));
    Ok(EventAnswer {
        event_id: req.event_id.clone(),
        decision_id,
        policy_version: evaluated.version,
        evaluation_us: evaluated.micros,
        replayed: false,
        decision: evaluated.decision,
        vehicles_inside: vehicles,
    })
}

fn shows_vehicles(decision: &Decision) -> bool {
    matches!(
        decision.display,
        boomgate_engine::sdk::Display::VehiclesInside
    )
}

/// The stored answer to an event already decided, if this is a retry.
async fn replay(
    state: &AppState,
    robot: &Robot,
    event_id: &str,
    hash: &str,
) -> Result<Option<EventAnswer>, ApiError> {
    let Some(stored) = db::event(state.db.pool(), &robot.lot_id, &robot.robot_id, event_id).await?
    else {
        return Ok(None);
    };
    if stored.payload_hash != hash {
        return Err(ApiError::Conflict(format!(
            "event `{event_id}` was already received with other content; a new read needs a new event id"
        )));
    }
    let row = db::decision(state.db.pool(), &stored.decision_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("event `{event_id}` points at a missing decision"))?;
    let decision: Decision = serde_json::from_str(&row.decision).map_err(anyhow::Error::from)?;
    let vehicles = if shows_vehicles(&decision) {
        Some(stored_vehicles(state, &row).await?)
    } else {
        None
    };
    Ok(Some(EventAnswer {
        event_id: event_id.to_owned(),
        decision_id: row.id,
        policy_version: row.policy_version,
        evaluation_us: row.evaluation_us,
        replayed: true,
        decision,
        vehicles_inside: vehicles,
    }))
}

/// The vehicles the original answer showed, as the input recorded them.
async fn stored_vehicles(
    state: &AppState,
    row: &db::DecisionRow,
) -> Result<Vec<VehicleInside>, ApiError> {
    let (Some(lot), Some(plate)) = (db::lot(state.db.pool(), &row.lot_id).await?, &row.plate)
    else {
        return Ok(Vec::new());
    };
    let zone = LotZone::of(&lot)?;
    let Some(pass) = db::monthly_pass(state.db.pool(), &lot.id, plate).await? else {
        return Ok(Vec::new());
    };
    let inside =
        db::account_vehicles_inside(state.db.pool(), &lot.id, &pass.account_id, plate).await?;
    Ok(inside
        .into_iter()
        .map(|(plate, at)| VehicleInside {
            plate,
            entered_at: zone.local(at).to_string(),
        })
        .collect())
}

/// The lot of a robot, for handlers that need it.
pub async fn robot_lot(state: &AppState, robot: &Robot) -> Result<LotRow, ApiError> {
    db::lot(state.db.pool(), &robot.lot_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{}` not found", robot.lot_id)))
}
