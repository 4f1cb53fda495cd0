//! The console's stylesheet and script, built into the binary. Their URLs
//! carry a hash of their content, so browsers keep them until they change.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::service::AppState;

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

/// The assets' version: a hash of both.
static VERSION: LazyLock<String> =
    LazyLock::new(|| crate::db::ids::sha256(format!("{CSS}\0{JS}").as_bytes())[..12].to_owned());

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/assets/{name}", get(asset))
}

/// An asset's URL, with its version.
pub fn url(name: &str) -> String {
    format!("/console/assets/{name}?v={}", *VERSION)
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
