//! Secret CREATE/UPDATE/DELETE: is it a Tempo storage Secret, and what do the CRs that read it need from it.

use super::production::is_production;
use crate::cluster::{Cluster, LookupError};
use crate::context::SecretCheck;
use crate::credential;
use crate::finding::Findings;
use crate::json::string_map;
use crate::keys;
use crate::objects::storage::{self, CrStorage};
use crate::objects::{CrKind, SecretDoc, StorageUse};
use crate::registry::Rule;
use crate::request::{AdmissionRequest, Operation};
use crate::rules;
use crate::settings::Settings;
use crate::verdict::Verdict;

/// Look-ups, in this order (kwctl replay files are consumed in order), each at most once:
/// - CREATE/UPDATE of an Opaque Secret (other types: none): list `TempoStack`, list
///   `TempoMonolithic` in the namespace (with [`crate::objects::listed::CR_FIELD_MASKS`]), then `Namespace/<ns>` only
///   when the Secret is in use or selected and `production.namespaceLabels` decides production.
///   `storage-change` compares `oldObject` with `object` and needs no look-up of its own.
/// - DELETE: list `TempoStack`, list `TempoMonolithic` (a failed first list stops there), then
///   `Namespace/<ns>` only when a CR uses the Secret (is the namespace being deleted?).
pub fn review(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    let mut verdict = Verdict::default();
    match request.operation() {
        Some(Operation::Create) | Some(Operation::Update) => content(request, settings, cluster, &mut verdict.findings),
        Some(Operation::Delete) => deleted(request, settings, cluster, &mut verdict.findings),
        _ => {}
    }
    verdict
}

fn content(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster, out: &mut Findings) {
    // Usually read already with the payload (`request::parse`), else from the raw object.
    let parsed;
    let doc = match &request.secret {
        Some(doc) => doc,
        None => {
            let Some(json) = request.object_json() else { return };
            parsed = match SecretDoc::parse(json) {
                Ok(doc) => doc,
                // Not ours to judge unless it is a storage Secret, and a malformed object cannot say.
                Err(_) => return,
            };
            &parsed
        }
    };
    // TLS pairs, Helm releases and tokens: accepted without reading their data.
    if !doc.is_opaque() {
        return;
    }
    let metadata = doc.metadata();
    let name = crate::json::str_at(&metadata, &["name"]).present().unwrap_or(&request.name).to_string();
    let namespace =
        super::namespace_of(request, crate::json::str_at(&metadata, &["namespace"]).present().unwrap_or(""));
    if crate::json::at(&metadata, &["deletionTimestamp"]).is_some() {
        return;
    }
    let labels = string_map(crate::json::at(&metadata, &["labels"]));
    let selected = settings.storage_secret_selector.as_ref().is_some_and(|s| s.matches(&labels));

    // Decoding `data` is the costly step (base64 of every value, a megabyte for some application
    // Secrets), and most Opaque Secrets are used by no Tempo CR: decode only once the Secret is
    // selected, used, or its keys must decide whether a failed look-up deserves a warning.
    let mut decoded = None;
    let users = match users_of(&name, &namespace, cluster) {
        Ok(users) => users,
        Err(e) => {
            let secret = decoded.get_or_insert_with(|| doc.decode(&name));
            // Every Opaque Secret in the cluster passes here: only warn for ones that look like storage.
            if selected || keys::infer_backend(secret).is_some() {
                // A selected Secret is still judged on its own keys below; any other cannot be
                // judged without knowing its users, and guessing would reject unrelated Secrets.
                let consequence = if selected {
                    "was checked on its own keys only"
                } else {
                    "was not checked against the CRs that may use it"
                };
                out.warn(
                    Rule::LookupSkipped,
                    format!("Secret/{name}"),
                    format!("listing the Tempo CRs in namespace {namespace:?} {e}: Secret {name:?} {consequence}"),
                );
            }
            Vec::new()
        }
    };
    if users.is_empty() && !selected {
        return;
    }
    let secret = decoded.unwrap_or_else(|| doc.decode(&name));
    let production = is_production(&namespace, settings, cluster, out);
    if users.is_empty() {
        // Selected and read by no CR yet: judged on its own keys.
        match keys::infer_backend(&secret) {
            Some(backend) => {
                let mode = credential::decide(backend, None, &secret);
                let check = SecretCheck::new(&secret, backend, None, &mode, settings, production);
                rules::check_secret(&check, out);
            }
            None => out.reject(
                Rule::SecretKeys,
                format!("Secret/{name}"),
                format!(
                    "Secret {name:?} matches storageSecretSelector but holds no key of any Tempo storage backend (s3: bucket, endpoint, ..., azure: container, account_name, ..., gcs: bucketname, key.json)"
                ),
            ),
        }
        return;
    }
    for usage in &users {
        super::check_secret_for(usage, &secret, settings, production, out);
    }
    // The Secret before an UPDATE: `storage-change` compares it with this one.
    let old = match request.operation() {
        Some(Operation::Update) => {
            request.old_object_json().and_then(|j| SecretDoc::parse(j).ok()).map(|d| d.decode(&name))
        }
        _ => None,
    };
    rules::storage_change::check_secret_update(old.as_ref(), &secret, &metadata, &users, settings, out);
}

/// DELETE: looks up the Secret's users for `secret-in-use`, only when that rule is on and the
/// Secret could be a storage Secret.
fn deleted(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster, out: &mut Findings) {
    if !settings.storage.protect_secrets {
        return;
    }
    let old = request.old_object_json().and_then(|old| SecretDoc::parse(old).ok());
    // Secrets of other types never back Tempo storage: no look-up for them.
    if old.as_ref().is_some_and(|d| !d.is_opaque()) {
        return;
    }
    // DELETECOLLECTION (`kubectl delete secrets --all`, the namespace controller) admits each
    // object with an empty name: it is in oldObject.
    let old_name =
        old.as_ref().map(|d| crate::json::str_at(&d.metadata(), &["name"]).present().unwrap_or("").to_string());
    let name = if request.name.is_empty() { old_name.as_deref().unwrap_or("") } else { request.name.as_ref() };
    if name.is_empty() {
        return;
    }
    let namespace = request.namespace.as_ref();
    let namespace_deleted = |out: &mut Findings| super::namespace::is_terminating(namespace, cluster, out);
    rules::secret_in_use::check(name, namespace, users_of(name, namespace, cluster), namespace_deleted, out);
}

/// The CRs in `namespace` whose storage names Secret `name`, skipping CRs being deleted. Only the
/// CRs whose spec mentions the name are read (most of a namespace's CRs use other Secrets).
pub fn users_of(name: &str, namespace: &str, cluster: &dyn Cluster) -> Result<Vec<StorageUse>, LookupError> {
    let quoted = crate::objects::listed::quoted(name);
    let mut users = Vec::new();
    for kind in [CrKind::TempoStack, CrKind::TempoMonolithic] {
        for cr in cluster.tempo_crs(kind, namespace)?.iter() {
            if !cr.spec_mentions(&quoted) || cr.is_being_deleted() {
                continue;
            }
            // Findings about the CR's own spec belong to the CR's admission, not the Secret's.
            if let CrStorage::Object(usage) = storage::read(kind, &cr.to_object()).storage
                && usage.secret_name == name
            {
                users.push(usage);
            }
        }
    }
    Ok(users)
}
