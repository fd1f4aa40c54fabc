//! From manifests to admission requests: which objects the policy is registered for (the
//! `rules` of its metadata, as policy-server's webhook would match them), and the complete
//! AdmissionRequest the API server would send for each.

use serde_json::{Value, json};

use super::manifests::{Manifest, ManifestSet, plural_of, version_of};

/// One of the policy's `rules` (metadata.yml): which requests its webhook receives.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(default)]
    pub api_groups: Vec<String>,
    #[serde(default)]
    pub api_versions: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub operations: Vec<String>,
}

/// The user the requests are sent as.
pub const CHECK_USER: &str = "tempo-policy-check";

/// An admission operation `check` can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }

    fn options_kind(self) -> &'static str {
        match self {
            Self::Create => "CreateOptions",
            Self::Update => "UpdateOptions",
            Self::Delete => "DeleteOptions",
        }
    }
}

/// One request to evaluate.
#[derive(Debug, Clone)]
pub struct Target {
    pub operation: Operation,
    /// The object the request is about: the one sent as `object`, or for DELETE the one
    /// deleted (sent as `oldObject`).
    pub manifest: Manifest,
    /// For UPDATE, the object before (`oldObject`).
    pub old: Option<Manifest>,
}

impl Target {
    /// `object` of the request (`None` for DELETE).
    pub fn object(&self) -> Option<&Value> {
        (self.operation != Operation::Delete).then_some(&self.manifest.object)
    }

    /// `oldObject` of the request.
    pub fn old_object(&self) -> Option<&Value> {
        match self.operation {
            Operation::Delete => Some(&self.manifest.object),
            _ => self.old.as_ref().map(|m| &m.object),
        }
    }
}

fn matches(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// Whether the policy's `rules` register it for this operation on objects of this manifest's
/// kind (subresource rules such as `pods/exec` never match a manifest).
pub fn registered(rules: &[Rule], manifest: &Manifest, operation: Operation) -> bool {
    let version = version_of(&manifest.api_version);
    let resource = plural_of(&manifest.key.kind);
    rules.iter().any(|r| {
        matches(&r.api_groups, &manifest.key.group)
            && matches(&r.api_versions, version)
            && matches(&r.resources, &resource)
            && matches(&r.operations, operation.as_str())
    })
}

/// The requests for a manifest set: CREATE for each registered object, or with `old` (the
/// set the change starts from) UPDATE for objects in both, CREATE for new ones and DELETE for
/// objects that are gone; in input order, deletions last.
pub fn plan(rules: &[Rule], current: &[Manifest], old: Option<(&ManifestSet, &[Manifest])>) -> Vec<Target> {
    let mut targets = Vec::new();
    for manifest in current {
        let before = match old {
            Some((old_set, _)) if !manifest.key.name.is_empty() => old_set.get(&manifest.key),
            _ => None,
        };
        let operation = if before.is_some() { Operation::Update } else { Operation::Create };
        if registered(rules, manifest, operation) {
            targets.push(Target { operation, manifest: manifest.clone(), old: before.cloned() });
        }
    }
    if let Some((_, old_all)) = old {
        let current_keys: std::collections::BTreeSet<_> = current.iter().map(|m| &m.key).collect();
        let mut seen = std::collections::BTreeSet::new();
        for manifest in old_all {
            if manifest.key.name.is_empty() || current_keys.contains(&manifest.key) || !seen.insert(&manifest.key) {
                continue;
            }
            if registered(rules, manifest, Operation::Delete) {
                targets.push(Target { operation: Operation::Delete, manifest: manifest.clone(), old: None });
            }
        }
    }
    targets
}

/// A deterministic, UUID-shaped uid for the n-th request.
pub fn uid(index: usize) -> String {
    format!("00000000-0000-4000-8000-{index:012x}")
}

/// The AdmissionRequest the API server would send (admission.k8s.io/v1), as JSON.
pub fn admission_request(target: &Target, index: usize) -> Value {
    let manifest = &target.manifest;
    let key = &manifest.key;
    let version = version_of(&manifest.api_version);
    let kind = json!({"group": key.group, "version": version, "kind": key.kind});
    let resource = json!({"group": key.group, "version": version, "resource": plural_of(&key.kind)});
    let mut request = json!({
        "uid": uid(index),
        "kind": kind,
        "resource": resource,
        "requestKind": kind,
        "requestResource": resource,
        "name": key.name,
        "operation": target.operation.as_str(),
        "userInfo": {"username": CHECK_USER, "groups": ["system:authenticated"]},
        "object": target.object().cloned().unwrap_or(Value::Null),
        "oldObject": target.old_object().cloned().unwrap_or(Value::Null),
        "dryRun": false,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": target.operation.options_kind()},
    });
    if let (Some(ns), Some(map)) = (&key.namespace, request.as_object_mut()) {
        map.insert("namespace".to_owned(), Value::String(ns.clone()));
    }
    request
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::inputs::{Document, Source};

    fn rules() -> Vec<Rule> {
        serde_json::from_value(json!([
            {"apiGroups": ["tempo.grafana.com"], "apiVersions": ["v1alpha1"],
             "resources": ["tempostacks", "tempomonolithics"], "operations": ["CREATE", "UPDATE"]},
            {"apiGroups": [""], "apiVersions": ["v1"], "resources": ["secrets"],
             "operations": ["CREATE", "UPDATE", "DELETE"]},
        ]))
        .unwrap()
    }

    fn manifests(values: Vec<Value>) -> (ManifestSet, Vec<Manifest>) {
        let docs: Vec<Document> = values
            .into_iter()
            .enumerate()
            .map(|(i, value)| Document { source: Source { file: "m.yaml".into(), line: i + 1 }, value })
            .collect();
        let (set, all, _) = ManifestSet::build(&docs, "default");
        (set, all)
    }

    fn secret(name: &str, bucket: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": {"bucket": bucket}})
    }

    #[test]
    fn registered_kinds_only() {
        let (_, all) = manifests(vec![
            secret("a", "x"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoMonolithic", "metadata": {"name": "m"}}),
            json!({"apiVersion": "tempo.grafana.com/v1beta9", "kind": "TempoStack", "metadata": {"name": "s"}}),
        ]);
        let targets = plan(&rules(), &all, None);
        let kinds: Vec<&str> = targets.iter().map(|t| t.manifest.key.kind.as_str()).collect();
        assert_eq!(kinds, vec!["Secret", "TempoMonolithic"]);
        assert!(targets.iter().all(|t| t.operation == Operation::Create && t.old.is_none()));
    }

    #[test]
    fn complete_request() {
        let (_, all) = manifests(vec![secret("a", "x")]);
        let targets = plan(&rules(), &all, None);
        let v = &admission_request(&targets[0], 3);
        assert_eq!(v["uid"], "00000000-0000-4000-8000-000000000003");
        assert_eq!(v["kind"], json!({"group": "", "version": "v1", "kind": "Secret"}));
        assert_eq!(v["requestResource"], json!({"group": "", "version": "v1", "resource": "secrets"}));
        assert_eq!(v["namespace"], "default");
        assert_eq!(v["object"]["metadata"]["namespace"], "default");
        assert_eq!(v["object"]["data"]["bucket"], "eA==");
        assert_eq!(v["oldObject"], Value::Null);
        assert_eq!(v["userInfo"]["username"], CHECK_USER);
    }

    #[test]
    fn diff_gives_update_create_delete() {
        let (old_set, old_all) = manifests(vec![secret("kept", "x"), secret("gone", "y")]);
        let (_, new_all) = manifests(vec![secret("kept", "z"), secret("new", "w")]);
        let targets = plan(&rules(), &new_all, Some((&old_set, &old_all)));
        let ops: Vec<(&str, &str)> =
            targets.iter().map(|t| (t.operation.as_str(), t.manifest.key.name.as_str())).collect();
        assert_eq!(ops, vec![("UPDATE", "kept"), ("CREATE", "new"), ("DELETE", "gone")]);
        let update = admission_request(&targets[0], 0);
        assert_eq!(update["oldObject"]["data"]["bucket"], "eA==");
        let delete = admission_request(&targets[2], 2);
        assert_eq!(delete["object"], Value::Null);
        assert_eq!(delete["options"]["kind"], "DeleteOptions");
    }
}
