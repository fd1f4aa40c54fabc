//! `tls-ca`: the CA ConfigMap named by the storage TLS settings must exist and hold a CA bundle.
//!
//! ## What it checks
//! When a CR's S3 storage has `tls.enabled: true` and a `caName` (TempoStack `spec.storage.tls`,
//! TempoMonolithic `spec.storage.traces.s3.tls`), the ConfigMap `caName` is looked up in the CR's
//! namespace:
//! - it does not exist: a warning;
//! - it exists but none of `service-ca.crt`, `ca.crt`, `ca-bundle.crt` has a non-empty value in
//!   `data` (absent, empty, or only under `binaryData`): rejected, naming the keys it needs;
//! - the value it would use is only whitespace: a warning (the operator takes it, but it holds no
//!   certificate).
//!
//! A failed or denied look-up is a `lookup-skipped` warning. The look-up comes right after the
//! storage Secret's (see `review::tempo`).
//!
//! ## Why
//! This is the operator's own webhook verdict. Its storage check (`getTLSParams` in
//! internal/handlers/storage/tls.go, run by `validateStorage` in internal/webhooks/
//! tempostack_webhook.go and tempomonolithic_webhook.go) fetches the ConfigMap; a failed fetch is
//! an `ErrFetchingConfigMap` error that the webhook turns into a warning ("the user can create
//! these objects later"), but `getCAConfigMapKey` then requires `Data["service-ca.crt"]`,
//! `Data["ca.crt"]` or `Data["ca-bundle.crt"]` to be `!= ""` and otherwise returns "CA ConfigMap
//! must contain a 'service-ca.crt', 'ca.crt', or 'ca-bundle.crt' key", which the webhook refuses.
//! `binaryData` is never read.
//!
//! ## Example
//! Rejected: `spec.storage.tls: {enabled: true, caName: storage-ca}` with a ConfigMap `storage-ca`
//! holding only `tls.crt`. Warned: no ConfigMap `storage-ca` yet. Accepted: the ConfigMap holds
//! `ca.crt` (or the OpenShift service CA injects `service-ca.crt`).
//!
//! ## Settings
//! None.

use crate::cluster::LookupError;
use crate::finding::Findings;
use crate::objects::{Backend, StorageUse};
use crate::registry::Rule;
use k8s_openapi::api::core::v1::ConfigMap;

/// The keys the operator reads a CA bundle from.
pub const CA_KEYS: [&str; 3] = ["service-ca.crt", "ca.crt", "ca-bundle.crt"];

/// The CA ConfigMap the review must look up for `usage`: only when TLS is on with a `caName`.
pub fn ca_name(usage: &StorageUse) -> Option<&str> {
    // TLS is an S3-only setting; on other backends `storage-spec` already refuses it.
    if !usage.tls.enabled || usage.backend != Backend::S3 {
        return None;
    }
    usage.tls.ca_name.as_deref()
}

/// Checks the CA ConfigMap [`ca_name`] named, as the review looked it up.
pub fn check(
    usage: &StorageUse,
    ca_name: &str,
    namespace: &str,
    config_map: Result<Option<std::rc::Rc<ConfigMap>>, LookupError>,
    out: &mut Findings,
) {
    let path = format!("{}.caName", usage.tls_path);
    match config_map {
        Ok(None) => out.warn(
            Rule::TlsCa,
            path.clone(),
            format!(
                "{} names CA ConfigMap {ca_name:?} at {path}, but there is no such ConfigMap in namespace {namespace:?}: create it with the object store's CA certificate under ca.crt (or service-ca.crt, ca-bundle.crt), or the stack cannot verify the storage endpoint",
                usage.cr
            ),
        ),
        Ok(Some(cm)) => {
            match missing_ca(&cm) {
                Ca::Usable => {}
                Ca::Blank(key) => out.warn(
                    Rule::TlsCa,
                    path.clone(),
                    format!(
                        "{} names CA ConfigMap {ca_name:?} at {path}, whose {key} holds only whitespace: the operator uses it, but it has no certificate to verify the storage endpoint with",
                        usage.cr
                    ),
                ),
                Ca::Refused(problem) => out.reject(
                    Rule::TlsCa,
                    path.clone(),
                    format!(
                        "{} names CA ConfigMap {ca_name:?} at {path}, but it {problem}: the Tempo Operator refuses it, as it needs a non-empty service-ca.crt, ca.crt or ca-bundle.crt key in data (PEM text)",
                        usage.cr
                    ),
                ),
            }
        }
        Err(e) => out.warn(
            Rule::LookupSkipped,
            format!("ConfigMap/{ca_name}"),
            format!(
                "reading ConfigMap {ca_name:?} {e}: the CA bundle of {} was not checked (grant v1/ConfigMap in contextAwareResources)",
                usage.cr
            ),
        ),
    }
}

/// What the operator makes of a CA ConfigMap.
#[derive(Debug, PartialEq, Eq)]
enum Ca {
    Usable,
    /// The key the operator would use holds only whitespace.
    Blank(&'static str),
    /// The operator refuses it; what is wrong.
    Refused(String),
}

/// `getCAConfigMapKey`: the first of the keys, in the operator's order, whose `data` value is not "".
fn missing_ca(cm: &ConfigMap) -> Ca {
    let data = cm.data.as_ref();
    let value = |k: &str| data.and_then(|d| d.get(k)).map(String::as_str).filter(|v| !v.is_empty());
    if let Some((key, v)) = CA_KEYS.iter().find_map(|k| value(k).map(|v| (*k, v))) {
        return if v.trim().is_empty() { Ca::Blank(key) } else { Ca::Usable };
    }
    let empty: Vec<&str> = CA_KEYS.iter().copied().filter(|k| data.is_some_and(|d| d.contains_key(*k))).collect();
    if !empty.is_empty() {
        return Ca::Refused(format!("has {} empty", empty.join(", ")));
    }
    let binary = cm.binary_data.as_ref();
    let in_binary: Vec<&str> = CA_KEYS.iter().copied().filter(|k| binary.is_some_and(|b| b.contains_key(*k))).collect();
    if !in_binary.is_empty() {
        return Ca::Refused(format!(
            "has {} under binaryData only, which the operator does not read (move it to data as PEM text)",
            in_binary.join(", ")
        ));
    }
    let mut keys: Vec<String> =
        data.map(|d| d.keys().take(5).map(|k| crate::finding::quote(k)).collect()).unwrap_or_default();
    let more = data.map_or(0, |d| d.len().saturating_sub(keys.len()));
    if more > 0 {
        keys.push(format!("and {more} more"));
    }
    Ca::Refused(if keys.is_empty() {
        "has no data".to_string()
    } else {
        format!("has none of service-ca.crt, ca.crt, ca-bundle.crt (its keys: {})", keys.join(", "))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cluster::{Cluster, JsonCluster, Lookup, LookupError, Resource};
    use crate::objects::{CrKind, CrRef, Tls};
    use serde_json::Value;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// A cluster of ConfigMaps by (namespace, name), recording each look-up.
    #[derive(Default)]
    struct Maps {
        config_maps: BTreeMap<(String, String), Value>,
        fail: Option<LookupError>,
        asked: RefCell<Vec<String>>,
    }

    impl JsonCluster for Maps {
        fn get_json(&self, resource: Resource, ns: Option<&str>, name: &str) -> Lookup<String> {
            self.asked.borrow_mut().push(format!("{}/{}/{name}", resource.kind(), ns.unwrap_or("")));
            if let Some(e) = &self.fail {
                return Err(e.clone());
            }
            let key = (ns.unwrap_or("").to_string(), name.to_string());
            Ok(self.config_maps.get(&key).filter(|_| resource == Resource::ConfigMap).map(Value::to_string))
        }
        fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
            Ok(r#"{"items":[]}"#.to_string())
        }
    }

    fn usage(backend: Backend, enabled: bool, ca: Option<&str>) -> StorageUse {
        StorageUse {
            cr: CrRef { kind: CrKind::TempoMonolithic, name: "simplest".into() },
            backend,
            secret_name: "s3".into(),
            secret_path: "spec.storage.traces.s3.secret",
            mode: None,
            mode_path: "spec.storage.traces.s3.credentialMode",
            tls: Tls { enabled, ca_name: ca.map(str::to_string) },
            tls_path: "spec.storage.traces.s3.tls",
        }
    }

    fn with(data: Value) -> Maps {
        let mut m = Maps::default();
        m.config_maps.insert(("tracing".into(), "storage-ca".into()), data);
        m
    }

    fn run(cluster: &Maps, u: &StorageUse) -> Vec<String> {
        let mut out = Findings::new();
        // The look-up as `review::tempo` makes it.
        if let Some(ca) = ca_name(u) {
            check(u, ca, "tracing", cluster.config_map("tracing", ca), &mut out);
        }
        out.iter().map(|f| format!("{:?} {f}", f.severity)).collect()
    }

    #[test]
    fn a_good_config_map_is_clean() {
        let c = with(serde_json::json!({"data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n"}}));
        assert!(run(&c, &usage(Backend::S3, true, Some("storage-ca"))).is_empty());
        assert_eq!(*c.asked.borrow(), vec!["ConfigMap/tracing/storage-ca"]);
    }

    #[test]
    fn no_look_up_without_tls_or_ca_name() {
        let c = Maps::default();
        assert!(run(&c, &usage(Backend::S3, false, Some("storage-ca"))).is_empty());
        assert!(run(&c, &usage(Backend::S3, true, None)).is_empty());
        assert!(run(&c, &usage(Backend::Azure, true, Some("storage-ca"))).is_empty());
        assert!(c.asked.borrow().is_empty());
    }

    #[test]
    fn a_missing_config_map_warns() {
        let m = run(&Maps::default(), &usage(Backend::S3, true, Some("storage-ca")));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("Warn tls-ca: TempoMonolithic \"simplest\" names CA ConfigMap \"storage-ca\""),
            "{}",
            m[0]
        );
        assert!(m[0].contains("no such ConfigMap"));
    }

    /// Issue 10 item 12: the operator's webhook refuses a ConfigMap without a CA key.
    #[test]
    fn a_keyless_config_map_is_refused() {
        let u = usage(Backend::S3, true, Some("storage-ca"));
        let m = run(&with(serde_json::json!({"data": {"tls.crt": "x"}})), &u);
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("Reject tls-ca:"), "{}", m[0]);
        assert!(m[0].contains("its keys: \"tls.crt\""), "{}", m[0]);
        assert!(m[0].contains("needs a non-empty service-ca.crt, ca.crt or ca-bundle.crt key in data"), "{}", m[0]);
        let m = run(&with(serde_json::json!({"data": {"ca.crt": ""}})), &u);
        assert!(m[0].starts_with("Reject") && m[0].contains("ca.crt empty"), "{}", m[0]);
        let m = run(&with(serde_json::json!({"binaryData": {"ca.crt": "AAEC"}})), &u);
        assert!(m[0].starts_with("Reject") && m[0].contains("binaryData"), "{}", m[0]);
        let m = run(&with(serde_json::json!({})), &u);
        assert!(m[0].starts_with("Reject") && m[0].contains("has no data"), "{}", m[0]);
        // An empty first key does not hide a later one, as in getCAConfigMapKey.
        let m = run(&with(serde_json::json!({"data": {"service-ca.crt": "", "ca-bundle.crt": "PEM"}})), &u);
        assert!(m.is_empty(), "{m:?}");
        // Whitespace is "a value" to the operator: only a warning.
        let m = run(&with(serde_json::json!({"data": {"ca.crt": " \n"}})), &u);
        assert!(m[0].starts_with("Warn tls-ca:") && m[0].contains("only whitespace"), "{m:?}");
        // Many keys: the first five and a count.
        let many: serde_json::Map<String, Value> = (0..100).map(|i| (format!("k{i:03}"), Value::from("x"))).collect();
        let m = run(&with(serde_json::json!({"data": many})), &u);
        assert!(m[0].contains("\"k004\", and 95 more)"), "{}", m[0]);
    }

    #[test]
    fn a_failed_look_up_is_skipped_with_a_warning() {
        let c = Maps { fail: Some(LookupError::NotGranted("no".into())), ..Maps::default() };
        let m = run(&c, &usage(Backend::S3, true, Some("storage-ca")));
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("Warn lookup-skipped: reading ConfigMap \"storage-ca\" not allowed"), "{}", m[0]);
    }
}
