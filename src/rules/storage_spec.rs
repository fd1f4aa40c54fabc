//! `storage-spec`: the CR's storage section must be usable before anything else can be judged.
//!
//! ## What it checks
//! TempoStack `spec.storage.secret`: `type` is one of `s3`, `azure`, `gcs`; `name` is a non-empty
//! string; `credentialMode` is one of `static`, `token`, `token-cco`; `spec.storage.tls.enabled`
//! only with `s3`. TempoMonolithic `spec.storage.traces`: `backend` is one of `memory`, `pv`, `s3`,
//! `azure`, `gcs`; an object backend has its sub-object with a non-empty `secret`.
//!
//! ## Why
//! The operator answers these with `ConfigurationError` minutes after `kubectl apply` ("please
//! specify a storage secret", "custom TLS settings are not supported for Azure Storage"); fields of
//! the wrong type arrive when manifests are templated.
//!
//! ## Example
//! Rejected: `spec.storage.traces: {backend: s3}` (no `s3.secret`).
//! Accepted: `spec.storage.traces: {backend: s3, s3: {secret: tempo-s3}}`.
//!
//! ## Settings
//! None.

use crate::finding::Findings;
use crate::json::{Field, bool_at, object_at, str_at};
use crate::objects::{Backend, CrKind, CrRef, CredentialMode, StorageUse, Tls};
use crate::rules::Rule;
use serde_json::Value;

/// What a CR stores traces in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrStorage {
    Object(StorageUse),
    /// TempoMonolithic `memory` (a tmpfs in the pod's memory).
    Memory,
    /// TempoMonolithic `pv`.
    Pv,
    /// The storage section cannot be understood; findings say why.
    Unusable,
}

pub fn check(kind: CrKind, obj: &Value, out: &mut Findings) -> CrStorage {
    read(kind, obj, out).0
}

/// The backend and credential mode a CR declares, known even when its storage section is
/// unusable for another reason (an empty Secret name), so that the checks needing only these
/// still run and a rejection lists every finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub cr: CrRef,
    pub backend: Backend,
    pub mode: Option<CredentialMode>,
    pub mode_path: &'static str,
}

/// [`check`], and what the CR [`Declared`] whether or not the storage is usable.
pub fn read(kind: CrKind, obj: &Value, out: &mut Findings) -> (CrStorage, Option<Declared>) {
    let cr = CrRef { kind, name: crate::json::meta_str(obj, "name").to_string() };
    let mut declared = None;
    let storage = match kind {
        CrKind::TempoStack => tempostack(cr, obj, out, &mut declared),
        CrKind::TempoMonolithic => monolithic(cr, obj, out, &mut declared),
    };
    (storage, declared)
}

fn tempostack(cr: CrRef, obj: &Value, out: &mut Findings, declared: &mut Option<Declared>) -> CrStorage {
    const SECRET: [&str; 3] = ["spec", "storage", "secret"];
    if !parents_are_objects(obj, &SECRET, out) {
        return CrStorage::Unusable;
    }
    match object_at(obj, &SECRET) {
        Field::Present(_) => {}
        Field::WrongType(t) => {
            out.reject(
                Rule::StorageSpec,
                "spec.storage.secret",
                format!("spec.storage.secret must be an object with name and type, not {t}"),
            );
            return CrStorage::Unusable;
        }
        Field::Absent => {
            out.reject(
                Rule::StorageSpec,
                "spec.storage.secret",
                "spec.storage.secret is required: set name (the storage Secret) and type (s3, azure or gcs)",
            );
            return CrStorage::Unusable;
        }
    }
    let backend = backend_field(
        out,
        obj,
        &["spec", "storage", "secret", "type"],
        "spec.storage.secret.type",
        &["s3", "azure", "gcs"],
    );
    let name = secret_name(out, obj, &["spec", "storage", "secret", "name"], "spec.storage.secret.name");
    let mode =
        mode_field(out, obj, &["spec", "storage", "secret", "credentialMode"], "spec.storage.secret.credentialMode");
    let tls = tls_field(out, obj, &["spec", "storage", "tls"], "spec.storage.tls");
    if let (Some(backend), Some(mode)) = (backend, mode) {
        *declared = Some(Declared { cr: cr.clone(), backend, mode, mode_path: "spec.storage.secret.credentialMode" });
    }
    if let (Some(b), true) = (backend, tls.enabled)
        && b != Backend::S3
    {
        out.reject(
                Rule::StorageSpec,
                "spec.storage.tls.enabled",
                format!("spec.storage.tls is supported for s3 only (the operator refuses custom TLS settings for {b}): remove spec.storage.tls"),
            );
    }
    match (backend, name, mode) {
        (Some(backend), Some(secret_name), Some(mode)) => CrStorage::Object(StorageUse {
            cr,
            backend,
            secret_name,
            secret_path: "spec.storage.secret.name",
            mode,
            mode_path: "spec.storage.secret.credentialMode",
            tls,
            tls_path: "spec.storage.tls",
        }),
        _ => CrStorage::Unusable,
    }
}

fn monolithic(cr: CrRef, obj: &Value, out: &mut Findings, declared: &mut Option<Declared>) -> CrStorage {
    // `traces: s3` must not read as "no backend" (memory).
    if !parents_are_objects(obj, &["spec", "storage", "traces", "backend"], out) {
        return CrStorage::Unusable;
    }
    // The CRD defaults both spec.storage and traces.backend to memory.
    let backend = match str_at(obj, &["spec", "storage", "traces", "backend"]) {
        Field::Absent => return CrStorage::Memory,
        Field::WrongType(t) => {
            out.reject(
                Rule::StorageSpec,
                "spec.storage.traces.backend",
                format!("spec.storage.traces.backend must be a string, not {t}"),
            );
            return CrStorage::Unusable;
        }
        Field::Present("memory") => return CrStorage::Memory,
        Field::Present("pv") => return CrStorage::Pv,
        Field::Present(other) => match Backend::parse(other) {
            Some(b) => b,
            None => {
                out.reject(
                    Rule::StorageSpec,
                    "spec.storage.traces.backend",
                    format!("spec.storage.traces.backend {other:?} is not one of memory, pv, s3, azure, gcs"),
                );
                return CrStorage::Unusable;
            }
        },
    };
    let (sub, secret_path, mode_path, tls_path): (&str, &'static str, &'static str, &'static str) = match backend {
        Backend::S3 => (
            "s3",
            "spec.storage.traces.s3.secret",
            "spec.storage.traces.s3.credentialMode",
            "spec.storage.traces.s3.tls",
        ),
        Backend::Azure => (
            "azure",
            "spec.storage.traces.azure.secret",
            "spec.storage.traces.azure.credentialMode",
            "spec.storage.traces.azure.tls",
        ),
        Backend::Gcs => (
            "gcs",
            "spec.storage.traces.gcs.secret",
            "spec.storage.traces.gcs.credentialMode",
            "spec.storage.traces.gcs.tls",
        ),
    };
    match object_at(obj, &["spec", "storage", "traces", sub]) {
        Field::Present(_) => {}
        Field::WrongType(t) => {
            out.reject(
                Rule::StorageSpec,
                format!("spec.storage.traces.{sub}"),
                format!("spec.storage.traces.{sub} must be an object, not {t}"),
            );
            return CrStorage::Unusable;
        }
        Field::Absent => {
            out.reject(
                Rule::StorageSpec,
                format!("spec.storage.traces.{sub}"),
                format!("backend {sub} needs spec.storage.traces.{sub}.secret naming the storage Secret (the operator: \"please specify a storage secret\")"),
            );
            return CrStorage::Unusable;
        }
    }
    let name = secret_name(out, obj, &["spec", "storage", "traces", sub, "secret"], secret_path);
    // Only the s3 sub-object has credentialMode and tls in the CRD; a templated manifest can
    // still carry them elsewhere, and the operator would ignore or refuse them. For azure and
    // gcs the API server prunes (or, with strict field validation, refuses) credentialMode and
    // the operator infers the mode from the Secret's keys (GetStorageParamsForTempoMonolithic,
    // internal/handlers/storage/storage.go): judge as it does, as if the field were absent.
    let mode = if backend == Backend::S3 {
        mode_field(out, obj, &["spec", "storage", "traces", sub, "credentialMode"], mode_path)
    } else {
        if !matches!(
            crate::json::at(obj, &["spec", "storage", "traces", sub, "credentialMode"]),
            None | Some(Value::Null)
        ) {
            out.warn(
                Rule::StorageSpec,
                mode_path,
                format!("{mode_path} is not a field of the TempoMonolithic CRD (only spec.storage.traces.s3 has credentialMode): the API server drops or refuses it, and the operator infers the {backend} credential mode from the Secret's keys: remove it"),
            );
        }
        Some(None)
    };
    let tls = tls_field(out, obj, &["spec", "storage", "traces", sub, "tls"], tls_path);
    if let Some(mode) = mode {
        *declared = Some(Declared { cr: cr.clone(), backend, mode, mode_path });
    }
    if backend != Backend::S3 && tls.enabled {
        out.reject(
            Rule::StorageSpec,
            tls_path,
            format!("TLS settings are supported for s3 only, not {backend}: remove {tls_path}"),
        );
    }
    match (name, mode) {
        (Some(secret_name), Some(mode)) => {
            CrStorage::Object(StorageUse { cr, backend, secret_name, secret_path, mode, mode_path, tls, tls_path })
        }
        _ => CrStorage::Unusable,
    }
}

/// Every section above the field at `path` is an object or absent (`null` counts as absent);
/// the first that is not is a finding, so that `spec: s3` is not read as "no storage section".
fn parents_are_objects(obj: &Value, path: &[&str], out: &mut Findings) -> bool {
    for end in 1..path.len() {
        let Some(section) = path.get(..end) else { break };
        if let Field::WrongType(t) = object_at(obj, section) {
            let at = section.join(".");
            out.reject(Rule::StorageSpec, at.clone(), format!("{at} must be an object, not {t}"));
            return false;
        }
    }
    true
}

/// The backend, or `None` once reported.
fn backend_field(out: &mut Findings, obj: &Value, path: &[&str], at: &str, allowed: &[&str]) -> Option<Backend> {
    match str_at(obj, path) {
        Field::Present(s) => match Backend::parse(s) {
            Some(b) => Some(b),
            None => {
                out.reject(Rule::StorageSpec, at, format!("{at} {s:?} is not one of {}", allowed.join(", ")));
                None
            }
        },
        Field::WrongType(t) => {
            out.reject(Rule::StorageSpec, at, format!("{at} must be a string, not {t}"));
            None
        }
        Field::Absent => {
            out.reject(Rule::StorageSpec, at, format!("{at} is required: one of {}", allowed.join(", ")));
            None
        }
    }
}

fn secret_name(out: &mut Findings, obj: &Value, path: &[&str], at: &str) -> Option<String> {
    match str_at(obj, path) {
        Field::Present(s) if !s.trim().is_empty() => Some(s.to_string()),
        Field::Present(_) | Field::Absent => {
            out.reject(Rule::StorageSpec, at, format!("{at} must name the storage Secret (it is empty)"));
            None
        }
        Field::WrongType(t) => {
            out.reject(Rule::StorageSpec, at, format!("{at} must be a string, not {t}"));
            None
        }
    }
}

/// `Some(mode)` when usable (absent is `Some(None)`), `None` when reported.
fn mode_field(out: &mut Findings, obj: &Value, path: &[&str], at: &str) -> Option<Option<CredentialMode>> {
    match str_at(obj, path) {
        Field::Absent => Some(None),
        Field::Present(s) => match CredentialMode::parse(s) {
            Some(m) => Some(Some(m)),
            None => {
                out.reject(Rule::StorageSpec, at, format!("{at} {s:?} is not one of static, token, token-cco"));
                None
            }
        },
        Field::WrongType(t) => {
            out.reject(Rule::StorageSpec, at, format!("{at} must be a string, not {t}"));
            None
        }
    }
}

fn tls_field(out: &mut Findings, obj: &Value, path: &[&str], at: &str) -> Tls {
    let mut tls = Tls::default();
    match object_at(obj, path) {
        Field::Absent => return tls,
        Field::WrongType(t) => {
            out.reject(Rule::StorageSpec, at, format!("{at} must be an object, not {t}"));
            return tls;
        }
        Field::Present(_) => {}
    }
    let mut enabled_path = path.to_vec();
    enabled_path.push("enabled");
    match bool_at(obj, &enabled_path) {
        Field::Present(b) => tls.enabled = b,
        Field::WrongType(t) => out.reject(
            Rule::StorageSpec,
            format!("{at}.enabled"),
            format!("{at}.enabled must be true or false, not {t}"),
        ),
        Field::Absent => {}
    }
    let mut ca_path = path.to_vec();
    ca_path.push("caName");
    match str_at(obj, &ca_path) {
        Field::Present(s) if !s.is_empty() => tls.ca_name = Some(s.to_string()),
        Field::WrongType(t) => {
            out.reject(Rule::StorageSpec, format!("{at}.caName"), format!("{at}.caName must be a string, not {t}"))
        }
        _ => {}
    }
    tls
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(kind: CrKind, obj: Value) -> (CrStorage, Findings) {
        let mut f = Findings::new();
        let s = check(kind, &obj, &mut f);
        (s, f)
    }

    fn messages(f: &Findings) -> Vec<String> {
        f.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn tempostack_storage_is_read() {
        let (s, f) = run(
            CrKind::TempoStack,
            json!({"metadata":{"name":"simplest"},"spec":{"storage":{"secret":{"name":"minio","type":"s3","credentialMode":"static"},"tls":{"enabled":true,"caName":"ca"}}}}),
        );
        assert!(f.is_empty(), "{:?}", messages(&f));
        let CrStorage::Object(u) = s else { panic!("{s:?}") };
        assert_eq!((u.backend, u.secret_name.as_str(), u.mode), (Backend::S3, "minio", Some(CredentialMode::Static)));
        assert_eq!(u.tls, Tls { enabled: true, ca_name: Some("ca".into()) });
        assert_eq!(u.cr.to_string(), "TempoStack \"simplest\"");
    }

    #[test]
    fn tempostack_unusable_storage_lists_every_problem() {
        let (s, f) = run(
            CrKind::TempoStack,
            json!({"spec":{"storage":{"secret":{"name":"","type":"minio","credentialMode":"iam"}}}}),
        );
        assert_eq!(s, CrStorage::Unusable);
        let m = messages(&f);
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m.iter().all(|x| x.starts_with("storage-spec: ")));
        assert!(m[0].contains("\"minio\" is not one of s3, azure, gcs"));
        assert!(m[1].contains("spec.storage.secret.name"));
        assert!(m[2].contains("\"iam\""));
    }

    #[test]
    fn tls_only_for_s3() {
        let (s, f) = run(
            CrKind::TempoStack,
            json!({"spec":{"storage":{"secret":{"name":"az","type":"azure"},"tls":{"enabled":true}}}}),
        );
        assert!(matches!(s, CrStorage::Object(_)));
        assert_eq!(f.len(), 1);
        assert!(messages(&f)[0].contains("s3 only"));
        let (_, f) = run(
            CrKind::TempoStack,
            json!({"spec":{"storage":{"secret":{"name":"az","type":"azure"},"tls":{"enabled":false}}}}),
        );
        assert!(f.is_empty());
    }

    #[test]
    fn tempostack_wrong_types_are_findings() {
        let (s, f) =
            run(CrKind::TempoStack, json!({"spec":{"storage":{"secret":{"name":5,"type":["s3"]},"tls":"yes"}}}));
        assert_eq!(s, CrStorage::Unusable);
        assert_eq!(f.len(), 3, "{:?}", messages(&f));
        let (_, f) = run(CrKind::TempoStack, json!({"spec":{}}));
        assert!(messages(&f)[0].contains("spec.storage.secret is required"));
        let (_, f) = run(CrKind::TempoStack, json!("not an object"));
        assert_eq!(f.len(), 1);
    }

    /// Found by the bad-input corpus: `traces: s3` was read as "no backend", i.e. memory.
    #[test]
    fn sections_of_the_wrong_type_are_findings_not_defaults() {
        for (kind, obj, at) in [
            (
                CrKind::TempoMonolithic,
                json!({"spec":{"storage":{"traces":"s3"}}}),
                "spec.storage.traces must be an object, not a string",
            ),
            (CrKind::TempoMonolithic, json!({"spec":{"storage":["s3"]}}), "spec.storage must be an object, not a list"),
            (CrKind::TempoMonolithic, json!({"spec":5}), "spec must be an object, not a number"),
            (CrKind::TempoStack, json!({"spec":"s3"}), "spec must be an object, not a string"),
            (
                CrKind::TempoStack,
                json!({"spec":{"storage":[{"secret":{}}]}}),
                "spec.storage must be an object, not a list",
            ),
        ] {
            let (s, f) = run(kind, obj);
            assert_eq!(s, CrStorage::Unusable);
            assert_eq!(messages(&f), vec![format!("storage-spec: {at}")]);
        }
        // null is absent: the CRD defaults a TempoMonolithic's storage to memory.
        assert_eq!(run(CrKind::TempoMonolithic, json!({"spec":{"storage":null}})).0, CrStorage::Memory);
    }

    #[test]
    fn monolithic_backends() {
        assert_eq!(run(CrKind::TempoMonolithic, json!({"spec":{}})).0, CrStorage::Memory);
        assert_eq!(
            run(CrKind::TempoMonolithic, json!({"spec":{"storage":{"traces":{"backend":"pv"}}}})).0,
            CrStorage::Pv
        );
        let (s, f) = run(CrKind::TempoMonolithic, json!({"spec":{"storage":{"traces":{"backend":"s3"}}}}));
        assert_eq!(s, CrStorage::Unusable);
        assert!(messages(&f)[0].contains("please specify a storage secret"));
        let (s, f) = run(
            CrKind::TempoMonolithic,
            json!({"spec":{"storage":{"traces":{"backend":"s3","s3":{"secret":"s3-secret","credentialMode":"token"}}}}}),
        );
        assert!(f.is_empty());
        let CrStorage::Object(u) = s else { panic!() };
        assert_eq!(
            (u.secret_name.as_str(), u.mode, u.secret_path),
            ("s3-secret", Some(CredentialMode::Token), "spec.storage.traces.s3.secret")
        );
        let (_, f) = run(CrKind::TempoMonolithic, json!({"spec":{"storage":{"traces":{"backend":"ceph"}}}}));
        assert!(messages(&f)[0].contains("\"ceph\""));
        let (_, f) =
            run(CrKind::TempoMonolithic, json!({"spec":{"storage":{"traces":{"backend":"gcs","gcs":{"secret":""}}}}}));
        assert!(messages(&f)[0].contains("spec.storage.traces.gcs.secret"));
        let (_, f) = run(
            CrKind::TempoMonolithic,
            json!({"spec":{"storage":{"traces":{"backend":"azure","azure":{"secret":"az","tls":{"enabled":true}}}}}}),
        );
        assert!(messages(&f)[0].contains("s3 only"));
    }

    /// The TempoMonolithic CRD has credentialMode for s3 only; the operator infers azure and gcs
    /// modes from the keys, so a stray field there is a warning and never read.
    #[test]
    fn monolithic_credential_mode_exists_for_s3_only() {
        for backend in ["azure", "gcs"] {
            let (s, f) = run(
                CrKind::TempoMonolithic,
                json!({"spec":{"storage":{"traces":{"backend":backend,(backend):{"secret":"store","credentialMode":"token"}}}}}),
            );
            let CrStorage::Object(u) = s else { panic!("{s:?}") };
            assert_eq!(u.mode, None, "{backend}");
            assert!(!u.can_set_mode(), "{backend}");
            let m = messages(&f);
            assert_eq!(m.len(), 1, "{m:?}");
            assert!(f.iter().all(|x| x.severity == crate::finding::Severity::Warn), "{m:?}");
            assert!(m[0].contains(&format!("spec.storage.traces.{backend}.credentialMode is not a field")), "{m:?}");
        }
    }
}
