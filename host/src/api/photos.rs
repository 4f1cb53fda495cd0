//! Photos: robots' entry photos, agents' ID and scene photos, stored by
//! content hash per lot and read back by staff.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::json::body_error;
use crate::db::ids::sha256;
use crate::db::photos::{self, NewPhoto};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload_photo))
        .routes(routes!(robot_photo))
        .layer(DefaultBodyLimit::max(config.photo_limit));
    uploads.merge(super::json(
        config,
        OpenApiRouter::new().routes(routes!(get_photo)),
    ))
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

pub(crate) async fn store(
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
    photos::insert_photo(&mut *tx, &photo, state.clock.now_ms()).await?;
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

#[utoipa::path(post, path = "/v1/lots/{lot}/photos", tag = "agents", summary = "Upload an ID or scene photo to a lot", params(("lot" = String, Path)),
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

#[utoipa::path(post, path = "/v1/photos", tag = "robots", summary = "Upload a robot's entry photo for a later event",
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
        axum::Json(store(&state, robot.lot_id(), &image, &caller.label()).await?),
    ))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/photos/{digest}", tag = "agents", summary = "Read a lot's photo by its digest",
    params(("lot" = String, Path), ("digest" = String, Path)),
    responses((status = 200, description = "The image", content_type = "image/jpeg"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, digest)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let (content_type, bytes) = photos::photo(state.db.pool(), &lot.id, &digest)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no photo `{digest}` in lot `{}`", lot.id)))?;
    Ok(([(CONTENT_TYPE, content_type)], bytes))
}
