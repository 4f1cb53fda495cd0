//! Agents (created by owners, scoped to lots) and photos (robots' entry
//! photos, agents' ID and scene photos), stored by content hash.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::json::{Json, body_error};
use crate::auth::{Caller, owned_lot, staff_lot};
use crate::db::{self, NewPhoto, NewToken};
use crate::ids::{new_id, sha256, token};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    /// The lots the agent serves: the owner's.
    pub lots: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentCreated {
    pub id: String,
    pub name: String,
    pub lots: Vec<String>,
    /// The agent's token: shown once, stored only as a hash.
    pub token: String,
}

#[utoipa::path(post, path = "/v1/agents", tag = "owners", request_body = NewAgent,
    responses((status = 201, body = AgentCreated), (status = 400, body = ErrorBody), (status = 404, description = "A lot that is not the owner's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_agent(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewAgent>,
) -> Result<(StatusCode, axum::Json<AgentCreated>), ApiError> {
    let owner = caller.owner()?;
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        return Err(ApiError::field("name", "must be 1 to 100 characters"));
    }
    if req.lots.is_empty() {
        return Err(ApiError::field("lots", "an agent serves at least one lot"));
    }
    for lot in &req.lots {
        owned_lot(&state, owner, lot).await?;
    }
    let now = state.clock.now_ms();
    let id = new_id("agt", now);
    let (secret, hash) = token("agent")?;
    let mut tx = state.db.write().await?;
    db::insert_agent(&mut *tx, &id, owner, req.name.trim(), now).await?;
    for lot in &req.lots {
        db::add_agent_lot(&mut *tx, &id, lot).await?;
    }
    let scope = NewToken {
        hash: &hash,
        role: "agent",
        owner_id: owner,
        agent_id: Some(&id),
        ..NewToken::default()
    };
    db::insert_token(&mut *tx, &scope, now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AgentCreated {
            id,
            name: req.name.trim().to_owned(),
            lots: req.lots,
            token: secret,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub lots: Vec<String>,
}

#[utoipa::path(get, path = "/v1/agents", tag = "owners", responses((status = 200, body = Vec<Agent>)), security(("bearer" = [])))]
pub async fn list_agents(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Agent>>, ApiError> {
    let owner = caller.owner()?;
    let mut out = Vec::new();
    for row in db::agents_of_owner(state.db.pool(), owner).await? {
        let lots = db::agent_lots(state.db.pool(), &row.id).await?;
        out.push(Agent {
            id: row.id,
            name: row.name,
            lots,
        });
    }
    Ok(axum::Json(out))
}

/// An image body: JPEG or PNG, within the photo size limit.
pub struct Image {
    pub content_type: &'static str,
    pub bytes: Bytes,
}

impl FromRequest<AppState> for Image {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let declared = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        let content_type = match (declared.as_str(), bytes.as_ref()) {
            ("image/jpeg", [0xFF, 0xD8, 0xFF, ..]) => "image/jpeg",
            ("image/png", [0x89, b'P', b'N', b'G', ..]) => "image/png",
            ("image/jpeg" | "image/png", _) => {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "the body is not a {declared} image"
                )));
            }
            _ => {
                return Err(ApiError::UnsupportedMediaType(
                    "send photos as `image/jpeg` or `image/png`".into(),
                ));
            }
        };
        Ok(Image {
            content_type,
            bytes,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoStored {
    /// sha256 of the image: how openings and events refer to it.
    pub digest: String,
    /// Where staff read it back.
    pub url: String,
}

async fn store(
    state: &AppState,
    lot: &str,
    image: &Image,
    by: &str,
) -> Result<PhotoStored, ApiError> {
    let digest = sha256(&image.bytes);
    let photo = NewPhoto {
        lot,
        digest: &digest,
        content_type: image.content_type,
        bytes: &image.bytes,
        uploaded_by: by,
    };
    let mut tx = state.db.write().await?;
    db::insert_photo(&mut *tx, &photo, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(PhotoStored {
        url: photo_url(lot, &digest),
        digest,
    })
}

/// Where staff read a photo.
pub fn photo_url(lot: &str, digest: &str) -> String {
    format!("/v1/lots/{lot}/photos/{digest}")
}

#[utoipa::path(post, path = "/v1/lots/{lot}/photos", tag = "agents", params(("lot" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "A JPEG or PNG image"),
    responses((status = 201, body = PhotoStored), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    image: Image,
) -> Result<(StatusCode, axum::Json<PhotoStored>), ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(store(&state, &lot.id, &image, &caller.label()).await?),
    ))
}

#[utoipa::path(post, path = "/v1/photos", tag = "robots",
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "An entry photo, referred to by an event's `photo`"),
    responses((status = 201, body = PhotoStored), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn robot_photo(
    State(state): State<AppState>,
    caller: Caller,
    image: Image,
) -> Result<(StatusCode, axum::Json<PhotoStored>), ApiError> {
    let robot = caller.robot()?;
    Ok((
        StatusCode::CREATED,
        axum::Json(store(&state, &robot.lot_id, &image, &caller.label()).await?),
    ))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/photos/{digest}", tag = "agents",
    params(("lot" = String, Path), ("digest" = String, Path)),
    responses((status = 200, description = "The image", content_type = "image/jpeg"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, digest)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let (content_type, bytes) = db::photo(state.db.pool(), &lot.id, &digest)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no photo `{digest}` in lot `{}`", lot.id)))?;
    Ok(([(CONTENT_TYPE, content_type)], bytes))
}
