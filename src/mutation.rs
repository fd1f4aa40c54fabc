//! Defaults by mutation: what the policy fills in on a TempoStack or TempoMonolithic it accepts, and nothing else.
//!
//! The defaults come from the settings `storageSize.default` and `resources.defaultLimits`; with
//! neither configured nothing is ever added and the policy returns no `mutated_object`.
//!
//! - TempoStack `spec.storageSize` ← `storageSize.default`, also in place of a size that is not
//!   positive (`0`, `-1Gi`): the operator's defaulter replaces such a size with its own default
//!   10Gi (`Defaulter.Default` in internal/webhooks/tempostack_webhook.go:
//!   `if r.Spec.StorageSize.Cmp(zeroQuantity) <= 0`), so it means "unset" and gets the platform's
//!   default like an unset one. This is the one `replace` the patch can hold.
//! - TempoStack `spec.resources.total.limits` ← `resources.defaultLimits`, only when the CR sets no
//!   total limits, no `spec.size` and no component `resources` (any of them would make the operator
//!   ignore or override the total, so a default there would only mislead).
//! - TempoMonolithic `spec.resources.limits.{cpu,memory}` ← `resources.defaultLimits`, each only when
//!   missing, and never below the object's own `spec.resources.requests` for the same resource: the
//!   operator copies `spec.resources` into the Tempo container as it is
//!   (internal/manifests/monolithic/statefulset.go), and the API server refuses a pod whose limit is
//!   below its request, so such a default would break every pod of a CR that worked. That default
//!   is left out and `resource-limits` says so in a warning (it is not raised to the request: a
//!   limit nobody configured is not the policy's to invent). A TempoStack's total limits cannot
//!   meet this: the operator derives each component's requests as 30% of its share of the limits
//!   (`Resources` in internal/manifests/manifestutils/resources.go) and ignores
//!   `spec.resources.total.requests`.
//! - TempoMonolithic `spec.storage.traces.size` ← `storageSize.default`; for the `memory` backend at
//!   most the memory limit (the tmpfs lives in the pod's memory), so the smaller of the two.
//!
//! On UPDATE a default is added only when the update touches the section it belongs to: a
//! TempoStack's limits when `spec.resources`, `spec.size` or a component's `resources` changed; a
//! TempoMonolithic's limits when `spec.resources` changed; a TempoStack's size when
//! `spec.storageSize` changed (removed included), a TempoMonolithic's when `spec.storage` did. A
//! metadata-only write, such as the operator adding its finalizer (`r.Update` in
//! internal/controller/tempo/*_controller.go) or an annotation, gets no patch: a default patched
//! into such a write would roll every Tempo pod for a change nobody made.
//!
//! Where a default applies on UPDATE, the same defaults as on CREATE, with one exception for sizes of real volumes (TempoStack,
//! TempoMonolithic other than `memory`): when the old object had the same kind of volume, a missing
//! size is filled with the size the volume already has (the old object's value, or the operator's
//! default 10Gi when the old object set none), never with `storageSize.default`. A volume cannot
//! shrink, and growing one is the user's decision, not a side effect of an unrelated edit.
//!
//! A TempoMonolithic without `spec.storage` (or without `traces.backend`) runs the `memory` backend.
//! Adding only `spec.storage.traces.size` would leave a `traces` object without its `backend`,
//! which the CRD requires, so the patch then adds `backend: memory` too: the smallest valid patch,
//! and it changes nothing the operator does. (In a cluster the API server already defaults
//! `backend` when `traces` exists, so this shows up only when `spec.storage` is absent.)
//!
//! The object is edited as a `serde_json::Value` clone (made only when a default is added), so
//! fields the policy does not model are kept byte for byte and the JSON Patch holds only the added
//! paths. Quantities are written as strings (`"10Gi"`), as the CRD patterns expect. Evaluating the
//! mutated object adds nothing more.

use crate::json::at;
use crate::objects::CrKind;
use crate::objects::components::{MONOLITHIC_VOLUME_DEFAULT_SIZE, TEMPOSTACK_CONTAINERS, TEMPOSTACK_DEFAULT_SIZE};
use crate::objects::storage::CrStorage;
use crate::quantity::Quantity;
use crate::settings::{QuantityText, Settings};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// One field the policy filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// JSON pointer, e.g. `/spec/storageSize`.
    pub pointer: &'static str,
    /// Where the value came from, for messages: `storageSize.default`, ...
    pub from: String,
}

/// The object as it will be stored: the request's object plus the defaults the policy adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaulted<'a> {
    /// Borrowed from the request until a default is added.
    pub object: Cow<'a, Value>,
    pub added: Vec<Added>,
    /// Default limits left out because they are below the object's request.
    pub held_back: Vec<HeldBack>,
}

/// A default limit the policy did not fill in, because it is below the object's request.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldBack {
    /// Dotted path of the limit, e.g. `spec.resources.limits.memory`.
    pub path: &'static str,
    pub default: Quantity,
    pub request: Quantity,
    /// The setting the default comes from.
    pub from: &'static str,
}

impl Defaulted<'_> {
    /// Where the value at `pointer` came from, when the policy added it.
    pub fn added_from(&self, pointer: &str) -> Option<&str> {
        self.added.iter().find(|a| a.pointer == pointer).map(|a| a.from.as_str())
    }

    /// The mutated object, only when something was added.
    pub fn into_mutated(self) -> Option<Value> {
        (!self.added.is_empty()).then(|| self.object.into_owned())
    }
}

/// The object with the configured defaults filled in. `storage` is what `storage-spec` made of the
/// object; `old` is the object before an UPDATE.
pub fn apply<'a>(
    kind: CrKind,
    storage: &CrStorage,
    object: &'a Value,
    old: Option<&Value>,
    settings: &Settings,
) -> Defaulted<'a> {
    let mut d = Defaulted { object: Cow::Borrowed(object), added: Vec::new(), held_back: Vec::new() };
    // Decided on the request's object, before any default changes it.
    let touches = |paths: &[&[&str]]| old.is_none_or(|old| paths.iter().any(|p| at(old, p) != at(object, p)));
    match kind {
        CrKind::TempoStack => {
            let mut limit_inputs: Vec<&[&str]> = vec![&["spec", "resources"], &["spec", "size"]];
            limit_inputs.extend(TEMPOSTACK_CONTAINERS.iter().filter_map(|c| c.own));
            if touches(&limit_inputs) {
                tempostack_limits(&mut d, settings);
            }
            if touches(&[&TEMPOSTACK_SIZE]) {
                tempostack_size(&mut d, old, settings);
            }
        }
        CrKind::TempoMonolithic => {
            if touches(&[&["spec", "resources"]]) {
                monolithic_limits(&mut d, settings);
            }
            if touches(&[&["spec", "storage"]]) {
                monolithic_size(&mut d, storage, old, settings);
            }
        }
    }
    d
}

const TEMPOSTACK_SIZE: [&str; 2] = ["spec", "storageSize"];

const TOTAL_LIMITS: [&str; 4] = ["spec", "resources", "total", "limits"];

fn tempostack_limits(d: &mut Defaulted<'_>, settings: &Settings) {
    let defaults = &settings.resources.default_limits;
    // Most clusters set no default limits: no need to look at the containers then.
    if defaults.cpu.is_none() && defaults.memory.is_none() {
        return;
    }
    let obj = &d.object;
    let no_limits = match at(obj, &TOTAL_LIMITS) {
        None => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(_) => false,
    };
    let no_size = match at(obj, &["spec", "size"]) {
        None => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    let no_component_resources = TEMPOSTACK_CONTAINERS.iter().filter_map(|c| c.own).all(|own| at(obj, own).is_none());
    if !(no_limits && no_size && no_component_resources) {
        return;
    }
    if let Some(cpu) = &defaults.cpu {
        add(d, "/spec/resources/total/limits/cpu", text(cpu), "resources.defaultLimits.cpu");
    }
    if let Some(memory) = &defaults.memory {
        add(d, "/spec/resources/total/limits/memory", text(memory), "resources.defaultLimits.memory");
    }
}

fn monolithic_limits(d: &mut Defaulted<'_>, settings: &Settings) {
    let defaults = &settings.resources.default_limits;
    let fields = [
        (
            &defaults.cpu,
            "cpu",
            "/spec/resources/limits/cpu",
            "spec.resources.limits.cpu",
            "resources.defaultLimits.cpu",
        ),
        (
            &defaults.memory,
            "memory",
            "/spec/resources/limits/memory",
            "spec.resources.limits.memory",
            "resources.defaultLimits.memory",
        ),
    ];
    for (default, key, pointer, path, from) in fields {
        let Some(default) = default else { continue };
        if at(&d.object, &["spec", "resources", "limits", key]).is_some() {
            continue;
        }
        // A request that is not a quantity is refused by the API server anyway: no comparison.
        let request = at(&d.object, &["spec", "resources", "requests", key]).and_then(|v| Quantity::from_json(v).ok());
        if let (Some(request), Ok(limit)) = (request, default.parse())
            && limit < request
        {
            d.held_back.push(HeldBack { path, default: limit, request, from });
            continue;
        }
        add(d, pointer, text(default), from);
    }
}

fn tempostack_size(d: &mut Defaulted<'_>, old: Option<&Value>, settings: &Settings) {
    let Some(default) = &settings.storage_size.default else { return };
    let not_positive = match at(&d.object, &TEMPOSTACK_SIZE) {
        None | Some(Value::Null) => false,
        Some(v) if is_not_positive(v) => true,
        Some(_) => return,
    };
    let (value, from) = match old {
        Some(old) => kept_size(old, &TEMPOSTACK_SIZE, TEMPOSTACK_DEFAULT_SIZE),
        None => (text(default), "storageSize.default".to_string()),
    };
    if not_positive {
        replace(d, "/spec/storageSize", value, &from);
    } else {
        add(d, "/spec/storageSize", value, &from);
    }
}

/// A TempoStack size the operator's defaulter treats as unset: a quantity that is zero or negative.
pub fn is_not_positive(v: &Value) -> bool {
    Quantity::from_json(v).is_ok_and(|q| q.is_negative() || q.is_zero())
}

fn monolithic_size(d: &mut Defaulted<'_>, storage: &CrStorage, old: Option<&Value>, settings: &Settings) {
    const SIZE: [&str; 4] = ["spec", "storage", "traces", "size"];
    let Some(default) = &settings.storage_size.default else { return };
    if at(&d.object, &SIZE).is_some() {
        return;
    }
    let (value, from) = match storage {
        CrStorage::Unusable => return,
        CrStorage::Memory => {
            let limit =
                at(&d.object, &["spec", "resources", "limits", "memory"]).and_then(|v| Quantity::from_json(v).ok());
            match (limit, default.parse()) {
                (Some(limit), Ok(size)) if limit < size && !limit.is_negative() && !limit.is_zero() => (
                    Value::String(limit.as_written().to_string()),
                    "storageSize.default capped at the memory limit".to_string(),
                ),
                _ => (text(default), "storageSize.default".to_string()),
            }
        }
        CrStorage::Pv | CrStorage::Object(_) => match old.filter(|o| !is_monolithic_memory(o)) {
            Some(old) => kept_size(old, &SIZE, MONOLITHIC_VOLUME_DEFAULT_SIZE),
            None => (text(default), "storageSize.default".to_string()),
        },
    };
    if at(&d.object, &["spec", "storage", "traces", "backend"]).is_none() {
        add(d, "/spec/storage/traces/backend", Value::String("memory".into()), "the CRD default backend");
    }
    add(d, "/spec/storage/traces/size", value, &from);
}

/// Whether a TempoMonolithic keeps its traces in memory (the CRD default backend).
pub fn is_monolithic_memory(obj: &Value) -> bool {
    match at(obj, &["spec", "storage", "traces", "backend"]) {
        None => true,
        Some(v) => v.as_str() == Some("memory"),
    }
}

/// On UPDATE: the size the volume already has, from the old object, or the operator's default.
fn kept_size(old: &Value, path: &[&str], operator_default: &str) -> (Value, String) {
    // A non-positive old size is the operator's default too (see `is_not_positive`).
    match at(old, path) {
        Some(v) if Quantity::from_json(v).is_ok_and(|q| !q.is_negative() && !q.is_zero()) => {
            (v.clone(), "the old object (the volume's current size)".to_string())
        }
        _ => (
            Value::String(operator_default.to_string()),
            format!("the operator's default {operator_default} that the existing volume was created with"),
        ),
    }
}

fn text(q: &QuantityText) -> Value {
    Value::String(match q {
        QuantityText::Text(s) => s.clone(),
        QuantityText::Number(n) => n.to_string(),
    })
}

/// Sets `pointer` when it is absent (or null), creating missing parent objects. Does nothing when
/// the field is present or a parent is not an object (a wrong type is a finding, not ours to fix).
fn add(d: &mut Defaulted<'_>, pointer: &'static str, value: Value, from: &str) {
    let path: Vec<&str> = pointer.split('/').skip(1).collect();
    // The first default configured clones the request's object (none configured: never).
    if insert(d.object.to_mut(), &path, value) {
        d.added.push(Added { pointer, from: from.to_string() });
    }
}

/// Replaces the value at `pointer` (a field the caller found present), for the one case where the
/// operator itself would replace it (a non-positive TempoStack size).
fn replace(d: &mut Defaulted<'_>, pointer: &'static str, value: Value, from: &str) {
    if let Some(slot) = d.object.to_mut().pointer_mut(pointer) {
        *slot = value;
        d.added.push(Added { pointer, from: from.to_string() });
    }
}

fn insert(obj: &mut Value, path: &[&str], value: Value) -> bool {
    let Some((last, parents)) = path.split_last() else { return false };
    // Check first, so that nothing is created on the way to a field that cannot be set.
    let mut probe = &*obj;
    for key in parents {
        match probe {
            Value::Object(m) => match m.get(*key) {
                None | Some(Value::Null) => break,
                Some(next) => probe = next,
            },
            _ => return false,
        }
    }
    let mut cur = obj;
    for key in parents {
        let Value::Object(map) = cur else { return false };
        let entry = map.entry(key.to_string()).or_insert(Value::Null);
        if entry.is_null() {
            *entry = Value::Object(Map::new());
        }
        cur = entry;
    }
    let Value::Object(map) = cur else { return false };
    match map.get(*last) {
        Some(v) if !v.is_null() => false,
        _ => {
            map.insert(last.to_string(), value);
            true
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::objects::{Backend, CrRef, StorageUse, Tls};
    use serde_json::json;

    use crate::settings::validated as settings;

    fn full() -> Settings {
        settings(
            json!({"resources": {"defaultLimits": {"cpu": "2", "memory": "4Gi"}}, "storageSize": {"default": "20Gi"}}),
        )
    }

    fn pointers<'a>(d: &'a Defaulted<'_>) -> Vec<&'a str> {
        d.added.iter().map(|a| a.pointer).collect()
    }

    fn s3() -> CrStorage {
        CrStorage::Object(StorageUse {
            cr: CrRef { kind: CrKind::TempoMonolithic, name: "x".into() },
            backend: Backend::S3,
            secret_name: "s".into(),
            secret_path: "spec.storage.traces.s3.secret",
            mode: None,
            mode_path: "spec.storage.traces.s3.credentialMode",
            tls: Tls::default(),
            tls_path: "spec.storage.traces.s3.tls",
        })
    }

    #[test]
    fn nothing_configured_adds_nothing() {
        let obj = json!({"spec": {"storage": {"traces": {"backend": "pv"}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &obj, None, &Settings::default());
        assert!(d.added.is_empty());
        assert_eq!(*d.object, obj);
        assert_eq!(d.into_mutated(), None);
        let obj = json!({"spec": {"storage": {"secret": {"name": "m", "type": "s3"}}}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &obj, None, &Settings::default());
        assert_eq!(d.into_mutated(), None);
    }

    #[test]
    fn tempostack_gets_size_and_total_limits() {
        let obj = json!({"metadata": {"name": "t", "annotations": {"x": "y"}}, "spec": {"storage": {"secret": {"name": "m", "type": "s3"}}, "unknownField": [1, 2]}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &obj, None, &full());
        assert_eq!(
            pointers(&d),
            ["/spec/resources/total/limits/cpu", "/spec/resources/total/limits/memory", "/spec/storageSize"]
        );
        assert_eq!(d.object["spec"]["resources"], json!({"total": {"limits": {"cpu": "2", "memory": "4Gi"}}}));
        assert_eq!(d.object["spec"]["storageSize"], "20Gi");
        assert_eq!(d.object["spec"]["unknownField"], json!([1, 2]));
        assert_eq!(d.object["metadata"], obj["metadata"]);
    }

    #[test]
    fn tempostack_limits_only_when_nothing_else_decides_resources() {
        for spec in [
            json!({"resources": {"total": {"limits": {"cpu": "1"}}}}),
            json!({"size": "1x.small"}),
            json!({"size": "1x.demo"}),
            json!({"template": {"ingester": {"resources": {"limits": {"memory": "1Gi"}}}}}),
            json!({"template": {"queryFrontend": {"jaegerQuery": {"resources": {}}}}}),
            json!({"resources": {"total": "lots"}}),
        ] {
            let obj = json!({"spec": spec});
            let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &obj, None, &full());
            assert_eq!(pointers(&d), ["/spec/storageSize"], "{obj}");
        }
        // requests alone, an empty limits map or an empty size are no limits.
        for spec in [
            json!({"resources": {"total": {"requests": {"cpu": "1"}}}}),
            json!({"resources": {"total": {"limits": {}}}, "size": ""}),
        ] {
            let object = json!({"spec": spec});
            let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &object, None, &full());
            assert_eq!(d.added.len(), 3, "{spec}");
        }
    }

    #[test]
    fn monolithic_limits_fill_only_the_missing_key() {
        let obj = json!({"spec": {"resources": {"limits": {"cpu": 1}, "requests": {"cpu": "500m"}}, "storage": {"traces": {"backend": "pv", "size": "5Gi"}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &obj, None, &full());
        assert_eq!(pointers(&d), ["/spec/resources/limits/memory"]);
        assert_eq!(d.object["spec"]["resources"]["limits"], json!({"cpu": 1, "memory": "4Gi"}));
    }

    #[test]
    fn monolithic_pv_gets_the_default_size() {
        let obj = json!({"spec": {"storage": {"traces": {"backend": "pv"}}}});
        let s = settings(json!({"storageSize": {"default": "20Gi"}}));
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &obj, None, &s);
        assert_eq!(pointers(&d), ["/spec/storage/traces/size"]);
        assert_eq!(d.object["spec"]["storage"]["traces"], json!({"backend": "pv", "size": "20Gi"}));
        let d = apply(CrKind::TempoMonolithic, &s3(), &obj, None, &s);
        assert_eq!(pointers(&d), ["/spec/storage/traces/size"]);
    }

    #[test]
    fn monolithic_memory_size_is_capped_at_the_memory_limit() {
        let obj =
            json!({"spec": {"resources": {"limits": {"memory": "1Gi"}}, "storage": {"traces": {"backend": "memory"}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &full());
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "1Gi");
        assert_eq!(d.added_from("/spec/storage/traces/size"), Some("storageSize.default capped at the memory limit"));
        // A default memory limit caps it too.
        let obj = json!({"spec": {"storage": {"traces": {"backend": "memory"}}}});
        let s =
            settings(json!({"resources": {"defaultLimits": {"memory": "512Mi"}}, "storageSize": {"default": "1Gi"}}));
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "512Mi");
        // A larger limit leaves the default.
        let s = settings(json!({"resources": {"defaultLimits": {"memory": "8Gi"}}, "storageSize": {"default": "1Gi"}}));
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "1Gi");
    }

    #[test]
    fn monolithic_without_storage_gets_a_valid_traces_object() {
        let s = settings(json!({"storageSize": {"default": "1Gi"}}));
        for obj in [json!({"spec": {}}), json!({"spec": {"storage": {"traces": {}}}}), json!({})] {
            let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &s);
            assert_eq!(pointers(&d), ["/spec/storage/traces/backend", "/spec/storage/traces/size"]);
            assert_eq!(d.object["spec"]["storage"], json!({"traces": {"backend": "memory", "size": "1Gi"}}));
        }
        let obj = json!({"spec": {"storage": "memory"}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &s);
        assert!(d.added.is_empty());
        assert_eq!(*d.object, obj);
    }

    #[test]
    fn update_keeps_the_volume_size() {
        let s = settings(json!({"storageSize": {"default": "5Gi"}}));
        let new = json!({"spec": {"storage": {"secret": {"name": "m", "type": "s3"}}}});
        let old =
            json!({"spec": {"storageSize": 50_000_000_000u64, "storage": {"secret": {"name": "m", "type": "s3"}}}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &new, Some(&old), &s);
        assert_eq!(d.object["spec"]["storageSize"], json!(50_000_000_000u64));
        // An old size that is not positive was the operator's 10Gi.
        let old = json!({"spec": {"storageSize": "0", "storage": {"secret": {"name": "m", "type": "s3"}}}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &new, Some(&old), &s);
        assert_eq!(d.object["spec"]["storageSize"], "10Gi");
        // A TempoMonolithic that moves from memory to a PV gets a new volume: the default.
        let new = json!({"spec": {"storage": {"traces": {"backend": "pv"}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &new, Some(&json!({"spec": {}})), &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "5Gi");
        let old = json!({"spec": {"storage": {"traces": {"backend": "pv", "size": 0}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &new, Some(&old), &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "10Gi");
        // Memory has no volume: the default, as on CREATE.
        let new = json!({"spec": {"storage": {"traces": {"backend": "memory"}}}});
        let old = json!({"spec": {"storage": {"traces": {"backend": "memory", "size": "1Gi"}}}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &new, Some(&old), &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "5Gi");
    }

    /// Issue 19: the operator's finalizer write (metadata only) got default limits patched in,
    /// which rolls every Tempo pod. A default belongs to the write that touches its section.
    #[test]
    fn an_update_gets_only_the_defaults_of_the_sections_it_touches() {
        let stack = json!({"metadata": {"name": "t"}, "spec": {"storage": {"secret": {"name": "m", "type": "s3"}}}});
        let mut with_finalizer = stack.clone();
        with_finalizer["metadata"]["finalizers"] = json!(["tempo.grafana.com/finalizer"]);
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &with_finalizer, Some(&stack), &full());
        assert!(d.added.is_empty(), "{:?}", d.added);
        // Touching the resources (here: a component's) brings the limit defaults back into play,
        // and only them.
        let mut resized = with_finalizer.clone();
        resized["spec"]["size"] = json!("");
        resized["spec"]["template"] = json!({"querier": {"replicas": 2}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &resized, Some(&with_finalizer), &full());
        assert_eq!(pointers(&d), ["/spec/resources/total/limits/cpu", "/spec/resources/total/limits/memory"]);
        let mut component = with_finalizer.clone();
        component["spec"]["template"] = json!({"ingester": {"resources": {"requests": {"cpu": "1"}}}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &component, Some(&with_finalizer), &full());
        assert!(d.added.is_empty(), "component resources decide the limits: {:?}", d.added);
        // Removing the size is touching it: the old volume's size comes back.
        let mut sized = stack.clone();
        sized["spec"]["storageSize"] = json!("50Gi");
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &stack, Some(&sized), &full());
        assert_eq!(pointers(&d), ["/spec/storageSize"]);
        assert_eq!(d.object["spec"]["storageSize"], "50Gi");

        let mono = json!({"metadata": {"name": "m"}, "spec": {"storage": {"traces": {"backend": "pv"}}}});
        let mut labelled = mono.clone();
        labelled["metadata"]["labels"] = json!({"team": "obs"});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &labelled, Some(&mono), &full());
        assert!(d.added.is_empty(), "{:?}", d.added);
        let mut requests = labelled.clone();
        requests["spec"]["resources"] = json!({"requests": {"cpu": "100m"}});
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &requests, Some(&labelled), &full());
        assert_eq!(pointers(&d), ["/spec/resources/limits/cpu", "/spec/resources/limits/memory"]);
        let mut backend = labelled.clone();
        backend["spec"]["storage"]["traces"]["backend"] = json!("memory");
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &backend, Some(&labelled), &full());
        assert_eq!(pointers(&d), ["/spec/storage/traces/size"]);
        // On CREATE every default applies.
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Pv, &mono, None, &full());
        assert_eq!(d.added.len(), 3);
    }

    #[test]
    fn numbers_in_settings_are_written_as_strings() {
        let s = settings(json!({"resources": {"defaultLimits": {"cpu": 2}}, "storageSize": {"default": 1073741824}}));
        let object = json!({"spec": {}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &object, None, &s);
        assert_eq!(d.object["spec"]["resources"]["total"]["limits"]["cpu"], "2");
        assert_eq!(d.object["spec"]["storageSize"], "1073741824");
    }

    /// A field present as `null` is unset (the API server prunes it): a default fills it.
    #[test]
    fn a_null_field_is_filled_like_a_missing_one() {
        let obj = json!({"spec": {"storageSize": null, "storage": {"secret": {"name": "m", "type": "s3"}}}});
        let d = apply(CrKind::TempoStack, &CrStorage::Unusable, &obj, None, &full());
        assert_eq!(d.object["spec"]["storageSize"], "20Gi");
        assert!(pointers(&d).contains(&"/spec/storageSize"), "{:?}", d.added);
    }

    /// A memory limit equal to the default size, written another way, is not a cap: the default
    /// is written as the settings write it.
    #[test]
    fn a_memory_limit_equal_to_the_default_is_no_cap() {
        let obj = json!({"spec": {"resources": {"limits": {"memory": "1024Mi"}}, "storage": {"traces": {"backend": "memory"}}}});
        let s = settings(json!({"storageSize": {"default": "1Gi"}}));
        let d = apply(CrKind::TempoMonolithic, &CrStorage::Memory, &obj, None, &s);
        assert_eq!(d.object["spec"]["storage"]["traces"]["size"], "1Gi");
        assert_eq!(d.added_from("/spec/storage/traces/size"), Some("storageSize.default"));
    }

    #[test]
    fn insert_never_replaces_or_half_creates() {
        let mut v = json!({"a": {"b": 1}});
        assert!(!insert(&mut v, &["a", "b", "c"], json!(2)));
        assert!(!insert(&mut v, &["a", "b"], json!(2)));
        assert_eq!(v, json!({"a": {"b": 1}}));
        assert!(insert(&mut v, &["a", "x", "y"], json!(2)));
        assert_eq!(v, json!({"a": {"b": 1, "x": {"y": 2}}}));
        let mut v = json!({"a": null});
        assert!(insert(&mut v, &["a", "b"], json!(1)));
        assert_eq!(v, json!({"a": {"b": 1}}));
    }
}
