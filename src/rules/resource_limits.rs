//! `resource-limits`: every Tempo instance bounded in cpu and memory, and within the platform's maximum.
//!
//! ## What it checks
//! With `resources.requireLimits`, that every pod the CR makes has a cpu and a memory limit. A
//! TempoStack's component gets its resources from, in this order of precedence: its own
//! `resources` under `spec.template` (they replace everything else), a `spec.size` profile
//! (`1x.pico`, `1x.extra-small`, `1x.small`, `1x.medium`; `1x.demo` has none), or its share of
//! `spec.resources.total.limits`. So a TempoStack is limited by `spec.resources.total.limits` with
//! both cpu and memory, by a size profile, or by limits on every component that runs: distributor,
//! ingester, querier, compactor, queryFrontend and, when enabled, `queryFrontend.jaegerQuery`,
//! `gateway` and `metricsGenerator`. A TempoMonolithic is limited by `spec.resources.limits` with
//! both. The finding lists every missing field.
//!
//! With `resources.maxLimits`, every limit that takes effect is compared with the maximum and named
//! by its field path: `spec.resources.total.limits` (unless `spec.size` overrides it) and the
//! limits of each running component and sidecar. Size profiles are not compared.
//!
//! Always: a TempoMonolithic `memory` backend whose size (`spec.storage.traces.size`, or the
//! operator's default 2Gi) is larger than its memory limit is rejected; a limit that is not a
//! Kubernetes quantity is rejected, naming the field. Warnings: `spec.resources.total.requests`
//! (the operator ignores it) and `spec.size` together with `spec.resources.total` (size wins).
//!
//! The object judged is the one that will be stored: limits the policy fills in from
//! `resources.defaultLimits` count, and messages say when a value came from there.
//!
//! ## Why
//! The operator validates neither resources nor sizes. A Tempo without limits can take a node's
//! memory during an ingestion burst; one with absurd limits never schedules. The `memory` backend
//! keeps traces in a tmpfs that is charged to the pod's memory, so a size above the memory limit
//! gets the pod OOM-killed as the traces pile up, long after `kubectl apply` succeeded.
//!
//! ## Example
//! With `resources.requireLimits: true`, rejected:
//! `spec: {resources: {total: {limits: {cpu: 2000m}}}}` (no memory limit for any component).
//! Accepted: `spec: {resources: {total: {limits: {cpu: 2000m, memory: 2Gi}}}}`, or `spec: {size: 1x.small}`.
//! Always rejected: a TempoMonolithic with `resources.limits.memory: 1Gi` and
//! `storage.traces: {backend: memory, size: 2Gi}`.
//!
//! ## Settings
//! `resources.requireLimits`, `resources.maxLimits.{cpu,memory}`, `resources.defaultLimits.{cpu,memory}`
//! (through the defaults the policy adds).

use crate::finding::Findings;
use crate::json::{Field, at, bool_at, meta_str, object_at, str_at};
use crate::mutation::{Defaulted, MONOLITHIC_MEMORY_DEFAULT_SIZE};
use crate::objects::{CrKind, CrRef};
use crate::quantity::Quantity;
use crate::rules::Rule;
use crate::rules::storage_spec::CrStorage;
use crate::settings::Settings;
use serde_json::Value;

/// The `spec.size` values whose profile gives every component resources.
pub const SIZE_PROFILES: [&str; 4] = ["1x.pico", "1x.extra-small", "1x.small", "1x.medium"];

/// A TempoStack or TempoMonolithic container group with its own `resources`.
#[derive(Debug)]
pub struct Component {
    pub name: &'static str,
    /// Path of its `resources` object.
    pub resources: &'static [&'static str],
    /// The boolean that makes it run; `None` when it always runs.
    pub enabled: Option<&'static [&'static str]>,
    /// Whether `resources.requireLimits` asks for its limits (sidecars are only compared with
    /// `resources.maxLimits`).
    pub required: bool,
}

const JAEGER_QUERY_ENABLED: &[&str] = &["spec", "template", "queryFrontend", "jaegerQuery", "enabled"];

/// TempoStack components and where the CRD keeps their resources.
pub const TEMPOSTACK_COMPONENTS: [Component; 10] = [
    Component {
        name: "distributor",
        resources: &["spec", "template", "distributor", "component", "resources"],
        enabled: None,
        required: true,
    },
    Component {
        name: "ingester",
        resources: &["spec", "template", "ingester", "resources"],
        enabled: None,
        required: true,
    },
    Component {
        name: "querier",
        resources: &["spec", "template", "querier", "resources"],
        enabled: None,
        required: true,
    },
    Component {
        name: "compactor",
        resources: &["spec", "template", "compactor", "resources"],
        enabled: None,
        required: true,
    },
    Component {
        name: "queryFrontend",
        resources: &["spec", "template", "queryFrontend", "component", "resources"],
        enabled: None,
        required: true,
    },
    Component {
        name: "jaegerQuery",
        resources: &["spec", "template", "queryFrontend", "jaegerQuery", "resources"],
        enabled: Some(JAEGER_QUERY_ENABLED),
        required: true,
    },
    Component {
        name: "gateway",
        resources: &["spec", "template", "gateway", "component", "resources"],
        enabled: Some(&["spec", "template", "gateway", "enabled"]),
        required: true,
    },
    Component {
        name: "metricsGenerator",
        resources: &["spec", "template", "metricsGenerator", "component", "resources"],
        enabled: Some(&["spec", "template", "metricsGenerator", "enabled"]),
        required: true,
    },
    Component {
        name: "tempoQuery",
        resources: &["spec", "template", "queryFrontend", "jaegerQuery", "tempoQuery", "resources"],
        enabled: Some(JAEGER_QUERY_ENABLED),
        required: false,
    },
    Component {
        name: "jaegerQuery authentication",
        resources: &["spec", "template", "queryFrontend", "jaegerQuery", "authentication", "resources"],
        enabled: Some(JAEGER_QUERY_ENABLED),
        required: false,
    },
];

/// TempoMonolithic sidecars with their own `resources` (the Tempo container is `spec.resources`).
const MONOLITHIC_SIDECARS: [Component; 3] = [
    Component {
        name: "jaegerui",
        resources: &["spec", "jaegerui", "resources"],
        enabled: Some(&["spec", "jaegerui", "enabled"]),
        required: false,
    },
    Component {
        name: "jaegerui authentication",
        resources: &["spec", "jaegerui", "authentication", "resources"],
        enabled: Some(&["spec", "jaegerui", "enabled"]),
        required: false,
    },
    Component {
        name: "multitenancy gateway",
        resources: &["spec", "multitenancy", "resources"],
        enabled: Some(&["spec", "multitenancy", "enabled"]),
        required: false,
    },
];

const KEYS: [&str; 2] = ["cpu", "memory"];

/// One limit as the CR sets it.
#[derive(Debug, Clone)]
enum Limit {
    Absent,
    /// Present but not a quantity (already reported).
    Bad,
    Set(Quantity),
}

struct Rules<'a> {
    d: &'a Defaulted<'a>,
    settings: &'a Settings,
    max: [Option<Quantity>; 2],
}

pub fn check(kind: CrKind, storage: &CrStorage, d: &Defaulted, settings: &Settings, out: &mut Findings) {
    let max = [
        settings.resources.max_limits.cpu.as_ref().and_then(|q| q.parse().ok()),
        settings.resources.max_limits.memory.as_ref().and_then(|q| q.parse().ok()),
    ];
    let r = Rules { d, settings, max };
    let cr = CrRef { kind, name: meta_str(&d.object, "name").to_string() };
    match kind {
        CrKind::TempoStack => r.tempostack(&cr, out),
        CrKind::TempoMonolithic => r.monolithic(&cr, storage, out),
    }
}

impl Rules<'_> {
    fn obj(&self) -> &Value {
        &self.d.object
    }

    fn tempostack(&self, cr: &CrRef, out: &mut Findings) {
        let obj = self.obj();
        let size = match str_at(obj, &["spec", "size"]) {
            Field::Present(s) if !s.is_empty() => Some(s),
            _ => None,
        };
        let profile = size.filter(|s| SIZE_PROFILES.contains(s));

        if let Field::Present(m) = object_at(obj, &["spec", "resources", "total", "requests"])
            && !m.is_empty()
        {
            out.warn(
                Rule::ResourceLimits,
                "spec.resources.total.requests",
                "spec.resources.total.requests is ignored by the operator (it derives requests from the limits): remove it, or set requests in a component's resources under spec.template",
            );
        }
        let total_set = match object_at(obj, &["spec", "resources", "total"]) {
            Field::Present(m) => m.values().any(|v| v.as_object().is_some_and(|inner| !inner.is_empty())),
            _ => false,
        };
        if let (Some(size), true) = (size, total_set) {
            out.warn(
                Rule::ResourceLimits,
                "spec.size",
                format!(
                    "spec.size {size} and spec.resources.total are both set: the size wins and the operator ignores spec.resources.total, so remove one of them"
                ),
            );
        }

        let total = self.limits(&["spec", "resources", "total", "limits"], out);
        if size.is_none() {
            self.compare_with_max(&["spec", "resources", "total", "limits"], &total, out);
        }

        let mut missing: Vec<String> = Vec::new();
        for c in TEMPOSTACK_COMPONENTS.iter().filter(|c| runs(obj, c)) {
            let own = at(obj, c.resources).is_some();
            if own {
                let mut path = c.resources.to_vec();
                path.push("limits");
                let limits = self.limits(&path, out);
                self.compare_with_max(&path, &limits, out);
                if c.required {
                    for (key, limit) in KEYS.iter().zip(&limits) {
                        if matches!(limit, Limit::Absent) {
                            missing.push(format!("{}.{key}", path.join(".")));
                        }
                    }
                }
            } else if c.required && profile.is_none() {
                for (key, limit) in KEYS.iter().zip(&total) {
                    let entry = match size {
                        // 1x.demo (or any size without a profile) overrides the total and sets nothing.
                        Some(_) => format!("{}.limits.{key}", c.resources.join(".")),
                        None if matches!(limit, Limit::Absent) => format!("spec.resources.total.limits.{key}"),
                        None => continue,
                    };
                    if !missing.contains(&entry) {
                        missing.push(entry);
                    }
                }
            }
        }
        if self.settings.resources.require_limits && !missing.is_empty() {
            let demo = match size {
                Some(s) => {
                    format!(" (spec.size {s} sets no resources and makes the operator ignore spec.resources.total)")
                }
                None => String::new(),
            };
            out.reject(
                Rule::ResourceLimits,
                missing.first().map(String::as_str).unwrap_or("spec.resources"),
                format!(
                    "{cr} would run pods without cpu/memory limits, which resources.requireLimits forbids{demo}. Missing: {}. Set spec.resources.total.limits (cpu and memory), a spec.size profile ({}), or limits in the resources of every component",
                    missing.join(", "),
                    SIZE_PROFILES.join(", ")
                ),
            );
        }
    }

    fn monolithic(&self, cr: &CrRef, storage: &CrStorage, out: &mut Findings) {
        let obj = self.obj();
        const LIMITS: [&str; 3] = ["spec", "resources", "limits"];
        let limits = self.limits(&LIMITS, out);
        self.compare_with_max(&LIMITS, &limits, out);
        for c in MONOLITHIC_SIDECARS.iter().filter(|c| runs(obj, c) && at(obj, c.resources).is_some()) {
            let mut path = c.resources.to_vec();
            path.push("limits");
            let sidecar = self.limits(&path, out);
            self.compare_with_max(&path, &sidecar, out);
        }
        if self.settings.resources.require_limits {
            let missing: Vec<String> = KEYS
                .iter()
                .zip(&limits)
                .filter(|(_, l)| matches!(l, Limit::Absent))
                .map(|(key, _)| format!("spec.resources.limits.{key}"))
                .collect();
            if let Some(first) = missing.first() {
                out.reject(
                    Rule::ResourceLimits,
                    first.as_str(),
                    format!(
                        "{cr} would run without cpu/memory limits, which resources.requireLimits forbids. Missing: {}",
                        missing.join(", ")
                    ),
                );
            }
        }
        if *storage == CrStorage::Memory
            && let [_, Limit::Set(memory)] = &limits
        {
            self.memory_backend(memory, out);
        }
    }

    /// The `memory` backend's tmpfs is charged to the pod: its size must fit in the memory limit.
    fn memory_backend(&self, memory: &Quantity, out: &mut Findings) {
        const SIZE: [&str; 4] = ["spec", "storage", "traces", "size"];
        let (size, subject) = match at(self.obj(), &SIZE) {
            // A malformed size is storage-size's finding.
            Some(v) => match Quantity::from_json(v) {
                Ok(q) => {
                    let subject = match self.d.added_from("/spec/storage/traces/size") {
                        Some(from) => format!("spec.storage.traces.size {q} (filled in from {from})"),
                        None => format!("spec.storage.traces.size {q}"),
                    };
                    (q, subject)
                }
                Err(_) => return,
            },
            None => match Quantity::parse(MONOLITHIC_MEMORY_DEFAULT_SIZE) {
                Ok(q) => {
                    let subject =
                        format!("the memory backend's default size {q} (spec.storage.traces.size is not set)");
                    (q, subject)
                }
                Err(_) => return,
            },
        };
        if size > *memory {
            let limit = match self.d.added_from("/spec/resources/limits/memory") {
                Some(from) => {
                    format!("the memory limit {memory} (spec.resources.limits.memory, filled in from {from})")
                }
                None => format!("the memory limit {memory} (spec.resources.limits.memory)"),
            };
            out.reject(
                Rule::ResourceLimits,
                "spec.storage.traces.size",
                format!(
                    "{subject} is larger than {limit}: the memory backend keeps traces in a tmpfs charged to the pod's memory, so the pod is OOM-killed before the storage fills up. Lower the size or raise the memory limit"
                ),
            );
        }
    }

    /// The cpu and memory limits under `path` (a `limits` map). Malformed values are findings.
    fn limits(&self, path: &[&str], out: &mut Findings) -> [Limit; 2] {
        let dotted = path.join(".");
        match object_at(self.obj(), path) {
            Field::Present(_) => {}
            Field::Absent => return [Limit::Absent, Limit::Absent],
            Field::WrongType(t) => {
                out.reject(
                    Rule::ResourceLimits,
                    dotted.as_str(),
                    format!("{dotted} must be a map of quantities, not {t}"),
                );
                return [Limit::Bad, Limit::Bad];
            }
        }
        KEYS.map(|key| {
            let mut full = path.to_vec();
            full.push(key);
            match at(self.obj(), &full) {
                None => Limit::Absent,
                Some(v) => match Quantity::from_json(v) {
                    Ok(q) if q.is_negative() => {
                        out.reject(
                            Rule::ResourceLimits,
                            format!("{dotted}.{key}"),
                            safe(format!("{dotted}.{key} {q} is negative: a limit must be positive")),
                        );
                        Limit::Bad
                    }
                    Ok(q) => Limit::Set(q),
                    Err(e) => {
                        out.reject(
                            Rule::ResourceLimits,
                            format!("{dotted}.{key}"),
                            safe(format!("{dotted}.{key}: {e}")),
                        );
                        Limit::Bad
                    }
                },
            }
        })
    }

    fn compare_with_max(&self, path: &[&str], limits: &[Limit; 2], out: &mut Findings) {
        let dotted = path.join(".");
        for ((key, limit), max) in KEYS.iter().zip(limits).zip(&self.max) {
            if let (Limit::Set(q), Some(max)) = (limit, max)
                && q > max
            {
                out.reject(
                    Rule::ResourceLimits,
                    format!("{dotted}.{key}"),
                    format!("{dotted}.{key} {q} is above resources.maxLimits.{key} {max}: lower it to at most {max}"),
                );
            }
        }
    }
}

/// Whether a component runs: always, or when its `enabled` switch is true.
fn runs(obj: &Value, c: &Component) -> bool {
    match c.enabled {
        None => true,
        Some(path) => bool_at(obj, path) == Field::Present(true),
    }
}

/// A message must never contain "; " (rejections are joined with it); user text might.
fn safe(message: String) -> String {
    if message.contains("; ") { message.replace("; ", ";") } else { message }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::mutation;
    use serde_json::json;

    fn settings(json: Value) -> Settings {
        let s: Settings = serde_json::from_value(json).unwrap();
        s.validate().unwrap();
        s
    }

    fn run(kind: CrKind, storage: CrStorage, obj: Value, s: &Settings) -> Vec<(Severity, String)> {
        let d = mutation::apply(kind, &storage, &obj, None, s);
        let mut out = Findings::new();
        check(kind, &storage, &d, s, &mut out);
        assert!(out.iter().all(|f| f.rule == Rule::ResourceLimits));
        out.iter().map(|f| (f.severity, f.message.clone())).collect()
    }

    fn stack(spec: Value, s: &Settings) -> Vec<(Severity, String)> {
        run(CrKind::TempoStack, CrStorage::Unusable, json!({"metadata": {"name": "t"}, "spec": spec}), s)
    }

    fn mono(spec: Value, s: &Settings) -> Vec<(Severity, String)> {
        let obj = json!({"metadata": {"name": "m"}, "spec": spec});
        let storage = if mutation::is_monolithic_memory(&obj) { CrStorage::Memory } else { CrStorage::Pv };
        run(CrKind::TempoMonolithic, storage, obj, s)
    }

    fn require() -> Settings {
        settings(json!({"resources": {"requireLimits": true}}))
    }

    #[test]
    fn nothing_configured_nothing_found() {
        let s = Settings::default();
        assert!(stack(json!({}), &s).is_empty());
        assert!(stack(json!({"resources": {"total": {"limits": {"cpu": "64", "memory": "1Ti"}}}}), &s).is_empty());
        assert!(mono(json!({"storage": {"traces": {"backend": "pv"}}}), &s).is_empty());
    }

    #[test]
    fn tempostack_total_limits_count() {
        let f = stack(json!({"resources": {"total": {"limits": {"cpu": "2000m", "memory": "2Gi"}}}}), &require());
        assert!(f.is_empty(), "{f:?}");
        let f = stack(json!({"resources": {"total": {"limits": {"cpu": "2000m"}}}}), &require());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Severity::Reject);
        assert!(f[0].1.contains("Missing: spec.resources.total.limits.memory."), "{}", f[0].1);
        assert!(f[0].1.starts_with("TempoStack \"t\" would run pods without"), "{}", f[0].1);
    }

    #[test]
    fn tempostack_size_profiles_count_but_demo_does_not() {
        for size in SIZE_PROFILES {
            assert!(stack(json!({"size": size}), &require()).is_empty(), "{size}");
        }
        let f = stack(json!({"size": "1x.demo"}), &require());
        assert_eq!(f.len(), 1);
        assert!(f[0].1.contains("spec.size 1x.demo sets no resources"), "{}", f[0].1);
        assert!(f[0].1.contains("spec.template.ingester.resources.limits.memory"), "{}", f[0].1);
    }

    #[test]
    fn tempostack_every_running_component() {
        let l = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        let all = json!({"template": {
            "distributor": {"component": {"resources": l}}, "ingester": {"resources": l},
            "querier": {"resources": l}, "compactor": {"resources": l},
            "queryFrontend": {"component": {"resources": l}}}});
        assert!(stack(all.clone(), &require()).is_empty());
        // Enabling the Jaeger UI adds a component that needs limits too.
        let mut with_ui = all.clone();
        with_ui["template"]["queryFrontend"]["jaegerQuery"] = json!({"enabled": true});
        let f = stack(with_ui.clone(), &require());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].1.contains("Missing: spec.resources.total.limits.cpu, spec.resources.total.limits.memory."),
            "{}",
            f[0].1
        );
        with_ui["template"]["queryFrontend"]["jaegerQuery"]["resources"] = l.clone();
        assert!(stack(with_ui, &require()).is_empty());
        // A component's own resources replace the total: requests alone leave it unlimited.
        let spec = json!({"resources": {"total": {"limits": {"cpu": "2", "memory": "2Gi"}}},
            "template": {"ingester": {"resources": {"requests": {"memory": "1Gi"}}}}});
        let f = stack(spec, &require());
        assert!(
            f[0].1.contains(
                "Missing: spec.template.ingester.resources.limits.cpu, spec.template.ingester.resources.limits.memory."
            ),
            "{}",
            f[0].1
        );
        // Disabled components are not asked for.
        let mut off = all;
        off["template"]["gateway"] = json!({"enabled": false});
        off["template"]["metricsGenerator"] = json!({"enabled": false});
        assert!(stack(off, &require()).is_empty());
    }

    #[test]
    fn default_limits_satisfy_the_requirement() {
        let s = settings(json!({"resources": {"requireLimits": true, "defaultLimits": {"cpu": "2", "memory": "4Gi"}}}));
        assert!(stack(json!({}), &s).is_empty());
        assert!(mono(json!({"storage": {"traces": {"backend": "pv"}}}), &s).is_empty());
        let half = settings(json!({"resources": {"requireLimits": true, "defaultLimits": {"cpu": "2"}}}));
        let f = mono(json!({"storage": {"traces": {"backend": "pv"}}}), &half);
        assert!(f[0].1.ends_with("Missing: spec.resources.limits.memory"), "{}", f[0].1);
    }

    #[test]
    fn maximum_is_enforced_on_effective_limits() {
        let s = settings(json!({"resources": {"maxLimits": {"cpu": "8", "memory": "32Gi"}}}));
        let f = stack(json!({"resources": {"total": {"limits": {"cpu": "8000m", "memory": "64Gi"}}}}), &s);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].1,
            "spec.resources.total.limits.memory 64Gi is above resources.maxLimits.memory 32Gi: lower it to at most 32Gi"
        );
        let f = stack(json!({"template": {"ingester": {"resources": {"limits": {"cpu": 16}}}}}), &s);
        assert!(f[0].1.starts_with("spec.template.ingester.resources.limits.cpu 16 is above"), "{f:?}");
        // spec.size overrides the total, and profiles are not compared.
        let f = stack(json!({"size": "1x.medium", "resources": {"total": {"limits": {"memory": "64Gi"}}}}), &s);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, Severity::Warn);
        let f =
            mono(json!({"resources": {"limits": {"memory": "33Gi"}}, "storage": {"traces": {"backend": "pv"}}}), &s);
        assert!(f[0].1.starts_with("spec.resources.limits.memory 33Gi is above"), "{f:?}");
        let f = mono(
            json!({"jaegerui": {"enabled": true, "resources": {"limits": {"cpu": "9"}}}, "storage": {"traces": {"backend": "pv"}}}),
            &s,
        );
        assert!(f[0].1.starts_with("spec.jaegerui.resources.limits.cpu 9 is above"), "{f:?}");
    }

    #[test]
    fn warnings_for_requests_and_size_with_total() {
        let f = stack(
            json!({"resources": {"total": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}}}),
            &Settings::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Severity::Warn);
        assert!(f[0].1.starts_with("spec.resources.total.requests is ignored by the operator"));
        let f =
            stack(json!({"size": "1x.small", "resources": {"total": {"limits": {"cpu": "2"}}}}), &Settings::default());
        assert!(f[0].1.contains("the size wins"), "{f:?}");
    }

    #[test]
    fn memory_backend_must_fit_in_the_memory_limit() {
        let s = Settings::default();
        let f = mono(
            json!({"resources": {"limits": {"memory": "1Gi"}}, "storage": {"traces": {"backend": "memory", "size": "2Gi"}}}),
            &s,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].1.starts_with("spec.storage.traces.size 2Gi is larger than the memory limit 1Gi"), "{f:?}");
        // Unset: the operator's 2Gi.
        let f = mono(json!({"resources": {"limits": {"memory": "1Gi"}}}), &s);
        assert!(f[0].1.starts_with("the memory backend's default size 2Gi"), "{f:?}");
        assert!(mono(json!({"resources": {"limits": {"memory": "2Gi"}}}), &s).is_empty());
        // A default limit counts and is named.
        let d = settings(json!({"resources": {"defaultLimits": {"memory": "1Gi"}}}));
        let f = mono(json!({"storage": {"traces": {"backend": "memory", "size": "1500Mi"}}}), &d);
        assert!(f[0].1.contains("filled in from resources.defaultLimits.memory"), "{f:?}");
        // Other backends have a real volume.
        assert!(mono(json!({"resources": {"limits": {"memory": "1Gi"}}, "storage": {"traces": {"backend": "pv", "size": "50Gi"}}}), &s).is_empty());
        // The default size is capped, so defaults never trip the rule.
        let both =
            settings(json!({"resources": {"defaultLimits": {"memory": "1Gi"}}, "storageSize": {"default": "4Gi"}}));
        assert!(mono(json!({}), &both).is_empty());
    }

    #[test]
    fn malformed_quantities_are_findings() {
        let f = stack(json!({"resources": {"total": {"limits": {"cpu": "2 cores", "memory": true}}}}), &require());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].1.starts_with("spec.resources.total.limits.cpu: \"2 cores\" is not a valid quantity"), "{f:?}");
        assert!(f[1].1.starts_with("spec.resources.total.limits.memory: a quantity must be"), "{f:?}");
        let f = mono(json!({"resources": {"limits": "4Gi"}}), &Settings::default());
        assert_eq!(f[0].1, "spec.resources.limits must be a map of quantities, not a string");
        let f = mono(json!({"resources": {"limits": {"memory": "1Gi; drop"}}}), &Settings::default());
        assert!(!f[0].1.contains("; "));
        let f = mono(json!({"resources": {"limits": {"memory": "-1Gi"}}}), &Settings::default());
        assert!(f[0].1.contains("negative"), "{f:?}");
    }
}
