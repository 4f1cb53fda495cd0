//! Pushing a preset, a QR code, a text or a prompt to the robot's display,
//! and the lot's presets (seed 001 §2.3.2's one-click prompts).

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{Display, Light, Prompt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::{Caller, staff_lot};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::json::Json;
use crate::db::types::CaseActKind;
use crate::domain::commands::{self, Command};
use crate::domain::pipeline::Site;
use crate::domain::{cases, presets};
use crate::service::AppState;

use super::Gatehouse;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Push {
    /// A preset by name (`GET /v1/lots/{lot}/presets`): what it says,
    /// shows and lights, in the lot's words. `display`, `voice` and
    /// `light` given beside it override the preset's.
    #[serde(default)]
    pub preset: Option<String>,
    /// The locale of the preset's words (`zh-CN`, `ko-KR`, `en`); the
    /// policy's own when absent.
    #[serde(default)]
    pub locale: Option<String>,
    /// A QR code (`unplated_entry`, `unplated_exit`, `monthly_renewal`,
    /// `quick_exit`), a text, or the ID prompt; required without a preset.
    #[serde(default)]
    pub display: Option<Display>,
    /// What the robot says with it.
    #[serde(default)]
    pub voice: Option<String>,
    #[serde(default)]
    pub light: Option<Light>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Pushed {
    pub command_id: String,
    /// The case at the gate it was attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// What the robot was told to say, show and light.
    pub voice: Option<String>,
    pub display: Display,
    pub light: Light,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/display", tag = "agents", summary = "Push a preset, QR code, text or prompt to a gate's robot display",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = Push,
    responses((status = 201, body = Pushed), (status = 400, description = "No display or preset, an unknown preset, or a text too long", body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn push_display(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<Push>,
) -> Result<(StatusCode, axum::Json<Pushed>), ApiError> {
    let desk = Gatehouse::enter(&state, &caller, &lot, &gate).await?;
    let preset = match req.preset.as_deref() {
        Some(name) => Some(
            presets::find(&state, &desk.site.lot.id, name, req.locale.as_deref()).ok_or_else(
                || {
                    ApiError::field(
                        "preset",
                        format!(
                            "lot `{}` has no preset `{name}` (`GET /v1/lots/{}/presets` lists them)",
                            desk.site.lot.id, desk.site.lot.id
                        ),
                    )
                },
            )?,
        ),
        None => None,
    };
    let (display, voice, light) = match (req.display, preset) {
        (Some(display), preset) => (
            display,
            req.voice.or(preset.as_ref().map(|p| p.voice.clone())),
            req.light.or(preset.map(|p| p.light)),
        ),
        (None, Some(p)) => (
            p.display,
            req.voice.or(Some(p.voice)),
            req.light.or(Some(p.light)),
        ),
        (None, None) => {
            return Err(ApiError::field(
                "display",
                "give a `display` or a `preset` to push",
            ));
        }
    };
    match &display {
        Display::Text { text }
            if text.trim().is_empty() || text.len() > boomgate_engine::MAX_TEXT_BYTES =>
        {
            return Err(ApiError::field("display.text", "must be 1 to 512 bytes"));
        }
        _ => {}
    }
    if voice
        .as_ref()
        .is_some_and(|v| v.len() > boomgate_engine::MAX_VOICE_BYTES)
    {
        return Err(ApiError::field("voice", "is over 1024 bytes"));
    }
    let vehicles_inside = match display {
        Display::VehiclesInside => Some(desk.account_vehicles().await?),
        _ => None,
    };
    let Site { lot, gate } = desk.site;
    let now = state.clock.now_ms();
    let light = light.unwrap_or(Light::Green);
    let command = Command::Display {
        display: display.clone(),
        voice: voice.clone().filter(|v| !v.is_empty()),
        light,
        vehicles_inside,
    };
    let by = caller.label();
    let mut tx = state.db.write().await?;
    let id = commands::issue(&mut tx, now, &lot.id, &gate.id, &command, &by).await?;
    let done = cases::Done {
        kind: CaseActKind::Display,
        ref_id: Some(&id),
        detail: Some(req.preset.unwrap_or_else(|| "custom".to_owned())),
        by: &by,
    };
    let case_id = cases::attach(&mut tx, &lot.id, &gate.id, &done, now).await?;
    tx.commit().await?;
    state.commands.wake(&lot.id, &gate.id);
    Ok((
        StatusCode::CREATED,
        axum::Json(Pushed {
            command_id: id,
            case_id,
            voice: command_voice(&command),
            display,
            light,
        }),
    ))
}

fn command_voice(command: &Command) -> Option<String> {
    match command {
        Command::Display { voice, .. } => voice.clone(),
        Command::Decision { voice, .. } => Some(voice.clone()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PresetsQuery {
    /// The agent's locale (`zh-CN`, `ko-KR`, `en`); the policy's own when
    /// absent or not spoken by the policy.
    pub locale: Option<String>,
}

/// A lot's presets.
#[derive(Debug, Serialize, ToSchema)]
pub struct Presets {
    /// The locale the words are in; null for the policy's own (or the
    /// seed's zh-CN when the policy offers no prompts).
    pub locale: Option<String>,
    /// Whether the words are the policy's (false: the seed's defaults).
    pub from_policy: bool,
    pub presets: Vec<Prompt>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/presets", tag = "agents", summary = "List the one-click prompts agents push to a lot's robots", params(("lot" = String, Path), PresetsQuery),
    responses((status = 200, description = "The one-click prompts agents push to the lot's robots", body = Presets), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_presets(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<PresetsQuery>,
) -> Result<axum::Json<Presets>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let found = presets::of_lot(&state, &lot.id, query.locale.as_deref());
    Ok(axum::Json(Presets {
        locale: found.locale,
        from_policy: found.from_policy,
        presets: found.prompts,
    }))
}
