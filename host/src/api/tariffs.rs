//! Tariff tools for owners: an APDS rate table turned into the standard
//! lot's `fees` settings (the same conversion as `boomgate tariff import
//! --apds`), to review and put in a policy version.

use axum::extract::State;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::json::Json;
use crate::domain::apds::{self, Imported};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(config, OpenApiRouter::new().routes(routes!(import_apds)))
}

#[utoipa::path(post, path = "/v1/tariffs/import/apds", tag = "owners",
    summary = "Turn an APDS rate table into standard-lot fee settings",
    request_body(content = Object, description = "An APDS `RateTable` with one `RateLineCollection`"),
    responses((status = 200, description = "The settings' `currency` and `fees`, and notes", body = Imported),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 403, description = "Not an owner token", body = ErrorBody),
        (status = 422, description = "What the table says that a tariff cannot express, by JSON path", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import_apds(
    State(_state): State<AppState>,
    caller: Caller,
    Json(doc): Json<Value>,
) -> Result<axum::Json<Imported>, ApiError> {
    caller.owner()?;
    apds::import(&doc)
        .map(axum::Json)
        .map_err(|refused| ApiError::Unprocessable {
            message: format!("the rate table cannot be imported: {refused}"),
            fields: vec![boomgate_engine::FieldError {
                path: refused.path,
                message: refused.message,
            }],
        })
}
