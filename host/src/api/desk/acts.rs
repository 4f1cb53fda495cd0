//! What an agent does at a gate: correct the plate, match the entry,
//! open (normally, or abnormally with a reason and evidence), register a
//! visitor.

use axum::extract::{Path, State};
use boomgate_engine::sdk::{AgentAction, Billing, Decision, Direction, Effect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::Caller;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::fields;
use crate::api::json::Json;
use crate::db::types::OpeningKind;
use crate::db::{photos, stays};
use crate::domain::pipeline::{Assembled, Decider, Opening};
use crate::service::AppState;

use super::{Gatehouse, Outcome};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The plate as the agent reads it (on the scene camera, from the driver).
    pub plate: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/correct", tag = "agents", summary = "Decide a gate's held event again with a corrected plate",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = Correction,
    responses((status = 200, description = "The held event decided again with the corrected plate, applied, the robot told", body = Outcome),
        (status = 400, body = ErrorBody), (status = 404, description = "Nothing is held at the gate", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn correct_plate(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<Correction>,
) -> Result<axum::Json<Outcome>, ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    let plate = fields::plate("plate", &req.plate)?;
    if desk.held.is_none() {
        return Err(ApiError::not_found(format!(
            "nothing is held at gate `{}`",
            desk.site.gate.id
        )));
    }
    let opening = Opening::plain(OpeningKind::Correction);
    let outcome = desk
        .act(Some(&plate), None, Decider::Policy, opening, None)
        .await?;
    Ok(axum::Json(outcome))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// The stay the agent picked from the vehicles inside.
    pub session_id: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/match", tag = "agents", summary = "Price the exit from an entry picked among the vehicles inside",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = Match,
    responses((status = 200, description = "The exit priced from the chosen entry, the robot told", body = Outcome),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<Match>,
) -> Result<axum::Json<Outcome>, ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    let lot = &desk.site.lot.id;
    let session = stays::session(state.db.pool(), lot, &req.session_id)
        .await?
        .filter(|s| s.exited_at.is_none())
        .ok_or_else(|| {
            ApiError::field(
                "session_id",
                format!("no open stay `{}` in lot `{lot}`", req.session_id),
            )
        })?;
    let opening = Opening::plain(OpeningKind::Correction);
    let outcome = desk
        .act(Some(&session.plate), None, Decider::Policy, opening, None)
        .await?;
    Ok(axum::Json(outcome))
}

/// Why a gate may be opened abnormally (seed 001 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbnormalReason {
    SpecialVehicle,
    SpecialPerson,
    NonMotorVehicle,
}

impl AbnormalReason {
    fn as_str(self) -> &'static str {
        match self {
            AbnormalReason::SpecialVehicle => "special_vehicle",
            AbnormalReason::SpecialPerson => "special_person",
            AbnormalReason::NonMotorVehicle => "non_motor_vehicle",
        }
    }
}

/// How to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OpenRequest {
    /// Open if the policy lets an agent open for this vehicle.
    Normal {
        /// The vehicle's plate, if not the held event's.
        #[serde(default)]
        plate: Option<String>,
    },
    /// Open whatever the policy says, for a recorded reason with evidence.
    Abnormal {
        reason: AbnormalReason,
        /// What happened, e.g. `警车粤BXXXXX，XX警官进出`.
        note: String,
        /// Digests of ID photos (1 to 4 at an exit).
        #[serde(default)]
        id_photos: Vec<String>,
        /// Digests of scene photos (1 to 4 at an exit).
        #[serde(default)]
        scene_photos: Vec<String>,
        #[serde(default)]
        plate: Option<String>,
        /// What the robot says as it opens.
        #[serde(default)]
        voice: Option<String>,
    },
}

async fn check_photos(
    state: &AppState,
    lot: &str,
    field: &str,
    photos: &[String],
    exit: bool,
) -> Result<(), ApiError> {
    if photos.len() > 4 || (exit && photos.is_empty()) {
        let need = if exit { "1 to 4" } else { "at most 4" };
        return Err(ApiError::field(
            field,
            format!(
                "an abnormal {} needs {need} photos, not {}",
                if exit { "exit" } else { "entry" },
                photos.len()
            ),
        ));
    }
    for (i, digest) in photos.iter().enumerate() {
        if !photos::has_photo(state.db.pool(), lot, digest).await? {
            return Err(ApiError::field(
                format!("{field}[{i}]"),
                format!("no photo `{digest}` was uploaded to this lot"),
            ));
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/open", tag = "agents", summary = "Open a gate normally, or abnormally with a reason and evidence",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = OpenRequest,
    responses((status = 200, description = "Opened, or the policy's reason not to (`opened: false`)", body = Outcome),
        (status = 400, description = "An abnormal opening without its reason, note or evidence", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_gate(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<OpenRequest>,
) -> Result<axum::Json<Outcome>, ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    match req {
        OpenRequest::Normal { plate } => {
            let plate = desk.plate(plate.as_deref())?;
            let opening = Opening::plain(OpeningKind::Normal);
            let outcome = desk
                .act(
                    plate.as_ref(),
                    Some(AgentAction::Open),
                    Decider::PolicyIfOpen,
                    opening,
                    None,
                )
                .await?;
            Ok(axum::Json(outcome))
        }
        OpenRequest::Abnormal {
            reason,
            note,
            id_photos,
            scene_photos,
            plate,
            voice,
        } => {
            let note = fields::text("note", &note, 500, "say what happened")?;
            let exit = desk.direction() == Direction::Exit;
            let lot = &desk.site.lot.id;
            check_photos(&state, lot, "id_photos", &id_photos, exit).await?;
            check_photos(&state, lot, "scene_photos", &scene_photos, exit).await?;
            let plate = desk.plate(plate.as_deref())?;
            // The agent overrides the policy: an exempted stay at the entry
            // (a special vehicle does not pay), the stay closed at the exit.
            let trace = format!(
                "abnormal opening by {}: {}: {note}",
                caller.label(),
                reason.as_str()
            );
            // The robot says what the seed's scenes have it say: the
            // lot's welcome at an entry, its farewell at an exit.
            let voice = voice.unwrap_or_else(|| {
                let name = if exit { "farewell" } else { "welcome" };
                crate::domain::presets::find(&state, lot, name, None)
                    .map(|p| p.voice)
                    .unwrap_or_default()
            });
            let decide = move |assembled: &Assembled| {
                let decision = Decision::open("abnormal_opening").voice(voice).trace(trace);
                let input = &assembled.input;
                match (exit, &input.event.plate, &input.vehicle.session) {
                    (false, Some(_), _) => decision.effect(Effect::OpenSession {
                        billing: Billing::Free,
                    }),
                    (true, _, Some(_)) => decision.effect(Effect::CloseSession),
                    _ => decision,
                }
            };
            let opening = Opening {
                kind: OpeningKind::Abnormal,
                reason: Some(reason.as_str()),
                note: Some(note),
                id_photos: &id_photos,
                scene_photos: &scene_photos,
            };
            let decider = Decider::Agent(Box::new(decide));
            let outcome = desk
                .act(plate.as_ref(), None, decider, opening, None)
                .await?;
            Ok(axum::Json(outcome))
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorRegistration {
    /// The driver's phone number.
    pub phone: String,
    /// Why they come, e.g. `1单元303业主客人，业主已确认放行`.
    pub reason: String,
    /// The vehicle's plate, if not the held event's.
    #[serde(default)]
    pub plate: Option<String>,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/visitor", tag = "agents", summary = "Register a visitor at an entry gate and admit them",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = VisitorRegistration,
    responses((status = 200, description = "Registered and admitted, or the policy's reason not to", body = Outcome),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn register_visitor(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<VisitorRegistration>,
) -> Result<axum::Json<Outcome>, ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    if desk.direction() != Direction::Entry {
        return Err(ApiError::bad_request(format!(
            "gate `{}` is an exit: visitors are registered at an entry",
            desk.site.gate.id
        )));
    }
    let phone = fields::phone("phone", &req.phone)?;
    let phone = phone.as_str();
    let reason = fields::text("reason", &req.reason, 500, "say why the visitor comes")?;
    let plate = desk.plate(req.plate.as_deref())?;
    let opening = Opening {
        kind: OpeningKind::Visitor,
        reason: Some(reason),
        note: Some(phone),
        id_photos: &[],
        scene_photos: &[],
    };
    let agent = Some(AgentAction::VisitorConfirmed);
    let outcome = desk
        .act(
            plate.as_ref(),
            agent,
            Decider::PolicyIfOpen,
            opening,
            Some((phone, reason)),
        )
        .await?;
    Ok(axum::Json(outcome))
}
