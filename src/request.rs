//! The `validate` payload, read leniently and without copying the objects: kind and operation first, objects only when a review needs them.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Debug, Deserialize)]
pub struct Payload<'a> {
    #[serde(borrow)]
    pub request: AdmissionRequest<'a>,
    #[serde(default, borrow)]
    pub settings: Option<&'a RawValue>,
}

#[derive(Debug, Default, Deserialize, Clone, PartialEq, Eq)]
#[serde(default)]
pub struct GroupVersionKind<'a> {
    #[serde(borrow)]
    pub group: Cow<'a, str>,
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
}

/// The fields of an AdmissionRequest the policy reads. Hosts send camelCase; the SDK's own
/// serialisation is snake_case, so both are accepted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdmissionRequest<'a> {
    #[serde(borrow)]
    pub uid: Cow<'a, str>,
    #[serde(borrow)]
    pub kind: GroupVersionKind<'a>,
    #[serde(borrow)]
    pub operation: Cow<'a, str>,
    #[serde(borrow)]
    pub namespace: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow)]
    pub object: Option<&'a RawValue>,
    #[serde(borrow, alias = "old_object", rename = "oldObject")]
    pub old_object: Option<&'a RawValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl AdmissionRequest<'_> {
    pub fn operation(&self) -> Option<Operation> {
        match self.operation.as_ref() {
            "CREATE" => Some(Operation::Create),
            "UPDATE" => Some(Operation::Update),
            "DELETE" => Some(Operation::Delete),
            "CONNECT" => Some(Operation::Connect),
            _ => None,
        }
    }

    /// The object, unless absent or JSON `null` (DELETE).
    pub fn object_json(&self) -> Option<&str> {
        self.object.map(RawValue::get).filter(|s| s.trim() != "null")
    }

    pub fn old_object_json(&self) -> Option<&str> {
        self.old_object.map(RawValue::get).filter(|s| s.trim() != "null")
    }
}

/// Reads the payload; the error names what was wrong without quoting the input (it can hold Secret data).
pub fn parse(payload: &[u8]) -> Result<Payload<'_>, String> {
    let text = std::str::from_utf8(payload)
        .map_err(|e| format!("the validate payload is not UTF-8 (at byte {})", e.valid_up_to()))?;
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "is not valid JSON",
            _ => "does not have the shape {\"request\": AdmissionRequest, \"settings\": {...}}",
        };
        format!("the validate payload {what} (line {}, column {})", e.line(), e.column())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_snake_case_are_read() {
        let p = parse(br#"{"request":{"uid":"1","kind":{"group":"","version":"v1","kind":"Secret"},"operation":"UPDATE","namespace":"obs","object":{"a":1},"oldObject":null},"settings":{}}"#).unwrap();
        assert_eq!(p.request.kind.kind, "Secret");
        assert_eq!(p.request.operation(), Some(Operation::Update));
        assert_eq!(p.request.object_json(), Some(r#"{"a":1}"#));
        assert_eq!(p.request.old_object_json(), None);
        let p = parse(br#"{"request":{"old_object":{"b":2}},"settings":null}"#).unwrap();
        assert_eq!(p.request.old_object_json(), Some(r#"{"b":2}"#));
    }

    #[test]
    fn bad_payloads_get_clear_errors() {
        assert!(parse(b"{").unwrap_err().contains("is not valid JSON"));
        assert!(parse(b"[1,2]").unwrap_err().contains("does not have the shape"));
        assert!(parse(br#"{"request":{"kind":"Secret"}}"#).unwrap_err().contains("does not have the shape"));
        assert!(parse(b"\xff\xfe").unwrap_err().contains("not UTF-8"));
        let e = parse(br#"{"request":{"uid":5,"object":{"data":{"k":"c2VjcmV0"}}}}"#).unwrap_err();
        assert!(!e.contains("c2VjcmV0"));
    }
}
