//! `storage-size`: the trace storage size within the platform's bounds, and never smaller than before.
//!
//! ## What it checks
//! The size of a TempoStack (`spec.storageSize`, the ingesters' volumes) or a TempoMonolithic
//! (`spec.storage.traces.size`: the PV, the WAL volume of an object backend, or the tmpfs of the
//! `memory` backend):
//! - it is a positive Kubernetes quantity (a number means bytes, as the CRD's int-or-string allows).
//!   On a TempoStack a size of `0` or below is a warning, not a rejection: the operator's defaulter
//!   replaces it with 10Gi (`if r.Spec.StorageSize.Cmp(zeroQuantity) <= 0 { r.Spec.StorageSize =
//!   tenGBQuantity }` in internal/webhooks/tempostack_webhook.go), so the object works and 10Gi is
//!   the size judged below; with `storageSize.default` the policy puts that default in its place
//!   (see `mutation`). A TempoMonolithic has no such defaulter (`Default` in
//!   api/tempo/v1alpha1/tempomonolithic_defaults.go fills in only a missing size) and its volume
//!   claim would ask for nothing, which the API server refuses: rejected;
//! - it lies within `storageSize.min`..`storageSize.max`. When the CR sets no size, the size that
//!   takes effect is judged: the one the policy fills in (`storageSize.default`), or else the
//!   operator's default (TempoStack 10Gi; TempoMonolithic 2Gi for `memory`, 10Gi otherwise);
//! - on UPDATE, it is not smaller than the old object's size (or the operator's default the volume
//!   was created with, when the old object set none). A `memory` backend has no volume and may shrink;
//!   a TempoMonolithic that moves from `memory` to a volume starts a new one.
//!
//! ## Why
//! The operator checks no size at all. A PersistentVolumeClaim cannot shrink: the API server
//! refuses it and the StatefulSet update fails, so the change stalls the instance instead of
//! applying. Bounds keep one team from claiming terabytes of SSD, or from starting with a volume
//! too small to hold the ingesters' WAL.
//!
//! ## Example
//! With `storageSize: {min: 1Gi, max: 500Gi}`, rejected: `spec.storageSize: 200M`.
//! Accepted: `spec.storageSize: 10Gi`. On UPDATE from `storageSize: 50Gi`, rejected: `storageSize: 20Gi`;
//! accepted: `storageSize: 100Gi`.
//!
//! ## Settings
//! `storageSize.min`, `storageSize.max`, `storageSize.default` (through the default the policy adds).

use crate::finding::Findings;
use crate::json::at;
use crate::mutation::{Defaulted, is_monolithic_memory};
use crate::objects::CrKind;
use crate::objects::components::{
    MONOLITHIC_MEMORY_DEFAULT_SIZE, MONOLITHIC_VOLUME_DEFAULT_SIZE, TEMPOSTACK_DEFAULT_SIZE,
};
use crate::objects::storage::CrStorage;
use crate::quantity::Quantity;
use crate::registry::Rule;
use crate::settings::Settings;
use serde_json::Value;

const TEMPOSTACK_SIZE: [&str; 2] = ["spec", "storageSize"];
const MONOLITHIC_SIZE: [&str; 4] = ["spec", "storage", "traces", "size"];

/// `old` is the object before an UPDATE.
pub fn check(
    kind: CrKind,
    storage: &CrStorage,
    d: &Defaulted,
    old: Option<&Value>,
    settings: &Settings,
    out: &mut Findings,
) {
    let (path, operator_default, volume): (&[&str], &str, bool) = match (kind, storage) {
        (CrKind::TempoStack, _) => (&TEMPOSTACK_SIZE, TEMPOSTACK_DEFAULT_SIZE, true),
        (CrKind::TempoMonolithic, CrStorage::Unusable) => return,
        (CrKind::TempoMonolithic, CrStorage::Memory) => (&MONOLITHIC_SIZE, MONOLITHIC_MEMORY_DEFAULT_SIZE, false),
        (CrKind::TempoMonolithic, _) => (&MONOLITHIC_SIZE, MONOLITHIC_VOLUME_DEFAULT_SIZE, true),
    };
    let dotted = path.join(".");
    let pointer = format!("/{}", path.join("/"));
    let (size, subject) = match at(&d.object, path) {
        None => match Quantity::parse(operator_default) {
            Ok(q) => {
                let subject = format!("the operator's default size {q} ({dotted} is not set)");
                (q, subject)
            }
            Err(_) => return,
        },
        Some(v) => match Quantity::from_json(v) {
            Err(e) => {
                out.reject(Rule::StorageSize, dotted.as_str(), format!("{dotted}: {e}"));
                return;
            }
            Ok(q) if (q.is_negative() || q.is_zero()) && kind == CrKind::TempoStack => {
                // The operator's defaulter replaces it with 10Gi: judge that size, and say so.
                let Ok(default) = Quantity::parse(operator_default) else { return };
                out.warn(
                    Rule::StorageSize,
                    dotted.as_str(),
                    format!(
                        "{dotted} {q} is not a positive size: the Tempo Operator replaces it with its default {default}, so set the size you mean or remove the field"
                    ),
                );
                let subject = format!("the operator's default size {default} (in place of {dotted} {q})");
                (default, subject)
            }
            Ok(q) if q.is_negative() || q.is_zero() => {
                out.reject(
                    Rule::StorageSize,
                    dotted.as_str(),
                    format!("{dotted} {q} must be a positive size: set one such as 10Gi, or remove it for the default"),
                );
                return;
            }
            Ok(q) => {
                let subject = match d.added_from(&pointer) {
                    Some(from) => format!("{dotted} {q} (filled in from {from})"),
                    None => format!("{dotted} {q}"),
                };
                (q, subject)
            }
        },
    };

    let bounds = &settings.storage_size;
    if let Some(min) = bounds.min.as_ref().and_then(|m| m.parse().ok())
        && size < min
    {
        out.reject(
            Rule::StorageSize,
            dotted.as_str(),
            format!("{subject} is below storageSize.min {min}: set {dotted} to at least {min}"),
        );
    }
    if let Some(max) = bounds.max.as_ref().and_then(|m| m.parse().ok())
        && size > max
    {
        out.reject(
            Rule::StorageSize,
            dotted.as_str(),
            format!("{subject} is above storageSize.max {max}: set {dotted} to at most {max}"),
        );
    }

    if let Some(old) = old
        && volume
        && (kind == CrKind::TempoStack || !is_monolithic_memory(old))
    {
        let (before, was) = match at(old, path) {
            None => match Quantity::parse(operator_default) {
                Ok(q) => {
                    let was = format!("the operator's default {q}, as the old object set no size");
                    (q, was)
                }
                Err(_) => return,
            },
            Some(v) => match Quantity::from_json(v) {
                Ok(q) if !q.is_negative() && !q.is_zero() => {
                    let was = format!("{q} before");
                    (q, was)
                }
                // A TempoStack volume created from a non-positive size got the operator's default.
                Ok(q) if kind == CrKind::TempoStack => match Quantity::parse(operator_default) {
                    Ok(default) => {
                        (default, format!("the operator's default {operator_default}, as the old object set {q}"))
                    }
                    Err(_) => return,
                },
                _ => return,
            },
        };
        if size < before {
            out.reject(
                Rule::StorageSize,
                dotted.as_str(),
                format!(
                    "{subject} is smaller than the volume's current size ({was}): a persistent volume cannot shrink, so keep {dotted} at {before} or more (to start smaller, create a new instance)"
                ),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::mutation;
    use serde_json::json;

    use crate::settings::validated as settings;

    fn bounds() -> Settings {
        settings(json!({"storageSize": {"min": "1Gi", "max": "500Gi"}}))
    }

    fn run(kind: CrKind, obj: Value, old: Option<Value>, s: &Settings) -> Vec<String> {
        let storage = match kind {
            CrKind::TempoStack => CrStorage::Unusable,
            CrKind::TempoMonolithic if mutation::is_monolithic_memory(&obj) => CrStorage::Memory,
            CrKind::TempoMonolithic => CrStorage::Pv,
        };
        let d = mutation::apply(kind, &storage, &obj, old.as_ref(), s);
        let mut out = Findings::new();
        check(kind, &storage, &d, old.as_ref(), s, &mut out);
        assert!(out.iter().all(|f| f.rule == Rule::StorageSize));
        out.iter().filter(|f| f.severity == crate::finding::Severity::Reject).map(|f| f.message.clone()).collect()
    }

    fn stack(size: Value) -> Value {
        json!({"spec": {"storageSize": size}})
    }

    fn mono(backend: &str, size: Option<&str>) -> Value {
        match size {
            Some(s) => json!({"spec": {"storage": {"traces": {"backend": backend, "size": s}}}}),
            None => json!({"spec": {"storage": {"traces": {"backend": backend}}}}),
        }
    }

    #[test]
    fn within_bounds() {
        assert!(run(CrKind::TempoStack, stack(json!("10Gi")), None, &bounds()).is_empty());
        assert!(run(CrKind::TempoStack, stack(json!(2_000_000_000u64)), None, &bounds()).is_empty());
        assert_eq!(
            run(CrKind::TempoStack, stack(json!("200M")), None, &bounds()),
            ["spec.storageSize 200M is below storageSize.min 1Gi: set spec.storageSize to at least 1Gi"]
        );
        assert_eq!(
            run(CrKind::TempoMonolithic, mono("pv", Some("1Ti")), None, &bounds()),
            [
                "spec.storage.traces.size 1Ti is above storageSize.max 500Gi: set spec.storage.traces.size to at most 500Gi"
            ]
        );
        // Exact comparison across suffixes: 1Gi is 1073741824 bytes.
        assert!(run(CrKind::TempoStack, stack(json!(1_073_741_824u64)), None, &bounds()).is_empty());
        assert_eq!(run(CrKind::TempoStack, stack(json!(1_073_741_823u64)), None, &bounds()).len(), 1);
    }

    #[test]
    fn unset_size_is_the_operators_default() {
        let s = settings(json!({"storageSize": {"min": "20Gi"}}));
        let m = run(CrKind::TempoStack, json!({"spec": {}}), None, &s);
        assert_eq!(
            m,
            [
                "the operator's default size 10Gi (spec.storageSize is not set) is below storageSize.min 20Gi: set spec.storageSize to at least 20Gi"
            ]
        );
        let s = settings(json!({"storageSize": {"max": "1Gi"}}));
        let m = run(CrKind::TempoMonolithic, json!({"spec": {}}), None, &s);
        assert!(m[0].starts_with("the operator's default size 2Gi"), "{m:?}");
        // With a default configured, the default is what takes effect, and it is in bounds.
        let s = settings(json!({"storageSize": {"min": "20Gi", "default": "30Gi"}}));
        assert!(run(CrKind::TempoStack, json!({"spec": {}}), None, &s).is_empty());
    }

    #[test]
    fn capped_memory_default_below_min_is_reported() {
        let s = settings(json!({"storageSize": {"min": "1Gi", "default": "2Gi"}}));
        let obj = json!({"spec": {"resources": {"limits": {"memory": "512Mi"}}}});
        let m = run(CrKind::TempoMonolithic, obj, None, &s);
        assert!(
            m[0].starts_with(
                "spec.storage.traces.size 512Mi (filled in from storageSize.default capped at the memory limit) is below"
            ),
            "{m:?}"
        );
    }

    #[test]
    fn malformed_and_non_positive_sizes() {
        let m = run(CrKind::TempoStack, stack(json!("10 GB")), None, &Settings::default());
        assert!(m[0].starts_with("spec.storageSize: \"10 GB\" is not a valid quantity"), "{m:?}");
        let m = run(CrKind::TempoStack, stack(json!(["10Gi"])), None, &Settings::default());
        assert_eq!(m, ["spec.storageSize: a quantity must be a string or a number, not a list"]);
        for bad in ["0", "-5Gi"] {
            let m = run(CrKind::TempoMonolithic, mono("pv", Some(bad)), None, &Settings::default());
            assert!(m[0].contains("must be a positive size"), "{m:?}");
        }
    }

    fn warnings(kind: CrKind, obj: Value, old: Option<Value>, s: &Settings) -> Vec<String> {
        let d = mutation::apply(kind, &CrStorage::Unusable, &obj, old.as_ref(), s);
        let mut out = Findings::new();
        check(kind, &CrStorage::Unusable, &d, old.as_ref(), s, &mut out);
        out.iter().filter(|f| f.severity == crate::finding::Severity::Warn).map(|f| f.message.clone()).collect()
    }

    /// Issue 10 item 4: the operator's defaulter turns a TempoStack size <= 0 into 10Gi.
    #[test]
    fn tempostack_non_positive_size_is_the_operators_default() {
        for zero in [json!("0"), json!(0), json!("0Gi"), json!("-1Gi")] {
            assert!(run(CrKind::TempoStack, stack(zero.clone()), None, &Settings::default()).is_empty(), "{zero}");
            let w = warnings(CrKind::TempoStack, stack(zero.clone()), None, &Settings::default());
            assert_eq!(w.len(), 1, "{w:?}");
            assert!(w[0].contains("the Tempo Operator replaces it with its default 10Gi"), "{w:?}");
        }
        // 10Gi is what bounds judge.
        let m = run(CrKind::TempoStack, stack(json!("0")), None, &settings(json!({"storageSize": {"min": "20Gi"}})));
        assert_eq!(
            m,
            [
                "the operator's default size 10Gi (in place of spec.storageSize 0) is below storageSize.min 20Gi: set spec.storageSize to at least 20Gi"
            ]
        );
        // With a default, the policy puts it in place: no warning, the default is judged.
        let s = settings(json!({"storageSize": {"default": "30Gi", "min": "20Gi"}}));
        assert!(run(CrKind::TempoStack, stack(json!("0")), None, &s).is_empty());
        assert!(warnings(CrKind::TempoStack, stack(json!("0")), None, &s).is_empty());
        // On UPDATE from 50Gi, 0 means 10Gi: a shrink.
        let m = run(CrKind::TempoStack, stack(json!("0")), Some(stack(json!("50Gi"))), &Settings::default());
        assert!(m[0].contains("is smaller than the volume's current size (50Gi before)"), "{m:?}");
        // An old 0 was created as 10Gi: 5Gi is a shrink, 10Gi is not.
        let m = run(CrKind::TempoStack, stack(json!("5Gi")), Some(stack(json!("0"))), &Settings::default());
        assert!(m[0].contains("the operator's default 10Gi, as the old object set 0"), "{m:?}");
        assert!(
            run(CrKind::TempoStack, stack(json!("10Gi")), Some(stack(json!("0"))), &Settings::default()).is_empty()
        );
    }

    #[test]
    fn volumes_cannot_shrink() {
        let s = Settings::default();
        let old = stack(json!("50Gi"));
        let m = run(CrKind::TempoStack, stack(json!("20Gi")), Some(old.clone()), &s);
        assert_eq!(
            m,
            [
                "spec.storageSize 20Gi is smaller than the volume's current size (50Gi before): a persistent volume cannot shrink, so keep spec.storageSize at 50Gi or more (to start smaller, create a new instance)"
            ]
        );
        assert!(run(CrKind::TempoStack, stack(json!("100Gi")), Some(old.clone()), &s).is_empty());
        assert!(run(CrKind::TempoStack, stack(json!("50Gi")), Some(old.clone()), &s).is_empty());
        // Same value written differently is no shrink: 50Gi == 53687091200.
        assert!(run(CrKind::TempoStack, stack(json!(53_687_091_200u64)), Some(old.clone()), &s).is_empty());
        // Dropping the field: the operator would use 10Gi.
        let m = run(CrKind::TempoStack, json!({"spec": {}}), Some(old.clone()), &s);
        assert!(m[0].starts_with("the operator's default size 10Gi (spec.storageSize is not set) is smaller"), "{m:?}");
        // ...unless a default is configured: then the old size is kept.
        let with_default = settings(json!({"storageSize": {"default": "5Gi"}}));
        assert!(run(CrKind::TempoStack, json!({"spec": {}}), Some(old), &with_default).is_empty());
        // The old object set none: the volume has the operator's 10Gi.
        let m = run(CrKind::TempoMonolithic, mono("pv", Some("5Gi")), Some(mono("pv", None)), &s);
        assert!(m[0].contains("(the operator's default 10Gi, as the old object set no size)"), "{m:?}");
    }

    #[test]
    fn memory_has_no_volume_to_protect() {
        let s = Settings::default();
        let old = mono("memory", Some("4Gi"));
        assert!(run(CrKind::TempoMonolithic, mono("memory", Some("1Gi")), Some(old.clone()), &s).is_empty());
        // Leaving memory for a PV starts a new volume.
        assert!(run(CrKind::TempoMonolithic, mono("pv", Some("1Gi")), Some(old), &s).is_empty());
        let m = run(CrKind::TempoMonolithic, mono("s3", Some("1Gi")), Some(mono("pv", Some("4Gi"))), &s);
        assert_eq!(m.len(), 1);
    }
}
