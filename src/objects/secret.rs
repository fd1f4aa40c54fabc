//! Storage Secrets: a borrowed first look (type, metadata) and the decoded content the rules read.
//!
//! The first look keeps `data` as raw JSON, so a Secret the policy does not care about (a 1 MB
//! Helm release, a TLS pair) is never decoded. Decoding never echoes a value: a malformed value is
//! reported by key name only.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The parts of a Secret the policy looks at before deciding whether to read it.
#[derive(Debug, Deserialize)]
pub struct SecretDoc<'a> {
    #[serde(default, borrow)]
    pub metadata: Option<&'a RawValue>,
    #[serde(default, rename = "type")]
    pub secret_type: Option<Value>,
    #[serde(default, borrow)]
    pub data: Option<&'a RawValue>,
    #[serde(default, rename = "stringData", borrow)]
    pub string_data: Option<&'a RawValue>,
}

impl<'a> SecretDoc<'a> {
    pub fn parse(json: &'a str) -> Result<Self, String> {
        // serde's message may quote a value; say only where the document broke.
        serde_json::from_str(json).map_err(|e| {
            format!("the Secret is not a JSON object of the expected shape (line {}, column {})", e.line(), e.column())
        })
    }

    /// Only `Opaque` Secrets (or ones with no type, as in raw manifests) can hold storage keys;
    /// the operator reads any type, but TLS pairs, Helm releases and tokens never are storage Secrets.
    pub fn is_opaque(&self) -> bool {
        match &self.secret_type {
            None | Some(Value::Null) => true,
            Some(Value::String(t)) => t.is_empty() || t == "Opaque",
            Some(_) => false,
        }
    }

    pub fn metadata(&self) -> Value {
        self.metadata.and_then(|m| super::pruned::metadata(m.get()).ok()).unwrap_or(Value::Null)
    }

    pub fn decode(&self, name: &str) -> SecretContent {
        let mut content = SecretContent { name: name.to_string(), ..SecretContent::default() };
        if let Some(data) = self.data {
            match serde_json::from_str::<BTreeMap<String, Value>>(data.get()) {
                Ok(map) => {
                    for (key, value) in map {
                        let entry = match value {
                            Value::String(s) => decode_base64(&s).map(Entry::Value).unwrap_or(Entry::NotBase64),
                            Value::Null => Entry::Value(Vec::new()),
                            other => Entry::WrongType(crate::json::type_name(&other)),
                        };
                        content.entries.insert(key, entry);
                    }
                }
                Err(_) => content.malformed.push("data"),
            }
        }
        if let Some(string_data) = self.string_data {
            match serde_json::from_str::<BTreeMap<String, Value>>(string_data.get()) {
                // stringData wins over data for the same key, as the API server merges them.
                Ok(map) => {
                    for (key, value) in map {
                        let entry = match value {
                            Value::String(s) => Entry::Value(s.into_bytes()),
                            Value::Null => Entry::Value(Vec::new()),
                            other => Entry::WrongType(crate::json::type_name(&other)),
                        };
                        content.entries.insert(key, entry);
                    }
                }
                Err(_) => content.malformed.push("stringData"),
            }
        }
        content
    }
}

/// Kubernetes accepts standard base64 with padding; tolerate line breaks some tools insert.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    match engine.decode(s) {
        Ok(v) => Some(v),
        Err(_) if s.contains(['\n', '\r']) => engine.decode(s.replace(['\n', '\r'], "")).ok(),
        Err(_) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Value(Vec<u8>),
    NotBase64,
    WrongType(&'static str),
}

/// A Secret's keys with their decoded values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretContent {
    pub name: String,
    pub entries: BTreeMap<String, Entry>,
    /// `data` / `stringData` sections that are not maps at all.
    pub malformed: Vec<&'static str>,
}

impl SecretContent {
    /// From a whole Secret as JSON text (a look-up answer or a request object).
    pub fn from_json(json: &str) -> Result<(Self, Value), String> {
        let doc = SecretDoc::parse(json)?;
        let metadata = doc.metadata();
        let name = crate::json::str_at(&metadata, &["name"]).present().unwrap_or("").to_string();
        Ok((doc.decode(&name), metadata))
    }

    /// From a looked-up Secret: the host has decoded `data` already (the API server only stores
    /// base64 that decodes). `stringData` wins over `data` for the same key, as in a manifest.
    pub fn from_secret(secret: &k8s_openapi::api::core::v1::Secret) -> Self {
        let mut content = SecretContent { name: secret.metadata.name.clone().unwrap_or_default(), ..Self::default() };
        for (key, value) in secret.data.iter().flatten() {
            content.entries.insert(key.clone(), Entry::Value(value.0.clone()));
        }
        for (key, value) in secret.string_data.iter().flatten() {
            content.entries.insert(key.clone(), Entry::Value(value.clone().into_bytes()));
        }
        content
    }

    /// The key exists, whatever its value: the operator's mode inference looks at existence only.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Absent, empty, or unusable: what the operator reports as "must contain".
    pub fn is_missing(&self, key: &str) -> bool {
        match self.entries.get(key) {
            None => true,
            Some(Entry::Value(v)) => v.is_empty(),
            Some(_) => false,
        }
    }

    pub fn bytes(&self, key: &str) -> Option<&[u8]> {
        match self.entries.get(key) {
            Some(Entry::Value(v)) if !v.is_empty() => Some(v),
            _ => None,
        }
    }

    /// A non-empty UTF-8 value.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.bytes(key).and_then(|b| std::str::from_utf8(b).ok())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Every value, for the leak tests and redaction: nothing the policy prints may contain one.
    pub fn values(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().filter_map(|(k, e)| match e {
            Entry::Value(v) => Some((k.as_str(), v.as_slice())),
            _ => None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn string_data_wins_and_base64_is_decoded() {
        let json = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tempo-s3"},
            "data":{"bucket":"dGVtcG8=","endpoint":"bm90LXVzZWQ=","broken":"***","empty":""},
            "stringData":{"endpoint":"http://minio:9000"}}"#;
        let (s, _) = SecretContent::from_json(json).unwrap();
        assert_eq!(s.name, "tempo-s3");
        assert_eq!(s.text("bucket"), Some("tempo"));
        assert_eq!(s.text("endpoint"), Some("http://minio:9000"));
        assert_eq!(s.entries.get("broken"), Some(&Entry::NotBase64));
        assert!(s.has("empty") && s.is_missing("empty"));
        assert!(s.is_missing("region") && !s.has("region"));
    }

    #[test]
    fn wrong_shapes_do_not_fail_or_leak() {
        let (s, _) = SecretContent::from_json(r#"{"data":"c2VjcmV0","stringData":{"a":5}}"#).unwrap();
        assert_eq!(s.malformed, vec!["data"]);
        assert_eq!(s.entries.get("a"), Some(&Entry::WrongType("a number")));
        let e = SecretContent::from_json(r#"{"data": {"k": "supersecret"#).unwrap_err();
        assert!(!e.contains("supersecret"));
    }

    #[test]
    fn only_opaque_secrets_are_read() {
        for (t, opaque) in [("", true), ("Opaque", true), ("kubernetes.io/tls", false), ("helm.sh/release.v1", false)] {
            let json = format!(r#"{{"type":"{t}"}}"#);
            assert_eq!(SecretDoc::parse(&json).unwrap().is_opaque(), opaque, "{t}");
        }
        assert!(SecretDoc::parse("{}").unwrap().is_opaque());
    }
}
