//! Settings checked against the JSON Schema a module publishes, with errors
//! that name the field (`fees.first_period.amount`), before the module sees
//! them.

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::{Location, LocationSegment};
use serde_json::Value;

use crate::error::FieldError;

/// A compiled settings schema.
pub(crate) struct SettingsSchema {
    document: Value,
    validator: jsonschema::Validator,
}

/// The most field errors reported for one document.
const MAX_ERRORS: usize = 20;

impl SettingsSchema {
    /// Compiles a module's schema. External references are refused: the
    /// schema comes from an untrusted module and must not make the host fetch
    /// anything.
    pub(crate) fn compile(text: &str) -> Result<Self, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
        if !document.is_object() && !document.is_boolean() {
            return Err("it is neither an object nor a boolean".to_owned());
        }
        let validator = jsonschema::options()
            .build(&document)
            .map_err(|e| format!("{e}"))?;
        Ok(SettingsSchema {
            document,
            validator,
        })
    }

    pub(crate) fn document(&self) -> &Value {
        &self.document
    }

    /// Every field the schema refuses, named by its path.
    pub(crate) fn check(&self, settings: &Value) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        for error in self.validator.iter_errors(settings) {
            let path = dotted(error.instance_path());
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    errors.extend(unexpected.iter().map(|name| FieldError {
                        path: join(&path, name),
                        message: "unknown field".to_owned(),
                    }));
                }
                ValidationErrorKind::Required { property } => errors.push(FieldError {
                    path: join(&path, property.as_str().unwrap_or_default()),
                    message: "is required".to_owned(),
                }),
                _ => errors.push(FieldError {
                    path,
                    message: lowercase_first(&error.to_string()),
                }),
            }
            if errors.len() >= MAX_ERRORS {
                break;
            }
        }
        errors.truncate(MAX_ERRORS);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// `/fees/first_period/amount` → `fees.first_period.amount`; `/voice/0` →
/// `voice[0]`.
fn dotted(location: &Location) -> String {
    let mut out = String::new();
    for segment in location.segments() {
        match segment {
            LocationSegment::Property(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&name);
            }
            LocationSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> SettingsSchema {
        SettingsSchema::compile(
            &json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["fees"],
                "properties": {
                    "fees": {
                        "type": "object",
                        "properties": { "free_minutes": { "type": "integer", "minimum": 0 } }
                    },
                    "list": { "type": "array", "items": { "type": "string" } }
                }
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn names_every_field_at_fault() {
        let errors = schema()
            .check(&json!({ "fees": { "free_minutes": -1 }, "colour": 1, "list": ["a", 2] }))
            .unwrap_err();
        let got: Vec<(String, String)> = errors.into_iter().map(|e| (e.path, e.message)).collect();
        assert!(
            got.contains(&("colour".into(), "unknown field".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "fees.free_minutes".into(),
                "-1 is less than the minimum of 0".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&("list[1]".into(), "2 is not of type \"string\"".into())),
            "{got:?}"
        );
        let missing = schema().check(&json!({})).unwrap_err();
        assert_eq!(
            missing,
            vec![FieldError {
                path: "fees".into(),
                message: "is required".into()
            }]
        );
    }

    #[test]
    fn refuses_schemas_it_cannot_use() {
        let refused = |text: &str| SettingsSchema::compile(text).err().unwrap();
        assert!(refused("{ nope").starts_with("it is not JSON"));
        assert_eq!(refused("42"), "it is neither an object nor a boolean");
        let remote = json!({ "$ref": "https://example.com/schema.json" }).to_string();
        assert!(
            !refused(&remote).is_empty(),
            "a remote $ref must not be fetched"
        );
    }
}
