//! A settings form drawn from a module's JSON Schema, and the settings read
//! back from it. It draws the part of JSON Schema that settings use:
//! objects with properties become fieldsets; integers and numbers (also
//! nullable ones: empty means null) number inputs with their bounds;
//! booleans checkboxes; `enum`s and `oneOf` constants selects; strings text
//! inputs with their pattern. Anything else — a map, a list — is a JSON
//! text area for that part. Each input is named by its dotted path, the
//! path the module names in a refusal (`fees.free_minutes`), so an error
//! is shown at its input.

use maud::{Markup, html};
use serde_json::{Map, Value};

use crate::api::error::ApiError;

/// An error the module or the form reading named, by settings path.
pub type FieldErrors<'a> = &'a [(String, String)];

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn nullable(schema: &Value) -> bool {
    types(schema).contains(&"null")
}

/// Whether some form of `schema` is a string: its type, or a variant of
/// its `oneOf`/`anyOf` (a string constant among objects, say).
fn allows_string(schema: &Value) -> bool {
    types(schema).contains(&"string")
        || ["oneOf", "anyOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|variants| {
                    variants
                        .iter()
                        .any(|v| v.get("const").is_some_and(Value::is_string) || allows_string(v))
                })
        })
}

/// The choices of an `enum` or of a `oneOf` of constants: value and words.
fn choices(schema: &Value) -> Option<Vec<(String, String)>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(|v| (v.to_owned(), v.to_owned()))
                .collect(),
        );
    }
    let Some(Value::Array(options)) = schema.get("oneOf") else {
        return None;
    };
    options
        .iter()
        .map(|o| {
            let value = o.get("const")?.as_str()?.to_owned();
            let words = o
                .get("description")
                .and_then(Value::as_str)
                .map_or_else(|| value.clone(), |d| format!("{value} — {}", first_line(d)));
            Some((value, words))
        })
        .collect()
}

fn first_line(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or(text).trim()
}

/// How an input shows a leaf.
enum Leaf {
    Choice(Vec<(String, String)>),
    Bool,
    Number { integer: bool },
    Text,
    Json,
}

fn leaf(schema: &Value) -> Option<Leaf> {
    if let Some(choices) = choices(schema) {
        return Some(Leaf::Choice(choices));
    }
    let t = types(schema);
    let has_props = schema.get("properties").is_some();
    if t.contains(&"object") && has_props {
        return None;
    }
    Some(if t.contains(&"boolean") {
        Leaf::Bool
    } else if t.contains(&"integer") {
        Leaf::Number { integer: true }
    } else if t.contains(&"number") {
        Leaf::Number { integer: false }
    } else if t == ["string"] {
        Leaf::Text
    } else {
        Leaf::Json
    })
}

fn input_id(path: &str) -> String {
    format!("s-{}", path.replace('.', "-"))
}

fn error_at<'a>(errors: FieldErrors<'a>, path: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, m)| m.as_str())
}

/// The form's fields for `schema`, filled from `value`, with `errors` at
/// their inputs.
pub fn fields(schema: &Value, value: &Value, errors: FieldErrors, check: &str) -> Markup {
    object(schema, value, errors, "", check)
}

fn object(schema: &Value, value: &Value, errors: FieldErrors, prefix: &str, check: &str) -> Markup {
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        @for (name, sub) in props {
            @let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
            @let current = value.get(name).or_else(|| sub.get("default")).unwrap_or(&Value::Null);
            @let help = sub.get("description").and_then(Value::as_str).map(first_line);
            @match leaf(sub) {
                None => {
                    fieldset.settings data-path=(path) {
                        legend { code { (name) } }
                        @if let Some(help) = help { p.muted.help { (help) } }
                        (object(sub, current, errors, &path, check))
                    }
                }
                Some(kind) => {
                    @let id = input_id(&path);
                    @let error = error_at(errors, &path);
                    div.setting data-path=(path) {
                        @match kind {
                            Leaf::Bool => {
                                input type="hidden" name=(path) value="false";
                                label.choice for=(id) {
                                    input #(id) type="checkbox" name=(path) value="true" checked[current.as_bool().unwrap_or(false)]
                                        aria-invalid=[error.map(|_| "true")];
                                    " " code { (name) }
                                }
                            }
                            Leaf::Choice(options) => {
                                label for=(id) { code { (name) } }
                                select #(id) name=(path) aria-invalid=[error.map(|_| "true")] {
                                    @for (v, words) in &options { option value=(v) selected[current.as_str() == Some(v.as_str())] { (words) } }
                                }
                            }
                            Leaf::Number { integer } => {
                                label for=(id) { code { (name) } @if required.contains(&name.as_str()) { " *" } }
                                input #(id) type="number" name=(path) step=(if integer { "1" } else { "any" })
                                    min=[sub.get("minimum").map(Value::to_string)] max=[sub.get("maximum").map(Value::to_string)]
                                    value=(match current { Value::Null => String::new(), Value::String(typed) => typed.clone(), v => v.to_string() })
                                    placeholder=[nullable(sub).then_some("null")]
                                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
                            }
                            Leaf::Text => {
                                label for=(id) { code { (name) } @if required.contains(&name.as_str()) { " *" } }
                                input #(id) name=(path) value=(current.as_str().unwrap_or(""))
                                    pattern=[sub.get("pattern").and_then(Value::as_str)]
                                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
                            }
                            Leaf::Json => {
                                label for=(id) { code { (name) } " (JSON)" }
                                textarea #(id) name={ "json:" (path) } rows="4" aria-invalid=[error.map(|_| "true")] {
                                    @match current {
                                        Value::Null => "",
                                        Value::String(typed) if !types(sub).contains(&"string") => (typed),
                                        v => (serde_json::to_string_pretty(v).unwrap_or_default()),
                                    }
                                }
                            }
                        }
                        @if let Some(help) = help { p.muted.help { (help) } }
                        @if let Some(error) = error { p.field-error id={ (id) "-error" } role="alert" { (check) ": " (error) } }
                    }
                }
            }
        }
    }
}

/// The settings a posted form says, read by `schema`: the last value of
/// each path (a checked box follows its hidden `false`); an empty number
/// is null where null is allowed and absent otherwise. A value that does
/// not read is refused naming its path.
pub fn read(schema: &Value, pairs: &[(String, String)]) -> Result<Value, ApiError> {
    read_object(schema, pairs, "", false)
}

/// The settings as posted, for drawing the form again after a refusal:
/// what does not read is kept as the text typed.
pub fn read_as_typed(schema: &Value, pairs: &[(String, String)]) -> Value {
    read_object(schema, pairs, "", true).unwrap_or(Value::Object(Map::new()))
}

fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn read_object(
    schema: &Value,
    pairs: &[(String, String)],
    prefix: &str,
    as_typed: bool,
) -> Result<Value, ApiError> {
    let mut out = Map::new();
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (name, sub) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let refuse = |why: String| ApiError::field(format!("settings.{path}"), why);
        // Drawing the form again: a value that does not read is its text.
        let typed = |text: &str, e: ApiError| {
            if as_typed {
                Ok(Value::String(text.to_owned()))
            } else {
                Err(e)
            }
        };
        let value = match leaf(sub) {
            // A nullable object left empty (a rate form not used) is null.
            None => match read_object(sub, pairs, &path, as_typed)? {
                Value::Object(o) if o.is_empty() && nullable(sub) => None,
                v => Some(v),
            },
            Some(Leaf::Json) => match last(pairs, &format!("json:{path}")).map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(match serde_json::from_str(text) {
                    Ok(v) => v,
                    // A bare word where a string may be (`rolling_24h`).
                    Err(_) if allows_string(sub) => Value::String(text.to_owned()),
                    Err(e) => typed(text, refuse(format!("is not JSON: {e}")))?,
                }),
            },
            Some(Leaf::Bool) => last(pairs, &path).map(|v| Value::Bool(v == "true")),
            Some(Leaf::Choice(_) | Leaf::Text) => {
                last(pairs, &path).map(|v| Value::String(v.to_owned()))
            }
            Some(Leaf::Number { integer }) => match last(pairs, &path).map(str::trim) {
                None => None,
                Some("") if nullable(sub) => Some(Value::Null),
                Some("") => None,
                Some(text) if integer => Some(match text.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => typed(text, refuse(format!("`{text}` is not a whole number")))?,
                }),
                Some(text) => Some(
                    match text
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                    {
                        Some(n) => Value::Number(n),
                        None => typed(text, refuse(format!("`{text}` is not a number")))?,
                    },
                ),
            },
        };
        if let Some(value) = value {
            out.insert(name.clone(), value);
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        serde_json::from_str(include_str!(
            "../../../rules/standard-lot/settings.schema.json"
        ))
        .expect("the standard policy's schema")
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn tariff_settings_read_back_what_their_form_posts() {
        let posted = pairs(&[
            ("fees.free_minutes", "15"),
            ("json:fees.cycle", "rolling_24h"),
            (
                "json:fees.tiers",
                r#"[{"every_minutes": 60, "amount": 300}]"#,
            ),
            ("fees.first_period.minutes", ""),
            ("fees.first_period.amount", ""),
            ("json:fees.bands", "[]"),
        ]);
        let settings = read(&schema(), &posted).expect("reads");
        assert_eq!(settings["fees"]["cycle"], "rolling_24h");
        assert_eq!(settings["fees"]["tiers"][0]["amount"], 300);
        assert!(
            settings["fees"].get("first_period").is_none(),
            "an unused rate form is left out: {settings}"
        );
        let posted = pairs(&[(
            "json:fees.cycle",
            r#"{"calendar_day": {"reset_at": "00:00"}}"#,
        )]);
        let settings = read(&schema(), &posted).expect("reads");
        assert_eq!(
            settings["fees"]["cycle"]["calendar_day"]["reset_at"],
            "00:00"
        );
        let posted = pairs(&[("json:fees.tiers", "[{")]);
        assert!(
            read(&schema(), &posted).is_err(),
            "a list is JSON or refused"
        );
    }

    #[test]
    fn a_refused_form_is_drawn_again_as_typed() {
        let posted = pairs(&[("fees.free_minutes", "half an hour"), ("json:voice", "{")]);
        let settings = read_as_typed(&schema(), &posted);
        assert_eq!(settings["fees"]["free_minutes"], "half an hour");
        let html = fields(&schema(), &settings, &[], "Check").into_string();
        assert!(html.contains(r#"value="half an hour""#), "{html}");
    }

    #[test]
    fn the_standard_schema_reads_back_what_its_form_posts() {
        let posted = pairs(&[
            ("currency", "CNY"),
            ("visitor_confirmation", "false"),
            ("visitor_confirmation", "true"),
            ("auto_pick", "false"),
            ("fees.free_minutes", "30"),
            ("fees.first_period.minutes", "60"),
            ("fees.first_period.amount", "500"),
            ("fees.then.every_minutes", "60"),
            ("fees.then.amount", "300"),
            ("fees.daily_cap", ""),
            ("fees.free_mode", "deduct"),
            ("json:voice", "{\"welcome\": \"欢迎\"}"),
        ]);
        let settings = read(&schema(), &posted).expect("reads");
        assert_eq!(
            settings["visitor_confirmation"], true,
            "a ticked box wins over its hidden false"
        );
        assert_eq!(settings["auto_pick"], false);
        assert_eq!(settings["fees"]["free_minutes"], 30);
        assert_eq!(
            settings["fees"]["daily_cap"],
            Value::Null,
            "empty and nullable: null"
        );
        assert_eq!(settings["fees"]["free_mode"], "deduct");
        assert_eq!(settings["voice"], json!({ "welcome": "欢迎" }));
        assert!(
            settings.get("payment_grace_minutes").is_none(),
            "not posted: left to its default"
        );
    }

    #[test]
    fn what_does_not_read_is_refused_at_its_path() {
        let e =
            read(&schema(), &pairs(&[("fees.free_minutes", "half an hour")])).expect_err("refused");
        assert_eq!(e.fields()[0].0, "settings.fees.free_minutes");
        let e = read(&schema(), &pairs(&[("json:voice", "{")])).expect_err("refused");
        assert_eq!(e.fields()[0].0, "settings.voice");
    }

    #[test]
    fn the_form_names_inputs_by_path_and_shows_errors_there() {
        let errors = vec![(
            "fees.free_minutes".to_owned(),
            "must be at most 1440".to_owned(),
        )];
        let html = fields(
            &schema(),
            &json!({ "fees": { "free_minutes": 5000 } }),
            &errors,
            "Check",
        )
        .into_string();
        assert!(html.contains(r#"name="fees.free_minutes""#), "{html}");
        assert!(html.contains(r#"id="s-fees-free_minutes-error""#));
        assert!(html.contains("must be at most 1440"));
        assert!(html.contains(r#"value="5000""#));
        assert!(html.contains(r#"name="json:voice""#));
        assert!(html.contains(r#"<option value="deduct""#));
    }
}
