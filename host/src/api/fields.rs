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

/// A vehicle class (`large`, `new-energy`, ...): 1 to 32 lowercase
/// letters, digits and `-`; or a 400 naming `field`.
pub fn vehicle_class(field: &str, raw: &str) -> Result<String, ApiError> {
    let ok = (1..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::field(
            field,
            format!(
                "`{raw}` is not a vehicle class (1 to 32 lowercase letters, digits and `-`, e.g. `large`, `new-energy`)"
            ),
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

/// A phone number from a request, as stored and compared: its digits
/// (5 to 20; `+`, spaces, `-` and brackets dropped), or a 400 naming
/// `field`.
pub fn phone(field: &str, raw: &str) -> Result<String, ApiError> {
    let raw = raw.trim();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || "+- ()".contains(c));
    if allowed && (5..=20).contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(ApiError::field(
            field,
            format!("`{raw}` is not a phone number (5 to 20 digits)"),
        ))
    }
}

/// An optional phone number: absent or blank is none, else as [`phone`].
pub fn optional_phone(field: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => phone(field, raw).map(Some),
        None => Ok(None),
    }
}

/// The stored numbers a caller's number may be: itself and, for a number
/// with a country or trunk prefix (`8613000000000`, `013000000000`), its
/// endings of 7 digits or more.
pub fn phone_candidates(digits: &str) -> Vec<String> {
    (0..digits.len())
        .map(|start| digits[start..].to_owned())
        .filter(|ending| ending.len() >= 7 || ending.len() == digits.len())
        .collect()
}

/// Whether two phone numbers (digits) are the same line: equal, or one is
/// the other with a country or trunk prefix (`8613000000000` and
/// `13000000000`), the shorter of 7 digits or more.
pub fn same_phone(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    a == b || (short.len() >= 7 && long.ends_with(short))
}

/// An optional text a person typed, as a change: absent (unchanged),
/// `null` or empty (cleared), or trimmed within `max` characters.
pub fn optional_text<'a>(
    field: &str,
    raw: Option<&'a Option<String>>,
    max: usize,
) -> Result<Option<Option<&'a str>>, ApiError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(text)) => {
            let text = text.trim();
            if text.is_empty() {
                Ok(Some(None))
            } else if text.chars().count() > max {
                Err(ApiError::field(field, format!("is over {max} characters")))
            } else {
                Ok(Some(Some(text)))
            }
        }
    }
}

/// A field that may be absent (unchanged), `null` (cleared) or a value:
/// `#[serde(default, with = "nullable")]` on an `Option<Option<T>>`.
pub mod nullable {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_their_digits_and_match_without_their_prefix() {
        assert_eq!(phone("p", "+86 130-0000 0000").unwrap(), "8613000000000");
        assert!(phone("p", "call me").is_err());
        assert!(phone("p", "123").is_err());
        let c = phone_candidates("8613000000000");
        assert!(c.contains(&"13000000000".to_owned()));
        assert!(c.contains(&"8613000000000".to_owned()));
        assert!(!c.iter().any(|e| e.len() < 7));
        assert!(same_phone("8613000000000", "13000000000"));
        assert!(same_phone("13000000000", "8613000000000"));
        assert!(!same_phone("13000000000", "13000000001"));
        assert!(
            !same_phone("000001", "13000000001"),
            "too short to be a line"
        );
    }
}
