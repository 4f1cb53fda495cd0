//! The held event at a gate, as the agent who answers the robot's call
//! sees it: the decision, its trace, the vehicle's facts.

use axum::extract::{Path, State};
use boomgate_engine::sdk::{Billing, Decision, Direction, Display, Light};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::auth::{Caller, staff_lot};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::fields;
use crate::api::payments::PaymentView;
use crate::api::photos::photo_url;
use crate::db::decisions::{self, DecisionRow};
use crate::db::types::CaptureKind;
use crate::db::{devices, passes, payments, stays};
use crate::domain::commands::Command;
use crate::domain::pipeline::Site;
use crate::service::AppState;

use super::held;

/// A monthly pass as the policy saw it, with its account.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassFacts {
    pub valid_until: String,
    /// Days expired on the event's local date (0 or less: valid).
    pub days_expired: i64,
    pub valid: bool,
    pub spaces: u32,
    /// The account's other vehicles inside.
    pub vehicles_inside: u32,
    pub account: Option<String>,
    pub holder: Option<String>,
    pub phone: Option<String>,
}

/// The stay as the policy saw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionFacts {
    pub entered_at: String,
    pub billing: Billing,
    /// Minutes from entry to the event.
    pub minutes: u64,
    pub paid_amount: u64,
    pub paid_at: Option<String>,
    pub pick: bool,
}

/// What the policy saw about the vehicle.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facts {
    pub monthly_pass: Option<PassFacts>,
    pub parking_pass: bool,
    pub session: Option<SessionFacts>,
    /// Payments on the stay.
    pub payments: Vec<PaymentView>,
}

/// A held event, as the agent who answers the robot's call sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    pub decision_id: String,
    pub gate_id: String,
    pub direction: Direction,
    pub event_id: Option<String>,
    pub plate: Option<String>,
    /// RFC 3339, the lot's local time.
    pub occurred_at: String,
    /// How long the vehicle has been held.
    pub waiting_seconds: i64,
    pub policy_version: Option<i64>,
    /// The decision, its trace saying why the robot held.
    pub decision: Decision,
    pub facts: Facts,
    /// The gate's scene: photos, cameras, what the robot shows now.
    pub scene: Scene,
    /// The gate's open case, if one is.
    pub case: Option<crate::api::cases::Case>,
}

/// A photo a robot took at the gate.
#[derive(Debug, Serialize, ToSchema)]
pub struct Capture {
    pub kind: CaptureKind,
    /// The digest to name as evidence in an abnormal opening.
    pub digest: String,
    pub url: String,
    /// RFC 3339, the lot's local time.
    pub taken_at: String,
}

/// What the robot's display shows now: the latest decision or command.
#[derive(Debug, Serialize, ToSchema)]
pub struct Showing {
    /// `decision` (the robot's own answer) or `command` (what an agent
    /// pushed or decided since).
    pub source: String,
    pub voice: Option<String>,
    pub display: Display,
    pub light: Light,
    /// RFC 3339, the lot's local time.
    pub since: String,
    pub by: String,
}

/// The scene at the gate (seed 001 §2.3.2 A: the plate photo, the
/// environment camera, the robot's screen).
#[derive(Debug, Serialize, ToSchema)]
pub struct Scene {
    /// Where to read the held event's plate photo.
    pub plate_photo: Option<String>,
    /// The gate's environment cameras: snapshot and stream links.
    pub cameras: Vec<crate::api::robots::Camera>,
    /// Scene snapshots and ID captures the robot uploaded in the last
    /// ten minutes, newest first.
    pub captures: Vec<Capture>,
    pub showing: Option<Showing>,
    /// The gate's robots: their state from heartbeats.
    pub robots: Vec<crate::api::robots::RobotView>,
}

/// How far back the scene's captures go.
const CAPTURES_SHOWN_MS: i64 = 10 * 60_000;

/// The scene at the held gate.
async fn scene(state: &AppState, site: &Site, held: &DecisionRow) -> Result<Scene, ApiError> {
    let lot = &site.lot;
    let gate = &site.gate.id;
    let pool = state.db.pool();
    let zone = &lot.zone;
    let plate_photo = match (&held.robot_id, &held.event_id) {
        (Some(robot), Some(event)) => decisions::event_photo(pool, &lot.id, robot, event)
            .await?
            .map(|d| photo_url(&lot.id, &d)),
        _ => None,
    };
    let robots: Vec<_> =
        crate::api::robots::robot_views(state, lot, crate::api::robots::LastEvents::Read)
            .await?
            .into_iter()
            .filter(|r| &r.gate_id == gate && r.retired_at.is_none())
            .collect();
    let cameras = robots.iter().flat_map(|r| r.cameras.clone()).collect();
    let now = state.clock.now_ms();
    let captures = devices::captures(pool, &lot.id, gate, now - CAPTURES_SHOWN_MS, 20)
        .await?
        .into_iter()
        .map(|c| Capture {
            kind: c.kind,
            url: photo_url(&lot.id, &c.digest),
            digest: c.digest,
            taken_at: zone.local(c.created_at).to_string(),
        })
        .collect();
    let decision = held.decision()?;
    let decided = Showing {
        source: "decision".to_owned(),
        voice: Some(decision.voice),
        display: decision.display,
        light: decision.light,
        since: zone.local(held.created_at).to_string(),
        by: held
            .robot_id
            .as_ref()
            .map_or_else(String::new, |r| format!("robot:{r}")),
    };
    let showing = match crate::db::commands::latest_command(pool, &lot.id, gate).await? {
        Some(row) if row.created_at >= held.created_at => {
            let command: Command = serde_json::from_str(&row.command)
                .map_err(|e| anyhow::anyhow!("stored command `{}`: {e}", row.id))?;
            let (voice, display, light) = match command {
                Command::Decision {
                    voice,
                    display,
                    light,
                    ..
                } => (Some(voice), display, light),
                Command::Display {
                    voice,
                    display,
                    light,
                    ..
                } => (voice, display, light),
            };
            Showing {
                source: "command".to_owned(),
                voice,
                display,
                light,
                since: zone.local(row.created_at).to_string(),
                by: row.issued_by,
            }
        }
        _ => decided,
    };
    Ok(Scene {
        plate_photo,
        cameras,
        captures,
        showing: Some(showing),
        robots,
    })
}

/// What the policy saw about the vehicle, with the account and payments
/// beside it.
async fn facts(
    state: &AppState,
    site: &Site,
    input: &boomgate_engine::sdk::Input,
) -> Result<Facts, ApiError> {
    let lot = &site.lot;
    let today = input.today();
    let plate = input.event.plate.as_ref();
    let account = match plate {
        Some(p) => passes::monthly_pass(state.db.pool(), &lot.id, p).await?,
        None => None,
    };
    let monthly_pass = input.vehicle.monthly_pass.map(|pass| {
        let days = pass.days_expired(today);
        PassFacts {
            valid_until: pass.valid_until.to_string(),
            days_expired: days,
            valid: days <= 0,
            spaces: pass.spaces,
            vehicles_inside: pass.vehicles_inside,
            account: account.as_ref().map(|a| a.account_id.clone()),
            holder: account.as_ref().and_then(|a| a.holder.clone()),
            phone: account.as_ref().and_then(|a| a.phone.clone()),
        }
    });
    let session = input.vehicle.session.map(|s| SessionFacts {
        entered_at: s.entered_at.to_string(),
        billing: s.billing,
        minutes: s.entered_at.minutes_until(&input.event.occurred_at),
        paid_amount: s.paid_amount,
        paid_at: s.paid_at.map(|t| t.to_string()),
        pick: s.pick,
    });
    let mut payments = Vec::new();
    if let Some(p) = plate
        && input.vehicle.session.is_some()
        && let Some(open) = stays::open_session(state.db.pool(), &lot.id, p).await?
    {
        payments = payments::payments_of_session(state.db.pool(), &open.id)
            .await?
            .into_iter()
            .map(|r| PaymentView::new(&lot.zone, r))
            .collect();
    }
    Ok(Facts {
        monthly_pass,
        parking_pass: input.vehicle.parking_pass.is_some_and(|p| p.registered),
        session,
        payments,
    })
}

#[utoipa::path(get, path = "/v1/lots/{lot}/gates/{gate}/pending", tag = "agents", summary = "Read a gate's held event with its decision, facts and scene",
    params(("lot" = String, Path), ("gate" = String, Path)),
    responses((status = 200, body = Pending), (status = 404, description = "Nothing is held at the gate", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pending(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
) -> Result<axum::Json<Pending>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let gate = fields::gate_of(&state, &lot.id, &gate).await?;
    let row = held(&state, &lot.id, &gate.id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("nothing is held at gate `{}`", gate.id)))?;
    let input = row.input()?;
    let decision = row.decision()?;
    let site = Site { lot, gate };
    let case =
        match crate::db::cases::open_case_at(state.db.pool(), &site.lot.id, &site.gate.id, false)
            .await?
        {
            Some(c) => Some(crate::api::cases::view(&state, &site.lot, c, true).await?),
            None => None,
        };
    Ok(axum::Json(Pending {
        scene: scene(&state, &site, &row).await?,
        case,
        facts: facts(&state, &site, &input).await?,
        decision_id: row.id,
        gate_id: row.gate_id,
        direction: row.direction,
        event_id: row.event_id,
        plate: row.plate,
        occurred_at: input.event.occurred_at.to_string(),
        waiting_seconds: (state.clock.now_ms() - row.created_at) / 1000,
        policy_version: row.policy_version,
        decision,
    }))
}
