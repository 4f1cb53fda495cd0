//! A JSON body extractor whose errors name the field at fault and whose
//! size limit answers 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON request body, read with errors that name the field.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as `application/json`".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        parse(&bytes).map(Json)
    }
}

/// Parses JSON with the path of the offending field in the error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(format!("malformed JSON: {inner}"));
        }
        let message = strip_position(&inner);
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'));
        match (missing, path.is_empty()) {
            (Some(name), true) => ApiError::field(name, "is required"),
            (Some(name), false) => ApiError::field(format!("{path}.{name}"), "is required"),
            (None, true) => ApiError::bad_request(message),
            (None, false) => ApiError::field(path, message),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    Ok(value)
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A body that could not be read: too large (413) or cut off (400).
pub fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(format!(
            "the body is over the size limit: {}",
            e.body_text()
        ))
    } else {
        ApiError::bad_request(format!("cannot read the body: {}", e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        event_id: String,
        nested: Nested,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        n: u32,
    }

    fn message(e: ApiError) -> (String, Option<String>) {
        match e {
            ApiError::BadRequest { message, field } => (message, field.map(|f| f.path)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_the_field() {
        let e = parse::<Body>(br#"{"event_id": "e", "nested": {"n": "x"}}"#).unwrap_err();
        let (msg, field) = message(e);
        assert_eq!(field.as_deref(), Some("nested.n"));
        assert_eq!(msg, "`nested.n`: invalid type: string \"x\", expected u32");
        let (msg, field) = message(parse::<Body>(br#"{"nested": {"n": 1}}"#).unwrap_err());
        assert_eq!(
            (msg.as_str(), field.as_deref()),
            ("`event_id`: is required", Some("event_id"))
        );
        let (msg, field) =
            message(parse::<Body>(br#"{"event_id": "e", "nested": {}}"#).unwrap_err());
        assert_eq!(
            (msg.as_str(), field.as_deref()),
            ("`nested.n`: is required", Some("nested.n"))
        );
        let (msg, _) = message(parse::<Body>(b"{\"event_id\": ").unwrap_err());
        assert!(msg.starts_with("malformed JSON: EOF"), "{msg}");
    }
}
