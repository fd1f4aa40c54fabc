//! TempoStack and TempoMonolithic CREATE/UPDATE: the storage section, the Secret it names, and (later rules) sizes, limits and defaults.

use crate::cluster::{Cluster, Resource};
use crate::engine::Verdict;
use crate::finding::Findings;
use crate::json::is_being_deleted;
use crate::objects::{CrKind, SecretContent};
use crate::production::is_production;
use crate::request::{AdmissionRequest, Operation};
use crate::rules::storage_spec::CrStorage;
use crate::rules::{self, Rule};
use crate::settings::Settings;
use serde_json::Value;

pub fn review(kind: CrKind, request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    let mut verdict = Verdict::default();
    let op = request.operation();
    if !matches!(op, Some(Operation::Create) | Some(Operation::Update)) {
        return verdict;
    }
    let out = &mut verdict.findings;
    let Some(object) = parse_object(request.object_json(), kind, out) else { return verdict };
    if op == Some(Operation::Update) && is_being_deleted(&object) {
        return verdict;
    }
    let namespace = super::namespace_of(request, &object).to_string();
    let storage = rules::storage_spec::check(kind, &object, out);
    let production = is_production(&namespace, settings, cluster, out);

    if let CrStorage::Object(usage) = &storage {
        rules::credential_mode::check_cr(usage, out);
        match cluster.get(Resource::Secret, Some(&namespace), &usage.secret_name) {
            Ok(Some(json)) => match SecretContent::from_json(&json) {
                Ok((secret, _)) => super::check_secret_for(usage, &secret, settings, production, out),
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
    }
    verdict
}

/// The object as a JSON value, or a `storage-spec` finding when it is not an object at all.
fn parse_object(json: Option<&str>, kind: CrKind, out: &mut Findings) -> Option<Value> {
    let Some(json) = json else {
        out.reject(Rule::StorageSpec, "object", format!("the request carries no {} object", kind.as_str()));
        return None;
    };
    match serde_json::from_str::<Value>(json) {
        Ok(v @ Value::Object(_)) => Some(v),
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
