//! The manifest set as a cluster: objects as the API server would store them, and
//! [`ManifestLookups`], which answers the policy's look-ups (`get_resource`,
//! `list_resources_by_namespace`, `list_resources_all`) from it, pruned by `field_masks` as the
//! host does. An object that is not in the set is "not found", with policy-server's text. The CLI
//! serves these answers to the compiled policy through its waPC host, the playground to the
//! engine's `Cluster`: one resolution for both.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::inputs::{Document, InputProblem, Source};

/// Kinds without a namespace (the ones a manifest set is likely to hold).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "APIService",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ClusterAdmissionPolicy",
    "ClusterAdmissionPolicyGroup",
    "PolicyServer",
    "ClusterIssuer",
];

/// Whether objects of `kind` live outside namespaces.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// The API group of an `apiVersion` (`""` for the core group).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// The version of an `apiVersion`.
pub fn version_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or(api_version, |(_, version)| version)
}

/// The resource (plural, lower case) of a kind, as the API server names it.
pub fn plural_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s') || lower.ends_with("sh") || lower.ends_with("ch") || lower.ends_with('x') {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// Identity of an object: group, kind, namespace (`None` when cluster-scoped) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A document as the API server would hold it, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub source: Source,
    pub key: ObjectKey,
    pub api_version: String,
    /// The object: namespace filled in, a Secret's `stringData` merged into `data`.
    pub object: Value,
}

/// Turn a document into the object the API server would store: `metadata.namespace` set for
/// namespaced kinds (from the document, else `default_namespace`), and for a Secret the
/// `stringData` strings merged into `data` as base64 (the API server does this before
/// admission, so the policy and the look-ups see `data` only). A `stringData` holding
/// anything but strings is left as written (the API server would refuse it; the policy then
/// judges it as given).
pub fn normalize(document: &Document, default_namespace: &str) -> Manifest {
    let mut object = document.value.clone();
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_owned();
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let namespace = if is_cluster_scoped(&kind) {
        None
    } else {
        let given = object.pointer("/metadata/namespace").and_then(Value::as_str).filter(|ns| !ns.is_empty());
        let ns = given.unwrap_or(default_namespace).to_owned();
        if given.is_none()
            && let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut)
        {
            metadata.insert("namespace".to_owned(), Value::String(ns.clone()));
        }
        Some(ns)
    };
    if kind == "Secret" && group_of(&api_version).is_empty() {
        merge_string_data(&mut object);
    }
    Manifest {
        source: document.source.clone(),
        key: ObjectKey { group: group_of(&api_version).to_owned(), kind, namespace, name },
        api_version,
        object,
    }
}

fn merge_string_data(object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    let Some(Value::Object(string_data)) = map.get("stringData") else {
        if map.get("stringData").is_some_and(Value::is_null) {
            map.remove("stringData");
        }
        return;
    };
    if !string_data.values().all(Value::is_string) {
        return;
    }
    let encoded: Vec<(String, Value)> = string_data
        .iter()
        .map(|(k, v)| {
            let text = v.as_str().unwrap_or_default();
            (k.clone(), Value::String(base64::engine::general_purpose::STANDARD.encode(text)))
        })
        .collect();
    map.remove("stringData");
    let data = map.entry("data").or_insert_with(|| Value::Object(Map::new()));
    if data.is_null() {
        *data = Value::Object(Map::new());
    }
    if let Some(data) = data.as_object_mut() {
        for (k, v) in encoded {
            data.insert(k, v);
        }
    }
}

/// The objects of a manifest set, by identity.
#[derive(Debug, Default, Clone)]
pub struct ManifestSet {
    objects: BTreeMap<ObjectKey, Manifest>,
}

impl ManifestSet {
    /// Normalise and index documents. An object defined twice is a problem (which one would
    /// the cluster hold?); the first definition is kept.
    pub fn build(documents: &[Document], default_namespace: &str) -> (Self, Vec<Manifest>, Vec<InputProblem>) {
        let mut set = Self::default();
        let mut all = Vec::with_capacity(documents.len());
        let mut problems = Vec::new();
        for document in documents {
            let manifest = normalize(document, default_namespace);
            if !manifest.key.name.is_empty() {
                match set.objects.get(&manifest.key) {
                    Some(first) => problems.push(InputProblem {
                        file: manifest.source.file.clone(),
                        line: Some(manifest.source.line),
                        message: format!("{} is defined twice (first at {})", manifest.key, first.source),
                    }),
                    None => {
                        set.objects.insert(manifest.key.clone(), manifest.clone());
                    }
                }
            }
            all.push(manifest);
        }
        (set, all, problems)
    }

    /// The object with this identity.
    pub fn get(&self, key: &ObjectKey) -> Option<&Manifest> {
        self.objects.get(key)
    }

    /// Number of named objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// No named object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    fn of_kind<'a>(&'a self, api_version: &'a str, kind: &'a str) -> impl Iterator<Item = &'a Manifest> + 'a {
        let group = group_of(api_version);
        self.objects.values().filter(move |m| m.key.group == group && m.key.kind == kind)
    }
}

/// One look-up the policy made and how it was answered (for reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// e.g. `get v1/Secret observability/minio`.
    pub request: String,
    /// `found at FILE:LINE`, `not found`, `N items`, or the error.
    pub answer: String,
    /// The object asked for by `get` is not in the manifests.
    pub missing: bool,
}

/// Answers the look-ups of one evaluation from a shared [`ManifestSet`], and records them.
pub struct ManifestLookups {
    set: Arc<ManifestSet>,
    log: Mutex<Vec<Lookup>>,
}

impl ManifestLookups {
    pub fn new(set: Arc<ManifestSet>) -> Self {
        Self { set, log: Mutex::new(Vec::new()) }
    }

    /// The look-ups made so far.
    pub fn lookups(&self) -> Vec<Lookup> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record(&self, request: String, answer: String, missing: bool) {
        if let Ok(mut log) = self.log.lock() {
            log.push(Lookup { request, answer, missing });
        }
    }

    /// `list_resources_by_namespace` (`namespace` given) or `list_resources_all`: a `<Kind>List`.
    pub fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        label_selector: Option<&str>,
        field_selector: Option<&str>,
        field_masks: Option<&BTreeSet<String>>,
    ) -> Result<Value, String> {
        let labels = LabelSelector::parse(label_selector.unwrap_or(""))?;
        let fields = FieldSelector::parse(field_selector.unwrap_or(""))?;
        let items: Vec<Value> = self
            .set
            .of_kind(api_version, kind)
            .filter(|m| namespace.is_none() || m.key.namespace.as_deref() == namespace)
            .filter(|m| labels.matches(&m.object) && fields.matches(&m.object))
            .map(|m| prune(&m.object, field_masks))
            .collect();
        let what = match namespace {
            Some(ns) => format!("list {api_version}/{kind} in {ns}"),
            None => format!("list {api_version}/{kind} in all namespaces"),
        };
        self.record(what, format!("{} items", items.len()), false);
        Ok(json!({
            "apiVersion": api_version,
            "kind": format!("{kind}List"),
            "metadata": {"resourceVersion": ""},
            "items": items,
        }))
    }

    /// `get_resource`: the object, or policy-server's error text when the manifests lack it.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        field_masks: Option<&BTreeSet<String>>,
    ) -> Result<Value, String> {
        let key = ObjectKey {
            group: group_of(api_version).to_owned(),
            kind: kind.to_owned(),
            namespace: if is_cluster_scoped(kind) { None } else { namespace.map(str::to_owned) },
            name: name.to_owned(),
        };
        let what = match &key.namespace {
            Some(ns) => format!("get {api_version}/{kind} {ns}/{name}"),
            None => format!("get {api_version}/{kind} {name}"),
        };
        match self.set.get(&key) {
            Some(found) => {
                self.record(what, format!("found at {}", found.source), false);
                Ok(prune(&found.object, field_masks))
            }
            None => {
                self.record(what, "not in the manifests (answered \"not found\")".to_owned(), true);
                // policy-evaluator's text for a missing object (`get_opt` in
                // callback_handler/kubernetes/client.rs), namespace in Debug form.
                Err(format!(
                    "Cannot find {api_version}/{kind} named '{name}' inside of namespace '{:?}'",
                    key.namespace.as_deref()
                ))
            }
        }
    }

    /// A question manifests cannot answer (`can_i`): recorded, and refused with `message`.
    pub fn refuse(&self, what: &str, message: &str) -> String {
        self.record(what.to_owned(), message.to_owned(), false);
        message.to_owned()
    }
}

/// Keep only the dot paths of `masks` (through arrays); no masks: the whole object.
pub fn prune(object: &Value, masks: Option<&BTreeSet<String>>) -> Value {
    let Some(masks) = masks.filter(|m| !m.is_empty()) else { return object.clone() };
    let paths: Vec<Vec<&str>> = masks.iter().map(|m| m.split('.').collect()).collect();
    let refs: Vec<&[&str]> = paths.iter().map(Vec::as_slice).collect();
    prune_paths(object, &refs).unwrap_or_else(|| Value::Object(Map::new()))
}

fn prune_paths(value: &Value, paths: &[&[&str]]) -> Option<Value> {
    if paths.iter().any(|p| p.is_empty()) {
        return Some(value.clone());
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            let mut heads: Vec<&str> = paths.iter().filter_map(|p| p.first().copied()).collect();
            heads.sort_unstable();
            heads.dedup();
            for head in heads {
                let Some(child) = map.get(head) else { continue };
                let rest: Vec<&[&str]> =
                    paths.iter().filter(|p| p.first() == Some(&head)).map(|p| p.get(1..).unwrap_or(&[])).collect();
                if let Some(pruned) = prune_paths(child, &rest) {
                    out.insert(head.to_owned(), pruned);
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(|i| prune_paths(i, paths)).collect())),
        // A path that goes on below a scalar names nothing.
        _ => None,
    }
}

/// A label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
#[derive(Debug, Default)]
struct LabelSelector(Vec<Requirement>);

#[derive(Debug)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

fn set_values(text: &str) -> Option<Vec<String>> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect())
}

impl LabelSelector {
    fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("unable to parse label selector {text:?}");
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let req = if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().to_owned(), set_values(v).ok_or_else(bad)?)
            } else if let Some((k, v)) = part.split_once(" in ") {
                Requirement::In(k.trim().to_owned(), set_values(v).ok_or_else(bad)?)
            } else if let Some(k) = part.strip_prefix('!') {
                Requirement::NotExists(k.trim().to_owned())
            } else if part.contains([' ', '(', ')']) {
                return Err(bad());
            } else {
                Requirement::Exists(part.to_owned())
            };
            reqs.push(req);
        }
        Ok(Self(reqs))
    }

    fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels").and_then(Value::as_object);
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v),
            Requirement::NotEquals(k, v) => get(k) != Some(v),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
            Requirement::In(k, vs) => get(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => !get(k).is_some_and(|l| vs.iter().any(|v| v == l)),
        })
    }
}

/// A field selector on `metadata.name` / `metadata.namespace` (`=`, `==`, `!=`).
#[derive(Debug, Default)]
struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    fn parse(text: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let (field, equal, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k, true, v)
            } else {
                return Err(format!("invalid field selector {text:?}"));
            };
            let field = field.trim();
            if field != "metadata.name" && field != "metadata.namespace" {
                return Err(format!(
                    "field selector {field:?} is not supported on manifests (only metadata.name and metadata.namespace)"
                ));
            }
            reqs.push((field.to_owned(), equal, value.trim().to_owned()));
        }
        Ok(Self(reqs))
    }

    fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let pointer = if field == "metadata.name" { "/metadata/name" } else { "/metadata/namespace" };
            let actual = object.pointer(pointer).and_then(Value::as_str).unwrap_or("");
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn doc(value: Value, line: usize) -> Document {
        Document { source: Source { file: "m.yaml".into(), line }, value }
    }

    fn set() -> Arc<ManifestSet> {
        let docs = vec![
            doc(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "minio", "namespace": "obs", "labels": {"app": "tempo"}},
                       "data": {"bucket": "b2xk", "endpoint": "b2xk"}, "stringData": {"bucket": "tempo"}}),
                1,
            ),
            doc(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "obs", "namespace": "ignored"}}),
                9,
            ),
            doc(
                json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack", "metadata": {"name": "b"},
                       "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}, "storageSize": "1Gi",
                                "template": {"gateway": {"enabled": true}}}}),
                20,
            ),
            doc(
                json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack", "metadata": {"name": "a", "namespace": "obs"},
                       "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}}}),
                30,
            ),
        ];
        let (set, all, problems) = ManifestSet::build(&docs, "obs");
        assert!(problems.is_empty());
        assert_eq!(all.len(), 4);
        Arc::new(set)
    }

    #[test]
    fn secret_as_the_api_server_stores_it() {
        let lookups = ManifestLookups::new(set());
        let secret = lookups.get("v1", "Secret", Some("obs"), "minio", None).unwrap();
        // stringData wins over data and is gone.
        assert_eq!(secret["data"], json!({"bucket": "dGVtcG8=", "endpoint": "b2xk"}));
        assert!(secret.get("stringData").is_none());
        assert_eq!(lookups.lookups()[0].answer, "found at m.yaml:1");
    }

    #[test]
    fn not_found_is_policy_servers_text() {
        let lookups = ManifestLookups::new(set());
        let err = lookups.get("v1", "Secret", Some("obs"), "nope", None).unwrap_err();
        assert_eq!(err, "Cannot find v1/Secret named 'nope' inside of namespace 'Some(\"obs\")'");
        let err = lookups.get("v1", "Namespace", None, "prod", None).unwrap_err();
        assert_eq!(err, "Cannot find v1/Namespace named 'prod' inside of namespace 'None'");
        assert!(lookups.lookups().iter().all(|l| l.missing));
        // Cluster-scoped: found whatever namespace the request names.
        assert!(lookups.get("v1", "Namespace", Some("obs"), "obs", None).is_ok());
    }

    #[test]
    fn list_with_masks_in_name_order() {
        let lookups = ManifestLookups::new(set());
        let masks: BTreeSet<String> =
            ["metadata.name", "metadata.namespace", "metadata.deletionTimestamp", "spec.storage"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        let list =
            lookups.list("tempo.grafana.com/v1alpha1", "TempoStack", Some("obs"), None, None, Some(&masks)).unwrap();
        assert_eq!(list["kind"], "TempoStackList");
        assert_eq!(
            list["items"],
            json!([
                {"metadata": {"name": "a", "namespace": "obs"}, "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}}},
                {"metadata": {"name": "b", "namespace": "obs"}, "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}}},
            ])
        );
        let list = lookups.list("tempo.grafana.com/v1alpha1", "TempoStack", Some("other"), None, None, None).unwrap();
        assert_eq!(list["items"], json!([]));
    }

    #[test]
    fn pruning_through_arrays() {
        let v = json!({"a": [{"b": 1, "c": 2}, {"b": 3}], "d": {"e": 1, "f": 2}, "g": 5});
        let masks: BTreeSet<String> = ["a.b", "d.e", "g.h", "x"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(prune(&v, Some(&masks)), json!({"a": [{"b": 1}, {"b": 3}], "d": {"e": 1}}));
        assert_eq!(prune(&v, None), v);
    }

    #[test]
    fn selectors() {
        let obj = json!({"metadata": {"name": "n", "namespace": "ns", "labels": {"app": "tempo", "tier": "x"}}});
        for (sel, expected) in [
            ("", true),
            ("app=tempo", true),
            ("app==tempo,tier!=y", true),
            ("app in (loki, tempo)", true),
            ("app notin (tempo)", false),
            ("!app", false),
            ("tier", true),
            ("missing", false),
        ] {
            assert_eq!(LabelSelector::parse(sel).unwrap().matches(&obj), expected, "{sel}");
        }
        assert!(LabelSelector::parse("app in tempo").is_err());
        assert!(FieldSelector::parse("metadata.name=n").unwrap().matches(&obj));
        assert!(!FieldSelector::parse("metadata.namespace!=ns").unwrap().matches(&obj));
        assert!(FieldSelector::parse("spec.x=1").is_err());
    }

    #[test]
    fn plurals_and_groups() {
        assert_eq!(plural_of("Secret"), "secrets");
        assert_eq!(plural_of("TempoStack"), "tempostacks");
        assert_eq!(plural_of("Ingress"), "ingresses");
        assert_eq!(plural_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural_of("Gateway"), "gateways");
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("tempo.grafana.com/v1alpha1"), "tempo.grafana.com");
        assert_eq!(version_of("tempo.grafana.com/v1alpha1"), "v1alpha1");
    }

    #[test]
    fn duplicates() {
        let d = doc(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}), 1);
        let mut d2 = d.clone();
        d2.source.line = 7;
        let (set, all, problems) = ManifestSet::build(&[d, d2], "default");
        assert_eq!((set.len(), all.len()), (1, 2));
        assert_eq!(problems[0].to_string(), "m.yaml:7: ConfigMap default/c is defined twice (first at m.yaml:1)");
    }
}
