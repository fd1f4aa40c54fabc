//! The storage Tempo really runs with when `spec.extraConfig.tempo.storage.trace` overrides what the operator rendered from the Secret.
//!
//! The operator renders `storage.trace.<backend>` from the Secret (the S3 endpoint with its scheme
//! cut off and `insecure` from it or from `spec.storage.tls`, the bucket, the region; the Azure
//! container and account; the GCS bucket: internal/manifests/config/tempo-config.yaml and
//! internal/handlers/storage/*), then merges `extraConfig.tempo` over the result with override
//! (internal/manifests/config/extra.go). A value set there wins. [`read`] gives the Secret's
//! content with those values in place of the keys they replace, and which keys they replaced, so
//! that the rules that judge the Secret judge what Tempo will use.

use crate::json::at;
use crate::objects::{Backend, Entry, SecretContent, StorageUse};
use serde_json::Value;

/// Where extraConfig keeps the trace storage.
const STORAGE: [&str; 5] = ["spec", "extraConfig", "tempo", "storage", "trace"];

/// The Secret's content as Tempo runs with it, and the keys extraConfig replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    pub content: SecretContent,
    /// Secret key, and the path (under `spec.extraConfig.tempo`) of the value that replaced it.
    pub replaced: Vec<(&'static str, String)>,
    /// `storage.trace.<backend>.tls_insecure_skip_verify: true`, when set.
    pub skips_tls_verification: Option<String>,
    /// `storage.trace.<backend>.insecure` is set: the scheme is extraConfig's, whatever
    /// `spec.storage.tls` says (the operator derives `insecure` from it otherwise). Only S3's is
    /// read: the other backends have no endpoint in their Secret for `insecure-endpoint` to judge.
    pub sets_insecure: bool,
}

impl Overlay {
    /// The extraConfig path that replaced `key`, when one did.
    pub fn replaced(&self, key: &str) -> Option<&str> {
        self.replaced.iter().find(|(k, _)| *k == key).map(|(_, p)| p.as_str())
    }
}

/// The overlay of `object`'s extraConfig on the storage `usage` reads from `secret`; `None` when
/// extraConfig changes none of the values the rules judge.
pub fn read(usage: &StorageUse, secret: &SecretContent, object: &Value) -> Option<Overlay> {
    let backend = usage.backend.as_str();
    let section = at(object, &STORAGE)?.get(backend)?;
    let text = |key: &str| section.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let path = |key: &str| format!("storage.trace.{backend}.{key}");
    let mut content = secret.clone();
    let mut replaced = Vec::new();
    let mut set = |secret_key: &'static str, value: String, from: String| {
        content.entries.insert(secret_key.to_string(), Entry::Value(value.into_bytes()));
        replaced.push((secret_key, from));
    };
    match usage.backend {
        Backend::S3 => {
            if let Some(bucket) = text("bucket") {
                set("bucket", bucket.to_string(), path("bucket"));
            }
            if let Some(region) = text("region") {
                set("region", region.to_string(), path("region"));
            }
            // Tempo's `endpoint` is host[:port]; `insecure` says whether it is spoken to over
            // plain HTTP. The URL the rules read is rebuilt from the two.
            let insecure = section.get("insecure").and_then(Value::as_bool);
            let host = text("endpoint");
            if host.is_some() || insecure.is_some() {
                let old = secret.text("endpoint").map(str::trim).unwrap_or("");
                let (old_scheme, old_host) = old.split_once("://").unwrap_or(("https", old));
                let scheme = match insecure {
                    Some(true) => "http",
                    Some(false) => "https",
                    None => old_scheme,
                };
                let host = host.map(|h| h.split_once("://").map_or(h, |(_, rest)| rest)).unwrap_or(old_host);
                let from = if text("endpoint").is_some() { path("endpoint") } else { path("insecure") };
                set("endpoint", format!("{scheme}://{}", host.trim_end_matches('/')), from);
            }
        }
        Backend::Azure => {
            if let Some(container) = text("container_name") {
                set("container", container.to_string(), path("container_name"));
            }
            if let Some(account) = text("storage_account_name") {
                set("account_name", account.to_string(), path("storage_account_name"));
            }
        }
        Backend::Gcs => {
            if let Some(bucket) = text("bucket_name") {
                set("bucketname", bucket.to_string(), path("bucket_name"));
            }
        }
    }
    let skips_tls_verification =
        (section.get("tls_insecure_skip_verify") == Some(&Value::Bool(true))).then(|| path("tls_insecure_skip_verify"));
    let sets_insecure = section.get("insecure").is_some_and(Value::is_boolean);
    (!replaced.is_empty() || skips_tls_verification.is_some()).then_some(Overlay {
        content,
        replaced,
        skips_tls_verification,
        sets_insecure,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::objects::{CrKind, CrRef, Tls};
    use serde_json::json;

    fn usage(backend: Backend) -> StorageUse {
        StorageUse {
            cr: CrRef { kind: CrKind::TempoStack, name: "tracing".into() },
            backend,
            secret_name: "tempo-s3".into(),
            secret_path: "spec.storage.secret.name",
            mode: None,
            mode_path: "spec.storage.secret.credentialMode",
            tls: Tls::default(),
            tls_path: "spec.storage.tls",
        }
    }

    fn secret(pairs: &[(&str, &str)]) -> SecretContent {
        let mut s = SecretContent { name: "tempo-s3".into(), ..SecretContent::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        s
    }

    #[test]
    fn s3_values_replace_the_secrets() {
        let s = secret(&[("bucket", "tempo-traces"), ("endpoint", "https://s3.eu-west-1.amazonaws.com")]);
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"s3": {"bucket": "other", "insecure": true}}}}}}});
        let o = read(&usage(Backend::S3), &s, &object).unwrap();
        assert_eq!(o.content.text("bucket"), Some("other"));
        assert_eq!(o.content.text("endpoint"), Some("http://s3.eu-west-1.amazonaws.com"));
        assert_eq!(o.replaced("bucket"), Some("storage.trace.s3.bucket"));
        assert_eq!(o.replaced("endpoint"), Some("storage.trace.s3.insecure"));
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"s3": {"endpoint": "minio.minio.svc:9000"}}}}}}});
        let o = read(&usage(Backend::S3), &s, &object).unwrap();
        assert_eq!(o.content.text("endpoint"), Some("https://minio.minio.svc:9000"));
        // Nothing the rules judge: no overlay.
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"s3": {"part_size": 1}}}}}}});
        assert_eq!(read(&usage(Backend::S3), &s, &object), None);
        assert_eq!(read(&usage(Backend::S3), &s, &json!({"spec": {}})), None);
        // Another backend's section does not apply.
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"gcs": {"bucket_name": "x"}}}}}}});
        assert_eq!(read(&usage(Backend::S3), &s, &object), None);
    }

    #[test]
    fn azure_and_gcs_and_tls_verification() {
        let s = secret(&[("container", "c"), ("account_name", "a")]);
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"azure": {"container_name": "Bad_Name", "storage_account_name": "b"}}}}}}});
        let o = read(&usage(Backend::Azure), &s, &object).unwrap();
        assert_eq!((o.content.text("container"), o.content.text("account_name")), (Some("Bad_Name"), Some("b")));
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"gcs": {"bucket_name": "g"}}}}}}});
        assert_eq!(
            read(&usage(Backend::Gcs), &s, &object).unwrap().replaced("bucketname"),
            Some("storage.trace.gcs.bucket_name")
        );
        let object = json!({"spec": {"extraConfig": {"tempo": {"storage": {"trace": {"s3": {"tls_insecure_skip_verify": true}}}}}}});
        let o = read(&usage(Backend::S3), &s, &object).unwrap();
        assert_eq!(o.skips_tls_verification.as_deref(), Some("storage.trace.s3.tls_insecure_skip_verify"));
        assert!(o.replaced.is_empty());
    }
}
