//! `storage-secret`: the Secret a CR names must exist and hold the keys of the CR's backend.
//!
//! ## What it checks
//! The Secret named by `spec.storage.secret.name` (TempoStack) or
//! `spec.storage.traces.<backend>.secret` (TempoMonolithic) is looked up in the CR's namespace.
//! Missing: a warning, or a rejection with `storage.requireSecret`. Present but holding only
//! another backend's keys (an Azure Secret behind `type: s3`): always rejected.
//!
//! ## Why
//! The operator treats a missing Secret as a warning, since Secrets are often applied after the
//! CR; a platform that applies Secrets first can require them. Another backend's keys always mean
//! the wrong Secret or the wrong type.
//!
//! ## Example
//! Warned: a TempoStack naming `tempo-s3` in a namespace without it. Accepted: the Secret exists
//! with the s3 keys.
//!
//! ## Settings
//! `storage.requireSecret`.

use crate::context::SecretCheck;
use crate::finding::{Findings, Severity};
use crate::keys;
use crate::objects::{Backend, StorageUse};
use crate::registry::Rule;
use crate::settings::Settings;

pub fn missing(usage: &StorageUse, namespace: &str, settings: &Settings, out: &mut Findings) {
    out.push(
        Rule::StorageSecret,
        Severity::reject_if(settings.storage.require_secret),
        usage.secret_path,
        format!(
            "{} names Secret {:?} at {}, but there is no such Secret in namespace {namespace:?}: create it before the stack needs it",
            usage.cr, usage.secret_name, usage.secret_path
        ),
    );
}

/// A Secret that holds only another backend's keys. Returns whether it did, since the other
/// Secret-content rules then have nothing sensible to say.
pub fn check(c: &SecretCheck, out: &mut Findings) -> bool {
    let Some(usage) = c.usage else { return false };
    let ours = c.secret.keys().filter(|k| keys::known(c.backend).contains(k)).count();
    if ours > 0 {
        return false;
    }
    let other = [Backend::S3, Backend::Azure, Backend::Gcs]
        .into_iter()
        .filter(|b| *b != c.backend)
        .find(|b| c.secret.keys().any(|k| keys::known(*b).contains(&k) && !keys::known(c.backend).contains(&k)));
    if let Some(other) = other {
        out.reject(
            Rule::StorageSecret,
            usage.secret_path,
            format!(
                "{} is read as {} storage by {}, but holds {other} keys: point {} at the {} Secret, or set the backend to {other}",
                c.subject(),
                c.backend,
                usage.cr,
                usage.secret_path,
                c.backend
            ),
        );
        return true;
    }
    false
}
