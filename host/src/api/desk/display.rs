//! Pushing a QR code, a text or a prompt to the robot's display.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{Display, Light};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::Caller;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::json::Json;
use crate::domain::commands::{self, Command};
use crate::domain::pipeline::Site;
use crate::service::AppState;

use super::Gatehouse;

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
