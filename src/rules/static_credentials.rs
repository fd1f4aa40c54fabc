//! `static-credentials`: no long-lived cloud keys in production, unless the endpoint has no token mode.
//!
//! ## What it checks
//! Only in production (`production.namespaces` / `production.namespaceLabels`). The storage
//! Secret holds a long-lived key: S3 `access_key_id` / `access_key_secret`, Azure `account_key`,
//! or a GCS `key.json` holding a private key or a refresh token (`service_account`,
//! `gdch_service_account`, `authorized_user`, `external_account_authorized_user`, and
//! `impersonated_service_account` whose `source_credentials` are one of these); or the CR sets
//! `credentialMode: static`
//! explicitly. Either is rejected, unless the S3 `endpoint` (the whole URL as written, trimmed)
//! matches a regex of `production.staticCredentialsAllowedFor`. The message names the
//! short-lived mode to use instead and the keys it needs, never a key's value.
//!
//! ## Why
//! A static key copied into a Secret lives until someone rotates it by hand, and it works from
//! anywhere it leaks to. AWS (STS / IRSA, or the Cloud Credential Operator on OpenShift), Azure
//! (Workload Identity) and GCP (Workload Identity Federation) all give pods short-lived tokens,
//! and the Tempo Operator supports each of them (grafana/tempo-operator#553). In-cluster
//! S3-compatible stores (MinIO, Ceph RGW) have no token mode, hence the exemption by endpoint.
//!
//! ## Example
//! Rejected in namespace `prod-tracing`: a Secret with `bucket`, `endpoint:
//! https://s3.us-east-2.amazonaws.com`, `access_key_id`, `access_key_secret`.
//! Accepted: `bucket`, `region: us-east-2`, `role_arn: arn:aws:iam::123456789012:role/tempo`
//! (token mode); or `endpoint: http://minio.minio.svc:9000` with static keys when
//! `staticCredentialsAllowedFor: ['^http://minio\.[a-z0-9-]+\.svc(\.cluster\.local)?(:\d+)?$']`.
//!
//! ## Settings
//! `production.namespaces`, `production.namespaceLabels` (what production is),
//! `production.staticCredentialsAllowedFor` (regexes on the whole endpoint URL).

use crate::context::SecretCheck;
use crate::credential::{ModeDecision, gcs_long_lived};
use crate::finding::Findings;
use crate::objects::{Backend, CredentialMode};
use crate::registry::Rule;
use crate::settings::compile_all;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    if !c.production {
        return;
    }
    let long_lived = long_lived_keys(c);
    let explicit_static = matches!(c.mode, ModeDecision::Explicit(CredentialMode::Static));
    if long_lived.is_empty() && !explicit_static {
        return;
    }
    let exemption = endpoint_exempted(c);
    if exemption == Ok(true) {
        return;
    }
    // Fail closed: an exemption list that cannot be read exempts nothing, and the message says why.
    let unread = match &exemption {
        Err(e) => format!(" (no endpoint is exempted: {e}: fix the policy settings)"),
        Ok(_) => String::new(),
    };
    let what = match (long_lived.is_empty(), c.usage) {
        (false, _) => format!("holds long-lived credentials ({})", long_lived.join(" and ")),
        (true, Some(u)) => format!("is read with {}: static", u.mode_path),
        (true, None) => "is read in static mode".to_string(),
    };
    let mode_note = match (explicit_static, c.usage) {
        (true, Some(u)) if !long_lived.is_empty() => format!(" ({}: static)", u.mode_path),
        _ => String::new(),
    };
    let path = match (long_lived.first(), c.usage) {
        // `key.json (type …)` names the key first.
        (Some(key), _) => c.key_path(key.split(' ').next().unwrap_or(key)),
        (None, Some(u)) => u.mode_path.to_string(),
        (None, None) => format!("Secret/{}", c.secret.name),
    };
    out.reject(
        Rule::StaticCredentials,
        path,
        format!(
            "{} {what}{mode_note}, and static credentials are not allowed in production{unread}: {}",
            c.subject(),
            instead(c.backend, explicit_static)
        ),
    );
}

/// The long-lived keys the Secret holds (non-empty values only).
fn long_lived_keys(c: &SecretCheck) -> Vec<String> {
    match c.backend {
        Backend::S3 => ["access_key_id", "access_key_secret"]
            .into_iter()
            .filter(|k| !c.secret.is_missing(k))
            .map(str::to_string)
            .collect(),
        Backend::Azure => ["account_key"].into_iter().filter(|k| !c.secret.is_missing(k)).map(str::to_string).collect(),
        Backend::Gcs => gcs_long_lived(c.secret).into_iter().collect(),
    }
}

/// The endpoint, as written and trimmed, matches `production.staticCredentialsAllowedFor`.
fn endpoint_exempted(c: &SecretCheck) -> Result<bool, String> {
    let patterns = &c.settings.production.static_credentials_allowed_for;
    if patterns.is_empty() || c.backend != Backend::S3 {
        return Ok(false);
    }
    let Some(endpoint) = c.secret.text("endpoint").map(str::trim) else { return Ok(false) };
    Ok(compile_all("production.staticCredentialsAllowedFor", patterns)?.iter().any(|re| re.is_match(endpoint)))
}

/// What to use instead, per backend.
fn instead(backend: Backend, explicit_static: bool) -> String {
    let unset = if explicit_static { "remove credentialMode: static and " } else { "" };
    match backend {
        Backend::S3 => format!(
            "{unset}use short-lived AWS credentials instead: an STS role (keys bucket, region and role_arn, no access keys, with credentialMode: token or left unset), or credentialMode: token-cco with bucket and region on OpenShift with the Cloud Credential Operator (an in-cluster MinIO or Ceph RGW endpoint can be exempted through production.staticCredentialsAllowedFor)"
        ),
        Backend::Azure => format!(
            "{unset}use Azure Workload Identity instead: keys container, account_name, client_id and tenant_id, without account_key"
        ),
        Backend::Gcs => format!(
            "{unset}use GCP Workload Identity Federation instead: a key.json of type external_account whose credential_source.file is /var/run/secrets/storage/serviceaccount/token, with bucketname"
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::objects::{CrKind, CrRef, Entry, SecretContent, StorageUse, Tls};
    use crate::settings::Settings;

    fn secret(pairs: &[(&str, &str)]) -> SecretContent {
        let mut s = SecretContent { name: "tempo-store".into(), ..SecretContent::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        s
    }

    fn usage(backend: Backend, mode: Option<CredentialMode>) -> StorageUse {
        StorageUse {
            cr: CrRef { kind: CrKind::TempoStack, name: "tracing".into() },
            backend,
            secret_name: "tempo-store".into(),
            secret_path: "spec.storage.secret.name",
            mode,
            mode_path: "spec.storage.secret.credentialMode",
            tls: Tls::default(),
            tls_path: "spec.storage.tls",
        }
    }

    fn run(
        backend: Backend,
        mode: Option<CredentialMode>,
        pairs: &[(&str, &str)],
        production: bool,
        settings: &Settings,
    ) -> Vec<String> {
        let s = secret(pairs);
        let u = usage(backend, mode);
        let decision = decide(backend, mode, &s);
        let c = SecretCheck::new(&s, backend, Some(&u), &decision, settings, production);
        let mut out = Findings::new();
        check(&c, &mut out);
        for f in out.iter() {
            for (_, v) in s.values() {
                let v = String::from_utf8_lossy(v);
                if v.len() >= 8 && !v.starts_with("http") && !v.starts_with("tempo") {
                    assert!(!f.message.contains(v.as_ref()), "value leaked: {}", f.message);
                }
            }
        }
        out.iter().map(|f| f.to_string()).collect()
    }

    const S3_STATIC: &[(&str, &str)] = &[
        ("bucket", "tempo-traces"),
        ("endpoint", "https://s3.us-east-2.amazonaws.com"),
        ("access_key_id", "AKIAIOSFODNN7EXAMPLE"),
        ("access_key_secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ];

    #[test]
    fn static_s3_keys_are_refused_in_production_only() {
        let settings = Settings::default();
        let m = run(Backend::S3, None, S3_STATIC, true, &settings);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("static-credentials: Secret \"tempo-store\" (storage of TempoStack \"tracing\")"));
        assert!(m[0].contains("access_key_id and access_key_secret"));
        assert!(m[0].contains("role_arn") && m[0].contains("token-cco"), "{}", m[0]);
        assert!(run(Backend::S3, None, S3_STATIC, false, &settings).is_empty());
    }

    #[test]
    fn sts_is_accepted_in_production() {
        let sts = [("bucket", "tempo-traces"), ("region", "eu-west-1"), ("role_arn", "arn:aws:iam::1:role/t")];
        assert!(run(Backend::S3, None, &sts, true, &Settings::default()).is_empty());
        assert!(run(Backend::S3, Some(CredentialMode::TokenCco), &sts[..2], true, &Settings::default()).is_empty());
    }

    #[test]
    fn explicit_static_mode_is_refused_even_without_keys() {
        let m = run(Backend::S3, Some(CredentialMode::Static), &[("bucket", "b")], true, &Settings::default());
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("spec.storage.secret.credentialMode: static"), "{}", m[0]);
        assert!(m[0].contains("remove credentialMode: static"));
        // Without keys the mode is named once, as what the Secret is read with.
        assert_eq!(m[0].matches("spec.storage.secret.credentialMode").count(), 1, "{}", m[0]);
        let m = run(Backend::S3, Some(CredentialMode::Static), S3_STATIC, true, &Settings::default());
        assert_eq!(m.len(), 1);
        // With keys, the keys first and the explicit mode beside them.
        assert!(
            m[0].contains(
                "holds long-lived credentials (access_key_id and access_key_secret) (spec.storage.secret.credentialMode: static)"
            ),
            "{}",
            m[0]
        );
        // Keys with the mode inferred: no mode to name.
        let m = run(Backend::S3, None, S3_STATIC, true, &Settings::default());
        assert!(!m[0].contains("credentialMode: static)"), "{}", m[0]);
    }

    #[test]
    fn exempted_endpoints_keep_static_keys() {
        let mut settings = Settings::default();
        settings.production.static_credentials_allowed_for =
            vec![r"^http://minio\.[a-z0-9-]+\.svc(\.cluster\.local)?(:\d+)?$".into()];
        let minio = [
            ("bucket", "tempo"),
            ("endpoint", "http://minio.minio.svc:9000\n"),
            ("access_key_id", "tempo-user"),
            ("access_key_secret", "supersecret"),
        ];
        assert!(run(Backend::S3, None, &minio, true, &settings).is_empty());
        // The whole URL must match: another host is not exempted.
        assert_eq!(run(Backend::S3, None, S3_STATIC, true, &settings).len(), 1);
        let sneaky = [("endpoint", "http://minio.minio.svc:9000.evil.example"), ("access_key_id", "tempo-user")];
        assert_eq!(run(Backend::S3, None, &sneaky, true, &settings).len(), 1);
        // Only an S3 endpoint is exempted: an Azure Secret with a stray `endpoint` key (the
        // operator reads none) that matches the pattern keeps its static account key refused.
        let azure = [
            ("container", "c"),
            ("account_name", "n"),
            ("account_key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50u=="),
            ("endpoint", "http://minio.minio.svc:9000"),
        ];
        assert_eq!(run(Backend::Azure, None, &azure, true, &settings).len(), 1);
    }

    #[test]
    fn azure_and_gcs() {
        let settings = Settings::default();
        let azure =
            [("container", "c"), ("account_name", "n"), ("account_key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50u==")];
        let m = run(Backend::Azure, None, &azure, true, &settings);
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("account_key") && m[0].contains("client_id and tenant_id"), "{}", m[0]);
        let wif = [("container", "c"), ("account_name", "n"), ("client_id", "i"), ("tenant_id", "t")];
        assert!(run(Backend::Azure, None, &wif, true, &settings).is_empty());

        let sa = [("bucketname", "b"), ("key.json", r#"{"type":"service_account","private_key":"-----BEGIN"}"#)];
        let m = run(Backend::Gcs, None, &sa, true, &settings);
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("key.json (type service_account)") && m[0].contains("external_account"), "{}", m[0]);
        let wif = [("bucketname", "b"), ("key.json", r#"{"type":"external_account"}"#)];
        assert!(run(Backend::Gcs, None, &wif, true, &settings).is_empty());
    }
}
