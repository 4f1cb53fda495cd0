//! What requests name, checked the same way on every route: plates, ids a
//! client chooses, a lot's gate, instants shown to people.

use boomgate_engine::sdk::Plate;

use super::error::ApiError;
use crate::db::lots::{self, GateRow};
use crate::service::AppState;

/// A plate from a request, or a 400 naming `field`.
pub fn plate(field: &str, raw: &str) -> Result<Plate, ApiError> {
    Plate::parse(raw).map_err(|e| ApiError::field(field, e))
}

/// Checks an id given by a client: 1 to 64 letters, digits, `-`, `_`, `.`.
pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            format!("`{id}` is not an id (1 to 64 letters, digits, `-`, `_`, `.`)"),
        ))
    }
}

/// A gate of `lot`, or a 404.
pub async fn gate_of(state: &AppState, lot: &str, gate: &str) -> Result<GateRow, ApiError> {
    lots::gate(state.db.pool(), lot, gate)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{lot}` has no gate `{gate}`")))
}

/// An instant as RFC 3339 in UTC.
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

/// A text a person typed: trimmed, 1 to `max` characters, or a 400 saying
/// what it should say.
pub fn text<'a>(field: &str, raw: &'a str, max: usize, say: &str) -> Result<&'a str, ApiError> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::field(
            field,
            format!("{say} (1 to {max} characters)"),
        ));
    }
    Ok(text)
}
