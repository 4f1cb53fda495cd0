//! A query-string extractor whose errors are the API's JSON error body,
//! naming the parameter at fault (axum's own answers in plain text).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A request's query string, parsed.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// Parses a query string, naming the parameter at fault.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    let de = serde_urlencoded::Deserializer::new(pairs);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // A missing parameter is named in the message, not the path.
        let field = match path.as_str() {
            "." | "" => message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.strip_suffix('`'))
                .map(str::to_owned),
            path => Some(path.to_owned()),
        };
        match field {
            Some(field) => ApiError::field(field, format!("the query string: {message}")),
            None => ApiError::bad_request(format!("the query string: {message}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Q {
        plate: String,
        wait: Option<u64>,
    }

    #[test]
    fn errors_name_the_parameter() {
        let q: Q = parse("plate=%E7%B2%A4B1&wait=3").unwrap();
        assert_eq!((q.plate.as_str(), q.wait), ("粤B1", Some(3)));
        let e = parse::<Q>("wait=3").unwrap_err();
        assert_eq!(
            e.fields(),
            vec![("plate", "the query string: missing field `plate`")]
        );
        let e = parse::<Q>("plate=x&wait=soon").unwrap_err();
        let fields = e.fields();
        assert_eq!(fields[0].0, "wait", "{e}");
        assert!(fields[0].1.contains("invalid digit"), "{e}");
    }
}
