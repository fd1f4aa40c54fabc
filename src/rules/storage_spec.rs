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
use crate::objects::storage::Problems;
use crate::registry::Rule;

/// Reports the problems [`crate::objects::storage::read`] found in a storage section.
pub fn check(problems: &Problems, out: &mut Findings) {
    for p in &problems.0 {
        out.push(Rule::StorageSpec, p.severity, p.path.clone(), p.message.clone());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::objects::storage::{CrStorage, read};
    use crate::objects::{Backend, CrKind, CredentialMode, Tls};
    use serde_json::{Value, json};

    fn run(kind: CrKind, obj: Value) -> (CrStorage, Findings) {
        let mut f = Findings::new();
        let reading = read(kind, &obj);
        check(&reading.problems, &mut f);
        (reading.storage, f)
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
