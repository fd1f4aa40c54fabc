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
//! A Secret judged on its own (through `storageSecretSelector`, before a CR uses it) whose keys
//! are complete for a credential mode only the CR can set is warned about, not rejected: with
//! just `bucket` and `region` the operator would infer `token` (STS) and want `role_arn`, but the
//! same keys are a complete `token-cco` Secret, and `token-cco` is set on the CR, never inferred.
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
use crate::credential::ModeDecision;
use crate::finding::Findings;
use crate::keys;
use crate::objects::{CredentialMode, Entry};
use crate::registry::Rule;

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

    surrounding_whitespace(c, out);

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
    let message = format!(
        "{} lacks {} needed for {} with {needed_for}: {}",
        c.subject(),
        if missing.len() == 1 { "a key" } else { "keys" },
        c.backend,
        listed.join(", ")
    );
    match complete_for_a_mode_only_the_cr_sets(c) {
        Some(other) => out.warn(
            Rule::SecretKeys,
            paths.join(", "),
            format!(
                "{message} (the mode the operator infers from the keys). It is complete for credentialMode {other}, which only the CR that uses it can set: with {other} on the CR it works as it is; without it, add {}",
                missing.join(", ")
            ),
        ),
        None => out.reject(Rule::SecretKeys, paths.join(", "), message),
    }
}

/// For a Secret judged alone (no CR reads it yet) whose mode is inferred: another credential
/// mode of the backend, settable only on the CR, for which every required key is there. The
/// operator infers `token` from `region` alone, but `bucket` + `region` is a complete
/// `token-cco` Secret (`s3CCOShortLivedFields`, internal/handlers/storage/s3_secret.go), a mode
/// it never infers: only the CR can choose it, so the keys alone cannot be wrong.
fn complete_for_a_mode_only_the_cr_sets(c: &SecretCheck) -> Option<CredentialMode> {
    let ModeDecision::Inferred(inferred) = c.mode else { return None };
    if c.usage.is_some() {
        return None;
    }
    [CredentialMode::Static, CredentialMode::Token, CredentialMode::TokenCco].into_iter().find(|mode| {
        *mode != *inferred
            && keys::required(c.backend, *mode).is_some_and(|req| req.iter().all(|k| !c.secret.is_missing(k)))
    })
}

/// Keys whose values the operator or Tempo's storage clients use as they are, in the mode the
/// Secret is read with (every known key while the mode is undecided). `endpoint` has its own
/// rule; `key.json` is JSON, where whitespace is insignificant.
fn read_verbatim(c: &SecretCheck) -> Vec<&'static str> {
    let keys: Vec<&'static str> = match c.mode.mode() {
        None => keys::known(c.backend).to_vec(),
        Some(mode) => {
            let mut keys = keys::required(c.backend, mode).map(<[_]>::to_vec).unwrap_or_default();
            // The operator reads `audience` in the token modes of Azure and GCS.
            if mode == CredentialMode::Token && c.backend != crate::objects::Backend::S3 {
                keys.push("audience");
            }
            keys
        }
    };
    keys.into_iter().filter(|k| !matches!(*k, "endpoint" | "key.json")).collect()
}

/// Where a value carries whitespace its reader does not strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stray {
    /// At the start or the end: the newline `echo` leaves.
    Ends,
    /// Inside the value (`account_key` only, see [`stray_whitespace`]).
    Inside,
}

/// Whether the value carries whitespace its reader does not strip. The operator copies values
/// into Tempo's configuration and environment unchanged (`string(storageSecret.Data[...])`,
/// internal/handlers/storage/*_secret.go; `secretKeyRef` for the keys), and the clients use them
/// unchanged: minio-go refuses `bucket` with a newline ("Bucket name contains invalid
/// characters"), signs with the access key as given, and the Azure account name becomes part of
/// the host. The one exception is `account_key`, which the Azure SDK base64-decodes with Go's
/// `encoding/base64` (`SetAccountKey` in azblob's internal/exported/shared_key_credential.go:
/// `base64.StdEncoding.DecodeString`), which skips `\r` and `\n` anywhere but refuses any other
/// whitespace ("illegal base64 data at input byte N"), at the ends or inside.
fn stray_whitespace(key: &str, value: &[u8]) -> Option<Stray> {
    let ws = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
    if key == "account_key" {
        let decoded: Vec<u8> = value.iter().copied().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
        if ws(decoded.first()) || ws(decoded.last()) {
            return Some(Stray::Ends);
        }
        return decoded.iter().any(u8::is_ascii_whitespace).then_some(Stray::Inside);
    }
    (ws(value.first()) || ws(value.last())).then_some(Stray::Ends)
}

/// The classic `echo ... | base64` mistake, and an account key pasted with spaces in it, named by
/// key, never by value.
fn surrounding_whitespace(c: &SecretCheck, out: &mut Findings) {
    let found: Vec<(&str, Stray)> = read_verbatim(c)
        .into_iter()
        .filter_map(|k| c.secret.bytes(k).and_then(|v| stray_whitespace(k, v)).map(|s| (k, s)))
        .collect();
    let at_ends: Vec<&str> = found.iter().filter(|(_, s)| *s == Stray::Ends).map(|(k, _)| *k).collect();
    if !at_ends.is_empty() {
        let listed: Vec<String> = at_ends.iter().map(|k| format!("{k:?}")).collect();
        let paths: Vec<String> = at_ends.iter().map(|k| c.key_path(k)).collect();
        out.reject(
            Rule::SecretKeys,
            paths.join(", "),
            format!(
                "{}: {} {} {} leading or trailing whitespace, often the newline `echo` leaves (use `echo -n`, or `kubectl create secret --from-literal`): the operator and the storage client use the values as they are, so the bucket is not found or every request is refused",
                c.subject(),
                if at_ends.len() == 1 { "key" } else { "keys" },
                listed.join(", "),
                if at_ends.len() == 1 { "has" } else { "have" }
            ),
        );
    }
    if found.iter().any(|(_, s)| *s == Stray::Inside) {
        out.reject(
            Rule::SecretKeys,
            c.key_path("account_key"),
            format!(
                "{}: key \"account_key\" has a space or tab inside it: the Azure storage client decodes the key as base64 with Go's decoder, which skips line breaks but refuses any other whitespace, so Tempo stops at start-up: write the key without spaces (as the Azure portal shows it)",
                c.subject()
            ),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::finding::Severity;
    use crate::objects::{Backend, SecretContent};
    use crate::settings::Settings;

    fn run(backend: Backend, pairs: &[(&str, &str)]) -> Vec<(Severity, String)> {
        let mut s = SecretContent { name: "store".into(), ..SecretContent::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        let mode = decide(backend, None, &s);
        let settings = Settings::default();
        let c = SecretCheck::new(&s, backend, None, &mode, &settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| (f.severity, f.message.clone())).collect()
    }

    #[test]
    fn whitespace_is_named_by_key_never_by_value() {
        let found = run(
            Backend::S3,
            &[
                ("bucket", "tempo-traces\n"),
                ("endpoint", "https://s3.eu-west-1.amazonaws.com"),
                ("access_key_id", "AKIAI44QH8DHBEXAMPLE\n"),
                ("access_key_secret", " je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let (severity, m) = &found[0];
        assert_eq!(*severity, Severity::Reject);
        assert!(m.contains("keys \"bucket\", \"access_key_id\", \"access_key_secret\" have"), "{m}");
        assert!(!m.contains("EXAMPLE") && !m.contains("tempo-traces"), "{m}");

        let found = run(
            Backend::S3,
            &[
                ("bucket", "tempo-traces"),
                ("region", "eu-west-1"),
                ("role_arn", "arn:aws:iam::123456789012:role/tempo\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("key \"role_arn\" has"), "{}", found[0].1);

        let found = run(
            Backend::Azure,
            &[
                ("container", "tempo"),
                ("account_name", "tempoacct\n"),
                ("account_key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("key \"account_name\" has"), "{}", found[0].1);
        // Go's base64 skips line breaks in the account key, but not spaces.
        let found = run(
            Backend::Azure,
            &[
                ("container", "tempo"),
                ("account_name", "tempoacct"),
                ("account_key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1 "),
            ],
        );
        assert!(found[0].1.contains("key \"account_key\" has leading or trailing whitespace"), "{found:?}");
        // Issue 19: a space inside the key was blamed on `echo`'s newline. Line breaks inside are
        // fine (Go's decoder skips them); a space or tab inside is named as what it is.
        let key = |value: &str| {
            run(Backend::Azure, &[("container", "tempo"), ("account_name", "tempoacct"), ("account_key", value)])
        };
        for inside in ["Eby8vdM02xNOcq FlqUwJPLlmEtlCDXJ1", "Eby8vdM02xNOcq\tFlqUwJPLlmEtlCDXJ1\n"] {
            let found = key(inside);
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].1.contains("key \"account_key\" has a space or tab inside it"), "{found:?}");
            assert!(!found[0].1.contains("echo"), "{found:?}");
        }
        assert!(key("Eby8vdM02xNOcqFlqUwJ\r\nPLlmEtlCDXJ1\n").is_empty());
        assert!(key("\n Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1")[0].1.contains("leading or trailing"));

        let clean = run(Backend::Gcs, &[("bucketname", "tempo"), ("key.json", "{\"type\":\"external_account\"}\n")]);
        assert!(clean.iter().all(|(_, m)| !m.contains("whitespace")), "{clean:?}");
    }

    /// `audience` is read as it is in the token modes of Azure and GCS, and by nothing else.
    #[test]
    fn audience_counts_in_azure_and_gcs_token_modes_only() {
        let audience = |found: &[(Severity, String)]| found.iter().any(|(_, m)| m.contains("\"audience\""));
        let azure_token = run(
            Backend::Azure,
            &[
                ("container", "tempo"),
                ("account_name", "tempoacct"),
                ("client_id", "7c6a1f2e-0d3b-4b8e-9f51-2a1d3c4e5f60"),
                ("tenant_id", "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"),
                ("audience", "api://AzureADTokenExchange\n"),
            ],
        );
        assert!(audience(&azure_token), "{azure_token:?}");
        let azure_static = run(
            Backend::Azure,
            &[
                ("container", "tempo"),
                ("account_name", "tempoacct"),
                ("account_key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1"),
                ("audience", "api://AzureADTokenExchange\n"),
            ],
        );
        assert!(!audience(&azure_static), "{azure_static:?}");
        let s3_token = run(
            Backend::S3,
            &[
                ("bucket", "tempo-traces"),
                ("region", "eu-west-1"),
                ("role_arn", "arn:aws:iam::123456789012:role/tempo"),
                ("audience", "sts.amazonaws.com\n"),
            ],
        );
        assert!(!audience(&s3_token), "{s3_token:?}");
    }

    /// A Secret judged alone with bucket and region is a complete token-cco Secret.
    #[test]
    fn complete_for_token_cco_is_a_warning_alone() {
        let found = run(Backend::S3, &[("bucket", "tempo-traces"), ("region", "eu-west-1")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Warn);
        assert!(found[0].1.contains("token-cco") && found[0].1.contains("role_arn"), "{}", found[0].1);
        // Nothing makes a static Secret without its secret key complete.
        let found = run(
            Backend::S3,
            &[
                ("bucket", "tempo-traces"),
                ("endpoint", "https://s3.eu-west-1.amazonaws.com"),
                ("access_key_id", "AKIAI44QH8DHBEXAMPLE"),
            ],
        );
        assert_eq!(found[0].0, Severity::Reject, "{found:?}");
        let found =
            run(Backend::S3, &[("bucket", "tempo-traces"), ("role_arn", "arn:aws:iam::123456789012:role/tempo")]);
        assert_eq!(found[0].0, Severity::Reject, "{found:?}");
    }
}
