//! `tls-ca`: the CA ConfigMap named by the storage TLS settings must exist and hold a CA bundle.
//!
//! ## What it checks
//! When a CR's S3 storage has `tls.enabled: true` and a `caName` (TempoStack `spec.storage.tls`,
//! TempoMonolithic `spec.storage.traces.s3.tls`), the ConfigMap `caName` is looked up in the CR's
//! namespace. A warning when it does not exist, or when its `data` has none of `service-ca.crt`,
//! `ca.crt`, `ca-bundle.crt` (non-empty). A failed or denied look-up is a `lookup-skipped`
//! warning. The look-up comes right after the storage Secret's (see `review::tempo`).
//!
//! ## Why
//! The operator reads the CA from exactly those keys; with none of them (or no ConfigMap) the
//! stack does not come up (`ConfigurationError`), or the components cannot verify the object
//! store's certificate and every flush to storage fails. The ConfigMap is often created by
//! another tool later, so this warns rather than rejects, as the operator does for a missing
//! Secret.
//!
//! ## Example
//! Warned: `spec.storage.tls: {enabled: true, caName: storage-ca}` with a ConfigMap `storage-ca`
//! holding only `tls.crt`. Accepted: the ConfigMap holds `ca.crt` (or the OpenShift service CA
//! injects `service-ca.crt`).
//!
//! ## Settings
//! None.

use crate::cluster::Cluster;
use crate::finding::Findings;
use crate::objects::{Backend, StorageUse};
use crate::rules::Rule;
use k8s_openapi::api::core::v1::ConfigMap;

/// The keys the operator reads a CA bundle from.
pub const CA_KEYS: [&str; 3] = ["service-ca.crt", "ca.crt", "ca-bundle.crt"];

/// Looks the CA ConfigMap up (one `get`, only when TLS is on with a `caName`) and checks it.
pub fn check(usage: &StorageUse, namespace: &str, cluster: &dyn Cluster, out: &mut Findings) {
    // TLS is an S3-only setting; on other backends `storage-spec` already refuses it.
    if !usage.tls.enabled || usage.backend != Backend::S3 {
        return;
    }
    let Some(ca_name) = usage.tls.ca_name.as_deref() else { return };
    let path = format!("{}.caName", usage.tls_path);
    match cluster.config_map(namespace, ca_name) {
        Ok(None) => out.warn(
            Rule::TlsCa,
            path.clone(),
            format!(
                "{} names CA ConfigMap {ca_name:?} at {path}, but there is no such ConfigMap in namespace {namespace:?}: create it with the object store's CA certificate under ca.crt (or service-ca.crt, ca-bundle.crt), or the stack cannot verify the storage endpoint",
                usage.cr
            ),
        ),
        Ok(Some(cm)) => {
            if let Some(problem) = missing_ca(&cm) {
                out.warn(
                    Rule::TlsCa,
                    path.clone(),
                    format!(
                        "{} names CA ConfigMap {ca_name:?} at {path}, but it {problem}: the operator reads the CA from service-ca.crt, ca.crt or ca-bundle.crt in data",
                        usage.cr
                    ),
                );
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

/// What is wrong with the ConfigMap, or `None` when a CA key has a value.
fn missing_ca(cm: &ConfigMap) -> Option<String> {
    let data = cm.data.as_ref();
    let has = |k: &str| data.and_then(|d| d.get(k)).is_some_and(|v| !v.trim().is_empty());
    if CA_KEYS.iter().any(|k| has(k)) {
        return None;
    }
    let empty: Vec<&str> = CA_KEYS.iter().copied().filter(|k| data.is_some_and(|d| d.contains_key(*k))).collect();
    if !empty.is_empty() {
        return Some(format!("has {} empty", empty.join(", ")));
    }
    let binary = cm.binary_data.as_ref();
    let in_binary: Vec<&str> = CA_KEYS.iter().copied().filter(|k| binary.is_some_and(|b| b.contains_key(*k))).collect();
    if !in_binary.is_empty() {
        return Some(format!("has {} under binaryData only (move it to data as PEM text)", in_binary.join(", ")));
    }
    let mut keys: Vec<&str> = data.map(|d| d.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.truncate(5);
    Some(if keys.is_empty() {
        "has no data".to_string()
    } else {
        format!("has none of service-ca.crt, ca.crt, ca-bundle.crt (its keys: {})", keys.join(", "))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cluster::{JsonCluster, Lookup, LookupError, Resource};
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
        check(u, "tracing", cluster, &mut out);
        assert!(out.iter().all(|f| f.severity == crate::finding::Severity::Warn));
        out.iter().map(|f| f.to_string()).collect()
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
    fn missing_or_keyless_config_maps_warn() {
        let m = run(&Maps::default(), &usage(Backend::S3, true, Some("storage-ca")));
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("tls-ca: TempoMonolithic \"simplest\" names CA ConfigMap \"storage-ca\""), "{}", m[0]);
        assert!(m[0].contains("no such ConfigMap"));

        let m =
            run(&with(serde_json::json!({"data": {"tls.crt": "x"}})), &usage(Backend::S3, true, Some("storage-ca")));
        assert!(m[0].contains("its keys: tls.crt"), "{}", m[0]);
        let m = run(&with(serde_json::json!({"data": {"ca.crt": ""}})), &usage(Backend::S3, true, Some("storage-ca")));
        assert!(m[0].contains("ca.crt empty"), "{}", m[0]);
        let m = run(
            &with(serde_json::json!({"binaryData": {"ca.crt": "AAEC"}})),
            &usage(Backend::S3, true, Some("storage-ca")),
        );
        assert!(m[0].contains("binaryData"), "{}", m[0]);
        let m = run(&with(serde_json::json!({})), &usage(Backend::S3, true, Some("storage-ca")));
        assert!(m[0].contains("has no data"), "{}", m[0]);
    }

    #[test]
    fn a_failed_look_up_is_skipped_with_a_warning() {
        let c = Maps { fail: Some(LookupError::NotGranted("no".into())), ..Maps::default() };
        let m = run(&c, &usage(Backend::S3, true, Some("storage-ca")));
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("lookup-skipped: reading ConfigMap \"storage-ca\" not allowed"), "{}", m[0]);
    }
}
