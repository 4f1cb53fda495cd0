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
use tower_http::compression::predicate::Predicate as _;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::service::{AppState, Config};

pub mod agents;
pub mod applications;
pub mod auth;
pub mod cases;
pub mod contract;
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
pub mod middleware;
pub mod orders;
pub mod parking;
pub mod passes;
pub mod payments;
pub mod people;
pub mod photos;
pub mod policies;
pub mod query;
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
fn routes(config: &Config) -> OpenApiRouter<AppState> {
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

/// The OpenAPI document, completed with what every route shares
/// ([`contract`]).
pub fn openapi(config: &Config) -> serde_json::Value {
    let mut doc = serde_json::to_value(routes(config).into_openapi()).unwrap_or_default();
    contract::complete(&mut doc);
    doc
}

/// The service as a router: tests call it directly or over TCP.
pub fn app(state: AppState) -> Router {
    let (router, doc) = routes(&state.config).split_for_parts();
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    contract::complete(&mut doc);
    let doc = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let router = router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc) }),
        )
        .route("/healthz", get(healthz));
    let router = if state.config.metrics_listen.is_none() {
        router.route("/metrics", get(metrics))
    } else {
        router
    };
    // Outermost last: the id is set first, then the span and the log line,
    // then the panic guard, the time limit and the per-token limit.
    router
        .merge(crate::console::router(&state.config))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_changes,
        ))
        .layer(axum::middleware::from_fn(middleware::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::time_limit,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            middleware::panicked,
        ))
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when(
                // Not the robots' small answers; not images or event streams.
                tower_http::compression::predicate::DefaultPredicate::new()
                    .and(tower_http::compression::predicate::SizeAbove::new(1024)),
            ),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(middleware::span)
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(tower_http::request_id::PropagateRequestIdLayer::new(
            middleware::REQUEST_ID,
        ))
        .layer(tower_http::request_id::SetRequestIdLayer::new(
            middleware::REQUEST_ID,
            middleware::NewRequestId,
        ))
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

/// The metrics on their own address (`metrics_listen`).
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(fallback)
        .with_state(state)
}

async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    if let Some(expected) = &state.config.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let matches = sent.is_some_and(|sent| {
            use sha2::Digest as _;
            // Compared as digests: the time taken says nothing of the token.
            sha2::Sha256::digest(sent.as_bytes()) == sha2::Sha256::digest(expected.as_bytes())
        });
        if !matches {
            return error::ApiError::Unauthorized(
                "the metrics need the metrics token: `Authorization: Bearer <metrics_token>`"
                    .into(),
            )
            .into_response();
        }
    }
    metrics_text(&state).await.into_response()
}

async fn metrics_text(state: &AppState) -> impl IntoResponse + use<> {
    robot_gauges(state).await;
    let pool = state.db.pool();
    let batches = state.db.batch_stats();
    let text = state.metrics.render(crate::service::metrics::Snapshot {
        pool_size: pool.size(),
        pool_idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        storage_backlog: state.faults.waiting(),
        write_batches: batches.batches,
        batched_writes: batches.transactions,
    });
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}

/// `boomgate_robots{lot,status}`: each lot's active robots by their state
/// from heartbeats (left out when the database cannot say).
async fn robot_gauges(state: &AppState) {
    use crate::domain::health::{self, Status};
    use std::collections::BTreeMap;
    let pool = state.db.pool();
    let (Ok(counts), Ok(beats)) = (
        crate::db::devices::active_robots(pool).await,
        crate::db::devices::health_of_all(pool).await,
    ) else {
        state.metrics.set_robots([]);
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
    state.metrics.set_robots(by);
}
