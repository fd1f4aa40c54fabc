//! The `validate` payload, read leniently and without copying the objects: kind and operation first, objects only when a review needs them.

use crate::objects::SecretDoc;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

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
    /// The subresource written (`status`, `scale`, ...); absent, `null` or empty for the object.
    #[serde(borrow, alias = "sub_resource", rename = "subResource")]
    pub sub_resource: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub object: Option<&'a RawValue>,
    #[serde(borrow, alias = "old_object", rename = "oldObject")]
    pub old_object: Option<&'a RawValue>,
    /// The object of a core/v1 Secret request, read as a [`SecretDoc`] while the payload is
    /// parsed (then `object` is `None`): one pass over `data` instead of two. Set by [`parse`]
    /// only, when `kind` comes before `object` in the payload (as policy-server and kwctl send it).
    #[serde(skip)]
    pub secret: Option<SecretDoc<'a>>,
}

/// The operations a rule reads. `CONNECT` (exec, attach, port-forward) is never one of the
/// policy's resources' operations and reads as `None`, as an unknown one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl AdmissionRequest<'_> {
    pub fn operation(&self) -> Option<Operation> {
        match self.operation.as_ref() {
            "CREATE" => Some(Operation::Create),
            "UPDATE" => Some(Operation::Update),
            "DELETE" => Some(Operation::Delete),
            _ => None,
        }
    }

    /// Whether the request writes a subresource (`status`, `scale`, ...) rather than the object.
    pub fn is_subresource(&self) -> bool {
        self.sub_resource.as_deref().is_some_and(|s| !s.is_empty())
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
    // The one-pass reading accepts a subset of what the plain one does (a Secret object must have
    // the shape of a Secret); anything else, errors included, goes the plain way.
    if let Ok(OnePass { request: OnePassRequest(request), settings }) = serde_json::from_str::<OnePass<'_>>(text) {
        return Ok(Payload { request, settings });
    }
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "is not valid JSON",
            _ => "does not have the shape {\"request\": AdmissionRequest, \"settings\": {...}}",
        };
        format!("the validate payload {what} (line {}, column {})", e.line(), e.column())
    })
}

/// [`Payload`] read in one pass: the same fields, and a Secret's object read as a [`SecretDoc`].
#[derive(Deserialize)]
struct OnePass<'a> {
    #[serde(borrow)]
    request: OnePassRequest<'a>,
    #[serde(default, borrow)]
    settings: Option<&'a RawValue>,
}

/// A string borrowed from the payload when it has no escapes (what `#[serde(borrow)]` does for
/// `Cow<str>` fields).
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

struct OnePassRequest<'a>(AdmissionRequest<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for OnePassRequest<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OnePassVisitor(std::marker::PhantomData))
    }
}

struct OnePassVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for OnePassVisitor<'a> {
    type Value = OnePassRequest<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an AdmissionRequest object")
    }

    // As the derived `AdmissionRequest`: missing fields default, unknown ones are skipped, a
    // field given twice is an error.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            if slot.is_some() { Err(E::duplicate_field(name)) } else { Ok(()) }
        }
        let (mut uid, mut kind, mut operation, mut namespace, mut name) = (None, None, None, None, None);
        let mut sub_resource = None;
        let (mut object, mut old_object, mut secret) = (None, None, None);
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match key.as_ref() {
                "uid" => {
                    once(&uid, "uid")?;
                    uid = Some(map.next_value::<Text<'de>>()?.0);
                }
                "kind" => {
                    once(&kind, "kind")?;
                    kind = Some(map.next_value::<GroupVersionKind<'de>>()?);
                }
                "operation" => {
                    once(&operation, "operation")?;
                    operation = Some(map.next_value::<Text<'de>>()?.0);
                }
                "namespace" => {
                    once(&namespace, "namespace")?;
                    namespace = Some(map.next_value::<Text<'de>>()?.0);
                }
                "name" => {
                    once(&name, "name")?;
                    name = Some(map.next_value::<Text<'de>>()?.0);
                }
                "subResource" | "sub_resource" => {
                    once(&sub_resource, "subResource")?;
                    sub_resource = Some(map.next_value::<Option<Text<'de>>>()?.map(|t| t.0));
                }
                "object" => {
                    if object.is_some() || secret.is_some() {
                        return Err(de::Error::duplicate_field("object"));
                    }
                    let is_secret = kind.as_ref().is_some_and(|k| k.group.is_empty() && k.kind == "Secret");
                    if is_secret {
                        // `null` (DELETE) gives neither.
                        secret = Some(map.next_value::<Option<SecretDoc<'de>>>()?);
                    } else {
                        object = Some(map.next_value::<Option<&'de RawValue>>()?);
                    }
                }
                "oldObject" | "old_object" => {
                    once(&old_object, "oldObject")?;
                    old_object = Some(map.next_value::<Option<&'de RawValue>>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(OnePassRequest(AdmissionRequest {
            uid: uid.unwrap_or_default(),
            kind: kind.unwrap_or_default(),
            operation: operation.unwrap_or_default(),
            namespace: namespace.unwrap_or_default(),
            name: name.unwrap_or_default(),
            sub_resource: sub_resource.flatten(),
            object: object.flatten(),
            old_object: old_object.flatten(),
            secret: secret.flatten(),
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_snake_case_are_read() {
        let p = parse(br#"{"request":{"uid":"1","kind":{"group":"","version":"v1","kind":"ConfigMap"},"operation":"UPDATE","namespace":"obs","object":{"a":1},"oldObject":null},"settings":{}}"#).unwrap();
        assert_eq!(p.request.kind.kind, "ConfigMap");
        assert_eq!(p.request.operation(), Some(Operation::Update));
        assert_eq!(p.request.object_json(), Some(r#"{"a":1}"#));
        assert_eq!(p.request.old_object_json(), None);
        let p = parse(br#"{"request":{"old_object":{"b":2}},"settings":null}"#).unwrap();
        assert_eq!(p.request.old_object_json(), Some(r#"{"b":2}"#));
    }

    #[test]
    fn secret_objects_are_read_in_one_pass_when_the_kind_comes_first() {
        let secret = r#"{"metadata":{"name":"s"},"type":"helm.sh/release.v1","data":{"release":"eA=="}}"#;
        let kind = r#""kind":{"group":"","version":"v1","kind":"Secret"}"#;
        let text =
            format!(r#"{{"request":{{"uid":"1",{kind},"operation":"CREATE","object":{secret}}},"settings":{{}}}}"#);
        let p = parse(text.as_bytes()).unwrap();
        assert!(p.request.object.is_none());
        let doc = p.request.secret.as_ref().unwrap();
        assert!(!doc.is_opaque());
        assert_eq!(doc.data.unwrap().get(), r#"{"release":"eA=="}"#);
        assert_eq!(p.settings.unwrap().get(), "{}");
        // Object before kind, or not an object at all: kept raw, read as before.
        for text in [
            format!(r#"{{"request":{{"object":{secret},{kind}}}}}"#),
            format!(r#"{{"request":{{{kind},"object":"not an object"}}}}"#),
        ] {
            let p = parse(text.as_bytes()).unwrap();
            assert!(p.request.secret.is_none());
            assert!(p.request.object_json().is_some());
        }
        // DELETE: no object, the old one raw.
        let text = format!(r#"{{"request":{{{kind},"operation":"DELETE","object":null,"oldObject":{secret}}}}}"#);
        let p = parse(text.as_bytes()).unwrap();
        assert!(p.request.secret.is_none() && p.request.object.is_none());
        assert_eq!(p.request.old_object_json(), Some(secret));
        // Other kinds: raw, with every field as the plain reading gives it.
        let text = r#"{"request":{"uid":"u\u0031","kind":{"group":"tempo.grafana.com","version":"v1alpha1","kind":"TempoStack"},"operation":"UPDATE","namespace":"n","name":"x","object":{"a":1},"old_object":{"b":2},"extra":[1,{"c":null}]},"settings":null}"#;
        let one = parse(text.as_bytes()).unwrap();
        let plain: Payload<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(format!("{:?}", one.request), format!("{:?}", plain.request));
        assert_eq!(one.request.uid, "u1");
        // A field given twice is an error either way.
        let twice = format!(r#"{{"request":{{{kind},"object":{secret},"object":{secret}}}}}"#);
        assert!(parse(twice.as_bytes()).unwrap_err().contains("does not have the shape"));
        for field in ["uid", "operation", "namespace", "name", "subResource", "oldObject"] {
            let twice = format!(r#"{{"request":{{{kind},"{field}":"x","{field}":"x"}}}}"#);
            assert!(parse(twice.as_bytes()).unwrap_err().contains("does not have the shape"), "{field}");
            let once = format!(r#"{{"request":{{{kind},"{field}":"x"}}}}"#);
            assert!(parse(once.as_bytes()).is_ok(), "{field}");
        }
        // The one-pass reader's own errors (which `parse` answers by reading the plain way).
        let e = serde_json::from_str::<OnePassRequest<'_>>("5").err().unwrap();
        assert!(e.to_string().contains("an AdmissionRequest object"), "{e}");
        let e = serde_json::from_str::<OnePassRequest<'_>>(r#"{"uid":"a","uid":"b"}"#).err().unwrap();
        assert!(e.to_string().contains("duplicate field `uid`"), "{e}");
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
