//! The HTTP API. Paths under `/v1` are the contract; `/openapi.json` is
//! generated from the handlers' types.
//!
//! One module per resource, each with its handlers, its request and
//! response types, and its router fragment; the service's routes are the
//! merge of the fragments. A handler parses and authorises, then calls the
//! domain (`crate::domain`) or storage (`crate::db`).

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::service::{AppState, Config};

pub mod agents;
pub mod applications;
pub mod auth;
pub mod cases;
pub mod decisions;
pub mod desk;
pub mod discounts;
pub mod error;
pub mod fields;
pub mod gates;
pub mod json;
pub mod kiosk;
pub mod lookups;
pub mod lots;
pub mod orders;
pub mod parking;
pub mod passes;
pub mod payments;
pub mod people;
pub mod photos;
pub mod policies;
pub mod robot;
pub mod robots;
pub mod stays;
pub mod tariffs;
pub mod tokens;

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
        (name = "app", description = "The app platform (parking passes and their picks)"),
        (name = "agents", description = "Remote agents (and owners) resolving what robots cannot"),
        (name = "telephony", description = "The telephony system reporting calls to agents' seats"),
        (name = "merchants", description = "Merchants validating their customers' stays with discounts"),
        (name = "people", description = "People logging in with a code sent to their phone"),
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

/// Routes whose bodies are JSON, within the JSON body limit.
pub(crate) fn json(config: &Config, routes: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    routes.layer(DefaultBodyLimit::max(config.body_limit))
}

/// The routes and their OpenAPI document: every resource's fragment.
fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let config = &state.config;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(robot::router(config))
        .merge(lots::router(config))
        .merge(gates::router(config))
        .merge(robots::router(config))
        .merge(policies::router(config))
        .merge(passes::router(config))
        .merge(stays::router(config))
        .merge(payments::router(config))
        .merge(orders::router(config))
        .merge(tokens::router(config))
        .merge(parking::router(config))
        .merge(discounts::router(config))
        .merge(tariffs::router(config))
        .merge(decisions::router(config))
        .merge(agents::router(config))
        .merge(photos::router(config))
        .merge(desk::router(config))
        .merge(kiosk::router(config))
        .merge(cases::router(config))
        .merge(lookups::router(config))
        .merge(applications::router(config))
        .merge(people::router(config))
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
        .merge(crate::console::router(&state.config))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_changes,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Wakes the console's live lists after every change the service accepted
/// (any request but a read that answered 2xx, or a console form's 303).
async fn note_changes(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let reads = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let response = next.run(request).await;
    let status = response.status();
    if !reads && (status.is_success() || status.is_redirection()) {
        state.live.changed();
    }
    response
}

/// A route that does not exist: the console's page under `/console`, the
/// API's JSON error elsewhere.
async fn fallback(parts: axum::http::request::Parts) -> axum::response::Response {
    if parts.uri.path().starts_with("/console") {
        return crate::console::security_headers(crate::console::not_found(parts).await).await;
    }
    error::ApiError::not_found("no such route").into_response()
}

/// `ok`, or 503 saying what fails: the database cannot be read, or its
/// writes fail (a full disk: reads still work). While writes fail, each
/// check tries one, so it says `ok` again once they work.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let check = std::time::Duration::from_secs(2);
    let read = tokio::time::timeout(check, sqlx::query("SELECT 1").execute(state.db.pool())).await;
    if !matches!(read, Ok(Ok(_))) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable".to_owned(),
        );
    }
    if let Some(failure) = state.db.writes_failing() {
        let probe = tokio::time::timeout(check, probe_write(&state)).await;
        if !matches!(probe, Ok(Ok(()))) {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database writes fail: {failure}"),
            );
        }
    }
    (StatusCode::OK, "ok".to_owned())
}

async fn probe_write(state: &AppState) -> sqlx::Result<()> {
    let mut tx = state.db.write().await?;
    sqlx::query(
        "INSERT INTO health_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
    )
    .bind(state.clock.now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "# HELP boomgate_storage_fault_backlog Robots' events answered while storage failed, not yet recorded.\n# TYPE boomgate_storage_fault_backlog gauge\nboomgate_storage_fault_backlog {}",
        state.faults.waiting()
    );
    robot_gauges(&state, &mut text).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// `boomgate_robots{lot,status}`: each lot's active robots by their state
/// from heartbeats (left out when the database cannot say).
async fn robot_gauges(state: &AppState, text: &mut String) {
    use crate::domain::health::{self, Status};
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let pool = state.db.pool();
    let (Ok(counts), Ok(beats)) = (
        crate::db::devices::active_robots(pool).await,
        crate::db::devices::health_of_all(pool).await,
    ) else {
        return;
    };
    let now = state.clock.now_ms();
    let mut by: BTreeMap<(String, &'static str), i64> = BTreeMap::new();
    for (lot, n) in &counts {
        let mut seen = 0;
        for beat in beats.iter().filter(|b| &b.lot_id == lot) {
            let (status, _) = health::status(Some(beat), now, state.config.robot_offline_seconds);
            *by.entry((lot.clone(), status.as_str())).or_default() += 1;
            seen += 1;
        }
        *by.entry((lot.clone(), Status::Offline.as_str()))
            .or_default() += n - seen;
        for status in [Status::Online, Status::Degraded] {
            by.entry((lot.clone(), status.as_str())).or_default();
        }
    }
    let _ = writeln!(
        text,
        "# HELP boomgate_robots Active robots by lot and state from their heartbeats (offline: none within robot_offline_seconds).\n# TYPE boomgate_robots gauge"
    );
    for ((lot, status), n) in by {
        let lot = lot.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = writeln!(
            text,
            "boomgate_robots{{lot=\"{lot}\",status=\"{status}\"}} {n}"
        );
    }
}
