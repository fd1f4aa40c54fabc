//! The storage section of a Tempo CR, read: what it stores traces in, the backend and mode it declares, and what is wrong with it (which the `storage-spec` rule reports).
//!
//! The field rules are documented with the rule, in `rules/storage_spec.rs`.

use crate::finding::Severity;
use crate::json::{Field, bool_at, object_at, str_at};
use crate::objects::{Backend, CrKind, CrRef, CredentialMode, StorageUse, Tls};
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

/// What a CR's storage section says, read once for every user: the review of the CR, the
/// Secret review (which CRs use a Secret), `storage-change` (the old object on UPDATE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageReading {
    pub storage: CrStorage,
    /// What the CR [`Declared`], whether or not the storage is usable.
    pub declared: Option<Declared>,
    /// Why the section is unusable or partly ignored; the `storage-spec` rule reports them.
    pub problems: Problems,
}

/// One thing wrong with a storage section, before a rule names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    /// The field, e.g. `spec.storage.secret.name`.
    pub path: String,
    pub message: String,
}

/// The problems of one storage section, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    fn reject(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem { severity: Severity::Reject, path: path.into(), message: message.into() });
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem { severity: Severity::Warn, path: path.into(), message: message.into() });
    }
}

/// Reads the storage section of a TempoStack or TempoMonolithic (`obj` is the whole object).
pub fn read(kind: CrKind, obj: &Value) -> StorageReading {
    let cr = CrRef { kind, name: crate::json::meta_str(obj, "name").to_string() };
    let mut declared = None;
    let mut problems = Problems::default();
    let storage = match kind {
        CrKind::TempoStack => tempostack(cr, obj, &mut problems, &mut declared),
        CrKind::TempoMonolithic => monolithic(cr, obj, &mut problems, &mut declared),
    };
    StorageReading { storage, declared, problems }
}

fn tempostack(cr: CrRef, obj: &Value, out: &mut Problems, declared: &mut Option<Declared>) -> CrStorage {
    const SECRET: [&str; 3] = ["spec", "storage", "secret"];
    if !parents_are_objects(obj, &SECRET, out) {
        return CrStorage::Unusable;
    }
    match object_at(obj, &SECRET) {
        Field::Present(_) => {}
        Field::WrongType(t) => {
            out.reject(
                "spec.storage.secret",
                format!("spec.storage.secret must be an object with name and type, not {t}"),
            );
            return CrStorage::Unusable;
        }
        Field::Absent => {
            out.reject(
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

fn monolithic(cr: CrRef, obj: &Value, out: &mut Problems, declared: &mut Option<Declared>) -> CrStorage {
    // `traces: s3` must not read as "no backend" (memory).
    if !parents_are_objects(obj, &["spec", "storage", "traces", "backend"], out) {
        return CrStorage::Unusable;
    }
    // The CRD defaults both spec.storage and traces.backend to memory.
    let backend = match str_at(obj, &["spec", "storage", "traces", "backend"]) {
        Field::Absent => return CrStorage::Memory,
        Field::WrongType(t) => {
            out.reject("spec.storage.traces.backend", format!("spec.storage.traces.backend must be a string, not {t}"));
            return CrStorage::Unusable;
        }
        Field::Present("memory") => return CrStorage::Memory,
        Field::Present("pv") => return CrStorage::Pv,
        Field::Present(other) => match Backend::parse(other) {
            Some(b) => b,
            None => {
                out.reject(
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
                format!("spec.storage.traces.{sub}"),
                format!("spec.storage.traces.{sub} must be an object, not {t}"),
            );
            return CrStorage::Unusable;
        }
        Field::Absent => {
            out.reject(
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
        out.reject(tls_path, format!("TLS settings are supported for s3 only, not {backend}: remove {tls_path}"));
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
fn parents_are_objects(obj: &Value, path: &[&str], out: &mut Problems) -> bool {
    for end in 1..path.len() {
        let Some(section) = path.get(..end) else { break };
        if let Field::WrongType(t) = object_at(obj, section) {
            let at = section.join(".");
            out.reject(at.clone(), format!("{at} must be an object, not {t}"));
            return false;
        }
    }
    true
}

/// The backend, or `None` once reported.
fn backend_field(out: &mut Problems, obj: &Value, path: &[&str], at: &str, allowed: &[&str]) -> Option<Backend> {
    match str_at(obj, path) {
        Field::Present(s) => match Backend::parse(s) {
            Some(b) => Some(b),
            None => {
                out.reject(at, format!("{at} {s:?} is not one of {}", allowed.join(", ")));
                None
            }
        },
        Field::WrongType(t) => {
            out.reject(at, format!("{at} must be a string, not {t}"));
            None
        }
        Field::Absent => {
            out.reject(at, format!("{at} is required: one of {}", allowed.join(", ")));
            None
        }
    }
}

fn secret_name(out: &mut Problems, obj: &Value, path: &[&str], at: &str) -> Option<String> {
    match str_at(obj, path) {
        Field::Present(s) if !s.trim().is_empty() => Some(s.to_string()),
        Field::Present(_) | Field::Absent => {
            out.reject(at, format!("{at} must name the storage Secret (it is empty)"));
            None
        }
        Field::WrongType(t) => {
            out.reject(at, format!("{at} must be a string, not {t}"));
            None
        }
    }
}

/// `Some(mode)` when usable (absent is `Some(None)`), `None` when reported.
fn mode_field(out: &mut Problems, obj: &Value, path: &[&str], at: &str) -> Option<Option<CredentialMode>> {
    match str_at(obj, path) {
        Field::Absent => Some(None),
        Field::Present(s) => match CredentialMode::parse(s) {
            Some(m) => Some(Some(m)),
            None => {
                out.reject(at, format!("{at} {s:?} is not one of static, token, token-cco"));
                None
            }
        },
        Field::WrongType(t) => {
            out.reject(at, format!("{at} must be a string, not {t}"));
            None
        }
    }
}

fn tls_field(out: &mut Problems, obj: &Value, path: &[&str], at: &str) -> Tls {
    let mut tls = Tls::default();
    match object_at(obj, path) {
        Field::Absent => return tls,
        Field::WrongType(t) => {
            out.reject(at, format!("{at} must be an object, not {t}"));
            return tls;
        }
        Field::Present(_) => {}
    }
    let mut enabled_path = path.to_vec();
    enabled_path.push("enabled");
    match bool_at(obj, &enabled_path) {
        Field::Present(b) => tls.enabled = b,
        Field::WrongType(t) => {
            out.reject(format!("{at}.enabled"), format!("{at}.enabled must be true or false, not {t}"))
        }
        Field::Absent => {}
    }
    let mut ca_path = path.to_vec();
    ca_path.push("caName");
    match str_at(obj, &ca_path) {
        Field::Present(s) if !s.is_empty() => tls.ca_name = Some(s.to_string()),
        Field::WrongType(t) => out.reject(format!("{at}.caName"), format!("{at}.caName must be a string, not {t}")),
        _ => {}
    }
    tls
}
