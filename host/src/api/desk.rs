//! The agents' desk at a gate (seed 001 §2.3): the held event and why, a
//! corrected plate, a normal or abnormal opening, a registered visitor, a
//! QR code or prompt pushed to the robot, the entry record picked from the
//! vehicles inside. What the policy decides for an agent is recorded beside
//! the robot's decision it replaces, and the robot is told.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{
    AgentAction, Billing, Decision, Direction, Display, Effect, Input, Light, Plate,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::agents::photo_url;
use super::error::{ApiError, ErrorBody};
use super::json::Json;
use crate::auth::{Caller, staff_lot};
use crate::commands::{self, Command, Issued};
use crate::db::{self, DecisionRow, GateRow, LotRow, NewOpening, NewVisitor, PaymentRow};
use crate::decide::{self, Assembled, Evaluated, Source, VehicleInside};
use crate::ids::new_id;
use crate::state::AppState;
use crate::tz::LotZone;

/// The held event at a gate: its latest decision, if that holds.
async fn held(state: &AppState, lot: &str, gate: &str) -> Result<Option<DecisionRow>, ApiError> {
    let latest = db::decisions(state.db.pool(), lot, Some(gate), None, 1).await?;
    Ok(latest.into_iter().next().filter(|d| d.gate == "hold"))
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

/// A payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub kind: String,
    pub amount: i64,
    /// RFC 3339, the lot's local time.
    pub paid_at: String,
    pub plate: Option<String>,
}

impl Payment {
    pub fn new(zone: &LotZone, row: PaymentRow) -> Payment {
        Payment {
            id: row.id,
            kind: row.kind,
            amount: row.amount,
            paid_at: zone.local(row.paid_at).to_string(),
            plate: row.plate,
        }
    }
}

/// What the policy saw about the vehicle.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facts {
    pub monthly_pass: Option<PassFacts>,
    pub parking_pass: bool,
    pub session: Option<SessionFacts>,
    /// Payments on the stay.
    pub payments: Vec<Payment>,
}

/// A held event, as the agent who answers the robot's call sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    pub decision_id: String,
    pub gate_id: String,
    pub direction: String,
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

async fn facts(
    state: &AppState,
    lot: &LotRow,
    zone: &LotZone,
    input: &Input,
) -> Result<Facts, ApiError> {
    let today = input.today();
    let plate = input.event.plate.as_ref();
    let account = match plate {
        Some(p) => db::monthly_pass(state.db.pool(), &lot.id, p.as_str()).await?,
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
        && let Some(open) = db::open_session(state.db.pool(), &lot.id, p.as_str()).await?
    {
        payments = db::payments_of_session(state.db.pool(), &open.id)
            .await?
            .into_iter()
            .map(|r| Payment::new(zone, r))
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
    let gate = super::gate_of(&state, &lot.id, &gate).await?;
    let row = held(&state, &lot.id, &gate.id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("nothing is held at gate `{}`", gate.id)))?;
    let zone = LotZone::of(&lot)?;
    let input: Input = serde_json::from_str(&row.input).map_err(anyhow::Error::from)?;
    let decision: Decision = serde_json::from_str(&row.decision).map_err(anyhow::Error::from)?;
    Ok(axum::Json(Pending {
        facts: facts(&state, &lot, &zone, &input).await?,
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

/// An opening to record with a decision.
struct Opening<'a> {
    kind: &'a str,
    reason: Option<&'a str>,
    note: Option<&'a str>,
    id_photos: &'a [String],
    scene_photos: &'a [String],
}

impl<'a> Opening<'a> {
    /// An opening with no reason, note or evidence.
    fn plain(kind: &'a str) -> Opening<'a> {
        Opening {
            kind,
            reason: None,
            note: None,
            id_photos: &[],
            scene_photos: &[],
        }
    }
}

/// An agent at a gate: who, where, and what is held there.
struct Gatehouse<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    lot: LotRow,
    gate: GateRow,
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
        let gate = super::gate_of(state, &lot.id, gate).await?;
        let held = held(state, &lot.id, &gate.id).await?;
        Ok(Gatehouse {
            state,
            caller,
            lot,
            gate,
            held,
        })
    }

    fn direction(&self) -> Direction {
        self.gate.way()
    }

    /// The plate the agent names, or else the held event's.
    fn plate(&self, given: Option<&str>) -> Result<Option<Plate>, ApiError> {
        match given {
            Some(raw) => super::plate("plate", raw).map(Some),
            None => self
                .held
                .as_ref()
                .and_then(|d| d.plate.as_deref())
                .map(|p| super::plate("plate", p))
                .transpose(),
        }
    }

    /// What the policy would see of the vehicle at the gate now.
    async fn assemble(&self, plate: Option<&Plate>) -> Result<Assembled, ApiError> {
        let zone = LotZone::of(&self.lot)?;
        let now = self.state.clock.now_ms();
        let gate = &self.gate.id;
        decide::assemble(
            self.state,
            &self.lot,
            &zone,
            gate,
            self.direction(),
            plate,
            now,
        )
        .await
    }

    /// Decides for the vehicle at the gate now, as the agent asks.
    async fn redecide(
        &self,
        plate: Option<&Plate>,
        agent: Option<AgentAction>,
    ) -> Result<(Assembled, Evaluated), ApiError> {
        let mut assembled = self.assemble(plate).await?;
        assembled.input.event.agent = agent;
        let evaluated = decide::evaluate(self.state, &self.lot, &assembled.input);
        Ok((assembled, evaluated))
    }

    /// The vehicles inside of the held vehicle's monthly-pass account (seed
    /// 001 §2.3 B scene 5b: shown when its shared spaces are full).
    async fn account_vehicles(&self) -> Result<Vec<VehicleInside>, ApiError> {
        let plate = self.plate(None)?.ok_or_else(|| {
            ApiError::field(
                "display.kind",
                format!(
                    "no vehicle with a plate is held at gate `{}`: whose vehicles inside to show?",
                    self.gate.id
                ),
            )
        })?;
        let assembled = self.assemble(Some(&plate)).await?;
        if assembled.pass.is_none() {
            return Err(ApiError::field(
                "display.kind",
                format!("`{plate}` has no monthly pass, so no account vehicles to show"),
            ));
        }
        Ok(decide::vehicles_inside(
            &LotZone::of(&self.lot)?,
            &assembled,
        ))
    }

    /// Decides again through the policy and applies the answer; with
    /// `only_if_open`, an answer that does not open changes nothing.
    async fn ask(
        self,
        plate: Option<&Plate>,
        agent: Option<AgentAction>,
        only_if_open: bool,
        opening: Opening<'_>,
        visitor: Option<(&str, &str)>,
    ) -> Result<Outcome, ApiError> {
        let (assembled, evaluated) = self.redecide(plate, agent).await?;
        if only_if_open && !evaluated.decision.is_open() {
            return Ok(Outcome::refused(evaluated));
        }
        self.apply(&assembled, evaluated, opening, visitor).await
    }

    /// Records the agent's decision with its effects (and the opening, and
    /// the visitor) in one transaction, resolves the gate's escalations, and
    /// tells the robot.
    async fn apply(
        self,
        assembled: &Assembled,
        evaluated: Evaluated,
        opening: Opening<'_>,
        visitor: Option<(&str, &str)>,
    ) -> Result<Outcome, ApiError> {
        let Gatehouse {
            state,
            caller,
            lot,
            gate,
            held,
        } = self;
        let supersedes = held.map(|h| h.id);
        let by = caller.label();
        let now = state.clock.now_ms();
        let mut tx = state.db.write().await?;
        let source = Source::Agent {
            agent_id: &by,
            supersedes: supersedes.as_deref(),
        };
        let decision_id =
            decide::record(state, &mut tx, &lot, assembled, &evaluated, &source).await?;
        let plate = assembled.input.event.plate.as_ref().map(Plate::as_str);
        let opened = evaluated.decision.is_open();
        let mut opening_id = None;
        if opened {
            let id = new_id("opn", now);
            let row = NewOpening {
                id: &id,
                lot: &lot.id,
                gate: &gate.id,
                direction: &gate.direction,
                plate,
                kind: opening.kind,
                reason: opening.reason,
                note: opening.note,
                id_photos: opening.id_photos,
                scene_photos: opening.scene_photos,
                decision: &decision_id,
                by: &by,
            };
            db::insert_opening(&mut *tx, &row, now).await?;
            opening_id = Some(id);
        }
        if let Some((phone, reason)) = visitor.filter(|_| opened) {
            let id = new_id("vis", now);
            let row = NewVisitor {
                id: &id,
                lot: &lot.id,
                gate: &gate.id,
                plate,
                phone,
                reason,
                decision: &decision_id,
                by: &by,
            };
            db::insert_visitor(&mut *tx, &row, now).await?;
        }
        db::resolve_escalations(&mut *tx, &lot.id, &gate.id, &decision_id, now).await?;
        let command = Command::decision(&decision_id, &evaluated.decision);
        let command_id = commands::issue(&mut tx, now, &lot.id, &gate.id, &command, &by).await?;
        tx.commit().await?;
        state.commands.wake(&lot.id, &gate.id);
        Ok(Outcome {
            opened,
            decision: evaluated.decision,
            decision_id: Some(decision_id),
            supersedes,
            opening_id,
            command_id: Some(command_id),
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
    let plate = super::plate("plate", &req.plate)?;
    if desk.held.is_none() {
        return Err(ApiError::not_found(format!(
            "nothing is held at gate `{}`",
            desk.gate.id
        )));
    }
    let opening = Opening::plain("correction");
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
    let session = db::session(state.db.pool(), &desk.lot.id, &req.session_id)
        .await?
        .filter(|s| s.exited_at.is_none())
        .ok_or_else(|| {
            ApiError::field(
                "session_id",
                format!("no open stay `{}` in lot `{}`", req.session_id, desk.lot.id),
            )
        })?;
    let plate = super::plate("session_id", &session.plate)?;
    let opening = Opening::plain("correction");
    let outcome = desk.ask(Some(&plate), None, false, opening, None).await?;
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
        if !db::has_photo(state.db.pool(), lot, digest).await? {
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
            let opening = Opening::plain("normal");
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
            let note = note.trim();
            if note.is_empty() || note.chars().count() > 500 {
                return Err(ApiError::field(
                    "note",
                    "say what happened (1 to 500 characters)",
                ));
            }
            let exit = desk.direction() == Direction::Exit;
            check_photos(&state, &desk.lot.id, "id_photos", &id_photos, exit).await?;
            check_photos(&state, &desk.lot.id, "scene_photos", &scene_photos, exit).await?;
            let plate = desk.plate(plate.as_deref())?;
            let (assembled, policy) = desk.redecide(plate.as_ref(), None).await?;
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
            let evaluated = Evaluated {
                decision,
                fault: None,
                version: policy.version,
                digest: policy.digest,
                micros: 0,
            };
            let opening = Opening {
                kind: "abnormal",
                reason: Some(reason.as_str()),
                note: Some(note),
                id_photos: &id_photos,
                scene_photos: &scene_photos,
            };
            let outcome = desk.apply(&assembled, evaluated, opening, None).await?;
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
            desk.gate.id
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
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::field(
            "reason",
            "say why the visitor comes (1 to 500 characters)",
        ));
    }
    let plate = desk.plate(req.plate.as_deref())?;
    let opening = Opening {
        kind: "visitor",
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
    let Gatehouse { lot, gate, .. } = desk;
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

#[derive(Debug, Deserialize, IntoParams)]
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

#[utoipa::path(get, path = "/v1/robot/commands", tag = "robots", params(CommandsQuery),
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
    let commands = commands::fetch(&state, &robot.lot_id, &robot.gate_id, &after, wait).await?;
    let next = commands
        .last()
        .map(|c| c.id.clone())
        .or(Some(after).filter(|a| !a.is_empty()));
    Ok(axum::Json(Commands { commands, next }))
}

/// A vehicle inside whose plate is close to a misread one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Similar {
    pub session_id: String,
    pub plate: String,
    /// How far the plate is from the read (0: the same), LPR confusions cheap.
    pub distance: u32,
    pub entered_at: String,
    pub entry_gate: Option<String>,
    pub billing: String,
    /// The entry photo, if the robot sent one.
    pub entry_photo: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SimilarQuery {
    /// The plate as read at the exit.
    pub plate: String,
}

/// How many candidates the fuzzy search offers (seed 001: six).
const SIMILAR: usize = 6;

#[utoipa::path(get, path = "/v1/lots/{lot}/sessions/similar", tag = "agents",
    params(("lot" = String, Path), SimilarQuery),
    responses((status = 200, description = "At most six vehicles inside, closest plate first", body = Vec<Similar>),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<SimilarQuery>,
) -> Result<axum::Json<Vec<Similar>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let read = super::plate("plate", &query.plate)?;
    let zone = LotZone::of(&lot)?;
    let mut ranked: Vec<(u32, db::SessionRow)> = db::sessions_inside(state.db.pool(), &lot.id)
        .await?
        .into_iter()
        .filter_map(|s| {
            Plate::parse(&s.plate)
                .ok()
                .map(|p| (boomgate_engine::sdk::plate::lpr_distance(&read, &p), s))
        })
        .collect();
    ranked.sort_by(|(da, a), (db_, b)| da.cmp(db_).then(b.entered_at.cmp(&a.entered_at)));
    let mut out = Vec::with_capacity(SIMILAR);
    for (distance, s) in ranked.into_iter().take(SIMILAR) {
        let photo = db::entry_photo(state.db.pool(), &s.id).await?;
        out.push(Similar {
            entry_photo: photo.map(|d| photo_url(&lot.id, &d)),
            entered_at: zone.local(s.entered_at).to_string(),
            session_id: s.id,
            plate: s.plate,
            distance,
            entry_gate: s.entry_gate,
            billing: s.billing,
        });
    }
    Ok(axum::Json(out))
}
