//! The HTTP API. Paths under `/v1` are the contract; `/openapi.json` is
//! generated from the handlers' types.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub mod agents;
pub mod desk;
pub mod error;
pub mod events;
pub mod json;
pub mod lots;
pub mod policies;
pub mod queries;
pub mod stays;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "boomgate",
        description = "Gate robots post plate events and get decisions; lot owners manage lots, gates, robots, passes and policy modules; remote agents resolve what robots cannot. Every route but `/healthz`, `/metrics` and `/openapi.json` takes a bearer token."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "robots", description = "Gate robots"),
        (name = "owners", description = "Lot owners and operators"),
        (name = "payments", description = "The payment system"),
        (name = "agents", description = "Remote agents (and owners) resolving what robots cannot"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// A plate from a request, or a 400 naming `field`.
pub(crate) fn plate(
    field: &str,
    raw: &str,
) -> Result<boomgate_engine::sdk::Plate, error::ApiError> {
    boomgate_engine::sdk::Plate::parse(raw).map_err(|e| error::ApiError::field(field, e))
}

/// A gate of `lot`, or a 404.
pub(crate) async fn gate_of(
    state: &AppState,
    lot: &str,
    gate: &str,
) -> Result<crate::db::GateRow, error::ApiError> {
    crate::db::gate(state.db.pool(), lot, gate)
        .await?
        .ok_or_else(|| error::ApiError::not_found(format!("lot `{lot}` has no gate `{gate}`")))
}

/// The routes and their OpenAPI document.
fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let modules = OpenApiRouter::new()
        .routes(routes!(policies::upload_module))
        .layer(DefaultBodyLimit::max(state.config.module_limit));
    let photos = OpenApiRouter::new()
        .routes(routes!(agents::upload_photo))
        .routes(routes!(agents::robot_photo))
        .layer(DefaultBodyLimit::max(state.config.photo_limit));
    let json = OpenApiRouter::new()
        .routes(routes!(events::post_event))
        .routes(routes!(lots::create_lot, lots::list_lots))
        .routes(routes!(lots::get_lot))
        .routes(routes!(lots::create_gate))
        .routes(routes!(lots::create_robot))
        .routes(routes!(policies::create_version, policies::list_versions))
        .routes(routes!(policies::activate))
        .routes(routes!(policies::preview))
        .routes(routes!(policies::fees))
        .routes(routes!(stays::put_monthly_pass, stays::list_monthly_passes))
        .routes(routes!(stays::delete_monthly_pass))
        .routes(routes!(stays::register_parking_pass))
        .routes(routes!(stays::list_sessions))
        .routes(routes!(stays::record_payment))
        .routes(routes!(stays::list_decisions))
        .routes(routes!(agents::create_agent, agents::list_agents))
        .routes(routes!(agents::get_photo))
        .routes(routes!(desk::pending))
        .routes(routes!(desk::correct_plate))
        .routes(routes!(desk::match_entry))
        .routes(routes!(desk::open_gate))
        .routes(routes!(desk::register_visitor))
        .routes(routes!(desk::push_display))
        .routes(routes!(desk::robot_commands))
        .routes(routes!(desk::similar))
        .routes(routes!(queries::close_stay))
        .routes(routes!(queries::congestion))
        .routes(routes!(queries::lot_info))
        .routes(routes!(queries::find_monthly_passes))
        .routes(routes!(queries::stays_of_plate))
        .routes(routes!(queries::openings))
        .layer(DefaultBodyLimit::max(state.config.body_limit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(modules)
        .merge(photos)
        .merge(json)
}

/// The OpenAPI document.
pub fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    routes(state).into_openapi()
}

/// The service as a router: tests call it directly or over TCP.
pub fn app(state: AppState) -> Router {
    let (router, doc) = routes(&state).split_for_parts();
    let doc = doc.to_pretty_json().unwrap_or_default();
    router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc) }),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx::query("SELECT 1").execute(state.db.pool()).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
