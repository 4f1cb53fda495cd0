//! What every request goes through: an id (`X-Request-Id`, the client's or a
//! new one, echoed in the response), one log line at INFO with the method,
//! the matched route, the status and the latency, a time limit, a JSON 500
//! for a handler that panics, compression of large bodies, a limit per token
//! on the expensive routes, and the request metrics.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestId, RequestId};

use super::error::ApiError;
use crate::service::AppState;

/// The header a request's id travels in.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// New request ids: 16 random bytes in hex (a client's own id is kept).
#[derive(Clone, Copy, Default)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).ok()?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        HeaderValue::from_str(&hex).ok().map(RequestId::new)
    }
}

/// The route a request matched (`/v1/lots/{lot}`), or `unmatched`: a
/// bounded label, unlike the path.
pub fn route_of<B>(request: &axum::http::Request<B>) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

/// The span each request's log lines carry.
pub fn span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route_of(request),
        request_id = %id,
    )
}

/// The request's one line at INFO (5xx at ERROR, 4xx at WARN), and its
/// metrics: by method, route and status, with its latency.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = route_of(&request);
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let latency = started.elapsed();
    state
        .metrics
        .http_request(&method, &route, status.as_u16(), latency);
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), latency_us = micros, %path, "request");
    } else if status.is_client_error() {
        tracing::warn!(status = status.as_u16(), latency_us = micros, %path, "request");
    } else {
        tracing::info!(status = status.as_u16(), latency_us = micros, %path, "request");
    }
    response
}

/// Turns the framework's own plain-text refusals on API routes (a path
/// segment that does not parse, a method the route does not take) into the
/// API's JSON error body, so that every error has one shape.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/v1/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if !api || !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = match status.as_u16() {
        400 => "bad_request",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        s if s >= 500 => "internal",
        _ => "bad_request",
    };
    let body = serde_json::json!({ "error": { "code": code, "message": text.trim() } });
    let mut response = (status, axum::Json(body)).into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// Answers 503 `timeout` when a request takes longer than
/// `request_timeout_seconds` (up to the response's head: a stream, once
/// started, runs on).
pub async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = Duration::from_secs(state.config.request_timeout_seconds);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(format!(
            "the request took longer than {} seconds (request_timeout_seconds)",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// A handler that panicked: a JSON 500, logged with the panic's message
/// (the request's span names the route and id).
pub fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::Internal(anyhow::anyhow!("the handler panicked: {message}")).into_response()
}

/// The routes whose work is heavy (compiling a module, evaluating a policy
/// against history, reading a large import): each token may call them
/// `expensive_per_minute` times a minute. (Creating a policy version only
/// checks settings against a compiled module: not among them.)
pub const EXPENSIVE: &[(Method, &str)] = &[
    (Method::POST, "/v1/modules"),
    (Method::POST, "/v1/lots/{lot}/policies/{version}/preview"),
    (Method::POST, "/v1/lots/{lot}/monthly-passes/import"),
    (Method::POST, "/v1/tariffs/import/apds"),
];

/// Token buckets, one per caller (the token's or session's digest), refilled
/// continuously at the configured rate up to a minute's worth.
#[derive(Default)]
pub struct RateLimits {
    buckets: Mutex<HashMap<[u8; 32], Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimits {
    /// Takes one call from `key`'s bucket; how long to wait when it is empty.
    fn take(&self, key: [u8; 32], per_minute: u32, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(per_minute);
        let rate = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Full buckets are forgotten, so the map holds only active callers.
        if buckets.len() > 10_000 {
            buckets
                .retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < capacity);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// Refuses an expensive call beyond the caller's limit with 429
/// `rate_limited` and `Retry-After`.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let per_minute = state.config.expensive_per_minute;
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let expensive = EXPENSIVE
        .iter()
        .any(|(m, r)| m == request.method() && Some(*r) == route);
    if per_minute == 0 || !expensive {
        return next.run(request).await;
    }
    // The caller: its bearer token or its session cookie (requests with
    // neither are refused by authentication anyway).
    let credential = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .or_else(|| request.headers().get(axum::http::header::COOKIE))
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    let key: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(credential).into();
    match state.rate_limits.take(key, per_minute, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => ApiError::RateLimited {
            message: format!(
                "this token may call {} {} {per_minute} times a minute (expensive_per_minute); try again in {} s",
                request.method(),
                route.unwrap_or_default(),
                wait.as_secs().max(1)
            ),
            retry_after_seconds: i64::try_from(wait.as_secs().max(1)).unwrap_or(i64::MAX),
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_a_json_500() {
        let response = panicked(Box::new("index out of bounds".to_owned()));
        assert_eq!(
            response.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "internal", "{body}");
        assert_eq!(
            body["error"]["message"], "internal error",
            "the cause is logged, not shown"
        );
    }

    #[test]
    fn a_bucket_holds_a_minute_and_refills_at_the_rate() {
        let limits = RateLimits::default();
        let start = Instant::now();
        let key = [7; 32];
        for _ in 0..3 {
            assert!(limits.take(key, 3, start).is_ok());
        }
        let wait = limits.take(key, 3, start).unwrap_err();
        assert_eq!(wait.as_secs(), 20, "one call every 20 s at 3 a minute");
        // Another caller has its own bucket.
        assert!(limits.take([8; 32], 3, start).is_ok());
        // After 20 s, one more.
        let later = start + Duration::from_secs(20);
        assert!(limits.take(key, 3, later).is_ok());
        assert!(limits.take(key, 3, later).is_err());
    }
}
