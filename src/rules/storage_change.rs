//! `storage-change`: an UPDATE must not move a Tempo stack's storage to another backend, bucket or endpoint by accident.
//!
//! ## What it checks
//! Only with `storage.protectSecrets` (default true), on UPDATE:
//! - TempoStack / TempoMonolithic: the backend changes (`spec.storage.secret.type`,
//!   `spec.storage.traces.backend`, including `memory` and `pv`), or the Secret reference
//!   changes and the new Secret names another bucket (`bucket`, `container`, `bucketname`),
//!   another S3 `endpoint` (host and port) or another Azure `account_name` than the old Secret.
//!   That comparison needs the old Secret too: one more `get`, made only when the name changed,
//!   the backend did not, and the new Secret exists (see `review::tempo` for the order).
//! - Secret in use by a TempoStack or TempoMonolithic (found by the list the Secret review makes
//!   anyway): `oldObject` and `object` are decoded and the bucket key of each user's backend,
//!   `endpoint` (s3) and `account_name` (azure) are compared.
//!
//! Endpoints are compared as stores, not as strings. In AWS a bucket is its name within a
//! partition: moving between the host forms of one partition and region (regional ↔
//! dual-stack ↔ FIPS ↔ legacy dash `s3-<region>` ↔ virtual-hosted ↔ interface VPC endpoint
//! `bucket.vpce-…`) reaches the same bucket and is no move; a legacy global or
//! transfer-acceleration host, which names no region, matches every region of its partition.
//! IBM COS public, private (`s3.private.`) and direct (`s3.direct.`) hosts of one location, and
//! its legacy SoftLayer domains, are one store too. Only another bucket, partition, region or
//! provider is a move. Other S3-compatible stores compare by host and port.
//!
//! Both are allowed when the object being updated carries the annotation
//! `tempo-policy.kubewarden.io/allow-storage-change: "true"`, for a migration that is intended.
//! An UPDATE of an object that is being deleted (`deletionTimestamp`) is never judged. Messages
//! may name buckets and endpoints (user-info is never shown), never a key value.
//!
//! ## Why
//! Tempo finds traces through the blocks in its bucket. Pointing a running stack at another
//! bucket, endpoint or backend makes every trace already written unreachable from the query
//! path, silently: the stack stays healthy and starts from empty. The operator accepts any such
//! edit, and Secret edits are not validated by it at all.
//!
//! ## Example
//! Rejected: UPDATE of TempoStack `tracing` from `spec.storage.secret: {name: tempo-s3, type:
//! s3}` to `{name: tempo-s3-archive, type: s3}` when `tempo-s3-archive` names bucket
//! `tempo-traces-archive` and `tempo-s3` names `tempo-traces-eu`. Accepted: the same with
//! `metadata.annotations: {tempo-policy.kubewarden.io/allow-storage-change: "true"}`, or a new
//! Secret naming the same bucket (a key rotation).
//!
//! ## Settings
//! `storage.protectSecrets` (default true; `false` turns this rule off).

use crate::cluster::LookupError;
use crate::finding::{Findings, quote};
use crate::location::endpoint::shown;
use crate::location::endpoint::{AwsEndpoint, AwsForm, Target, VpcKind, parse_endpoint};
use crate::objects::storage::{self, CrStorage};
use crate::objects::{Backend, CrKind, SecretContent, StorageUse};
use crate::registry::Rule;
use crate::settings::Settings;
use serde_json::Value;

/// The annotation that allows an intended storage migration.
pub const ALLOW_ANNOTATION: &str = "tempo-policy.kubewarden.io/allow-storage-change";

/// The object (whole, with `metadata`) carries `ALLOW_ANNOTATION: "true"`.
pub fn allowed_by_annotation(object: &Value) -> bool {
    crate::json::meta_map(object, "annotations").get(ALLOW_ANNOTATION).is_some_and(|v| v.trim() == "true")
}

fn how_to_allow(kind: &str) -> String {
    format!(
        "if the move is intended (traces were copied, or losing them is accepted), set the annotation {ALLOW_ANNOTATION}: \"true\" on the {kind} to allow it"
    )
}

/// UPDATE of a TempoStack or TempoMonolithic, before any look-up: a move to another backend is
/// refused here. `new` is the storage of `object`. Returns the old storage when the Secret name
/// changed and the backend did not: the review then reads the Secrets (the new one it has read
/// already, then the old one, see `review::tempo` for the order) and [`check_secret_swap`]
/// compares them.
pub fn check_cr(
    kind: CrKind,
    old_object: Option<&Value>,
    object: &Value,
    new: &CrStorage,
    settings: &Settings,
    out: &mut Findings,
) -> Option<StorageUse> {
    // `old_object`: the object before an UPDATE, as the review read it.
    let old_object = old_object?;
    if !settings.storage.protect_secrets || allowed_by_annotation(object) {
        return None;
    }
    // Problems of the old object were reported when it was admitted.
    let old = storage::read(kind, old_object).storage;
    let (old_backend, new_backend) = (backend_name(&old)?, backend_name(new)?);
    if old_backend != new_backend {
        let path = match kind {
            CrKind::TempoStack => "spec.storage.secret.type",
            CrKind::TempoMonolithic => "spec.storage.traces.backend",
        };
        out.reject(
            Rule::StorageChange,
            path,
            format!(
                "{} moves its trace storage from {old_backend} to {new_backend} ({path}), and the traces already written to {old_backend} become unreachable: {}",
                cr_named(kind, object),
                how_to_allow(kind.as_str())
            ),
        );
        return None;
    }
    match (old, new) {
        (CrStorage::Object(old_use), CrStorage::Object(new_use)) if old_use.secret_name != new_use.secret_name => {
            Some(old_use)
        }
        _ => None,
    }
}

/// The second half of [`check_cr`]: `new_secret` is the Secret the CR names now (read by the
/// review, which compares nothing when it is missing or unreadable), `old_secret` the look-up of
/// the one it named before (`old_use`).
pub fn check_secret_swap(
    kind: CrKind,
    object: &Value,
    old_use: &StorageUse,
    new_use: &StorageUse,
    new_secret: &SecretContent,
    old_secret: Result<Option<SecretContent>, LookupError>,
    out: &mut Findings,
) {
    let cr = cr_named(kind, object);
    let old_secret = match old_secret {
        Ok(Some(secret)) => secret,
        // The old Secret is gone: there is nothing it pointed at any more.
        Ok(None) => return,
        Err(e) => {
            out.warn(
                Rule::LookupSkipped,
                format!("Secret/{}", old_use.secret_name),
                format!(
                    "reading the previous Secret {:?} {e}: could not tell whether {cr} now stores traces in another bucket or endpoint",
                    old_use.secret_name
                ),
            );
            return;
        }
    };
    let changes = differences(new_use.backend, &old_secret, new_secret);
    if !changes.is_empty() {
        out.reject(
            Rule::StorageChange,
            new_use.secret_path,
            format!(
                "{cr} now reads its storage from Secret {:?} instead of {:?} ({}), which points at another store ({}), and the traces already written become unreachable: point the new Secret at the same store, or {}",
                new_use.secret_name,
                old_use.secret_name,
                new_use.secret_path,
                described(&changes),
                how_to_allow(kind.as_str())
            ),
        );
    }
}

fn cr_named(kind: CrKind, object: &Value) -> String {
    format!("{} {:?}", kind.as_str(), crate::json::meta_str(object, "name"))
}

/// UPDATE of a Secret that `users` (not being deleted) read as their storage; `old` is the Secret
/// before the update, as the review read it (`None` on CREATE).
pub fn check_secret_update(
    old: Option<&SecretContent>,
    new: &SecretContent,
    new_metadata: &Value,
    users: &[StorageUse],
    settings: &Settings,
    out: &mut Findings,
) {
    let Some(old) = old else { return };
    if !settings.storage.protect_secrets {
        return;
    }
    if allowed_by_annotation(&serde_json::json!({ "metadata": new_metadata })) {
        return;
    }
    for backend in [Backend::S3, Backend::Azure, Backend::Gcs] {
        let readers: Vec<String> = users.iter().filter(|u| u.backend == backend).map(|u| u.cr.to_string()).collect();
        if readers.is_empty() {
            continue;
        }
        let changes = differences(backend, old, new);
        if changes.is_empty() {
            continue;
        }
        out.reject(
            Rule::StorageChange,
            format!("Secret/{} data[{:?}]", new.name, changes.first().map_or(backend.bucket_key(), |c| c.0)),
            format!(
                "Secret {:?} is the {backend} storage of {}, and this update points it at another store ({}): the traces already written become unreachable. Keep the old values, or {}",
                new.name,
                readers.join(", "),
                described(&changes),
                how_to_allow("Secret")
            ),
        );
    }
}

fn backend_name(s: &CrStorage) -> Option<&'static str> {
    match s {
        CrStorage::Object(u) => Some(u.backend.as_str()),
        CrStorage::Memory => Some("memory"),
        CrStorage::Pv => Some("pv"),
        CrStorage::Unusable => None,
    }
}

/// The keys that say where a backend's data lives.
fn location_keys(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::S3 => &["bucket", "endpoint"],
        // The account is the Azure endpoint: https://<account_name>.blob.core.windows.net.
        Backend::Azure => &["container", "account_name"],
        Backend::Gcs => &["bucketname"],
    }
}

fn described(changes: &[(&str, String)]) -> String {
    changes.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(", ")
}

/// What changed between two Secrets' locations: the key and `bucket "new" instead of "old"`.
/// Only keys with a value on both sides count (a key that disappears is `secret-keys`' business).
fn differences(backend: Backend, old: &SecretContent, new: &SecretContent) -> Vec<(&'static str, String)> {
    let mut changes = Vec::new();
    for key in location_keys(backend) {
        let (Some(o), Some(n)) = (old.text(key).map(str::trim), new.text(key).map(str::trim)) else { continue };
        // Unchanged, the usual case of a Secret UPDATE (a rotated key): nothing to parse.
        if o == n {
            continue;
        }
        if *key == "endpoint" {
            if same_endpoint(o, n) {
                continue;
            }
            let change = match (shown_endpoint(o), shown_endpoint(n)) {
                (Some(o), Some(n)) => format!("endpoint {n} instead of {o}"),
                _ => "another endpoint".to_string(),
            };
            changes.push((*key, change));
        } else if o != n {
            changes.push((*key, format!("{key} {} instead of {}", quote(n), quote(o))));
        }
    }
    changes
}

/// Whether two endpoints reach the same store (the scheme or a trailing `/` never move data):
/// - AWS: a bucket is its name within a partition, so every host form of one partition and
///   region reaches the same buckets: regional, dual-stack, FIPS, legacy dash, virtual-hosted
///   (its bucket must be the bucket key, which `endpoint-region` checks) and interface VPC
///   endpoints. Forms whose host names no region (legacy global, transfer acceleration) match
///   any region of their partition. An access point is an alias of its own, so it is the same
///   store only as the same access point.
/// - IBM COS: the public, private and direct hosts, legacy domains and virtual-hosted names of
///   one location reach the same buckets.
/// - Anything else (MinIO, Ceph RGW, another provider): the same host and port.
fn same_endpoint(a: &str, b: &str) -> bool {
    match (parse_endpoint(a), parse_endpoint(b)) {
        (Ok(a), Ok(b)) => match (&a.target, &b.target) {
            (Target::Aws(x), Target::Aws(y)) if is_bucket_host(x) && is_bucket_host(y) => {
                x.partition == y.partition
                    && x.access_point == y.access_point
                    && (x.region.is_none() || y.region.is_none() || x.region == y.region)
            }
            (Target::IbmCos(x), Target::IbmCos(y)) if x.location.is_some() => x.location == y.location,
            _ => a.host == b.host && a.port == b.port,
        },
        _ => a == b,
    }
}

/// AWS forms that reach buckets through the S3 API; an unrecognised host under an AWS domain,
/// a website or an S3 Control host compares by host name only.
fn is_bucket_host(e: &AwsEndpoint) -> bool {
    !matches!(e.form, AwsForm::Unrecognized | AwsForm::Website | AwsForm::VpcInterface(VpcKind::Control))
}

/// `scheme://host[:port]` of a usable endpoint; `None` for one that does not parse (it may
/// carry user-info, which is never shown).
fn shown_endpoint(raw: &str) -> Option<String> {
    parse_endpoint(raw).ok().map(|e| shown(&e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cluster::{Cluster, JsonCluster, Lookup, LookupError, Resource};
    use crate::objects::SecretDoc;
    use serde_json::json;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// Secrets by name in one namespace, recording each look-up.
    #[derive(Default)]
    struct Secrets {
        by_name: BTreeMap<String, Value>,
        fail: BTreeMap<String, LookupError>,
        asked: RefCell<Vec<String>>,
    }

    impl JsonCluster for Secrets {
        fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
            self.asked.borrow_mut().push(format!("{}/{name}", resource.kind()));
            if let Some(e) = self.fail.get(name) {
                return Err(e.clone());
            }
            Ok(self.by_name.get(name).filter(|_| resource == Resource::Secret).map(Value::to_string))
        }
        fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
            Ok(r#"{"items":[]}"#.to_string())
        }
    }

    fn s3_secret(name: &str, bucket: &str, endpoint: &str) -> Value {
        json!({"apiVersion":"v1","kind":"Secret","metadata":{"name":name},"type":"Opaque","stringData":{
            "bucket": bucket, "endpoint": endpoint, "access_key_id": "AKIAI44QH8DHBEXAMPLE",
            "access_key_secret": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}})
    }

    fn stack(secret: &str, backend: &str, annotated: bool) -> Value {
        let mut v = json!({"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStack",
            "metadata":{"name":"tracing","namespace":"observability"},
            "spec":{"storage":{"secret":{"name":secret,"type":backend}}}});
        if annotated {
            v["metadata"]["annotations"] = json!({ALLOW_ANNOTATION: "true"});
        }
        v
    }

    fn run_cr(cluster: &Secrets, op: &str, old: Value, new: Value, settings: &Settings) -> Vec<String> {
        let storage = storage::read(CrKind::TempoStack, &new).storage;
        let mut out = Findings::new();
        // The review reads oldObject on UPDATE only.
        let old = (op == "UPDATE").then_some(&old);
        // The look-ups as `review::tempo` makes them: the new Secret (which the review has read
        // already), then, only when it exists, the old one.
        if let Some(old_use) = check_cr(CrKind::TempoStack, old, &new, &storage, settings, &mut out)
            && let CrStorage::Object(new_use) = &storage
            && let Ok(Some(new_secret)) = cluster.secret("observability", &new_use.secret_name)
        {
            let old_secret = cluster.secret("observability", &old_use.secret_name);
            let old_secret = old_secret.map(|s| s.map(|s| SecretContent::from_secret(&s)));
            let new_secret = SecretContent::from_secret(&new_secret);
            check_secret_swap(CrKind::TempoStack, &new, &old_use, new_use, &new_secret, old_secret, &mut out);
        }
        out.iter().map(|f| f.to_string()).collect()
    }

    fn cluster() -> Secrets {
        let mut c = Secrets::default();
        c.by_name
            .insert("tempo-s3".into(), s3_secret("tempo-s3", "tempo-traces-eu", "https://s3.eu-west-1.amazonaws.com"));
        c.by_name.insert(
            "tempo-s3-rotated".into(),
            s3_secret("tempo-s3-rotated", "tempo-traces-eu", "https://s3.eu-west-1.amazonaws.com/"),
        );
        c.by_name.insert(
            "tempo-s3-archive".into(),
            s3_secret("tempo-s3-archive", "tempo-traces-archive", "https://s3.eu-west-1.amazonaws.com"),
        );
        c
    }

    fn without(name: &'static str) -> impl Fn() -> Secrets {
        move || {
            let mut c = cluster();
            c.by_name.remove(name);
            c
        }
    }

    fn failing(name: &'static str) -> impl Fn() -> Secrets {
        move || {
            let mut c = cluster();
            c.fail.insert(name.into(), LookupError::Failed("timeout".into()));
            c
        }
    }

    /// One CR UPDATE (or CREATE): the Secret and backend before and after, whether the new object
    /// carries the allow annotation, what is said (one finding containing every text, or none)
    /// and which Secrets are looked up (the new one, which the review has read already, first).
    struct Case {
        what: &'static str,
        cluster: Box<dyn Fn() -> Secrets>,
        op: &'static str,
        old: (&'static str, &'static str),
        new: (&'static str, &'static str, bool),
        protect: bool,
        says: &'static [&'static str],
        asked: Option<&'static [&'static str]>,
    }

    fn case(what: &'static str, old: (&'static str, &'static str), new: (&'static str, &'static str, bool)) -> Case {
        Case { what, cluster: Box::new(cluster), op: "UPDATE", old, new, protect: true, says: &[], asked: None }
    }

    const MOVES: &str = "storage-change: TempoStack \"tracing\" moves its trace storage from s3 to azure";

    #[test]
    fn cr_updates() {
        let cases = [
            Case {
                says: &[MOVES, ALLOW_ANNOTATION],
                asked: Some(&[]),
                ..case("a backend change is refused without look-ups", ("tempo-s3", "s3"), ("tempo-s3", "azure", false))
            },
            case("a backend change with the annotation", ("tempo-s3", "s3"), ("tempo-s3", "azure", true)),
            Case { op: "CREATE", ..case("a CREATE is no move", ("tempo-s3", "s3"), ("tempo-s3", "azure", false)) },
            Case { protect: false, ..case("protectSecrets off", ("tempo-s3", "s3"), ("tempo-s3", "azure", false)) },
            Case {
                says: &["bucket \"tempo-traces-archive\" instead of \"tempo-traces-eu\""],
                asked: Some(&["Secret/tempo-s3-archive", "Secret/tempo-s3"]),
                ..case("a new Secret with another bucket", ("tempo-s3", "s3"), ("tempo-s3-archive", "s3", false))
            },
            case("another bucket with the annotation", ("tempo-s3", "s3"), ("tempo-s3-archive", "s3", true)),
            case("a rotated Secret to the same store", ("tempo-s3", "s3"), ("tempo-s3-rotated", "s3", false)),
            Case { asked: Some(&[]), ..case("the same Secret name", ("tempo-s3", "s3"), ("tempo-s3", "s3", false)) },
            Case {
                cluster: Box::new(without("tempo-s3")),
                ..case("the old Secret is gone", ("tempo-s3", "s3"), ("tempo-s3-archive", "s3", false))
            },
            Case {
                cluster: Box::new(failing("tempo-s3")),
                says: &["lookup-skipped: reading the previous Secret \"tempo-s3\" failed"],
                ..case("the old Secret cannot be read", ("tempo-s3", "s3"), ("tempo-s3-archive", "s3", false))
            },
            Case {
                cluster: Box::new(Secrets::default),
                asked: Some(&["Secret/tempo-s3-archive"]),
                ..case(
                    "the new Secret is missing: no look-up of the old one",
                    ("tempo-s3", "s3"),
                    ("tempo-s3-archive", "s3", false),
                )
            },
        ];
        for c in cases {
            let cluster = (c.cluster)();
            let mut settings = Settings::default();
            settings.storage.protect_secrets = c.protect;
            let m = run_cr(&cluster, c.op, stack(c.old.0, c.old.1, false), stack(c.new.0, c.new.1, c.new.2), &settings);
            if c.says.is_empty() {
                assert!(m.is_empty(), "{}: {m:?}", c.what);
            } else {
                assert_eq!(m.len(), 1, "{}: {m:?}", c.what);
                for text in c.says {
                    assert!(m[0].contains(text), "{}: {text:?} not in {}", c.what, m[0]);
                }
            }
            // Messages name buckets, never a key value.
            assert!(m.iter().all(|f| !f.contains("EXAMPLE")), "{}: {m:?}", c.what);
            if let Some(asked) = c.asked {
                assert_eq!(*cluster.asked.borrow(), asked, "{}", c.what);
            }
        }
    }

    fn usage(backend: Backend) -> StorageUse {
        let obj = stack("tempo-s3", backend.as_str(), false);
        match storage::read(CrKind::TempoStack, &obj).storage {
            CrStorage::Object(u) => u,
            other => panic!("{other:?}"),
        }
    }

    fn run_secret(old: Value, new: Value, users: &[StorageUse]) -> Vec<String> {
        run_secret_with(old, new, users, &Settings::default())
    }

    fn run_secret_with(old: Value, new: Value, users: &[StorageUse], settings: &Settings) -> Vec<String> {
        let (new, old) = (new.to_string(), old.to_string());
        let doc = SecretDoc::parse(&new).unwrap();
        let secret = doc.decode("tempo-s3");
        let old = SecretDoc::parse(&old).unwrap().decode("tempo-s3");
        let mut out = Findings::new();
        check_secret_update(Some(&old), &secret, &doc.metadata(), users, settings, &mut out);
        out.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn secret_updates_that_move_the_store() {
        let old = s3_secret("tempo-s3", "tempo-traces-eu", "https://s3.eu-west-1.amazonaws.com");
        let users = [usage(Backend::S3)];
        let m = run_secret(
            old.clone(),
            s3_secret("tempo-s3", "tempo-traces-us", "https://s3.eu-west-1.amazonaws.com"),
            &users,
        );
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("storage-change: Secret \"tempo-s3\" is the s3 storage of TempoStack \"tracing\""),
            "{}",
            m[0]
        );
        assert!(m[0].contains("bucket \"tempo-traces-us\" instead of \"tempo-traces-eu\""));
        let m =
            run_secret(old.clone(), s3_secret("tempo-s3", "tempo-traces-eu", "http://minio.minio.svc:9000"), &users);
        assert!(
            m[0].contains("endpoint http://minio.minio.svc:9000 instead of https://s3.eu-west-1.amazonaws.com"),
            "{}",
            m[0]
        );
        // User-info is never shown.
        let m = run_secret(
            old.clone(),
            s3_secret("tempo-s3", "tempo-traces-eu", "https://admin:hunter22@minio:9000"),
            &users,
        );
        assert!(m[0].contains("another endpoint") && !m[0].contains("hunter22"), "{}", m[0]);
        // Key rotation, scheme or trailing slash: the same store.
        assert!(
            run_secret(
                old.clone(),
                s3_secret("tempo-s3", "tempo-traces-eu", "http://s3.eu-west-1.amazonaws.com:80/"),
                &users
            )
            .is_empty()
        );
        // Not in use, or annotated.
        assert!(
            run_secret(old.clone(), s3_secret("tempo-s3", "x-other", "https://s3.eu-west-1.amazonaws.com"), &[])
                .is_empty()
        );
        let mut annotated = s3_secret("tempo-s3", "x-other", "https://s3.eu-west-1.amazonaws.com");
        annotated["metadata"]["annotations"] = json!({ALLOW_ANNOTATION: "true"});
        assert!(run_secret(old.clone(), annotated, &users).is_empty());
        // Or not protected (`storage.protectSecrets: false`).
        let mut unprotected = Settings::default();
        unprotected.storage.protect_secrets = false;
        let moved = s3_secret("tempo-s3", "x-other", "https://s3.eu-west-1.amazonaws.com");
        assert!(run_secret_with(old, moved, &users, &unprotected).is_empty());
    }

    /// Host forms of one AWS partition and region, or of one IBM COS location, are one store.
    #[test]
    fn equivalent_endpoints_are_one_store() {
        let same = [
            ("https://s3.eu-west-1.amazonaws.com", "https://s3.dualstack.eu-west-1.amazonaws.com"),
            ("https://s3.eu-west-1.amazonaws.com", "https://s3-eu-west-1.amazonaws.com"),
            (
                "https://s3.eu-west-1.amazonaws.com",
                "https://bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com",
            ),
            ("https://s3.eu-west-1.amazonaws.com", "https://tempo-traces.s3.eu-west-1.amazonaws.com"),
            ("https://s3.us-east-1.amazonaws.com", "https://s3-fips.us-east-1.amazonaws.com"),
            ("https://s3.us-east-1.amazonaws.com", "https://s3.amazonaws.com"),
            ("https://s3.us-gov-west-1.amazonaws.com", "https://s3-fips-us-gov-west-1.amazonaws.com"),
            ("https://s3.cn-north-1.amazonaws.com.cn", "https://s3.dualstack.cn-north-1.amazonaws.com.cn"),
            (
                "https://s3.us-south.cloud-object-storage.appdomain.cloud",
                "https://s3.private.us-south.cloud-object-storage.appdomain.cloud",
            ),
            (
                "https://s3.direct.us-south.cloud-object-storage.appdomain.cloud",
                "https://s3.us-south.objectstorage.softlayer.net",
            ),
            ("http://minio.minio.svc:9000", "https://minio.minio.svc:9000/"),
        ];
        for (a, b) in same {
            assert!(same_endpoint(a, b), "{a} and {b} should be one store");
            assert!(same_endpoint(b, a), "{b} and {a} should be one store");
        }
        let moved = [
            ("https://s3.eu-west-1.amazonaws.com", "https://s3.eu-central-1.amazonaws.com"),
            ("https://s3-eu-west-1.amazonaws.com", "https://s3.dualstack.eu-west-2.amazonaws.com"),
            ("https://s3.us-gov-west-1.amazonaws.com", "https://s3.us-west-1.amazonaws.com"),
            ("https://s3.cn-north-1.amazonaws.com.cn", "https://s3.amazonaws.com"),
            ("https://s3.eu-west-1.amazonaws.com", "http://minio.minio.svc:9000"),
            ("https://s3.eu-west-1.amazonaws.com", "https://s3.eu-de.cloud-object-storage.appdomain.cloud"),
            (
                "https://s3.us-south.cloud-object-storage.appdomain.cloud",
                "https://s3.us.cloud-object-storage.appdomain.cloud",
            ),
            (
                "https://s3.eu-west-1.amazonaws.com",
                "https://finance-123456789012.s3-accesspoint.eu-west-1.amazonaws.com",
            ),
            ("http://minio.minio.svc:9000", "http://minio.minio.svc:9001"),
            // A website or an unrecognised host under an AWS domain serves no S3 API the region
            // could vouch for: compared by host name alone, so never the regional endpoint.
            ("https://s3.eu-west-1.amazonaws.com", "https://tempo-traces.s3-website.eu-west-1.amazonaws.com"),
            ("https://s3.eu-west-1.amazonaws.com", "https://tempo-traces.s3-website-eu-west-1.amazonaws.com"),
            ("https://s3.eu-west-1.amazonaws.com", "https://storage.tempo.amazonaws.com"),
            // IBM COS hosts whose location is not known compare by host.
            (
                "https://s3.custom-a.cloud-object-storage.appdomain.cloud",
                "https://s3.custom-b.cloud-object-storage.appdomain.cloud",
            ),
        ];
        for (a, b) in moved {
            assert!(!same_endpoint(a, b), "{a} and {b} should be two stores");
            assert!(!same_endpoint(b, a), "{b} and {a} should be two stores");
        }
        // The same unrecognised hosts are one store with themselves.
        for host in ["https://storage.tempo.amazonaws.com", "https://s3.custom-a.cloud-object-storage.appdomain.cloud"]
        {
            assert!(same_endpoint(host, host), "{host}");
        }
    }

    #[test]
    fn azure_account_and_container() {
        let az = |container: &str, account: &str| json!({"metadata":{"name":"tempo-s3"},"stringData":{"container":container,"account_name":account,"account_key":"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1"}});
        let users = [usage(Backend::Azure)];
        assert!(run_secret(az("traces", "acct1"), az("traces", "acct1"), &users).is_empty());
        let m = run_secret(az("traces", "acct1"), az("traces2", "acct2"), &users);
        assert!(
            m[0].contains("container \"traces2\" instead of \"traces\", account_name \"acct2\" instead of \"acct1\""),
            "{}",
            m[0]
        );
        // An S3 user does not care about Azure keys.
        assert!(run_secret(az("traces", "acct1"), az("traces2", "acct2"), &[usage(Backend::S3)]).is_empty());
    }
}
