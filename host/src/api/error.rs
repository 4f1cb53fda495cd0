//! API errors: a JSON body with a code, a message that names what is wrong,
//! and the offending fields; causes of server errors are logged, not shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use boomgate_engine::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

/// What went wrong, as clients see it.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, a bad parameter).
    BadRequest {
        message: String,
        field: Option<FieldError>,
    },
    /// 401: no token or a wrong one.
    Unauthorized(String),
    /// 403: the caller's role cannot do this.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 409: conflicts with what exists (an id taken, an event id reused).
    Conflict(String),
    /// 413.
    TooLarge(String),
    /// 415.
    UnsupportedMediaType(String),
    /// 422: well-formed but refused (invalid settings, an unloadable module).
    Unprocessable {
        message: String,
        fields: Vec<FieldError>,
    },
    /// 429: this source is locked out.
    Locked {
        message: String,
        retry_after_seconds: i64,
    },
    /// 429: this token called an expensive route too often (a limit per
    /// minute, `expensive_per_minute`).
    RateLimited {
        message: String,
        retry_after_seconds: i64,
    },
    /// 503: the request took longer than `request_timeout_seconds`.
    Timeout(String),
    /// 503: the work it needs is at its limit (every compile turn taken);
    /// try again after `Retry-After`.
    Busy {
        message: String,
        retry_after_seconds: i64,
    },
    /// 500: a stored record that does not decode (a value the service never
    /// writes): the column and the value are named, and logged.
    Corrupt(String),
    /// 500: logged with its cause.
    Internal(anyhow::Error),
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `too_large`, `unsupported_media_type`, `unprocessable`,
    /// `locked`, `rate_limited`, `method_not_allowed`, `timeout`, `busy`,
    /// `corrupt_record`, `internal`.
    pub code: &'static str,
    pub message: String,
    /// The fields at fault, each with its path and what is wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub path: String,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            field: None,
        }
    }

    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        let field = FieldError {
            path: path.into(),
            message: message.into(),
        };
        ApiError::BadRequest {
            message: field.to_string(),
            field: Some(field),
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound(what.into())
    }
}

impl ApiError {
    /// The status the error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Locked { .. } | ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout(_) | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Corrupt(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The fields it names, as `(path, message)`.
    pub fn fields(&self) -> Vec<(&str, &str)> {
        match self {
            ApiError::BadRequest { field, .. } => field
                .iter()
                .map(|f| (f.path.as_str(), f.message.as_str()))
                .collect(),
            ApiError::Unprocessable { fields, .. } => fields
                .iter()
                .map(|f| (f.path.as_str(), f.message.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::BadRequest { message, .. }
            | ApiError::Unprocessable { message, .. }
            | ApiError::Locked { message, .. }
            | ApiError::RateLimited { message, .. }
            | ApiError::Busy { message, .. } => f.write_str(message),
            ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::TooLarge(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::Timeout(m)
            | ApiError::Corrupt(m) => f.write_str(m),
            ApiError::Internal(cause) => write!(f, "{cause:#}"),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { index, source } => ApiError::Corrupt(format!(
                "a stored record cannot be read: column `{}`: {source}",
                index.trim_matches('"')
            )),
            e => ApiError::Internal(e.into()),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<sqlx::Error>() {
            Ok(e) => e.into(),
            Err(e) => ApiError::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // RFC 6750: a 401 says how to authenticate, and whether the token
        // sent was wrong.
        let challenge = match &self {
            ApiError::Unauthorized(m) if m == "invalid token" => {
                Some("Bearer realm=\"boomgate\", error=\"invalid_token\"")
            }
            ApiError::Unauthorized(_) => Some("Bearer realm=\"boomgate\""),
            _ => None,
        };
        let (status, code, message, fields, retry) = match self {
            ApiError::BadRequest { message, field } => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                message,
                field.into_iter().collect(),
                None,
            ),
            ApiError::Unauthorized(m) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", m, vec![], None)
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m, vec![], None),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, vec![], None),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, vec![], None),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m, vec![], None),
            ApiError::UnsupportedMediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                m,
                vec![],
                None,
            ),
            ApiError::Unprocessable { message, fields } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                message,
                fields,
                None,
            ),
            ApiError::Locked {
                message,
                retry_after_seconds,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                message,
                vec![],
                Some(retry_after_seconds),
            ),
            ApiError::RateLimited {
                message,
                retry_after_seconds,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                message,
                vec![],
                Some(retry_after_seconds),
            ),
            ApiError::Busy {
                message,
                retry_after_seconds,
            } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                message,
                vec![],
                Some(retry_after_seconds),
            ),
            ApiError::Timeout(message) => {
                tracing::warn!(error = message, "request timed out");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timeout",
                    message,
                    vec![],
                    None,
                )
            }
            ApiError::Corrupt(message) => {
                tracing::error!(error = message, "stored record does not decode");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "corrupt_record",
                    message,
                    vec![],
                    None,
                )
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                    vec![],
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields: fields
                    .into_iter()
                    .map(|f| FieldErrorBody {
                        path: f.path,
                        message: f.message,
                    })
                    .collect(),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry
            && let Ok(value) = seconds.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
