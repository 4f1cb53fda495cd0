//! The agents' desk at a gate (seed 001 §2.3): the held event and why, a
//! corrected plate, a normal or abnormal opening, a registered visitor, a
//! QR code or prompt pushed to the robot, the entry record picked from the
//! vehicles inside; the gates where vehicles wait longest; the audit list
//! of openings. What an agent decides goes through the decision pipeline,
//! is recorded beside the robot's decision it replaces, and the robot is
//! told.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{
    AgentAction, Billing, Decision, Direction, Display, Effect, Gate, Light, Plate,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, staff_lot, visible_lots};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use super::payments::PaymentView;
use super::photos::photo_url;
use crate::db::decisions::{self, DecisionRow};
use crate::db::types::OpeningKind;
use crate::db::{desk, passes, payments, photos, stays};
use crate::domain::commands::{self, Command};
use crate::domain::input::{Reading, VehicleInside};
use crate::domain::pipeline::{
    self, AgentAct, Assembled, Committed, Evaluated, Opening, Origin, Read, Site,
};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(pending))
            .routes(routes!(correct_plate))
            .routes(routes!(match_entry))
            .routes(routes!(open_gate))
            .routes(routes!(register_visitor))
            .routes(routes!(push_display))
            .routes(routes!(congestion))
            .routes(routes!(openings)),
    )
}

/// Holds younger than this are not congestion yet (seed 001: a minute).
const CONGESTION_AFTER_MS: i64 = 60_000;

/// The held event at a gate: its latest decision, if that holds.
async fn held(state: &AppState, lot: &str, gate: &str) -> Result<Option<DecisionRow>, ApiError> {
    let latest = decisions::decisions(state.db.pool(), lot, Some(gate), None, 1).await?;
    Ok(latest.into_iter().next().filter(|d| d.gate == Gate::Hold))
}

// ---------------------------------------------------------------- pending

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

#[utoipa::path(get, path = "/v1/lots/{lot}/gates/{gate}/pending", tag = "agents",
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
    Ok(axum::Json(Pending {
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

// ---------------------------------------------------------------- acting

/// What an agent's request came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Outcome {
    /// Whether the gate opens.
    pub opened: bool,
    /// The decision. When the policy does not let the agent open, it is the
    /// policy's answer (with the reason in its trace) and nothing changes.
    pub decision: Decision,
    /// The decision's id, when it was recorded and applied.
    pub decision_id: Option<String>,
    /// The held decision it replaces.
    pub supersedes: Option<String>,
    /// The opening recorded, when the gate opens.
    pub opening_id: Option<String>,
    /// The command sent to the robot.
    pub command_id: Option<String>,
    pub policy_version: Option<i64>,
}

impl Outcome {
    /// The policy's answer when it does not let the agent open: nothing is
    /// recorded.
    fn refused(evaluated: Evaluated) -> Outcome {
        Outcome {
            opened: false,
            decision: evaluated.decision,
            decision_id: None,
            supersedes: None,
            opening_id: None,
            command_id: None,
            policy_version: evaluated.version,
        }
    }
}

/// An agent at a gate: who, where, and what is held there.
struct Gatehouse<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    site: Site,
    /// The gate's held decision, which what the agent decides replaces.
    held: Option<DecisionRow>,
}

impl<'a> Gatehouse<'a> {
    /// The gate, if the caller may work it (404 otherwise, 403 for robots).
    async fn enter(
        state: &'a AppState,
        caller: &'a Caller,
        lot: &str,
        gate: &str,
    ) -> Result<Gatehouse<'a>, ApiError> {
        let lot = staff_lot(state, caller, lot).await?;
        let gate = fields::gate_of(state, &lot.id, gate).await?;
        let held = held(state, &lot.id, &gate.id).await?;
        Ok(Gatehouse {
            state,
            caller,
            site: Site { lot, gate },
            held,
        })
    }

    fn direction(&self) -> Direction {
        self.site.gate.direction
    }

    /// The plate the agent names, or else the held event's.
    fn plate(&self, given: Option<&str>) -> Result<Option<Plate>, ApiError> {
        match given {
            Some(raw) => fields::plate("plate", raw).map(Some),
            None => self
                .held
                .as_ref()
                .and_then(|d| d.plate.as_deref())
                .map(|p| fields::plate("plate", p))
                .transpose(),
        }
    }

    /// What the policy sees of the vehicle at the gate now, as the agent
    /// asks.
    async fn read(
        &self,
        plate: Option<&Plate>,
        agent: Option<AgentAction>,
    ) -> Result<Assembled, ApiError> {
        let reading = Reading {
            plate: plate.cloned(),
            occurred_ms: self.state.clock.now_ms(),
            confidence: None,
            agent,
        };
        match pipeline::read(self.state, &self.site, &reading, None).await? {
            Read::Fresh(assembled) => Ok(*assembled),
            Read::Received { .. } => Err(anyhow::anyhow!("an agent's act is no retry").into()),
        }
    }

    /// The vehicles inside of the held vehicle's monthly-pass account (seed
    /// 001 §2.3 B scene 5b: shown when its shared spaces are full).
    async fn account_vehicles(&self) -> Result<Vec<VehicleInside>, ApiError> {
        let plate = self.plate(None)?.ok_or_else(|| {
            ApiError::field(
                "display.kind",
                format!(
                    "no vehicle with a plate is held at gate `{}`: whose vehicles inside to show?",
                    self.site.gate.id
                ),
            )
        })?;
        let lot = &self.site.lot;
        let pool = self.state.db.pool();
        let Some(pass) = passes::monthly_pass(pool, &lot.id, &plate).await? else {
            return Err(ApiError::field(
                "display.kind",
                format!("`{plate}` has no monthly pass, so no account vehicles to show"),
            ));
        };
        let inside =
            passes::account_vehicles_inside(pool, &lot.id, &pass.account_id, &plate).await?;
        Ok(VehicleInside::list(&lot.zone, inside))
    }

    /// Decides again through the policy and records the answer; with
    /// `only_if_open`, an answer that does not open changes nothing.
    async fn ask(
        self,
        plate: Option<&Plate>,
        agent: Option<AgentAction>,
        only_if_open: bool,
        opening: Opening<'_>,
        visitor: Option<(&str, &str)>,
    ) -> Result<Outcome, ApiError> {
        let assembled = self.read(plate, agent).await?;
        let evaluated = pipeline::evaluate(self.state, &self.site.lot, &assembled.input);
        if only_if_open && !evaluated.decision.is_open() {
            return Ok(Outcome::refused(evaluated));
        }
        self.record(&assembled, evaluated, opening, visitor).await
    }

    /// Commits the agent's decision through the pipeline: its effects, the
    /// opening (and the visitor), the gate's cases resolved, the robot told.
    async fn record(
        self,
        assembled: &Assembled,
        evaluated: Evaluated,
        opening: Opening<'_>,
        visitor: Option<(&str, &str)>,
    ) -> Result<Outcome, ApiError> {
        let by = self.caller.label();
        let supersedes = self.held.map(|h| h.id);
        let act = AgentAct {
            by: &by,
            supersedes: supersedes.as_deref(),
            opening,
            visitor,
        };
        let origin = Origin::Agent(&act);
        let recorded =
            match pipeline::commit(self.state, &self.site, assembled, &evaluated, origin).await? {
                Committed::Recorded(recorded) => recorded,
                Committed::Raced => {
                    return Err(anyhow::anyhow!("an agent's act raced no event").into());
                }
            };
        Ok(Outcome {
            opened: evaluated.decision.is_open(),
            decision: evaluated.decision,
            decision_id: Some(recorded.decision_id),
            supersedes,
            opening_id: recorded.opening_id,
            command_id: recorded.command_id,
            policy_version: evaluated.version,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The plate as the agent reads it (on the scene camera, from the driver).
    pub plate: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/correct", tag = "agents",
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
    let outcome = desk.ask(Some(&plate), None, false, opening, None).await?;
    Ok(axum::Json(outcome))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// The stay the agent picked from the vehicles inside.
    pub session_id: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/match", tag = "agents",
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
        .ask(Some(&session.plate), None, false, opening, None)
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

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/open", tag = "agents",
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
                .ask(plate.as_ref(), Some(AgentAction::Open), true, opening, None)
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
            let assembled = desk.read(plate.as_ref(), None).await?;
            // The agent overrides the policy: an exempted stay at the entry
            // (a special vehicle does not pay), the stay closed at the exit.
            let mut decision = Decision::open("abnormal_opening")
                .voice(voice.unwrap_or_default())
                .trace(format!(
                    "abnormal opening by {}: {}: {note}",
                    caller.label(),
                    reason.as_str()
                ));
            decision = match (
                exit,
                &assembled.input.event.plate,
                &assembled.input.vehicle.session,
            ) {
                (false, Some(_), _) => decision.effect(Effect::OpenSession {
                    billing: Billing::Free,
                }),
                (true, _, Some(_)) => decision.effect(Effect::CloseSession),
                _ => decision,
            };
            let evaluated = pipeline::overridden(&state, &desk.site.lot, decision);
            let opening = Opening {
                kind: OpeningKind::Abnormal,
                reason: Some(reason.as_str()),
                note: Some(note),
                id_photos: &id_photos,
                scene_photos: &scene_photos,
            };
            let outcome = desk.record(&assembled, evaluated, opening, None).await?;
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

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/visitor", tag = "agents",
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
    let phone = req.phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(5..=20).contains(&digits)
        || phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || "+- ()".contains(c)))
    {
        return Err(ApiError::field(
            "phone",
            format!("`{phone}` is not a phone number"),
        ));
    }
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
        .ask(plate.as_ref(), agent, true, opening, Some((phone, reason)))
        .await?;
    Ok(axum::Json(outcome))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Push {
    /// A QR code (`unplated_entry`, `unplated_exit`, `monthly_renewal`,
    /// `quick_exit`), a text, or the ID prompt.
    pub display: Display,
    /// What the robot says with it.
    #[serde(default)]
    pub voice: Option<String>,
    #[serde(default)]
    pub light: Option<Light>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Pushed {
    pub command_id: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/display", tag = "agents",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = Push,
    responses((status = 201, body = Pushed), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn push_display(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<Push>,
) -> Result<(StatusCode, axum::Json<Pushed>), ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    match &req.display {
        Display::Text { text }
            if text.trim().is_empty() || text.len() > boomgate_engine::MAX_TEXT_BYTES =>
        {
            return Err(ApiError::field("display.text", "must be 1 to 512 bytes"));
        }
        _ => {}
    }
    if req
        .voice
        .as_ref()
        .is_some_and(|v| v.len() > boomgate_engine::MAX_VOICE_BYTES)
    {
        return Err(ApiError::field("voice", "is over 1024 bytes"));
    }
    let vehicles_inside = match req.display {
        Display::VehiclesInside => Some(desk.account_vehicles().await?),
        _ => None,
    };
    let Site { lot, gate } = desk.site;
    let now = state.clock.now_ms();
    let command = Command::Display {
        display: req.display,
        voice: req.voice,
        light: req.light.unwrap_or(Light::Green),
        vehicles_inside,
    };
    let mut tx = state.db.write().await?;
    let id = commands::issue(&mut tx, now, &lot.id, &gate.id, &command, &caller.label()).await?;
    tx.commit().await?;
    state.commands.wake(&lot.id, &gate.id);
    Ok((StatusCode::CREATED, axum::Json(Pushed { command_id: id })))
}

// ---------------------------------------------------------------- congestion

/// A gate where a vehicle has been held for over a minute.
#[derive(Debug, Serialize, ToSchema)]
pub struct Congested {
    pub lot_id: String,
    pub lot_name: String,
    pub gate_id: String,
    pub direction: Direction,
    pub plate: Option<String>,
    /// Why the robot held.
    pub reason: String,
    pub decision_id: String,
    /// RFC 3339, the lot's local time.
    pub held_since: String,
    pub waiting_seconds: i64,
}

#[utoipa::path(get, path = "/v1/congestion", tag = "agents",
    responses((status = 200, description = "Gates of the caller's lots with a vehicle held for over a minute that has not paid, left or been let through since; longest wait first", body = Vec<Congested>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn congestion(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Congested>>, ApiError> {
    let now = state.clock.now_ms();
    let mut out = Vec::new();
    for lot in visible_lots(&state, &caller).await? {
        let zone = &lot.zone;
        // The latest decision at a gate is its state: another vehicle's
        // read, the robot letting this one through, or an agent's answer
        // replaces a hold.
        for held in decisions::latest_decisions(state.db.pool(), &lot.id).await? {
            let waited = now - held.created_at;
            if held.gate != Gate::Hold || waited < CONGESTION_AFTER_MS {
                continue;
            }
            if let Some(plate) = &held.plate
                && payments::paid_since(state.db.pool(), &lot.id, plate, held.created_at).await? > 0
            {
                continue;
            }
            out.push(Congested {
                lot_id: lot.id.clone(),
                lot_name: lot.name.clone(),
                gate_id: held.gate_id,
                direction: held.direction,
                plate: held.plate,
                reason: held.reason,
                decision_id: held.id,
                held_since: zone.local(held.created_at).to_string(),
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

#[utoipa::path(get, path = "/v1/lots/{lot}/openings", tag = "agents", params(("lot" = String, Path), OpeningsQuery),
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
