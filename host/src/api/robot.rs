//! What a gate robot calls: `POST /v1/events` with a plate read, answered
//! with the decision, and `GET /v1/robot/commands`, the long poll for what
//! agents tell it.
//!
//! The lot, gate and direction come from the robot's token. A retry of the
//! same `event_id` gets the stored decision back and creates nothing twice;
//! the same `event_id` with other content is refused.

use std::time::{Duration, Instant};

use crate::api::query::Query;
use axum::extract::State;
use boomgate_engine::sdk::{Decision, Display, Plate, QrCode, reason};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Arrived, Caller, Robot};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use super::orders::OrderView;
use crate::db::decisions::{self, DecisionRow};
use crate::db::ids::{new_id, sha256};
use crate::db::{passes, payments};
use crate::domain::commands::{self, Issued};
use crate::domain::input::{Reading, VehicleInside};
use crate::domain::pipeline::{self, Decider, EventKey, Origin, Outcome};
use crate::domain::zone::parse_instant;
use crate::service::faults::Unrecorded;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(post_event))
            .routes(routes!(robot_commands)),
    )
}

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
    /// A commissioning test (seed 001 §2.1.3): the policy decides it as a
    /// real read, but it is recorded apart and creates nothing (no stay,
    /// order, case or duplicate window).
    #[serde(default)]
    pub test: bool,
    /// The vehicle's class when the camera tells it, e.g. `large` for a
    /// yellow (large-vehicle) plate, `new-energy` for a green one, or
    /// `motorcycle`: lowercase letters, digits and `-`, at most 32. Tariffs
    /// price by it; absent, the stay's class or the pass registry's is
    /// used.
    #[serde(default)]
    pub vehicle_class: Option<String>,
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
    /// Set when the read was a duplicate (the same plate, or one the camera
    /// confuses with it, at this gate within its debounce window): the
    /// decision it duplicates, given again; nothing was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// False when storage failed and the robot got the fallback decision
    /// without a record (it is recorded once storage works again), and for
    /// a commissioning test.
    pub recorded: bool,
    /// True for a commissioning test: nothing was created.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    #[serde(flatten)]
    pub decision: Decision,
    /// The orders the decision placed: what the driver pays.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<OrderView>,
    /// What the display's QR code carries: the order's payment URL, from
    /// the lot's payment link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
    /// The account's vehicles inside, when the display shows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vehicles_inside: Option<Vec<VehicleInside>>,
}

/// A validated event.
struct Checked {
    reading: Reading,
    hash: String,
}

fn check(state: &AppState, req: &EventRequest) -> Result<Checked, ApiError> {
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
        Some(raw) => Some(fields::plate("plate", raw)?),
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
    let max_age = state.config.max_event_age_hours;
    if -skew > max_age.saturating_mul(3_600_000) {
        return Err(ApiError::field(
            "occurred_at",
            format!(
                "`{}` is {} h before the service's clock; events older than {max_age} h are refused: check the robot's clock",
                req.occurred_at,
                -skew / 3_600_000
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
    let vehicle_class = req
        .vehicle_class
        .as_deref()
        .map(|c| fields::vehicle_class("vehicle_class", c))
        .transpose()?;
    // What makes a retry the same event: its content, as the robot meant it.
    let mut canonical = serde_json::json!([
        req.event_id,
        plate.as_ref().map(Plate::as_str),
        occurred_ms,
        req.confidence,
        req.photo
    ]);
    if let (Some(class), Some(parts)) = (&vehicle_class, canonical.as_array_mut()) {
        parts.push(class.as_str().into());
    }
    Ok(Checked {
        reading: Reading {
            plate,
            occurred_ms,
            confidence: req.confidence.map(|c| c as f32),
            agent: None,
            vehicle_class,
        },
        hash: sha256(canonical.to_string().as_bytes()),
    })
}

#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "robots", summary = "Report a plate read at a robot's gate and get the decision",
    request_body = EventRequest,
    responses(
        (status = 200, description = "The decision: the policy's, a retry's stored one, the one a duplicate read duplicates, or the fallback when storage fails (`recorded: false`)", body = EventAnswer),
        (status = 400, description = "Malformed event, or a clock out of bounds; the field is named", body = ErrorBody),
        (status = 401, description = "No token or a wrong one", body = ErrorBody),
        (status = 403, description = "Not a robot token", body = ErrorBody),
        (status = 409, description = "The event id was used with other content", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    axum::Extension(Arrived(arrived)): axum::Extension<Arrived>,
    Json(req): Json<EventRequest>,
) -> Result<axum::Json<EventAnswer>, ApiError> {
    let started = Instant::now();
    let robot = caller.robot()?;
    let checked = check(&state, &req)?;
    if req.test {
        let answer = test_event(&state, robot, &req, &checked).await?;
        state.metrics.event(started.elapsed());
        return Ok(axum::Json(answer));
    }
    // The budget runs from the request's arrival: looking up the robot's
    // token is part of it.
    let budget = Duration::from_millis(state.config.decision_budget_ms);
    let deadline = tokio::time::Instant::from_std(arrived + budget);
    let decided = decide(&state, robot, &req, &checked);
    let answer = match tokio::time::timeout_at(deadline, decided).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e @ (ApiError::Internal(_) | ApiError::Corrupt(_)))) => Ok(storage_fallback(
            &state,
            robot,
            &req,
            &checked,
            &format!("{e}"),
        )),
        Ok(Err(refused)) => Err(refused),
        Err(_) => Ok(storage_fallback(
            &state,
            robot,
            &req,
            &checked,
            &format!("no decision recorded within the {budget:?} budget"),
        )),
    };
    state.metrics.event(started.elapsed());
    answer.map(axum::Json)
}

/// A commissioning test: decided by the lot's policy on what the
/// database knows now, recorded in `test_events` only.
async fn test_event(
    state: &AppState,
    robot: &Robot,
    req: &EventRequest,
    checked: &Checked,
) -> Result<EventAnswer, ApiError> {
    let site = &robot.site;
    let input = pipeline::preview(state, site, &checked.reading).await?;
    let evaluated = pipeline::evaluate(state, &site.lot, &input);
    let now = state.clock.now_ms();
    let row = crate::db::decisions::TestEvent {
        id: new_id("tst", now),
        lot_id: robot.lot_id().to_owned(),
        robot_id: robot.robot_id.clone(),
        gate_id: robot.gate_id().to_owned(),
        event_id: req.event_id.clone(),
        plate: checked
            .reading
            .plate
            .as_ref()
            .map(|p| p.as_str().to_owned()),
        occurred_at: checked.reading.occurred_ms,
        gate: evaluated.decision.gate.as_str().to_owned(),
        reason: evaluated.decision.reason.clone(),
        decision: serde_json::to_string(&evaluated.decision).map_err(anyhow::Error::from)?,
        created_at: now,
    };
    crate::db::decisions::insert_test_event(state.db.pool(), &row).await?;
    Ok(EventAnswer {
        event_id: req.event_id.clone(),
        decision_id: row.id,
        policy_version: evaluated.version,
        evaluation_us: evaluated.micros,
        replayed: false,
        duplicate_of: None,
        recorded: false,
        test: true,
        decision: evaluated.decision,
        orders: Vec::new(),
        qr_url: None,
        vehicles_inside: None,
    })
}

/// The fallback a robot gets when storage fails: hold and escalate, kept
/// in memory and recorded once storage works again.
fn storage_fallback(
    state: &AppState,
    robot: &Robot,
    req: &EventRequest,
    checked: &Checked,
    why: &str,
) -> EventAnswer {
    let now = state.clock.now_ms();
    let decision_id = new_id("dec", now);
    let fallback = &state.registry.engine().config().fallback;
    let mut decision = fallback.decision(format!("{}: {why}", reason::STORAGE_FAULT));
    decision.reason = reason::STORAGE_FAULT.to_owned();
    state.metrics.storage_fault(robot.lot_id());
    state.faults.push(Unrecorded {
        lot: robot.lot_id().to_owned(),
        robot: robot.robot_id.clone(),
        event_id: req.event_id.clone(),
        gate: robot.gate_id().to_owned(),
        plate: checked
            .reading
            .plate
            .as_ref()
            .map(|p| p.as_str().to_owned()),
        occurred_at: checked.reading.occurred_ms,
        fault: why.to_owned(),
        answered_at: now,
    });
    EventAnswer {
        event_id: req.event_id.clone(),
        decision_id,
        policy_version: None,
        evaluation_us: 0,
        replayed: false,
        duplicate_of: None,
        recorded: false,
        test: false,
        decision,
        orders: Vec::new(),
        qr_url: None,
        vehicles_inside: None,
    }
}

/// The event through the decision pipeline.
async fn decide(
    state: &AppState,
    robot: &Robot,
    req: &EventRequest,
    checked: &Checked,
) -> Result<EventAnswer, ApiError> {
    let key = EventKey {
        robot_id: &robot.robot_id,
        event_id: &req.event_id,
        payload_hash: &checked.hash,
        photo: req.photo.as_deref(),
        confidence: req.confidence,
    };
    let site = &robot.site;
    let outcome = pipeline::decide(
        state,
        site,
        &checked.reading,
        Origin::Robot(&key),
        Decider::Policy,
    )
    .await?;
    match outcome {
        Outcome::Received {
            payload_hash,
            decision_id,
        } => {
            if payload_hash != checked.hash {
                return Err(ApiError::Conflict(format!(
                    "event `{}` was already received with other content; a new read needs a new event id",
                    req.event_id
                )));
            }
            let event = decisions::event(
                state.db.pool(),
                robot.lot_id(),
                &robot.robot_id,
                &req.event_id,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("event `{}` vanished", req.event_id))?;
            let row = decisions::decision(state.db.pool(), &decision_id)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("event `{}` points at a missing decision", req.event_id)
                })?;
            stored(state, robot, &req.event_id, row, true, event.duplicate_of).await
        }
        Outcome::Duplicate { of } => {
            let of_id = of.id.clone();
            stored(state, robot, &req.event_id, *of, false, Some(of_id)).await
        }
        Outcome::Recorded {
            evaluated,
            recorded,
            ..
        } => {
            let vehicles_inside = match shows_vehicles(&evaluated.decision) {
                true => Some(vehicles_inside(state, robot, checked.reading.plate.as_ref()).await?),
                false => None,
            };
            let now = state.clock.now_ms();
            let orders: Vec<OrderView> = recorded
                .orders
                .into_iter()
                .map(|o| OrderView::new(&site.lot, now, o))
                .collect();
            Ok(EventAnswer {
                event_id: req.event_id.clone(),
                decision_id: recorded.decision_id,
                policy_version: evaluated.version,
                evaluation_us: evaluated.micros,
                replayed: false,
                duplicate_of: None,
                recorded: true,
                test: false,
                qr_url: qr_url(&evaluated.decision, &orders),
                decision: evaluated.decision,
                orders,
                vehicles_inside,
            })
        }
        Outcome::Refused { .. } => Err(anyhow::anyhow!("a robot's event is never refused").into()),
    }
}

fn shows_vehicles(decision: &Decision) -> bool {
    matches!(decision.display, Display::VehiclesInside)
}

/// The payment URL the display's QR code carries: that of the order a
/// payment code shows.
fn qr_url(decision: &Decision, orders: &[OrderView]) -> Option<String> {
    match decision.display {
        Display::Qr {
            qr: QrCode::QuickExit | QrCode::MonthlyRenewal,
        } => orders
            .iter()
            .rev()
            .find(|o| o.status == crate::db::types::OrderStatus::Pending)
            .and_then(|o| o.payment_url.clone()),
        _ => None,
    }
}

/// A decision already recorded, answered again: to a retry of its event,
/// or to a duplicate read of its vehicle.
async fn stored(
    state: &AppState,
    robot: &Robot,
    event_id: &str,
    row: DecisionRow,
    replayed: bool,
    duplicate_of: Option<String>,
) -> Result<EventAnswer, ApiError> {
    let decision = row.decision()?;
    let vehicles_inside = match shows_vehicles(&decision) {
        true => {
            let plate = row.plate.as_deref().map(Plate::parse).transpose();
            let plate = plate.map_err(|e| anyhow::anyhow!("stored decision `{}`: {e}", row.id))?;
            Some(vehicles_inside(state, robot, plate.as_ref()).await?)
        }
        false => None,
    };
    let now = state.clock.now_ms();
    let orders: Vec<OrderView> = payments::orders_of_decision(state.db.pool(), &row.id)
        .await?
        .into_iter()
        .map(|o| OrderView::new(&robot.site.lot, now, o))
        .collect();
    Ok(EventAnswer {
        event_id: event_id.to_owned(),
        decision_id: row.id,
        policy_version: row.policy_version,
        evaluation_us: row.evaluation_us,
        replayed,
        duplicate_of,
        recorded: true,
        test: false,
        qr_url: qr_url(&decision, &orders),
        decision,
        orders,
        vehicles_inside,
    })
}

/// The vehicles of the plate's monthly-pass account inside now, as the
/// robot shows them.
async fn vehicles_inside(
    state: &AppState,
    robot: &Robot,
    plate: Option<&Plate>,
) -> Result<Vec<VehicleInside>, ApiError> {
    let lot = &robot.site.lot;
    let Some(plate) = plate else {
        return Ok(Vec::new());
    };
    let Some(pass) = passes::monthly_pass(state.db.pool(), &lot.id, plate).await? else {
        return Ok(Vec::new());
    };
    let inside =
        passes::account_vehicles_inside(state.db.pool(), &lot.id, &pass.account_id, plate).await?;
    Ok(VehicleInside::list(&lot.zone, inside))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommandsQuery {
    /// The last command id seen; only newer ones come back.
    pub after: Option<String>,
    /// Seconds to wait for a command when there is none (at most 30).
    pub wait: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Commands {
    pub commands: Vec<Issued>,
    /// Pass as `after` next time.
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/v1/robot/commands", tag = "robots", summary = "Long-poll the commands agents send to a robot's gate", params(CommandsQuery),
    responses((status = 200, description = "Commands for the robot's gate after `after`, oldest first; waits up to `wait` seconds for one", body = Commands)),
    security(("bearer" = [])))]
pub async fn robot_commands(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<CommandsQuery>,
) -> Result<axum::Json<Commands>, ApiError> {
    let robot = caller.robot()?;
    let after = query.after.unwrap_or_default();
    let wait = Duration::from_secs(query.wait.unwrap_or(0).min(30));
    let commands = commands::fetch(&state, robot.lot_id(), robot.gate_id(), &after, wait).await?;
    let next = commands
        .last()
        .map(|c| c.id.clone())
        .or(Some(after).filter(|a| !a.is_empty()));
    Ok(axum::Json(Commands { commands, next }))
}
