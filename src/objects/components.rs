//! The Tempo Operator's components as the policy models them: the containers it renders for a TempoStack, where each takes its resources from, and the storage sizes it uses when a CR sets none. Read by the mutation (defaults) and by the `resource-limits` and `storage-size` rules.

use crate::json::{Field, bool_at, str_at};
use serde_json::Value;

/// The operator's storage sizes when the CR sets none.
pub const TEMPOSTACK_DEFAULT_SIZE: &str = "10Gi";
pub const MONOLITHIC_MEMORY_DEFAULT_SIZE: &str = "2Gi";
pub const MONOLITHIC_VOLUME_DEFAULT_SIZE: &str = "10Gi";

/// A TempoStack container, and where the operator takes its resources from
/// (internal/manifests/<component>/*.go, `resources(tempo)` and friends).
#[derive(Debug)]
pub struct StackContainer {
    /// The operator's name for it (its share-table key where it has one), for messages.
    pub name: &'static str,
    /// The CR's `resources` for it: when present (even `{}`), it replaces everything else.
    /// `None`: the container has no such field (the gateway's OPA sidecar).
    pub own: Option<&'static [&'static str]>,
    /// Where its limits are read from when `own` is present: `own`, except for tempo-query, which
    /// the operator gives `jaegerQuery.resources` (`tempoQueryResources` in
    /// internal/manifests/queryfrontend/query_frontend.go dereferences the wrong field).
    pub effective: Option<&'static [&'static str]>,
    /// Whether it has an entry in the operator's share table of `spec.resources.total`.
    pub share: Share,
    /// When the operator renders it.
    pub runs: fn(&Value) -> bool,
}

/// Which of the operator's share tables (`resourcesMap*` in manifestutils/resources.go) list a
/// container: `Always` (all three), `Gateway` (only the table used when the gateway is on and the
/// Jaeger UI's OAuth proxy is off), `Proxy` (only the table used when that proxy is on), `Never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    Always,
    Gateway,
    Proxy,
    Never,
}

const JAEGER_QUERY_RESOURCES: &[&str] = &["spec", "template", "queryFrontend", "jaegerQuery", "resources"];

pub fn on(obj: &Value, path: &[&str]) -> bool {
    bool_at(obj, path) == Field::Present(true)
}

fn always(_: &Value) -> bool {
    true
}

fn jaeger_query_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "template", "queryFrontend", "jaegerQuery", "enabled"])
}

pub fn gateway_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "template", "gateway", "enabled"])
}

pub fn jaeger_auth_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "template", "queryFrontend", "jaegerQuery", "authentication", "enabled"])
}

/// The query-frontend's oauth-proxy: only on the Jaeger UI's own route, without the gateway
/// (`BuildQueryFrontend` in query_frontend.go).
fn oauth_proxy_runs(obj: &Value) -> bool {
    !gateway_enabled(obj)
        && str_at(obj, &["spec", "template", "queryFrontend", "jaegerQuery", "ingress", "type"])
            == Field::Present("route")
        && jaeger_auth_enabled(obj)
}

/// The gateway's OPA sidecar: OpenShift tenant mode only (`patchOCPOPAContainer` in gateway/openshift.go).
fn opa_runs(obj: &Value) -> bool {
    gateway_enabled(obj) && str_at(obj, &["spec", "tenants", "mode"]) == Field::Present("openshift")
}

fn metrics_generator_enabled(obj: &Value) -> bool {
    on(obj, &["spec", "template", "metricsGenerator", "enabled"])
}

/// Every container the operator renders for a TempoStack (init containers copy their main
/// container's resources, `initContainerAZAnnotationCheck` in manifestutils/node_placement.go).
pub const TEMPOSTACK_CONTAINERS: [StackContainer; 11] = [
    StackContainer {
        name: "distributor",
        own: Some(&["spec", "template", "distributor", "component", "resources"]),
        effective: Some(&["spec", "template", "distributor", "component", "resources"]),
        share: Share::Always,
        runs: always,
    },
    StackContainer {
        name: "ingester",
        own: Some(&["spec", "template", "ingester", "resources"]),
        effective: Some(&["spec", "template", "ingester", "resources"]),
        share: Share::Always,
        runs: always,
    },
    StackContainer {
        name: "querier",
        own: Some(&["spec", "template", "querier", "resources"]),
        effective: Some(&["spec", "template", "querier", "resources"]),
        share: Share::Always,
        runs: always,
    },
    StackContainer {
        name: "compactor",
        own: Some(&["spec", "template", "compactor", "resources"]),
        effective: Some(&["spec", "template", "compactor", "resources"]),
        share: Share::Always,
        runs: always,
    },
    StackContainer {
        name: "query-frontend",
        own: Some(&["spec", "template", "queryFrontend", "component", "resources"]),
        effective: Some(&["spec", "template", "queryFrontend", "component", "resources"]),
        share: Share::Always,
        runs: always,
    },
    StackContainer {
        name: "jaeger-query",
        own: Some(JAEGER_QUERY_RESOURCES),
        effective: Some(JAEGER_QUERY_RESOURCES),
        share: Share::Always,
        runs: jaeger_query_enabled,
    },
    StackContainer {
        name: "tempo-query",
        own: Some(&["spec", "template", "queryFrontend", "jaegerQuery", "tempoQuery", "resources"]),
        effective: Some(JAEGER_QUERY_RESOURCES),
        // Without its own resources it takes the query-frontend's share.
        share: Share::Always,
        runs: jaeger_query_enabled,
    },
    StackContainer {
        name: "query-frontend oauth-proxy",
        own: Some(&["spec", "template", "queryFrontend", "jaegerQuery", "authentication", "resources"]),
        effective: Some(&["spec", "template", "queryFrontend", "jaegerQuery", "authentication", "resources"]),
        share: Share::Proxy,
        runs: oauth_proxy_runs,
    },
    StackContainer {
        name: "gateway",
        own: Some(&["spec", "template", "gateway", "component", "resources"]),
        effective: Some(&["spec", "template", "gateway", "component", "resources"]),
        share: Share::Gateway,
        runs: gateway_enabled,
    },
    StackContainer { name: "tempo-gateway-opa", own: None, effective: None, share: Share::Gateway, runs: opa_runs },
    StackContainer {
        name: "metrics-generator",
        own: Some(&["spec", "template", "metricsGenerator", "component", "resources"]),
        effective: Some(&["spec", "template", "metricsGenerator", "component", "resources"]),
        share: Share::Never,
        runs: metrics_generator_enabled,
    },
];
