//! The gates where vehicles wait longest (seed 001 §2.3.3) and the audit
//! list of every opening by a person.

use crate::api::query::Query;
use axum::extract::{Path, State};
use boomgate_engine::sdk::{Direction, Gate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::{Caller, staff_lot, visible_lots};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::photos::photo_url;
use crate::db::decisions;
use crate::db::types::OpeningKind;
use crate::db::{cases, desk, payments};
use crate::service::AppState;

/// A gate that needs a person: a vehicle held, or a case nobody answered,
/// for over `congestion_after_seconds`; or a robot offline or with its
/// plate camera down.
#[derive(Debug, Serialize, ToSchema)]
pub struct Congested {
    pub lot_id: String,
    pub lot_name: String,
    pub gate_id: String,
    pub direction: Direction,
    /// `held` (a vehicle waits), `case_waiting` (a call or case nobody has
    /// answered, with nothing held), `robot_offline` or `camera_down`.
    pub kind: String,
    pub plate: Option<String>,
    /// Why the robot held, or what is wrong with it.
    pub reason: String,
    /// The held decision (empty for a robot's state).
    pub decision_id: String,
    /// The gate's robot and its SIM number: the agent calls it (§2.3.3).
    pub robot_id: Option<String>,
    pub robot_phone: Option<String>,
    /// The gate's open case, if one is.
    pub case_id: Option<String>,
    /// RFC 3339, the lot's local time.
    pub held_since: String,
    pub waiting_seconds: i64,
}

#[utoipa::path(get, path = "/v1/congestion", tag = "agents", summary = "List the gates that need a person, longest wait first",
    responses((status = 200, description = "Gates of the caller's lots with a vehicle held for over a minute that has not paid, left, been let through or had its case closed since, and gates whose robot is offline or whose plate camera is down; longest wait first", body = Vec<Congested>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn congestion(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Congested>>, ApiError> {
    let now = state.clock.now_ms();
    let mut out = Vec::new();
    let overdue_ms = state.config.congestion_after_seconds.saturating_mul(1000);
    for lot in visible_lots(&state, &caller).await? {
        let zone = &lot.zone;
        let robots =
            crate::api::robots::robot_views(&state, &lot, crate::api::robots::LastEvents::Skip)
                .await?;
        let gates = crate::db::lots::gates(state.db.pool(), &lot.id).await?;
        let robot_at = |gate: &str| {
            robots
                .iter()
                .find(|r| r.gate_id == gate && r.retired_at.is_none())
        };
        // A robot that never sent a heartbeat is not listed: it may
        // predate them. One that stopped sending them is.
        for robot in robots
            .iter()
            .filter(|r| r.retired_at.is_none() && r.heartbeat.is_some())
        {
            let camera_down = robot
                .heartbeat
                .as_ref()
                .is_some_and(|h| h.lpr_camera == crate::db::types::DeviceState::Down);
            let kind = match robot.status {
                crate::domain::health::Status::Offline => "robot_offline",
                _ if camera_down => "camera_down",
                _ => continue,
            };
            let Some(gate) = gates.iter().find(|g| g.id == robot.gate_id) else {
                continue;
            };
            let (since, silent) = robot
                .heartbeat
                .as_ref()
                .map_or((String::new(), 0), |h| (h.at.clone(), h.age_seconds));
            out.push(Congested {
                lot_id: lot.id.clone(),
                lot_name: lot.name.clone(),
                gate_id: gate.id.clone(),
                direction: gate.direction,
                kind: kind.to_owned(),
                plate: None,
                reason: robot.problems.join(", "),
                decision_id: String::new(),
                robot_id: Some(robot.id.clone()),
                robot_phone: robot.phone.clone(),
                case_id: None,
                held_since: since,
                waiting_seconds: silent,
            });
        }
        // The latest decision at a gate is its state: another vehicle's
        // read, the robot letting this one through, or an agent's answer
        // replaces a hold.
        for held in decisions::latest_decisions(state.db.pool(), &lot.id).await? {
            let waited = now - held.created_at;
            if held.gate != Gate::Hold || waited < overdue_ms {
                continue;
            }
            if let Some(plate) = &held.plate
                && payments::paid_since(state.db.pool(), &lot.id, plate, held.created_at).await? > 0
            {
                continue;
            }
            if cases::closed_since(state.db.pool(), &lot.id, &held.gate_id, held.created_at).await?
            {
                continue;
            }
            let case = cases::open_case_at(state.db.pool(), &lot.id, &held.gate_id, false).await?;
            let robot = robot_at(&held.gate_id);
            out.push(Congested {
                lot_id: lot.id.clone(),
                lot_name: lot.name.clone(),
                kind: "held".to_owned(),
                robot_id: robot.map(|r| r.id.clone()),
                robot_phone: robot.and_then(|r| r.phone.clone()),
                case_id: case.map(|c| c.id),
                gate_id: held.gate_id,
                direction: held.direction,
                plate: held.plate,
                reason: held.reason,
                decision_id: held.id,
                held_since: zone.local(held.created_at).to_string(),
                waiting_seconds: waited / 1000,
            });
        }
        // Calls nobody answered where nothing is held (the button pressed
        // before a read, or after the hold was settled).
        let open = cases::CaseFilter {
            open: Some(true),
            gate: None,
            agent: None,
            since: 0,
            until: i64::MAX,
            test: false,
            limit: 1000,
        };
        for case in cases::cases(state.db.pool(), &lot.id, &open).await? {
            let waited = now - case.opened_at;
            let listed = out
                .iter()
                .any(|c| c.lot_id == lot.id && c.gate_id == case.gate_id && c.kind == "held");
            if case.agent_id.is_some() || waited < overdue_ms || listed {
                continue;
            }
            let Some(gate) = gates.iter().find(|g| g.id == case.gate_id) else {
                continue;
            };
            let robot = robot_at(&case.gate_id);
            out.push(Congested {
                lot_id: lot.id.clone(),
                lot_name: lot.name.clone(),
                gate_id: gate.id.clone(),
                direction: gate.direction,
                kind: "case_waiting".to_owned(),
                plate: case.plate,
                reason: case.opened_by.to_string(),
                decision_id: case.decision_id.unwrap_or_default(),
                robot_id: robot.map(|r| r.id.clone()),
                robot_phone: robot.and_then(|r| r.phone.clone()),
                case_id: Some(case.id),
                held_since: zone.local(case.opened_at).to_string(),
                waiting_seconds: waited / 1000,
            });
        }
    }
    out.sort_by(|a, b| {
        b.waiting_seconds
            .cmp(&a.waiting_seconds)
            .then_with(|| a.gate_id.cmp(&b.gate_id))
    });
    Ok(axum::Json(out))
}

// ---------------------------------------------------------------- openings

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpeningsQuery {
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// A gate opened by a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningRecord {
    pub id: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    /// `normal`, `abnormal`, `visitor` or `correction`.
    pub kind: OpeningKind,
    /// For abnormal openings: `special_vehicle`, `special_person`,
    /// `non_motor_vehicle`; for visitors, why they came.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Where to read the ID photos.
    pub id_photos: Vec<String>,
    /// Where to read the scene photos.
    pub scene_photos: Vec<String>,
    pub decision_id: String,
    /// Who opened: `agent:<id>` or `owner:<id>`.
    pub opened_by: String,
    /// RFC 3339, the lot's local time.
    pub opened_at: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/openings", tag = "agents", summary = "List a lot's gate openings by a person, newest first", params(("lot" = String, Path), OpeningsQuery),
    responses((status = 200, body = Vec<OpeningRecord>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn openings(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<OpeningsQuery>,
) -> Result<axum::Json<Vec<OpeningRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let urls = |digests: Vec<String>| -> Vec<String> {
        digests.iter().map(|d| photo_url(&lot.id, d)).collect()
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let mut out = Vec::new();
    for row in desk::openings(state.db.pool(), &lot.id, limit).await? {
        let (id_photos, scene_photos) = row.photos()?;
        out.push(OpeningRecord {
            id_photos: urls(id_photos),
            scene_photos: urls(scene_photos),
            opened_at: lot.zone.local(row.created_at).to_string(),
            id: row.id,
            gate_id: row.gate_id,
            direction: row.direction,
            plate: row.plate,
            kind: row.kind,
            reason: row.reason,
            note: row.note,
            decision_id: row.decision_id,
            opened_by: row.opened_by,
        });
    }
    Ok(axum::Json(out))
}
