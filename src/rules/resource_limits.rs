//! `resource-limits`: every Tempo instance bounded in cpu and memory, and within the platform's maximum.
//!
//! ## What it checks
//! With `resources.requireLimits`, that every container the operator renders for the CR has a cpu
//! and a memory limit, read from the operator's manifests code (internal/manifests/**).
//!
//! A TempoStack container takes, in this order: its own `resources` under `spec.template` (present,
//! even `{}`, they replace everything else); with `spec.size` set, the size profile, which gives
//! *requests only* (`ResourcesForComponent` in manifestutils/size.go: "Returns only resource
//! Requests (no Limits)"; `1x.demo` gives nothing), so a size never satisfies the requirement;
//! else its share of `spec.resources.total.limits` (`Resources` in manifestutils/resources.go),
//! when the operator's share table has an entry for it. The containers, when they run:
//! distributor, ingester, querier, compactor, query-frontend; with `queryFrontend.jaegerQuery.enabled`
//! jaeger-query and tempo-query (which takes the query-frontend's share, or, when
//! `jaegerQuery.tempoQuery.resources` is set, `jaegerQuery.resources`: `tempoQueryResources` in
//! queryfrontend/query_frontend.go reads that field); the query-frontend oauth-proxy (Jaeger UI
//! route with `jaegerQuery.authentication.enabled`, no gateway); with `gateway.enabled` the gateway
//! and, in `openshift` tenant mode, its OPA sidecar, which has no resources field at all; with
//! `metricsGenerator.enabled` the metrics-generator. Share tables: the metrics-generator is in none
//! (it gets nothing from the total), the gateway and OPA only in the table used without the
//! Jaeger UI's authentication, the oauth-proxy only in the one used with it.
//!
//! A TempoMonolithic container takes only its own field (monolithic/statefulset.go, build.go):
//! Tempo `spec.resources`; with `jaegerui.enabled` jaeger-query `spec.jaegerui.resources` and
//! tempo-query `spec.jaegerui.tempoQueryResources`, and the oauth-proxy
//! `spec.jaegerui.authentication.resources` on an authenticated route without the gateway; with
//! `multitenancy.enabled` the gateway (and in `openshift` mode its OPA sidecar)
//! `spec.multitenancy.resources`. The finding lists every missing field.
//!
//! With `resources.maxLimits`, every limit that takes effect is compared with the maximum and named
//! by its field path: `spec.resources.total.limits` (unless `spec.size` overrides it) and the
//! limits of each running component and sidecar.
//!
//! Always: a TempoMonolithic `memory` backend whose size (`spec.storage.traces.size`, or the
//! operator's default 2Gi) is larger than its memory limit is rejected; a limit that is not a
//! Kubernetes quantity is rejected, naming the field. Warnings: `spec.resources.total.requests`
//! (the operator ignores it) and `spec.size` together with `spec.resources.total` (size wins).
//!
//! The object judged is the one that will be stored: limits the policy fills in from
//! `resources.defaultLimits` count, and messages say when a value came from there. A default the
//! policy left out because it is below the object's request (see `mutation`) is a warning.
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
//! Accepted: `spec: {resources: {total: {limits: {cpu: 2000m, memory: 2Gi}}}}`. Rejected too:
//! `spec: {size: 1x.small}` (requests only), and total limits with `metricsGenerator.enabled` but
//! no `metricsGenerator.component.resources.limits`.
//! Always rejected: a TempoMonolithic with `resources.limits.memory: 1Gi` and
//! `storage.traces: {backend: memory, size: 2Gi}`.
//!
//! ## Settings
//! `resources.requireLimits`, `resources.maxLimits.{cpu,memory}`, `resources.defaultLimits.{cpu,memory}`
//! (through the defaults the policy adds).

use crate::finding::Findings;
use crate::json::{Field, at, meta_str, object_at, str_at};
use crate::mutation::Defaulted;
use crate::objects::components::{
    MONOLITHIC_MEMORY_DEFAULT_SIZE, Share, TEMPOSTACK_CONTAINERS, gateway_enabled, jaeger_auth_enabled, on,
};
use crate::objects::storage::CrStorage;
use crate::objects::{CrKind, CrRef};
use crate::quantity::Quantity;
use crate::registry::Rule;
use crate::settings::Settings;
use serde_json::Value;

/// A TempoMonolithic container with its own `resources` (the Tempo container is `spec.resources`),
/// as internal/manifests/monolithic/statefulset.go and build.go render them: each takes only its
/// own field, nothing is shared.
#[derive(Debug)]
struct Sidecar {
    resources: &'static [&'static str],
    runs: fn(&Value) -> bool,
}

fn jaegerui_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "jaegerui", "enabled"])
}

fn multitenancy_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "multitenancy", "enabled"])
}

/// The Jaeger UI's oauth-proxy: on its route, with authentication, without the gateway (build.go).
fn jaegerui_oauth_runs(obj: &Value) -> bool {
    jaegerui_enabled(obj)
        && on(obj, &["spec", "jaegerui", "route", "enabled"])
        && on(obj, &["spec", "jaegerui", "authentication", "enabled"])
        && !multitenancy_enabled(obj)
}

fn monolithic_opa_runs(obj: &Value) -> bool {
    multitenancy_enabled(obj) && str_at(obj, &["spec", "multitenancy", "mode"]) == Field::Present("openshift")
}

const MONOLITHIC_SIDECARS: [Sidecar; 5] = [
    // jaeger-query
    Sidecar { resources: &["spec", "jaegerui", "resources"], runs: jaegerui_enabled },
    // tempo-query
    Sidecar { resources: &["spec", "jaegerui", "tempoQueryResources"], runs: jaegerui_enabled },
    // oauth-proxy
    Sidecar { resources: &["spec", "jaegerui", "authentication", "resources"], runs: jaegerui_oauth_runs },
    // gateway
    Sidecar { resources: &["spec", "multitenancy", "resources"], runs: multitenancy_enabled },
    // The OPA sidecar takes the gateway's resources too (`gateway.NewOpaContainer` in statefulset.go).
    // tempo-gateway-opa
    Sidecar { resources: &["spec", "multitenancy", "resources"], runs: monolithic_opa_runs },
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
        // The share table the operator picks (`Resources` in manifestutils/resources.go).
        let table = if jaeger_auth_enabled(obj) {
            Share::Proxy
        } else if gateway_enabled(obj) {
            Share::Gateway
        } else {
            Share::Always
        };

        let mut missing: Vec<String> = Vec::new();
        let mut compared: Vec<&[&str]> = Vec::new();
        // One entry per field, with the first reason given for it.
        let mut push = |entry: String| {
            let field = |e: &str| e.split(' ').next().unwrap_or_default().to_string();
            if !missing.iter().any(|m| field(m) == field(&entry)) {
                missing.push(entry);
            }
        };
        for c in TEMPOSTACK_CONTAINERS.iter().filter(|c| (c.runs)(obj)) {
            if let (Some(own), Some(effective)) = (c.own, c.effective)
                && at(obj, own).is_some()
            {
                let mut path = effective.to_vec();
                path.push("limits");
                let limits = self.limits(&path, out);
                if !compared.contains(&effective) {
                    compared.push(effective);
                    self.compare_with_max(&path, &limits, out);
                }
                let note = if own == effective {
                    String::new()
                } else {
                    format!(" ({} takes these when {} is set)", c.name, own.join("."))
                };
                for (key, limit) in KEYS.iter().zip(&limits) {
                    if matches!(limit, Limit::Absent) {
                        push(format!("{}.{key}{note}", path.join(".")));
                    }
                }
                continue;
            }
            let field = |key: &str| match c.own {
                Some(own) => format!("{}.limits.{key}", own.join(".")),
                None => format!("spec.resources.total.limits.{key}"),
            };
            let shared = c.share == Share::Always || c.share == table;
            for (key, limit) in KEYS.iter().zip(&total) {
                let entry = match (size, shared, c.own) {
                    (Some(_), _, Some(_)) => field(key),
                    (Some(s), _, None) => {
                        format!("{} ({} has no resources field and spec.size {s} gives it none)", field(key), c.name)
                    }
                    (None, false, _) => format!("{} ({} gets no share of spec.resources.total)", field(key), c.name),
                    (None, true, _) if matches!(limit, Limit::Absent) => format!("spec.resources.total.limits.{key}"),
                    (None, true, _) => continue,
                };
                push(entry);
            }
        }
        if self.settings.resources.require_limits && !missing.is_empty() {
            let why = match size {
                Some("1x.demo") => {
                    " (spec.size 1x.demo sets no resources, and makes the operator ignore spec.resources.total)"
                        .to_owned()
                }
                Some(s) => format!(
                    " (spec.size {s} gives the components requests only, and makes the operator ignore spec.resources.total)"
                ),
                None => String::new(),
            };
            out.reject(
                Rule::ResourceLimits,
                missing.first().map(|m| m.split(' ').next().unwrap_or(m)).unwrap_or("spec.resources"),
                format!(
                    "{cr} would run containers without cpu/memory limits, which resources.requireLimits forbids{why}. Missing: {}. Set spec.resources.total.limits (cpu and memory) without spec.size, and limits in the resources of every component the total does not reach",
                    missing.join(", "),
                ),
            );
        }
    }

    fn monolithic(&self, cr: &CrRef, storage: &CrStorage, out: &mut Findings) {
        let obj = self.obj();
        const LIMITS: [&str; 3] = ["spec", "resources", "limits"];
        for h in &self.d.held_back {
            let key = h.path.rsplit('.').next().unwrap_or(h.path);
            out.warn(
                Rule::ResourceLimits,
                h.path,
                format!(
                    "spec.resources.requests.{key} {} is above {} {}: that default limit was not filled in, as the API server refuses a pod whose limit is below its request. Set {} to {} or more",
                    h.request,
                    h.from,
                    h.default,
                    h.path,
                    h.request
                ),
            );
        }
        let limits = self.limits(&LIMITS, out);
        self.compare_with_max(&LIMITS, &limits, out);
        let mut missing: Vec<String> = KEYS
            .iter()
            .zip(&limits)
            .filter(|(_, l)| matches!(l, Limit::Absent))
            .map(|(key, _)| format!("spec.resources.limits.{key}"))
            .collect();
        let mut compared: Vec<&[&str]> = Vec::new();
        for c in MONOLITHIC_SIDECARS.iter().filter(|c| (c.runs)(obj)) {
            let mut path = c.resources.to_vec();
            path.push("limits");
            let sidecar = self.limits(&path, out);
            if !compared.contains(&c.resources) {
                compared.push(c.resources);
                self.compare_with_max(&path, &sidecar, out);
            }
            for (key, limit) in KEYS.iter().zip(&sidecar) {
                let entry = format!("{}.{key}", path.join("."));
                if matches!(limit, Limit::Absent) && !missing.contains(&entry) {
                    missing.push(entry);
                }
            }
        }
        if self.settings.resources.require_limits
            && let Some(first) = missing.first()
        {
            out.reject(
                Rule::ResourceLimits,
                first.as_str(),
                format!(
                    "{cr} would run containers without cpu/memory limits, which resources.requireLimits forbids (the operator gives the Tempo container spec.resources and each sidecar only its own resources). Missing: {}",
                    missing.join(", ")
                ),
            );
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
                            format!("{dotted}.{key} {q} is negative: a limit must be positive"),
                        );
                        Limit::Bad
                    }
                    Ok(q) => Limit::Set(q),
                    Err(e) => {
                        out.reject(Rule::ResourceLimits, format!("{dotted}.{key}"), format!("{dotted}.{key}: {e}"));
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::mutation;
    use serde_json::json;

    use crate::settings::validated as settings;

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
        assert!(f[0].1.starts_with("TempoStack \"t\" would run containers without"), "{}", f[0].1);
    }

    /// Issue 10 item 11: size profiles give requests only (manifestutils/size.go).
    #[test]
    fn tempostack_size_profiles_give_no_limits() {
        for size in ["1x.pico", "1x.extra-small", "1x.small", "1x.medium", "1x.demo"] {
            let f = stack(json!({"size": size}), &require());
            assert_eq!(f.len(), 1, "{size}: {f:?}");
            let why = if size == "1x.demo" { "sets no resources" } else { "gives the components requests only" };
            assert!(f[0].1.contains(&format!("spec.size {size} {why}")), "{}", f[0].1);
            assert!(f[0].1.contains("spec.template.ingester.resources.limits.memory"), "{}", f[0].1);
        }
        // A size with limits on every component is fine.
        let l = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        let all = json!({"size": "1x.small", "template": {
            "distributor": {"component": {"resources": l}}, "ingester": {"resources": l},
            "querier": {"resources": l}, "compactor": {"resources": l},
            "queryFrontend": {"component": {"resources": l}}}});
        assert!(stack(all, &require()).is_empty());
    }

    fn all_components() -> Value {
        let l = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        json!({"template": {
            "distributor": {"component": {"resources": l}}, "ingester": {"resources": l},
            "querier": {"resources": l}, "compactor": {"resources": l},
            "queryFrontend": {"component": {"resources": l}}}})
    }

    fn total() -> Value {
        json!({"total": {"limits": {"cpu": "4", "memory": "8Gi"}}})
    }

    #[test]
    fn tempostack_every_running_component() {
        let l = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        let all = all_components();
        assert!(stack(all.clone(), &require()).is_empty());
        // Enabling the Jaeger UI adds jaeger-query and tempo-query, which need limits too.
        let mut with_ui = all.clone();
        with_ui["template"]["queryFrontend"]["jaegerQuery"] = json!({"enabled": true});
        let f = stack(with_ui.clone(), &require());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].1.contains("Missing: spec.resources.total.limits.cpu, spec.resources.total.limits.memory."),
            "{}",
            f[0].1
        );
        // jaeger-query's own limits leave tempo-query on the (absent) total.
        with_ui["template"]["queryFrontend"]["jaegerQuery"]["resources"] = l.clone();
        let f = stack(with_ui.clone(), &require());
        assert!(f[0].1.contains("Missing: spec.resources.total.limits.cpu"), "{f:?}");
        // tempoQuery.resources set: the operator gives tempo-query jaegerQuery.resources.
        with_ui["template"]["queryFrontend"]["jaegerQuery"]["tempoQuery"] = json!({"resources": {}});
        assert!(stack(with_ui.clone(), &require()).is_empty());
        with_ui["template"]["queryFrontend"]["jaegerQuery"]["resources"] = json!({"requests": {"cpu": "1"}});
        let f = stack(with_ui, &require());
        assert!(
            f[0].1.contains("Missing: spec.template.queryFrontend.jaegerQuery.resources.limits.cpu, spec.template.queryFrontend.jaegerQuery.resources.limits.memory."),
            "{}",
            f[0].1
        );
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

    /// Issue 10 item 11: the metrics-generator is in none of the operator's share tables.
    #[test]
    fn metrics_generator_gets_no_share_of_the_total() {
        let spec = json!({"resources": total(), "template": {"metricsGenerator": {"enabled": true}}});
        let f = stack(spec.clone(), &require());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].1.contains("Missing: spec.template.metricsGenerator.component.resources.limits.cpu (metrics-generator gets no share of spec.resources.total)"),
            "{}",
            f[0].1
        );
        let mut own = spec;
        own["template"]["metricsGenerator"]["component"] =
            json!({"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}});
        assert!(stack(own, &require()).is_empty());
        // Total alone covers every other component.
        assert!(stack(json!({"resources": total()}), &require()).is_empty());
    }

    /// The share table follows the gateway and the Jaeger UI's authentication.
    #[test]
    fn gateway_and_proxy_shares() {
        let gateway = json!({"resources": total(), "template": {"gateway": {"enabled": true}}});
        assert!(stack(gateway.clone(), &require()).is_empty());
        // OpenShift tenant mode adds the OPA sidecar, which only the total reaches.
        let mut openshift = gateway.clone();
        openshift["tenants"] = json!({"mode": "openshift"});
        assert!(stack(openshift.clone(), &require()).is_empty());
        let mut own_gateway = openshift.clone();
        own_gateway.as_object_mut().unwrap().remove("resources");
        own_gateway["template"] = all_components()["template"].clone();
        own_gateway["template"]["gateway"] =
            json!({"enabled": true, "component": {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}});
        let f = stack(own_gateway, &require());
        assert!(
            f[0].1.contains("Missing: spec.resources.total.limits.cpu, spec.resources.total.limits.memory."),
            "{f:?}"
        );
        // With the Jaeger UI's authentication on, the operator's table has no gateway entry.
        let mut auth = gateway;
        auth["template"]["queryFrontend"] = json!({"jaegerQuery": {"authentication": {"enabled": true}}});
        let f = stack(auth, &require());
        assert!(
            f[0].1.contains("spec.template.gateway.component.resources.limits.cpu (gateway gets no share"),
            "{f:?}"
        );
        // The oauth-proxy on the Jaeger UI's own route takes a share when authentication is on.
        let route = json!({"resources": total(), "template": {"queryFrontend": {"jaegerQuery": {
            "enabled": true, "ingress": {"type": "route"}, "authentication": {"enabled": true}}}}});
        assert!(stack(route, &require()).is_empty());
    }

    /// Issue 10 item 11: each TempoMonolithic sidecar takes only its own resources.
    #[test]
    fn monolithic_sidecars_need_their_own_limits() {
        let limited = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        let base = json!({"resources": limited, "storage": {"traces": {"backend": "pv"}}});
        assert!(mono(base.clone(), &require()).is_empty());
        let mut ui = base.clone();
        ui["jaegerui"] = json!({"enabled": true, "resources": limited});
        let f = mono(ui.clone(), &require());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].1.ends_with(
                "Missing: spec.jaegerui.tempoQueryResources.limits.cpu, spec.jaegerui.tempoQueryResources.limits.memory"
            ),
            "{}",
            f[0].1
        );
        ui["jaegerui"]["tempoQueryResources"] = limited.clone();
        assert!(mono(ui.clone(), &require()).is_empty());
        ui["jaegerui"]["route"] = json!({"enabled": true});
        ui["jaegerui"]["authentication"] = json!({"enabled": true});
        let f = mono(ui.clone(), &require());
        assert!(f[0].1.contains("spec.jaegerui.authentication.resources.limits.cpu"), "{f:?}");
        let mut gw = base.clone();
        gw["multitenancy"] = json!({"enabled": true, "mode": "openshift"});
        let f = mono(gw.clone(), &require());
        assert!(
            f[0].1.ends_with(
                "Missing: spec.multitenancy.resources.limits.cpu, spec.multitenancy.resources.limits.memory"
            ),
            "{f:?}"
        );
        gw["multitenancy"]["resources"] = limited;
        assert!(mono(gw, &require()).is_empty());
        // Disabled sidecars are not asked for.
        let mut off = base;
        off["jaegerui"] = json!({"enabled": false});
        off["multitenancy"] = json!({"enabled": false});
        assert!(mono(off, &require()).is_empty());
    }

    /// Issue 10 item 13: a default limit below the request is left out, with a warning.
    #[test]
    fn default_limits_never_below_requests() {
        let s = settings(json!({"resources": {"defaultLimits": {"cpu": "2", "memory": "4Gi"}}}));
        let spec = json!({"resources": {"requests": {"cpu": "500m", "memory": "8Gi"}}, "storage": {"traces": {"backend": "pv"}}});
        let obj = json!({"metadata": {"name": "m"}, "spec": spec});
        let d = mutation::apply(CrKind::TempoMonolithic, &CrStorage::Pv, &obj, None, &s);
        assert_eq!(d.object["spec"]["resources"]["limits"], json!({"cpu": "2"}));
        let f = mono(spec.clone(), &s);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, Severity::Warn);
        assert_eq!(
            f[0].1,
            "spec.resources.requests.memory 8Gi is above resources.defaultLimits.memory 4Gi: that default limit was not filled in, as the API server refuses a pod whose limit is below its request. Set spec.resources.limits.memory to 8Gi or more"
        );
        // Equal is fine.
        let eq = json!({"resources": {"requests": {"memory": "4Gi"}}, "storage": {"traces": {"backend": "pv"}}});
        assert!(mono(eq, &s).is_empty());
        // With requireLimits the left-out limit is missing.
        let req =
            settings(json!({"resources": {"requireLimits": true, "defaultLimits": {"cpu": "2", "memory": "4Gi"}}}));
        let f = mono(spec, &req);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[1].1.ends_with("Missing: spec.resources.limits.memory"), "{f:?}");
        // TempoStack total limits: the operator derives requests (30% of each share) and ignores
        // spec.resources.total.requests, so a default is filled in whatever those say.
        let ts = json!({"metadata": {"name": "t"}, "spec": {"resources": {"total": {"requests": {"memory": "64Gi"}}}}});
        let d = mutation::apply(CrKind::TempoStack, &CrStorage::Unusable, &ts, None, &s);
        assert_eq!(d.object["spec"]["resources"]["total"]["limits"], json!({"cpu": "2", "memory": "4Gi"}));
        assert!(d.held_back.is_empty());
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
