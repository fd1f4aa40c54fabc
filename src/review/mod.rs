//! Reviews: what happens to each kind of request (Tempo CRs, Secrets) before the rules run.

pub mod namespace;
pub mod production;
pub mod secret;
pub mod tempo;

use crate::context::SecretCheck;
use crate::credential;
use crate::finding::Findings;
use crate::objects::{SecretContent, StorageUse};
use crate::rules;
use crate::settings::Settings;

/// Every Secret-content rule on a Secret as one CR reads it.
pub fn check_secret_for(
    usage: &StorageUse,
    secret: &SecretContent,
    settings: &Settings,
    production: bool,
    out: &mut Findings,
) {
    let mode = credential::decide(usage.backend, usage.mode, secret);
    let check = SecretCheck::new(secret, usage.backend, Some(usage), &mode, settings, production);
    rules::check_secret(&check, out);
}

/// The storage rules on what the CR's `spec.extraConfig.tempo.storage.trace` makes of the
/// Secret, when it replaces any of the values they judge (`objects::overlay`).
pub fn check_overlay_for(
    usage: &StorageUse,
    secret: &SecretContent,
    object: &serde_json::Value,
    settings: &Settings,
    production: bool,
    out: &mut Findings,
) {
    let Some(overlay) = crate::objects::overlay::read(usage, secret, object) else { return };
    let mode = credential::decide(usage.backend, usage.mode, secret);
    let plain =
        SecretCheck::new(secret, usage.backend, Some(usage), &mode, settings, production).with_overlay(&overlay);
    let effective = SecretCheck::new(&overlay.content, usage.backend, Some(usage), &mode, settings, production)
        .with_overlay(&overlay);
    rules::check_overlay(&plain, &effective, out);
}

/// The namespace a request is about, for look-ups and the production decision: the request's,
/// else the one the object names in its metadata (`object_namespace`, "" when none).
pub fn namespace_of(request: &crate::request::AdmissionRequest, object_namespace: &str) -> String {
    if request.namespace.is_empty() { object_namespace.to_string() } else { request.namespace.to_string() }
}
