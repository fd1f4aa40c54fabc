//! TempoStack and TempoMonolithic CREATE/UPDATE: the storage section, the Secret it names, and (later rules) sizes, limits and defaults.

use super::production::is_production;
use crate::cluster::{Cluster, LookupError};
use crate::finding::Findings;
use crate::json::is_being_deleted;
use crate::objects::pruned::{self, CrObject, Parsed};
use crate::objects::storage::{self, CrStorage, StorageReading};
use crate::objects::{CrKind, SecretContent};
use crate::registry::Rule;
use crate::request::{AdmissionRequest, Operation};
use crate::rules;
use crate::settings::Settings;
use crate::verdict::Verdict;
use serde_json::Value;

/// Look-ups, in this order (kwctl replay files are consumed in order), each at most once:
/// 1. `Namespace/<ns>`, only when the storage section names a Secret, `production.namespaceLabels`
///    is set and the namespace matches no `production.namespaces` regex (`production::is_production`);
/// 2. `Secret/<spec's Secret>`, when the storage section names one;
/// 3. `ConfigMap/<tls.caName>`, when S3 TLS is enabled with a `caName` (`rules::tls_ca::ca_name`);
/// 4. `Secret/<old Secret>`, on UPDATE only, when the Secret name changed, the backend did not,
///    the new Secret exists and `storage.protectSecrets` is on (`rules::storage_change::check_cr`).
///
/// The rules receive what was looked up; none of them asks the cluster itself.
pub fn review(kind: CrKind, request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    let mut verdict = Verdict::default();
    let op = request.operation();
    if !matches!(op, Some(Operation::Create) | Some(Operation::Update)) {
        return verdict;
    }
    let out = &mut verdict.findings;
    let Some(cr) = parse_object(request.object_json(), kind, out) else { return verdict };
    let object = &cr.tree;
    if op == Some(Operation::Update) && is_being_deleted(object) {
        return verdict;
    }
    let namespace = super::namespace_of(request, crate::json::meta_str(object, "namespace"));
    // The object before an UPDATE, read once here for every rule that compares with it.
    let old = match op {
        Some(Operation::Update) => request.old_object_json().and_then(|j| match pruned::parse(j) {
            Ok(Parsed::Object(old)) => Some(old.tree),
            // Not an object (the API server never sends one): the tree the rules compare with.
            Ok(Parsed::NotObject) => serde_json::from_str::<Value>(j).ok(),
            Err(_) => None,
        }),
        _ => None,
    };
    let StorageReading { storage, declared, problems } = storage::read(kind, object);
    rules::storage_spec::check(&problems, out);
    if let Some(declared) = &declared {
        rules::credential_mode::check_cr(declared, out);
    }
    rules::extra_config::check(kind, object, settings, out);

    // The Secret the storage names, kept for `storage-change`.
    let mut secret_read = None;
    if let CrStorage::Object(usage) = &storage {
        // Production only changes how the Secret is judged: no Namespace look-up for memory or pv.
        let production = is_production(&namespace, settings, cluster, out);
        let secret = cluster.secret(&namespace, &usage.secret_name);
        let judge = |content: &SecretContent, out: &mut Findings| {
            super::check_secret_for(usage, content, settings, production, out);
            super::check_overlay_for(usage, content, object, settings, production, out);
        };
        match &secret {
            Ok(Some(secret)) => judge(&SecretContent::from_secret(secret), out),
            // A manifest or replayed Secret that is not a valid Secret: read leniently, so that a
            // value that is not base64 is a `secret-keys` finding naming its key.
            Err(LookupError::Unreadable { object, .. }) => match SecretContent::from_json(&object.0) {
                Ok((secret, _)) => judge(&secret, out),
                Err(e) => out.warn(
                    Rule::LookupSkipped,
                    format!("Secret/{}", usage.secret_name),
                    format!("the Secret {:?} could not be read ({e}), so its content was not checked", usage.secret_name),
                ),
            },
            Ok(None) => rules::storage_secret::missing(usage, &namespace, settings, out),
            Err(e) => out.warn(
                Rule::LookupSkipped,
                format!("Secret/{}", usage.secret_name),
                format!(
                    "reading Secret {:?} {e}: its keys, endpoint and credentials were not checked (grant v1/Secret in contextAwareResources)",
                    usage.secret_name
                ),
            ),
        }
        if let Some(ca_name) = rules::tls_ca::ca_name(usage) {
            let config_map = cluster.config_map(&namespace, ca_name);
            rules::tls_ca::check(usage, ca_name, &namespace, config_map, out);
        }
        secret_read = Some(secret);
    }
    // A new Secret name on UPDATE: compared with the old Secret only when the new one exists
    // (missing or unreadable was reported above).
    if let Some(old_use) = rules::storage_change::check_cr(kind, old.as_ref(), object, &storage, settings, out)
        && let CrStorage::Object(new_use) = &storage
        && let Some(Ok(Some(new_secret))) = &secret_read
    {
        let old_secret = cluster.secret(&namespace, &old_use.secret_name);
        let old_secret = old_secret.map(|s| s.map(|s| SecretContent::from_secret(&s)));
        let new_secret = SecretContent::from_secret(new_secret);
        rules::storage_change::check_secret_swap(kind, object, &old_use, new_use, &new_secret, old_secret, out);
    }

    // Limits and sizes are judged on the object as it will be stored, defaults included, so that
    // the mutated object evaluated again finds the same and adds nothing.
    let defaulted = crate::mutation::apply(kind, &storage, object, old.as_ref(), settings);
    rules::resource_limits::check(kind, &storage, &defaulted, settings, out);
    rules::storage_size::check(kind, &storage, &defaulted, old.as_ref(), settings, out);
    // The engine drops it again when the request is rejected. The host diffs it against the
    // request's object, so it goes back whole, with what the rules did not read.
    verdict.mutated = match defaulted.into_mutated().map(|tree| cr.whole(tree)) {
        Some(Ok(whole)) if crate::json::depth(&whole) <= crate::json::MAX_DEPTH => Some(whole),
        Some(_) => {
            too_deep(kind, " (in metadata.managedFields or status, which go back in the mutated object)", out);
            None
        }
        None => None,
    };
    verdict
}

/// A `storage-spec` rejection: the object nests deeper than the policy reads, `at` says where.
fn too_deep(kind: CrKind, at: &str, out: &mut Findings) {
    out.reject(
        Rule::StorageSpec,
        "object",
        format!(
            "the {} in the request nests JSON more than {} levels deep{at}, deeper than the policy reads: flatten or remove that field",
            kind.as_str(),
            crate::json::MAX_DEPTH,
        ),
    );
}

/// The object as the rules read it, or a `storage-spec` finding when it is not an object at all.
fn parse_object<'a>(json: Option<&'a str>, kind: CrKind, out: &mut Findings) -> Option<CrObject<'a>> {
    let Some(json) = json else {
        out.reject(Rule::StorageSpec, "object", format!("the request carries no {} object", kind.as_str()));
        return None;
    };
    match pruned::parse(json) {
        // Refused rather than waved through: an unread object is an unchecked one.
        Ok(Parsed::Object(cr)) if crate::json::depth(&cr.tree) > crate::json::MAX_DEPTH => {
            too_deep(kind, "", out);
            None
        }
        Ok(Parsed::Object(cr)) => Some(cr),
        Err(e) if crate::json::is_too_deep(&e) => {
            too_deep(kind, &format!(" (line {}, column {})", e.line(), e.column()), out);
            None
        }
        _ => {
            out.reject(
                Rule::StorageSpec,
                "object",
                format!("the {} in the request is not a JSON object", kind.as_str()),
            );
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::cluster::{JsonCluster, Lookup, LookupError, NoCluster, Resource};
    use crate::objects::CrKind;
    use crate::settings::Settings;
    use serde_json::{Value, json};

    fn answer(operation: &str, object: Value, old: Option<Value>) -> crate::response::Answer {
        let payload = json!({"request": {"uid": "1", "operation": operation,
            "kind": {"group": "tempo.grafana.com", "version": "v1alpha1", "kind": "TempoStack"},
            "namespace": "observability", "name": "simplest", "object": object, "oldObject": old},
            "settings": {"storageSize": {"max": "10Gi"}}});
        crate::answer_with(payload.to_string().as_bytes(), &NoCluster).unwrap()
    }

    fn stack(size: &str, deleting: bool) -> Value {
        let mut metadata = json!({"name": "simplest", "namespace": "observability"});
        if deleting {
            metadata["deletionTimestamp"] = json!("2026-12-05T00:00:00Z");
        }
        json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack", "metadata": metadata,
            "spec": {"storageSize": size, "storage": {"secret": {"name": "minio", "type": "s3"}}}})
    }

    /// The write that removes the last finalizer of a CR being deleted is not judged: the
    /// object is going, and refusing would keep it.
    #[test]
    fn an_update_of_an_object_being_deleted_is_not_judged() {
        let deleting = answer("UPDATE", stack("20Gi", true), Some(stack("1Gi", true)));
        assert!(deleting.accepted && deleting.warnings.is_empty(), "{deleting:?}");
        let live = answer("UPDATE", stack("20Gi", false), Some(stack("1Gi", false)));
        assert!(!live.accepted, "{live:?}");
        assert!(live.message.unwrap().starts_with("storage-size:"));
        // CREATE never carries a deletionTimestamp; one that does is judged as it is.
        assert!(!answer("CREATE", stack("20Gi", true), None).accepted);
    }

    /// The storage Secret `minio` of `observability`, and no namespace the production settings
    /// could name.
    struct MinioSecret;

    impl JsonCluster for MinioSecret {
        fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
            let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": "minio", "namespace": "observability"},
                "data": {"endpoint": "aHR0cDovL21pbmlvOjkwMDA=", "bucket": "dGVtcG8=",
                    "access_key_id": "dGVtcG8=", "access_key_secret": "c3VwZXJzZWNyZXQ="}});
            Ok((resource == Resource::Secret && name == "minio").then(|| secret.to_string()))
        }
        fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
            Ok(r#"{"items":[]}"#.to_string())
        }
    }

    fn findings_with(extra: Value) -> Vec<(String, String, String)> {
        let mut object = stack("1Gi", false);
        object["spec"]["extraConfig"] = json!({"tempo": extra});
        let payload = json!({"request": {"uid": "1", "operation": "CREATE",
            "kind": {"group": "tempo.grafana.com", "version": "v1alpha1", "kind": "TempoStack"},
            "namespace": "observability", "name": "simplest", "object": object}});
        let text = payload.to_string();
        let parsed = crate::request::parse(text.as_bytes()).unwrap();
        let verdict = super::review(CrKind::TempoStack, &parsed.request, &Settings::default(), &MinioSecret);
        verdict.findings.iter().map(|f| (f.rule.id().to_string(), f.path.clone(), f.message.clone())).collect()
    }

    /// What extraConfig changes in the storage is judged where it is written; what it leaves as
    /// the Secret has it is reported once, at the Secret's key.
    #[test]
    fn storage_overrides_are_judged_at_their_path_and_only_once() {
        // The Secret's plain-HTTP endpoint, with extraConfig changing only the bucket: one
        // insecure-endpoint warning, at the Secret.
        let f = findings_with(json!({"storage": {"trace": {"s3": {"bucket": "traces"}}}}));
        let insecure: Vec<_> = f.iter().filter(|x| x.0 == "insecure-endpoint").collect();
        assert_eq!(insecure.len(), 1, "{f:?}");
        assert_eq!(insecure[0].1, "Secret/minio data[\"endpoint\"]");
        // An endpoint with credentials written in extraConfig: found at the extraConfig path.
        let f = findings_with(json!({"storage": {"trace": {"s3": {"endpoint": "https://user:pw@minio:9000"}}}}));
        let endpoint: Vec<_> = f.iter().filter(|x| x.0 == "endpoint").collect();
        assert!(!endpoint.is_empty(), "{f:?}");
        assert!(endpoint.iter().all(|x| x.1 == "spec.extraConfig.tempo.storage.trace.s3.endpoint"), "{f:?}");
    }

    /// managedFields are not read, so their depth matters only when they go back in a mutated
    /// object: then deeper than the host reads is refused, as a deep object always was.
    #[test]
    fn deep_managed_fields_matter_only_in_a_mutated_object() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let payload = |levels: usize, settings: &str| {
            let object = format!(
                r#"{{"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStack","metadata":{{"name":"simplest","managedFields":{}}},"spec":{{"storage":{{"secret":{{"name":"minio","type":"s3"}}}}}}}}"#,
                deep(levels)
            );
            format!(
                r#"{{"request":{{"uid":"1","operation":"CREATE","kind":{{"group":"tempo.grafana.com","version":"v1alpha1","kind":"TempoStack"}},"namespace":"observability","name":"simplest","object":{object}}},"settings":{settings}}}"#
            )
        };
        let defaults = r#"{"storageSize":{"default":"1Gi"}}"#;
        let plain = crate::answer_with(payload(150, "{}").as_bytes(), &NoCluster).unwrap();
        assert!(plain.accepted && plain.mutated.is_none(), "{plain:?}");
        // 150 levels do not parse at all; 125 parse, but with the object and its metadata the
        // mutated object would nest 127 levels; 124 make 126, which goes back.
        for levels in [150, 125] {
            let defaulted = crate::answer_with(payload(levels, defaults).as_bytes(), &NoCluster).unwrap();
            assert!(!defaulted.accepted && defaulted.mutated.is_none(), "{levels}: {defaulted:?}");
            let message = defaulted.message.unwrap();
            assert!(message.starts_with("storage-spec:"), "{message}");
            assert!(
                message.contains("nests JSON more than 126 levels deep (in metadata.managedFields or status"),
                "{message}"
            );
        }
        let within = crate::answer_with(payload(124, defaults).as_bytes(), &NoCluster).unwrap();
        let mutated = within.mutated.expect("a default added");
        assert_eq!(crate::json::depth(&mutated), crate::json::MAX_DEPTH);
        assert_eq!(mutated["metadata"]["managedFields"], serde_json::from_str::<Value>(&deep(124)).unwrap());
    }

    /// An object serde_json cannot read as a tree (a number beyond f64) is refused as unreadable,
    /// not as too deep.
    #[test]
    fn an_unreadable_object_is_said_so() {
        let payload = r#"{"request": {"uid": "1", "operation": "CREATE",
            "kind": {"group": "tempo.grafana.com", "version": "v1alpha1", "kind": "TempoStack"},
            "object": {"metadata": {"name": "simplest"}, "spec": {"replicationFactor": 1e400}}}}"#;
        let a = crate::answer_with(payload.as_bytes(), &NoCluster).unwrap();
        assert!(!a.accepted);
        let message = a.message.unwrap();
        assert!(message.contains("is not a JSON object"), "{message}");
        assert!(!message.contains("deep"), "{message}");
    }
}
