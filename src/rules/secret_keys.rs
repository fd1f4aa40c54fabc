//! `secret-keys`: every key the backend and credential mode need is there, non-empty, and decodable.
//!
//! ## What it checks
//! The required keys of the backend × credential-mode table (`bucket`, `endpoint`,
//! `access_key_id`, `access_key_secret` for static S3; `bucket`, `region`, `role_arn` for STS; ...),
//! all missing ones listed at once; an empty value counts as missing. A `data` value that is not
//! base64, or a value that is not a string, is named by its key. A missing key that the Secret
//! holds under another spelling (`bucketnames`, `secret_access_key`, `accessKeyID`, ...) gets a
//! "did you mean" hint.
//!
//! ## Why
//! The operator reports each missing key as `storage secret must contain "<key>" field`, but only
//! when the CR is applied, and nothing checks a Secret edited later: the stack then breaks at the
//! next reconcile.
//!
//! ## Example
//! Rejected: a static S3 Secret with `bucketnames`, `endpoint`, `access_key_id`, `access_key_secret`
//! (hint: `bucketnames` → `bucket`). Accepted: the same with `bucket`.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::keys;
use crate::objects::Entry;
use crate::rules::Rule;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    for section in &c.secret.malformed {
        out.reject(
            Rule::SecretKeys,
            format!("Secret/{} {section}", c.secret.name),
            format!("{}: {section} must be a map of key to string value", c.subject()),
        );
    }
    for (key, entry) in &c.secret.entries {
        let problem = match entry {
            Entry::NotBase64 => {
                "is not valid base64 in data (put plain text under stringData, or encode with `base64 -w0`)".to_string()
            }
            Entry::WrongType(t) => format!("must be a string, not {t}"),
            Entry::Value(_) => continue,
        };
        out.reject(Rule::SecretKeys, c.key_path(key), format!("{}: key {key:?} {problem}", c.subject()));
    }

    // With mixed keys the mode is `credential-mode`'s finding; what every mode needs is still ours.
    let (required, needed_for) = match c.mode.mode() {
        Some(mode) => match keys::required(c.backend, mode) {
            Some(required) => (required, format!("credential mode {mode}")),
            // A mode the backend does not support is `credential-mode`'s finding.
            None => return,
        },
        None => (keys::required_in_every_mode(c.backend), "any credential mode".to_string()),
    };
    let missing: Vec<&str> = required.iter().copied().filter(|k| c.secret.is_missing(k)).collect();
    if missing.is_empty() {
        return;
    }
    let listed: Vec<String> = missing
        .iter()
        .map(|k| {
            let state = if c.secret.has(k) { " (empty)" } else { "" };
            match keys::hint_for_missing(c.backend, k, c.secret) {
                Some(h) => format!("{k:?}{state} (did you mean {h:?} → {k:?}?)"),
                None => format!("{k:?}{state}"),
            }
        })
        .collect();
    let paths: Vec<String> = missing.iter().map(|k| c.key_path(k)).collect();
    out.reject(
        Rule::SecretKeys,
        paths.join(", "),
        format!(
            "{} lacks {} needed for {} with {needed_for}: {}",
            c.subject(),
            if missing.len() == 1 { "a key" } else { "keys" },
            c.backend,
            listed.join(", ")
        ),
    );
}
