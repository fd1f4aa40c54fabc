//! Which Secret keys the Tempo Operator reads, per backend and credential mode, and the near-misses users write instead.

use crate::objects::{Backend, CredentialMode, SecretContent};

/// Keys the operator reads for a backend, in any mode.
pub fn known(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::S3 => &["bucket", "endpoint", "access_key_id", "access_key_secret", "region", "role_arn"],
        Backend::Azure => &["container", "account_name", "account_key", "client_id", "tenant_id", "audience"],
        Backend::Gcs => &["bucketname", "key.json", "audience"],
    }
}

/// Keys that must be present and non-empty. `None` for a mode the backend does not support.
pub fn required(backend: Backend, mode: CredentialMode) -> Option<&'static [&'static str]> {
    use CredentialMode::*;
    Some(match (backend, mode) {
        (Backend::S3, Static) => &["bucket", "endpoint", "access_key_id", "access_key_secret"],
        (Backend::S3, Token) => &["bucket", "region", "role_arn"],
        (Backend::S3, TokenCco) => &["bucket", "region"],
        (Backend::Azure, Static) => &["container", "account_name", "account_key"],
        (Backend::Azure, Token) => &["container", "account_name", "client_id", "tenant_id"],
        // The operator checks only key.json in static mode, but Tempo reads the bucket from
        // `bucketname` and fails at run time without it.
        (Backend::Gcs, Static) | (Backend::Gcs, Token) => &["bucketname", "key.json"],
        (Backend::Azure, TokenCco) | (Backend::Gcs, TokenCco) => return None,
    })
}

/// Keys every supported mode needs: what can still be required when the mode is unclear.
pub fn required_in_every_mode(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::S3 => &["bucket"],
        Backend::Azure => &["container", "account_name"],
        Backend::Gcs => &["bucketname", "key.json"],
    }
}

/// Keys whose presence makes the operator infer long-lived (static) credentials.
pub fn long_lived(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::S3 => &["endpoint", "access_key_id", "access_key_secret"],
        Backend::Azure => &["account_key"],
        Backend::Gcs => &[],
    }
}

/// Keys whose presence makes the operator infer short-lived (token) credentials.
pub fn short_lived(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::S3 => &["region", "role_arn"],
        Backend::Azure => &["tenant_id"],
        Backend::Gcs => &[],
    }
}

/// Keys known from Loki's object-storage Secrets (or AWS tooling) that Tempo ignores, with the
/// Tempo key that was probably meant, where there is one.
const FOREIGN: &[(&str, Option<&str>)] = &[
    ("bucketnames", Some("bucket")),
    ("bucket_name", Some("bucket")),
    ("bucketName", Some("bucket")),
    ("bucket-name", Some("bucket")),
    ("secret_access_key", Some("access_key_secret")),
    ("secret-access-key", Some("access_key_secret")),
    ("secretAccessKey", Some("access_key_secret")),
    ("aws_secret_access_key", Some("access_key_secret")),
    ("AWS_SECRET_ACCESS_KEY", Some("access_key_secret")),
    ("secret_key", Some("access_key_secret")),
    ("secretKey", Some("access_key_secret")),
    ("access_key", Some("access_key_id")),
    ("access-key-id", Some("access_key_id")),
    ("accessKeyID", Some("access_key_id")),
    ("accessKeyId", Some("access_key_id")),
    ("aws_access_key_id", Some("access_key_id")),
    ("AWS_ACCESS_KEY_ID", Some("access_key_id")),
    ("endpoint_url", Some("endpoint")),
    ("s3_endpoint", Some("endpoint")),
    ("url", Some("endpoint")),
    ("role-arn", Some("role_arn")),
    ("roleArn", Some("role_arn")),
    ("aws_region", Some("region")),
    ("AWS_REGION", Some("region")),
    ("accountName", Some("account_name")),
    ("account-name", Some("account_name")),
    ("accountKey", Some("account_key")),
    ("account-key", Some("account_key")),
    ("containerName", Some("container")),
    ("container_name", Some("container")),
    ("clientId", Some("client_id")),
    ("tenantId", Some("tenant_id")),
    ("key_json", Some("key.json")),
    ("service_account.json", Some("key.json")),
    ("credentials.json", Some("key.json")),
    ("forcepathstyle", None),
    ("sse_type", None),
    ("sse_kms_key_id", None),
    ("sse_kms_encryption_context", None),
    ("environment", None),
    ("endpoint_suffix", None),
    ("insecure", None),
];

/// Comparison form: case, `-`, `_` and `.` do not matter to a human reading a key name.
fn normalise(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '-' | '_' | '.')).flat_map(char::to_lowercase).collect()
}

/// The Tempo key a foreign or misspelt key was probably meant to be, for this backend.
pub fn meant(backend: Backend, key: &str) -> Option<&'static str> {
    let known = known(backend);
    if known.contains(&key) {
        return None;
    }
    let names_a_bucket = |k: &str| matches!(k, "bucket" | "bucketname" | "container");
    if let Some((_, target)) = FOREIGN.iter().find(|(k, _)| *k == key) {
        return target.and_then(|t| {
            if known.contains(&t) {
                Some(t)
            } else if names_a_bucket(t) {
                // `bucket_name` means `bucketname` on GCS, `bucket` on S3.
                Some(backend.bucket_key())
            } else {
                closest(known, &normalise(key))
            }
        });
    }
    if names_a_bucket(key) {
        return Some(backend.bucket_key());
    }
    closest(known, &normalise(key))
}

fn closest(known: &[&'static str], normalised: &str) -> Option<&'static str> {
    if normalised.len() < 3 {
        return None;
    }
    known
        .iter()
        .map(|k| (*k, strsim::damerau_levenshtein(&normalise(k), normalised)))
        .filter(|(k, d)| *d == 0 || (*d <= 2 && k.len() > 4))
        .min_by_key(|(_, d)| *d)
        .map(|(k, _)| k)
}

/// How many of a Secret's keys are compared with the known ones for "did you mean" guesses: a
/// Secret may hold 100,000 keys (1 MiB), and each guess is a string-distance computation.
/// Exact matches are still looked for among all keys; a misspelt key past these is not guessed.
pub const MAX_GUESSED_KEYS: usize = 256;

/// For a missing key: the present key that was probably meant to be it.
pub fn hint_for_missing<'s>(backend: Backend, missing: &str, secret: &'s SecretContent) -> Option<&'s str> {
    secret.keys().take(MAX_GUESSED_KEYS).find(|k| meant(backend, k) == Some(missing))
}

/// A Loki-only key, so that the message can say where it came from.
pub fn is_loki_key(key: &str) -> bool {
    matches!(
        key,
        "bucketnames"
            | "forcepathstyle"
            | "sse_type"
            | "sse_kms_key_id"
            | "sse_kms_encryption_context"
            | "environment"
            | "endpoint_suffix"
    )
}

/// Guess the backend of a Secret judged alone, from the keys it holds (misspellings included).
pub fn infer_backend(secret: &SecretContent) -> Option<Backend> {
    let score = |b: Backend| {
        let exact = secret.keys().filter(|k| known(b).contains(k)).count();
        let guessed =
            secret.keys().take(MAX_GUESSED_KEYS).filter(|k| !known(b).contains(k) && meant(b, k).is_some()).count();
        // Exact keys weigh more than guesses.
        2 * exact + guessed
    };
    let candidates = [Backend::S3, Backend::Azure, Backend::Gcs];
    let best = candidates.into_iter().map(|b| (b, score(b))).max_by_key(|(_, s)| *s)?;
    if best.1 == 0 { None } else { Some(best.0) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::objects::Entry;

    fn secret(keys: &[&str]) -> SecretContent {
        let mut s = SecretContent::default();
        for k in keys {
            s.entries.insert(k.to_string(), Entry::Value(b"x".to_vec()));
        }
        s
    }

    #[test]
    fn near_misses_point_at_the_tempo_key() {
        let cases = [
            (Backend::S3, "bucketnames", Some("bucket")),
            (Backend::S3, "bucket_name", Some("bucket")),
            (Backend::S3, "secret_access_key", Some("access_key_secret")),
            (Backend::S3, "access-key-id", Some("access_key_id")),
            (Backend::S3, "secret-access-key", Some("access_key_secret")),
            (Backend::S3, "accessKeyID", Some("access_key_id")),
            (Backend::S3, "ACCESS_KEY_ID", Some("access_key_id")),
            (Backend::S3, "acess_key_id", Some("access_key_id")),
            (Backend::S3, "endpiont", Some("endpoint")),
            (Backend::S3, "roleArn", Some("role_arn")),
            (Backend::S3, "forcepathstyle", None),
            (Backend::S3, "bucket", None),
            (Backend::S3, "foo", None),
            (Backend::Gcs, "bucket_name", Some("bucketname")),
            (Backend::Gcs, "bucket", Some("bucketname")),
            (Backend::Gcs, "key_json", Some("key.json")),
            (Backend::Gcs, "keyjson", Some("key.json")),
            (Backend::Azure, "accountKey", Some("account_key")),
            (Backend::Azure, "container_name", Some("container")),
        ];
        for (backend, key, expected) in cases {
            assert_eq!(meant(backend, key), expected, "{backend} {key}");
        }
    }

    #[test]
    fn backend_inference_from_keys() {
        assert_eq!(
            infer_backend(&secret(&["bucket", "endpoint", "access_key_id", "access_key_secret"])),
            Some(Backend::S3)
        );
        assert_eq!(
            infer_backend(&secret(&["bucketnames", "access-key-id", "secret-access-key", "endpoint"])),
            Some(Backend::S3)
        );
        assert_eq!(infer_backend(&secret(&["container", "account_name", "account_key"])), Some(Backend::Azure));
        assert_eq!(infer_backend(&secret(&["bucketname", "key.json"])), Some(Backend::Gcs));
        assert_eq!(infer_backend(&secret(&["tls.crt", "tls.key"])), None);
    }

    #[test]
    fn every_mode_has_its_table() {
        assert!(required(Backend::Azure, CredentialMode::TokenCco).is_none());
        assert!(required(Backend::Gcs, CredentialMode::TokenCco).is_none());
        assert_eq!(required(Backend::S3, CredentialMode::TokenCco).unwrap(), &["bucket", "region"]);
    }
}
