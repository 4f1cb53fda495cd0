//! JSON Schemas of the SDK's settings types (feature `schema`), so a policy
//! can generate the schema it publishes from its settings type and a test
//! can fail when the two drift apart.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::locale::Locale;
use crate::money::Currency;

impl JsonSchema for Currency {
    fn schema_name() -> Cow<'static, str> {
        "Currency".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "ISO 4217 currency code, e.g. `CNY`, `KRW`",
            "type": "string",
            "pattern": "^[A-Z]{3}$"
        })
    }
}

impl JsonSchema for Locale {
    fn schema_name() -> Cow<'static, str> {
        "Locale".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let tags: Vec<&str> = Locale::ALL.iter().map(|l| l.tag()).collect();
        json_schema!({
            "description": "The language of voice lines, display texts and fee text",
            "type": "string",
            "enum": tags
        })
    }
}

/// The schema of `T` as a policy publishes it: draft 2020-12, every
/// subschema inlined so the document reads top to bottom.
pub fn settings_schema<T: JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .for_deserialize()
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

/// For a policy's tests: asserts that `published` (the settings schema the
/// module embeds, read from `path`) is the schema of `T`. With
/// `BOOMGATE_BLESS` set, writes the generated schema to `path` instead (the
/// next build embeds it), so a change to the settings type is one command
/// and a reviewed diff.
///
/// # Panics
/// When the two differ, naming the command that updates the file.
pub fn assert_published<T: JsonSchema>(published: &str, path: &std::path::Path) {
    let generated = settings_schema::<T>();
    if std::env::var_os("BOOMGATE_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&generated).expect("a schema serialises") + "\n";
        std::fs::write(path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let published: serde_json::Value = serde_json::from_str(published)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(
        published,
        generated,
        "{} is out of date: run the policy's tests with `BOOMGATE_BLESS=1` and review the diff",
        path.display()
    );
}

impl JsonSchema for crate::time::Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A local date, `YYYY-MM-DD`",
            "type": "string",
            "format": "date"
        })
    }
}
