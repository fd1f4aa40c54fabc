//! `unused-keys`: keys the Tempo Operator never reads, most often left over from a Loki Secret.
//!
//! ## What it checks
//! Every key that is not read for the backend and mode: Loki's `bucketnames`, `forcepathstyle`,
//! `sse_type`, `sse_kms_*`, Azure `environment` / `endpoint_suffix`, AWS-tool spellings like
//! `secret_access_key`, and `region` in static S3 mode. Each comes with the Tempo key that was
//! probably meant. A warning only.
//!
//! ## Why
//! Early Tempo and OpenShift documentation told users to write `bucketnames`; the operator
//! silently ignores such keys, so settings the user believes in (server-side encryption, path
//! style) are not applied.
//!
//! A Secret may hold up to 1 MiB of keys (100,000 short ones): at most [`LISTED`] ignored keys get
//! a warning each (those with a hint first); all others are counted in one warning that names the
//! first few, so that the answer stays small whatever the Secret holds.
//!
//! ## Example
//! Warned: `forcepathstyle: "true"` in an S3 Secret. Clean: a Secret with only the keys of its mode.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::finding::quote;
use crate::keys;
use crate::objects::{Backend, CredentialMode};
use crate::registry::Rule;

/// How many ignored keys get a warning of their own.
pub const LISTED: usize = 5;

/// How many keys the summary warning names.
const NAMED: usize = 5;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let known = keys::known(c.backend);
    if c.backend == Backend::S3
        && c.secret.has("region")
        && matches!(c.mode, crate::credential::ModeDecision::Explicit(CredentialMode::Static))
    {
        out.warn(
            Rule::UnusedKeys,
            c.key_path("region"),
            format!("{}: key \"region\" is ignored in static mode (the region comes from the endpoint)", c.subject()),
        );
    }
    let unused: Vec<&str> = c.secret.keys().filter(|k| !known.contains(k)).collect();
    // Keys with a hint are worth a warning of their own; past LISTED, the rest are only counted.
    let has_hint = |key: &str| keys::meant(c.backend, key).is_some() || keys::is_loki_key(key);
    let (mut own, mut rest): (Vec<&str>, Vec<&str>) = if unused.len() <= LISTED {
        (unused, Vec::new())
    } else {
        // Guesses cost a string distance each: only among the first keys (see MAX_GUESSED_KEYS).
        let hinted: Vec<&str> =
            unused.iter().copied().take(keys::MAX_GUESSED_KEYS).filter(|k| has_hint(k)).take(LISTED - 1).collect();
        let rest = unused.iter().copied().filter(|k| !hinted.contains(k)).collect();
        (hinted, rest)
    };
    own.sort_unstable();
    for key in own {
        out.warn(Rule::UnusedKeys, c.key_path(key), one(c, key));
    }
    rest.sort_unstable();
    if let Some(first) = rest.first() {
        let named: Vec<String> = rest.iter().take(NAMED).map(|k| quote(k)).collect();
        let more = rest.len() - named.len();
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        out.warn(
            Rule::UnusedKeys,
            c.key_path(first),
            format!(
                "{}: {} keys are ignored by the Tempo Operator for {}: {}{tail}. Remove them (a storage Secret needs only the keys of its backend)",
                c.subject(),
                rest.len(),
                c.backend,
                named.join(", ")
            ),
        );
    }
}

/// The warning for one ignored key, with the key that was probably meant.
fn one(c: &SecretCheck, key: &str) -> String {
    let origin = if keys::is_loki_key(key) { " (a Loki key)" } else { "" };
    let shown = quote(key);
    match keys::meant(c.backend, key) {
        Some(meant) if c.secret.has(meant) => format!(
            "{}: key {shown}{origin} is ignored by the Tempo Operator (it reads {meant:?}, which is also set): remove {shown}",
            c.subject()
        ),
        Some(meant) => {
            format!("{}: key {shown}{origin} is ignored by the Tempo Operator: rename it to {meant:?}", c.subject())
        }
        None => format!("{}: key {shown}{origin} is ignored by the Tempo Operator for {}", c.subject(), c.backend),
    }
}
