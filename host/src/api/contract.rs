//! The OpenAPI document as clients read it: what the handlers' annotations
//! say, completed with what every route shares so that no route has to
//! repeat it (and none can forget it).
//!
//! - Every response has a description; the errors every route can give
//!   are listed with the JSON error body: 400 for a route that reads
//!   parameters or a body, 401 and 403 for one that takes a token, 404 for
//!   one with path parameters, 413 and 415 for one with a body, 429 (the
//!   lockout, and the per-token limit of the expensive routes, with
//!   `Retry-After`), 500, and 503 (the time limit).
//! - Binary bodies (modules, photos) are binary strings, not arrays of
//!   integers; a photo may be PNG as well as JPEG.
//! - A schema composed with `allOf` from a schema that forbids other
//!   properties (a decision flattened into the robot's answer) is written
//!   out as one object, which real answers satisfy.
//! - Timestamps (`*_at`, `since`) are `date-time` strings and a pass's
//!   `valid_until` a `date`.
//! - What requests name is constrained as the service checks it: ids a
//!   client chooses (`[A-Za-z0-9._-]{1,64}`), plates, phone numbers,
//!   vehicle classes, module digests, in paths, queries and bodies.

use serde_json::{Map, Value, json};

/// An id a client chooses (`fields::check_id`).
const ID: &str = "^[A-Za-z0-9._-]{1,64}$";
/// A plate as `Plate::parse` reads it: ASCII letters and digits, Chinese
/// ideographs and Hangul, with separators; 2 to 16 characters once read.
const PLATE: &str = "^[A-Za-z0-9\\u4e00-\\u9fff\\uac00-\\ud7a3 ._·-]{2,32}$";
/// A phone number (`fields::phone`): 5 to 20 digits with `+`, spaces,
/// `-` and brackets.
const PHONE: &str = "^[+ ()-]*([0-9][ ()-]*){5,20}$";
/// A vehicle class (`fields::vehicle_class`).
const CLASS: &str = "^[a-z0-9-]{1,32}$";
/// A module's sha256 digest.
const DIGEST: &str = "^[0-9a-f]{64}$";

/// Completes `doc` (the generated document, as JSON).
pub fn complete(doc: &mut Value) {
    flatten_all_of(doc);
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        formats(schemas);
    }
    constrain_requests(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_, operation) in item.iter_mut() {
            complete_operation(path, operation);
        }
    }
}

fn complete_operation(path: &str, operation: &mut Value) {
    let parameters = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut);
    for parameter in parameters.into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let place = parameter["in"].as_str().unwrap_or_default().to_owned();
        let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else {
            continue;
        };
        if schema.get("type") != Some(&json!("string")) {
            continue;
        }
        let pattern = match (place.as_str(), name.as_str()) {
            (_, "plate") => PLATE,
            (_, "digest") => DIGEST,
            (_, "phone") => PHONE,
            ("path", _) => ID,
            _ => continue,
        };
        schema.entry("pattern").or_insert_with(|| json!(pattern));
    }
    let has_path_params = path.contains('{');
    let has_query = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let has_body = operation.get("requestBody").is_some();
    let secured = operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty());
    // The people's routes take a session cookie instead of a token; those
    // that log in answer 401 for a wrong code or password.
    let people = path.starts_with("/v1/me") || path.starts_with("/v1/log");
    if let Some(body) = operation
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(Value::as_object_mut)
    {
        binary_bodies(body);
    }
    let responses = operation
        .as_object_mut()
        .map(|o| o.entry("responses").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    let Some(responses) = responses else {
        return;
    };
    let mut shared: Vec<u16> = vec![500, 503];
    if has_query || has_body || has_path_params {
        shared.push(400);
    }
    if secured || people {
        shared.extend([401, 429]);
    }
    if secured || people {
        shared.push(403);
    }
    if has_path_params {
        shared.push(404);
    }
    if has_body {
        shared.extend([413, 415]);
    }
    for status in shared {
        responses
            .entry(status.to_string())
            .or_insert_with(|| json!({}));
    }
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        let status: u16 = status.parse().unwrap_or(0);
        if response.get("description").is_none_or(|d| d == "") {
            response.insert("description".into(), json!(describe(status)));
        }
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            binary_bodies(content);
        }
        if status >= 400 && !response.contains_key("content") {
            response.insert(
                "content".into(),
                json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }),
            );
        }
        if status == 429 {
            response.entry("headers").or_insert_with(|| {
                json!({ "Retry-After": {
                    "description": "Seconds until the caller may try again",
                    "schema": { "type": "integer", "minimum": 1 }
                } })
            });
        }
        if status == 401 {
            response.entry("headers").or_insert_with(|| {
                json!({ "WWW-Authenticate": {
                    "description": "`Bearer realm=\"boomgate\"`, with `error=\"invalid_token\"` for a wrong token",
                    "schema": { "type": "string" }
                } })
            });
        }
    }
}

/// What a status means on every route.
fn describe(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "Done; nothing to return",
        303 => "See the resource at `Location`",
        400 => {
            "The request cannot be read: a malformed body, parameter or value (the error names the field)"
        }
        401 => "No token or session, or a wrong one",
        403 => "The caller's role or lots do not allow this",
        404 => "No such resource, or not one the caller may see",
        409 => "Conflicts with what exists",
        413 => "The body is larger than the route accepts",
        415 => "The body is not of the content type the route takes",
        422 => "Well-formed but refused (the error names the fields)",
        429 => {
            "Locked out after too many failed authentications, or over the route's limit per token"
        }
        500 => "An internal error, logged with its cause and the request's id",
        503 => "The request took longer than `request_timeout_seconds`",
        _ => "See the error body",
    }
}

/// Binary bodies as binary strings; photos as JPEG or PNG.
fn binary_bodies(content: &mut Map<String, Value>) {
    let binary = json!({ "type": "string", "format": "binary" });
    let mut png = None;
    let mut octets = None;
    for (media, body) in content.iter_mut() {
        let is_binary = media.starts_with("image/")
            || media == "application/wasm"
            || media == "application/octet-stream";
        if is_binary && let Some(body) = body.as_object_mut() {
            body.insert("schema".into(), binary.clone());
            if media == "image/jpeg" {
                png = Some(Value::Object(body.clone()));
            }
            if media == "application/wasm" {
                octets = Some(Value::Object(body.clone()));
            }
        }
    }
    if let Some(png) = png {
        content.entry("image/png").or_insert(png);
    }
    if let Some(octets) = octets {
        content.entry("application/octet-stream").or_insert(octets);
    }
}

/// Writes each component composed with `allOf` of objects as one object:
/// the members' properties and required fields together, without the
/// members' `additionalProperties: false` (which no composition of them
/// could satisfy).
fn flatten_all_of(doc: &mut Value) {
    // Members are read from the document as generated.
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    for (name, schema) in &schemas {
        if schema.get("allOf").is_none() {
            continue;
        }
        let Some(flat) = flattened(&schemas, schema, 0) else {
            continue;
        };
        if let Some(slot) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            *slot = flat;
        }
    }
}

fn flattened(schemas: &Map<String, Value>, schema: &Value, depth: usize) -> Option<Value> {
    if depth > 8 {
        return None;
    }
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            schemas.get(name)?
        }
        None => schema,
    };
    if let Some(variants) = resolved.get("oneOf").and_then(Value::as_array) {
        // A tagged enum: each variant must be an object to compose.
        let all_objects = variants
            .iter()
            .all(|v| v.get("type") == Some(&json!("object")));
        return all_objects.then(|| resolved.clone());
    }
    let Some(members) = resolved.get("allOf").and_then(Value::as_array) else {
        return (resolved.get("type") == Some(&json!("object"))).then(|| resolved.clone());
    };
    let members: Vec<Value> = members
        .iter()
        .map(|m| flattened(schemas, m, depth + 1))
        .collect::<Option<_>>()?;
    // At most one member may be a choice of objects: the composition is
    // then the choice, each variant with the other members' properties.
    let (choices, objects): (Vec<&Value>, Vec<&Value>) =
        members.iter().partition(|m| m.get("oneOf").is_some());
    let mut base = merged(objects.iter().copied());
    if let Some(description) = resolved.get("description") {
        base.insert("description".into(), description.clone());
    }
    match choices.as_slice() {
        [] => Some(Value::Object(base)),
        [choice] => {
            let variants = choice["oneOf"].as_array()?;
            let rest: Vec<&Value> = objects.clone();
            let variants: Vec<Value> = variants
                .iter()
                .map(|variant| {
                    let mut v = merged(std::iter::once(variant).chain(rest.iter().copied()));
                    if let Some(d) = variant.get("description") {
                        v.insert("description".into(), d.clone());
                    }
                    Value::Object(v)
                })
                .collect();
            let mut flat = Map::new();
            if let Some(description) = resolved.get("description") {
                flat.insert("description".into(), description.clone());
            }
            flat.insert("oneOf".into(), Value::Array(variants));
            Some(Value::Object(flat))
        }
        _ => None,
    }
}

/// Objects' properties and required fields together, as one object.
fn merged<'a>(objects: impl Iterator<Item = &'a Value>) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for member in objects {
        if let Some(ps) = member.get("properties").and_then(Value::as_object) {
            properties.extend(ps.clone());
        }
        for r in member["required"].as_array().into_iter().flatten() {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
    }
    let mut flat = Map::new();
    flat.insert("type".into(), json!("object"));
    if !required.is_empty() {
        flat.insert("required".into(), Value::Array(required));
    }
    flat.insert("properties".into(), Value::Object(properties));
    flat
}

/// Patterns on what request bodies name: the properties of the schemas
/// only requests use (a response may carry what older versions stored).
fn constrain_requests(doc: &mut Value) {
    let mut in_requests = Vec::new();
    let mut in_responses = Vec::new();
    for (_, item) in doc["paths"].as_object().into_iter().flatten() {
        for (_, operation) in item.as_object().into_iter().flatten() {
            references(&operation["requestBody"], &mut in_requests);
            references(&operation["responses"], &mut in_responses);
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in in_requests.iter().filter(|n| !in_responses.contains(n)) {
        let Some(properties) = schemas
            .get_mut(name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            let pattern = match field.as_str() {
                "id" => ID,
                f if f.ends_with("_id") => ID,
                "plate" | "new_plate" => PLATE,
                "phone" => PHONE,
                "vehicle_class" => CLASS,
                _ => continue,
            };
            if is_string(property)
                && let Some(p) = property.as_object_mut()
            {
                p.entry("pattern").or_insert_with(|| json!(pattern));
            }
        }
    }
}

/// Whether a schema is a string (or a string or null).
fn is_string(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.contains(&json!("string")),
        _ => false,
    }
}

/// The component names `value` refers to, directly.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                && !out.iter().any(|n| n == name)
            {
                out.push(name.to_owned());
            }
            object.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// `date-time` on timestamps and `date` on a pass's last valid day, in
/// every schema's properties.
fn formats(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    let format = if name.ends_with("_at") || name == "since" {
                        "date-time"
                    } else if name == "valid_until" {
                        "date"
                    } else {
                        continue;
                    };
                    if is_string(property)
                        && let Some(p) = property.as_object_mut()
                    {
                        p.entry("format").or_insert_with(|| json!(format));
                    }
                }
            }
            for (_, v) in object.iter_mut() {
                formats(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(formats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flattened_decision_is_one_object_its_answers_satisfy() {
        let mut doc = json!({
            "paths": {},
            "components": { "schemas": {
                "Decision": { "type": "object", "required": ["gate"], "additionalProperties": false,
                              "properties": { "gate": { "type": "string" } } },
                "Answer": { "description": "The answer.", "allOf": [
                    { "$ref": "#/components/schemas/Decision" },
                    { "type": "object", "required": ["event_id"],
                      "properties": { "event_id": { "type": "string" }, "decided_at": { "type": "string" } } }
                ] }
            } }
        });
        complete(&mut doc);
        let answer = &doc["components"]["schemas"]["Answer"];
        assert_eq!(answer["required"], json!(["gate", "event_id"]));
        assert!(answer.get("additionalProperties").is_none(), "{answer}");
        assert_eq!(answer["description"], "The answer.");
        assert_eq!(answer["properties"]["decided_at"]["format"], "date-time");
    }

    #[test]
    fn every_operation_lists_the_shared_errors() {
        let mut doc = json!({ "paths": { "/v1/lots/{lot}": { "post": {
            "security": [{ "bearer": [] }],
            "requestBody": { "content": { "image/jpeg": { "schema": { "type": "array" } } } },
            "responses": { "201": { "content": {} } }
        } } } });
        complete(&mut doc);
        let op = &doc["paths"]["/v1/lots/{lot}"]["post"];
        let statuses: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for s in [
            "201", "400", "401", "403", "404", "413", "415", "429", "500", "503",
        ] {
            assert!(statuses.contains(&s), "{s} in {statuses:?}");
        }
        assert_eq!(op["responses"]["201"]["description"], "Created");
        assert_eq!(
            op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
        let body = &op["requestBody"]["content"];
        assert_eq!(body["image/jpeg"]["schema"]["format"], "binary");
        assert_eq!(body["image/png"]["schema"]["format"], "binary");
    }
}
