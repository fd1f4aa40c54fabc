//! `endpoint-allowed`: the storage endpoint matches one of `storage.allowedEndpoints`.
//!
//! ## What it checks
//! Only when `storage.allowedEndpoints` is set. Each entry is a regex matched against the whole
//! endpoint URL (anchor it with `^…$` to match all of it; an unanchored pattern matches anywhere
//! in the URL). The URL is the one the operator connects to:
//! - S3 static mode (or mixed keys): the `endpoint` key as written, without surrounding
//!   whitespace (`https://s3.eu-west-1.amazonaws.com`, `http://minio.minio.svc:9000`);
//! - S3 token modes (`token`, `token-cco`), which have no `endpoint` key: the endpoint the
//!   operator builds from `region`, `https://s3.<region>.amazonaws.com`;
//! - Azure: `https://<account_name>.blob.core.windows.net`;
//! - GCS: `https://storage.googleapis.com`.
//!
//! Checking the derived URLs is deliberate: an allow-list that a Secret could leave by switching
//! to STS keys or to another backend would allow nothing. A URL that matches none of the
//! patterns is rejected, with the patterns listed.
//!
//! ## Why
//! Administrators pin where trace data may go: the company's MinIO, a VPC interface endpoint, one
//! AWS region. The operator accepts any URL, and a Secret copied from a tutorial sends traces to
//! someone else's bucket in a public cloud.
//!
//! ## Example
//! With `storage.allowedEndpoints: ['^https://s3\.eu-(west|central)-1\.amazonaws\.com$',
//! '^http://minio\.minio\.svc(\.cluster\.local)?:9000$']`: rejected `endpoint:
//! https://s3.us-east-1.amazonaws.com`, and an STS Secret with `region: us-east-1`; accepted
//! `endpoint: http://minio.minio.svc:9000`, and an STS Secret with `region: eu-west-1`.
//!
//! ## Settings
//! `storage.allowedEndpoints` (regexes; empty turns the rule off).

use crate::context::{EffectiveEndpoint, SecretCheck};
use crate::finding::{Findings, quote};
use crate::objects::Backend;
use crate::registry::Rule;
use crate::settings::compile_all;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let patterns = &c.settings.storage.allowed_endpoints;
    if patterns.is_empty() {
        return;
    }
    let Some(effective) = c.effective_endpoint() else { return };
    match compile_all("storage.allowedEndpoints", patterns) {
        Ok(compiled) if compiled.iter().any(|re| re.is_match(effective.url())) => return,
        Ok(_) => {}
        // Fail closed: an allow-list that cannot be read allows nothing.
        Err(e) => {
            out.reject(
                Rule::EndpointAllowed,
                "settings storage.allowedEndpoints",
                format!("{}: the endpoint cannot be checked: {e}: fix the policy settings", c.subject()),
            );
            return;
        }
    }
    // As written in YAML single quotes: Rust string syntax would double every backslash.
    let listed = patterns.iter().map(|p| format!("'{}'", p.replace("; ", ";\\u{20}"))).collect::<Vec<_>>().join(", ");
    let (path, what) = match &effective {
        EffectiveEndpoint::Written(url) => {
            // Only a cleanly parsed endpoint is repeated: another one may carry user-info.
            let what = match c.parsed_endpoint() {
                Some(_) => format!("endpoint {}", quote(url)),
                None => "the endpoint".to_string(),
            };
            (c.key_path("endpoint"), what)
        }
        EffectiveEndpoint::Derived(url, key) => {
            let how = match c.backend {
                Backend::S3 => format!(
                    "in credential mode {} the operator builds the endpoint {} from region",
                    c.mode.mode().map(|m| m.as_str()).unwrap_or("token"),
                    quote(url)
                ),
                Backend::Azure => format!("Azure Blob Storage is reached at {} (from account_name)", quote(url)),
                Backend::Gcs => format!("GCS is reached at {}", quote(url)),
            };
            let path = if key.is_empty() { format!("Secret/{}", c.secret.name) } else { c.key_path(key) };
            (path, format!("{how}, which"))
        }
    };
    out.reject(
        Rule::EndpointAllowed,
        path,
        format!(
            "{}: {what} matches none of storage.allowedEndpoints ({listed}): store the traces behind an allowed endpoint, or have the policy's administrators add a pattern for this one",
            c.subject()
        ),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::objects::{CredentialMode, Entry, SecretContent};
    use crate::settings::Settings;

    const PATTERNS: &[&str] =
        &[r"^https://s3\.eu-(west|central)-1\.amazonaws\.com$", r"^http://minio\.minio\.svc(\.cluster\.local)?:9000$"];

    fn run(
        backend: Backend,
        pairs: &[(&str, &str)],
        explicit: Option<CredentialMode>,
        patterns: &[&str],
    ) -> Vec<String> {
        let mut s = SecretContent { name: "store".into(), ..Default::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        let mut settings = Settings::default();
        settings.storage.allowed_endpoints = patterns.iter().map(|p| p.to_string()).collect();
        let mode = decide(backend, explicit, &s);
        let c = SecretCheck::new(&s, backend, None, &mode, &settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        assert!(out.iter().all(|f| f.severity == crate::finding::Severity::Reject));
        out.iter().map(|f| f.message.clone()).collect()
    }

    fn s3(endpoint: &str) -> Vec<String> {
        run(Backend::S3, &[("endpoint", endpoint), ("bucket", "t-1")], None, PATTERNS)
    }

    #[test]
    fn written_endpoints() {
        assert!(s3("https://s3.eu-west-1.amazonaws.com").is_empty());
        assert!(s3("https://s3.eu-central-1.amazonaws.com").is_empty());
        assert!(s3("http://minio.minio.svc:9000").is_empty());
        assert!(s3("http://minio.minio.svc.cluster.local:9000").is_empty());
        // Trimmed like the operator's value after `endpoint` has rejected the newline.
        assert!(s3("https://s3.eu-west-1.amazonaws.com\n").is_empty());
        // The whole URL: a suffix or a prefix does not make it allowed.
        for bad in [
            "https://s3.us-east-1.amazonaws.com",
            "https://s3.eu-west-1.amazonaws.com:8443",
            "http://s3.eu-west-1.amazonaws.com",
            "http://minio.minio.svc:9001",
            "https://s3.eu-west-1.amazonaws.com.evil.example",
        ] {
            let found = s3(bad);
            assert_eq!(found.len(), 1, "{bad}");
            assert!(found[0].contains(&quote(bad)), "{}", found[0]);
            assert!(found[0].contains(r"'^http://minio\.minio\.svc(\.cluster\.local)?:9000$'"), "{}", found[0]);
        }
    }

    #[test]
    fn unparsable_endpoint_is_not_repeated() {
        let found = s3("https://user:pass@s3.us-east-1.amazonaws.com");
        assert_eq!(found.len(), 1);
        assert!(!found[0].contains("pass"), "{}", found[0]);
    }

    #[test]
    fn off_without_patterns() {
        assert!(run(Backend::S3, &[("endpoint", "https://anything.example"), ("bucket", "t-1")], None, &[]).is_empty());
    }

    #[test]
    fn token_modes_use_the_derived_endpoint() {
        let sts = |region: &str| {
            run(
                Backend::S3,
                &[("bucket", "t-1"), ("region", region), ("role_arn", "arn:aws:iam::1:role/r")],
                None,
                PATTERNS,
            )
        };
        assert!(sts("eu-west-1").is_empty());
        let found = sts("us-east-1");
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("in credential mode token the operator builds the endpoint \"https://s3.us-east-1.amazonaws.com\" from region"), "{}", found[0]);
        let cco =
            run(Backend::S3, &[("bucket", "t-1"), ("region", "us-east-1")], Some(CredentialMode::TokenCco), PATTERNS);
        assert!(cco[0].contains("token-cco"), "{}", cco[0]);
        // An endpoint key next to an explicit token mode is ignored by the operator, and here.
        let ignored = run(
            Backend::S3,
            &[("bucket", "t-1"), ("region", "eu-west-1"), ("endpoint", "https://elsewhere.example")],
            Some(CredentialMode::Token),
            PATTERNS,
        );
        assert!(ignored.is_empty());
    }

    #[test]
    fn azure_and_gcs_endpoints() {
        let azure = run(
            Backend::Azure,
            &[("container", "t-1"), ("account_name", "tempoacct"), ("account_key", "k")],
            None,
            PATTERNS,
        );
        assert_eq!(azure.len(), 1);
        assert!(azure[0].contains("\"https://tempoacct.blob.core.windows.net\""), "{}", azure[0]);
        let allowed = run(
            Backend::Azure,
            &[("container", "t-1"), ("account_name", "tempoacct"), ("account_key", "k")],
            None,
            &[r"^https://tempoacct\.blob\.core\.windows\.net$"],
        );
        assert!(allowed.is_empty());
        let gcs = run(Backend::Gcs, &[("bucketname", "t-1"), ("key.json", "{}")], None, PATTERNS);
        assert_eq!(gcs.len(), 1);
        assert!(gcs[0].contains("https://storage.googleapis.com"));
    }
}
