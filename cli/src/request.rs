//! Loading admission requests and settings the way `kwctl run` accepts them.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

/// Why a request or settings document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {what} from {origin}: {source}")]
    Read { what: &'static str, origin: String, source: std::io::Error },
    #[error("{what} in {origin} is neither valid JSON nor YAML: {message}")]
    Parse { what: &'static str, origin: String, message: String },
    #[error("cannot build AdmissionRequest object from given input: {0}")]
    Request(String),
    #[error("settings in {origin} must be an object or null, got {found}")]
    SettingsType { origin: String, found: &'static str },
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Read a file, or stdin when `path` is `-`.
pub fn read_input(path: &str, what: &'static str) -> Result<String, InputError> {
    let mut text = String::new();
    let result = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(Path::new(path)).map(|t| text = t)
    };
    result.map_err(|source| InputError::Read { what, origin: origin_name(path), source })?;
    Ok(text)
}

fn origin_name(path: &str) -> String {
    if path == "-" { "stdin".to_owned() } else { path.to_owned() }
}

/// Parse JSON, falling back to YAML.
pub fn parse_json_or_yaml(text: &str, what: &'static str, origin: &str) -> Result<Value, InputError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(json_err) => serde_yaml_ng::from_str::<Value>(text).map_err(|yaml_err| {
            let message =
                if text.trim_start().starts_with(['{', '[']) { json_err.to_string() } else { yaml_err.to_string() };
            InputError::Parse { what, origin: origin.to_owned(), message }
        }),
    }
}

/// An admission request, kept as given (the policy receives it verbatim),
/// after the checks policy-evaluator's strict `AdmissionRequest` performs.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmissionRequest {
    value: Value,
    uid: String,
}

const STRING_FIELDS: &[(&str, &[&str])] = &[
    ("uid", &["uid"]),
    ("kind.group", &["kind", "group"]),
    ("kind.version", &["kind", "version"]),
    ("kind.kind", &["kind", "kind"]),
    ("resource.group", &["resource", "group"]),
    ("resource.version", &["resource", "version"]),
    ("resource.resource", &["resource", "resource"]),
    ("operation", &["operation"]),
];

const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "CONNECT"];

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

impl AdmissionRequest {
    /// Accept a bare AdmissionRequest or an AdmissionReview (`kind:
    /// AdmissionReview`, whose `.request` is used), then check the fields
    /// policy-server needs.
    pub fn from_value(value: Value) -> Result<Self, InputError> {
        let value = if value.get("kind").and_then(Value::as_str) == Some("AdmissionReview") {
            match value {
                Value::Object(mut map) => match map.remove("request") {
                    Some(req @ Value::Object(_)) => req,
                    _ => {
                        return Err(InputError::Request("the AdmissionReview has no `request` object".to_owned()));
                    }
                },
                _ => value,
            }
        } else {
            value
        };
        if !value.is_object() {
            return Err(InputError::Request(format!("expected an AdmissionRequest object, got {}", type_name(&value))));
        }
        for (name, path) in STRING_FIELDS {
            match lookup(&value, path) {
                None | Some(Value::Null) => {
                    return Err(InputError::Request(format!("missing {name}")));
                }
                Some(Value::String(_)) => {}
                Some(other) => {
                    return Err(InputError::Request(format!("{name} must be a string, got {}", type_name(other))));
                }
            }
        }
        match value.get("userInfo") {
            None | Some(Value::Null) => {
                return Err(InputError::Request("missing userInfo".to_owned()));
            }
            Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(InputError::Request(format!("userInfo must be an object, got {}", type_name(other))));
            }
        }
        let operation = value.get("operation").and_then(Value::as_str).unwrap_or("");
        if !OPERATIONS.contains(&operation) {
            return Err(InputError::Request(format!(
                "unknown operation {operation:?}, expected CREATE, UPDATE, DELETE or CONNECT"
            )));
        }
        let uid = value.get("uid").and_then(Value::as_str).unwrap_or_default().to_owned();
        Ok(Self { value, uid })
    }

    /// Parse JSON or YAML text.
    pub fn from_text(text: &str, origin: &str) -> Result<Self, InputError> {
        Self::from_value(parse_json_or_yaml(text, "admission request", origin)?)
    }

    /// Load from a file, or stdin with `-`.
    pub fn load(path: &str) -> Result<Self, InputError> {
        let text = read_input(path, "admission request")?;
        Self::from_text(&text, &origin_name(path))
    }

    /// `uid`, copied into the response.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// `operation`.
    pub fn operation(&self) -> &str {
        self.value.get("operation").and_then(Value::as_str).unwrap_or_default()
    }

    /// `object`, `None` when absent or null (DELETE).
    pub fn object(&self) -> Option<&Value> {
        self.value.get("object").filter(|v| !v.is_null())
    }

    /// The request as given.
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// Consume into the request as given.
    pub fn into_value(self) -> Value {
        self.value
    }
}

/// Policy settings: always an object (`{}` when none were given).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings(Map<String, Value>);

impl Settings {
    /// From a parsed document: an object, or null (= no settings).
    pub fn from_value(value: Value, origin: &str) -> Result<Self, InputError> {
        match value {
            Value::Null => Ok(Self::default()),
            Value::Object(map) => Ok(Self(map)),
            other => Err(InputError::SettingsType { origin: origin.to_owned(), found: type_name(&other) }),
        }
    }

    /// From JSON or YAML text.
    pub fn from_text(text: &str, origin: &str) -> Result<Self, InputError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        Self::from_value(parse_json_or_yaml(text, "settings", origin)?, origin)
    }

    /// From a file (`-` = stdin).
    pub fn load(path: &str) -> Result<Self, InputError> {
        let text = read_input(path, "settings")?;
        Self::from_text(&text, &origin_name(path))
    }

    /// The settings object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The `validate_settings` payload: the settings object alone.
    pub fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(&self.0).unwrap_or_else(|_| b"{}".to_vec())
    }
}

#[derive(Serialize)]
struct ValidatePayload<'a> {
    request: &'a Value,
    settings: &'a Map<String, Value>,
}

/// The `validate` payload: `{"request": <request as given>, "settings": {...}}`.
pub fn validate_payload(request: &AdmissionRequest, settings: &Settings) -> Vec<u8> {
    // Serialising a `serde_json::Value` cannot fail (string keys only).
    serde_json::to_vec(&ValidatePayload { request: &request.value, settings: &settings.0 }).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> Value {
        json!({
            "uid": "abc",
            "kind": {"group": "", "version": "v1", "kind": "Secret"},
            "resource": {"group": "", "version": "v1", "resource": "secrets"},
            "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": {"metadata": {"name": "x"}}
        })
    }

    #[test]
    fn bare_and_review() {
        let r = AdmissionRequest::from_value(full()).unwrap();
        assert_eq!(r.uid(), "abc");
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": full()});
        let r2 = AdmissionRequest::from_value(review).unwrap();
        assert_eq!(r, r2);
        let yaml = "kind: AdmissionReview\nrequest:\n  uid: u\n  kind: {group: '', version: v1, kind: Secret}\n  resource: {group: '', version: v1, resource: secrets}\n  operation: DELETE\n  userInfo: {}\n  object: null\n";
        let r3 = AdmissionRequest::from_text(yaml, "t").unwrap();
        assert_eq!(r3.uid(), "u");
        assert!(r3.object().is_none());
    }

    #[test]
    fn strict_fields() {
        for (path, name) in [
            ("/uid", "uid"),
            ("/kind/group", "kind.group"),
            ("/resource/resource", "resource.resource"),
            ("/operation", "operation"),
            ("/userInfo", "userInfo"),
        ] {
            let mut v = full();
            let (parent, key) = path.rsplit_once('/').unwrap();
            let parent = if parent.is_empty() { &mut v } else { v.pointer_mut(parent).unwrap() };
            parent.as_object_mut().unwrap().remove(key);
            let err = AdmissionRequest::from_value(v).unwrap_err().to_string();
            assert_eq!(err, format!("cannot build AdmissionRequest object from given input: missing {name}"));
        }
    }

    #[test]
    fn settings_and_payload() {
        assert_eq!(Settings::from_text("null", "s").unwrap(), Settings::default());
        assert!(Settings::from_text("[1]", "s").is_err());
        let s = Settings::from_text("a: 1\n", "s").unwrap();
        let r = AdmissionRequest::from_value(full()).unwrap();
        let payload: Value = serde_json::from_slice(&validate_payload(&r, &s)).unwrap();
        assert_eq!(payload, json!({"request": full(), "settings": {"a": 1}}));
        assert_eq!(Settings::default().to_payload(), b"{}");
    }
}
