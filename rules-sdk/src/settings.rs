//! Reading a policy's settings from JSON with errors that name the field, and
//! the compact form the host hands back on every call.

use core::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Settings a policy refuses: the path of the offending field
/// (`fees.first_period.amount`, `voice.paid`; empty for the whole document)
/// and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SettingsError {
    /// Where the field is; empty for the whole document.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl SettingsError {
    /// An error about the field at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        SettingsError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for SettingsError {}

/// Parses settings JSON into `T`, naming the field at fault.
pub fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, SettingsError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        SettingsError::new(path, describe(e.inner()))
    })?;
    de.end().map_err(|e| SettingsError::new("", describe(&e)))?;
    Ok(value)
}

/// serde_json's message, without the line and column for errors about data
/// (the path says where) but with them for broken JSON.
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match e.classify() {
        serde_json::error::Category::Data => match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        },
        _ => format!("settings are not valid JSON: {text}"),
    }
}

/// Encodes parsed settings in the compact form the host keeps and passes back
/// to every call, and checks that they decode to the same thing: a settings
/// type that cannot round-trip (one that skips fields when serialising, say)
/// is caught here, once, rather than on every event.
pub fn encode<T: Serialize + DeserializeOwned>(settings: &T) -> Result<Vec<u8>, SettingsError> {
    let bug = |why: String| {
        SettingsError::new(
            "",
            format!("the policy's settings type cannot be stored: {why}"),
        )
    };
    let bytes = postcard::to_allocvec(settings).map_err(|e| bug(e.to_string()))?;
    let back: T = decode(&bytes).map_err(bug)?;
    let again = postcard::to_allocvec(&back).map_err(|e| bug(e.to_string()))?;
    if again != bytes {
        return Err(bug("they do not decode to what was encoded".to_owned()));
    }
    Ok(bytes)
}

/// Decodes settings encoded by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("stored settings do not decode: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct S {
        fees: Fees,
        #[serde(default)]
        voice: std::collections::BTreeMap<String, String>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Fees {
        free_minutes: u32,
    }

    #[test]
    fn names_the_field_at_fault() {
        let e = from_json::<S>(r#"{"fees": {"free_minutes": -1}}"#).unwrap_err();
        assert_eq!(e.path, "fees.free_minutes");
        assert_eq!(e.message, "invalid value: integer `-1`, expected u32");
        let e = from_json::<S>(r#"{"fees": {"free_minutes": 1, "extra": 2}}"#).unwrap_err();
        assert_eq!(e.path, "fees.extra");
        assert!(e.message.starts_with("unknown field `extra`"), "{e}");
        let e = from_json::<S>(r#"{}"#).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("", "missing field `fees`")
        );
        let e = from_json::<S>(r#"{"fees": {"free_minutes": 1}} x"#).unwrap_err();
        assert!(
            e.message
                .starts_with("settings are not valid JSON: trailing characters"),
            "{e}"
        );
    }

    #[test]
    fn encodes_compactly_and_round_trips() {
        let s: S =
            from_json(r#"{"fees": {"free_minutes": 30}, "voice": {"paid": "走好"}}"#).unwrap();
        let bytes = encode(&s).unwrap();
        assert!(bytes.len() < 20, "{} bytes", bytes.len());
        assert_eq!(decode::<S>(&bytes).unwrap(), s);
    }

    #[test]
    fn catches_settings_types_that_cannot_round_trip() {
        #[derive(Serialize, Deserialize)]
        struct Skips {
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<u32>,
            b: u32,
        }
        let e = encode(&Skips { a: None, b: 7 }).unwrap_err();
        assert!(
            e.message
                .starts_with("the policy's settings type cannot be stored"),
            "{e}"
        );
    }
}
