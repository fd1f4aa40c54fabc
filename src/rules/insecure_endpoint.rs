//! `insecure-endpoint`: traces and storage credentials do not cross the network in plain HTTP unnoticed.
//!
//! ## What it checks
//! For S3 in static mode (or with mixed keys):
//! - an `http://` endpoint;
//! - a TempoStack whose endpoint is `https://` but whose `spec.storage.tls.enabled` is not
//!   `true`: the operator derives Tempo's `insecure` flag from `tls.enabled` alone, not from the
//!   scheme, so it speaks **plain HTTP** to the `https://` host and port (TempoMonolithic uses
//!   HTTPS exactly when the endpoint says `https://`, so it is not concerned).
//!
//! Both are warnings outside production and rejections in production, unless
//! `production.allowInsecureEndpoints` is set. The token modes always use HTTPS: no finding. A
//! TempoStack with an `http://` endpoint and `tls.enabled: true` does speak HTTPS (the scheme is
//! ignored): a warning in every namespace, so that the Secret says what happens. A Secret judged
//! without its TempoStack can only be checked for `http://`.
//!
//! ## Why
//! Over plain HTTP the traces (request parameters, user ids, internal host names) and the
//! requests' signatures can be read and replayed by anything on the path. The TempoStack case is
//! a trap: `https://` in the Secret looks safe and the operator silently drops it; against an
//! HTTPS-only port Tempo then fails with "server gave HTTP response to HTTPS client"-style errors,
//! against a port serving both it sends everything in clear text.
//!
//! ## Example
//! Warned (rejected in production): `endpoint: http://minio:9000`; a TempoStack on `endpoint:
//! https://s3.eu-west-1.amazonaws.com` without `spec.storage.tls`. Accepted: the same TempoStack
//! with `spec.storage.tls: {enabled: true}`; a TempoMonolithic on the same Secret.
//!
//! ## Settings
//! `production.namespaces`, `production.namespaceLabels` (what production is),
//! `production.allowInsecureEndpoints` (keep these a warning in production too).

use crate::context::SecretCheck;
use crate::context::read_endpoint;
use crate::finding::{Findings, Severity, quote};
use crate::location::endpoint::shown;
use crate::location::endpoint::{EndpointNote, Scheme};
use crate::objects::{Backend, CrKind};
use crate::registry::Rule;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    if c.backend != Backend::S3 {
        return;
    }
    // The token modes ignore `endpoint` and always use HTTPS.
    let Some(e) = read_endpoint(c) else { return };
    // `HTTPS://` is `endpoint`'s rejection: the operator would not even strip the scheme.
    if e.notes.contains(&EndpointNote::SchemeNotLowercase) {
        return;
    }
    let reject = c.production && !c.settings.production.allow_insecure_endpoints;
    let severity = Severity::reject_if(reject);
    let production_note =
        if reject { " (refused in production unless production.allowInsecureEndpoints is set)" } else { "" };
    let url = quote(&shown(e));
    // A TempoStack's `insecure` follows `spec.storage.tls` unless extraConfig sets it.
    let stack = c.usage.filter(|u| u.cr.kind == CrKind::TempoStack && !c.overlay.is_some_and(|o| o.sets_insecure));
    match (e.scheme, stack) {
        (Scheme::Http, Some(u)) if u.tls.enabled => out.warn(
            Rule::InsecureEndpoint,
            c.key_path("endpoint"),
            format!(
                "{}: endpoint {url} says http:// but {}.enabled is true, so the operator speaks HTTPS to it all the same (it ignores the scheme): write https:// so that the Secret says what happens",
                c.subject(),
                u.tls_path
            ),
        ),
        (Scheme::Http, _) => out.push(
            Rule::InsecureEndpoint,
            severity,
            c.key_path("endpoint"),
            format!(
                "{}: endpoint {url} is plain http://: traces and signed storage requests cross the network unencrypted{production_note}: serve the store over HTTPS and write https://{}",
                c.subject(),
                match stack {
                    Some(u) => format!(" (with {}.enabled: true)", u.tls_path),
                    None => String::new(),
                }
            ),
        ),
        (Scheme::Https, Some(u)) if !u.tls.enabled => out.push(
            Rule::InsecureEndpoint,
            severity,
            u.tls_path,
            format!(
                "{}: endpoint {url} is https:// but {} does not set {}.enabled: true, so the operator configures Tempo as insecure and it speaks PLAIN HTTP to that host and port (failing against an HTTPS-only port, or sending traces unencrypted){production_note}: set {}.enabled: true (and {}.caName when a private CA signs the store's certificate)",
                c.subject(),
                u.cr,
                u.tls_path,
                u.tls_path,
                u.tls_path
            ),
        ),
        _ => {}
    }
}

/// `spec.extraConfig.tempo.<path>` (`storage.trace.<backend>.tls_insecure_skip_verify: true`)
/// turns off the verification of the store's certificate: anything on the path can present its
/// own and read or change the traces. Rejected in production as plain HTTP is.
pub fn tls_verification_skipped(c: &SecretCheck, path: &str, out: &mut Findings) {
    let reject = c.production && !c.settings.production.allow_insecure_endpoints;
    let production_note =
        if reject { " (refused in production unless production.allowInsecureEndpoints is set)" } else { "" };
    out.push(
        Rule::InsecureEndpoint,
        Severity::reject_if(reject),
        format!("spec.extraConfig.tempo.{path}"),
        format!(
            "{}: spec.extraConfig.tempo.{path} is true, so Tempo does not verify the store's TLS certificate and whatever answers on the way is trusted with the traces and the signed requests{production_note}: remove it, and give the store's CA with spec.storage.tls.caName",
            c.subject()
        ),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::finding::Severity::{Reject, Warn};
    use crate::objects::{CrRef, CredentialMode, Entry, SecretContent, StorageUse, Tls};
    use crate::settings::Settings;

    fn usage(kind: CrKind, tls: bool, mode: Option<CredentialMode>) -> StorageUse {
        let tempostack = kind == CrKind::TempoStack;
        StorageUse {
            cr: CrRef { kind, name: "tracing".into() },
            backend: Backend::S3,
            secret_name: "tempo-s3".into(),
            secret_path: if tempostack { "spec.storage.secret.name" } else { "spec.storage.traces.s3.secret" },
            mode,
            mode_path: if tempostack {
                "spec.storage.secret.credentialMode"
            } else {
                "spec.storage.traces.s3.credentialMode"
            },
            tls: Tls { enabled: tls, ca_name: None },
            tls_path: if tempostack { "spec.storage.tls" } else { "spec.storage.traces.s3.tls" },
        }
    }

    /// (severity, path, message) of each finding.
    fn run(
        pairs: &[(&str, &str)],
        usage: Option<&StorageUse>,
        production: bool,
        allow_insecure: bool,
    ) -> Vec<(Severity, String, String)> {
        let mut s = SecretContent { name: "tempo-s3".into(), ..Default::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        let mut settings = Settings::default();
        settings.production.allow_insecure_endpoints = allow_insecure;
        let mode = decide(Backend::S3, usage.and_then(|u| u.mode), &s);
        let c = SecretCheck::new(&s, Backend::S3, usage, &mode, &settings, production);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| (f.severity, f.path.clone(), f.message.clone())).collect()
    }

    fn keys(endpoint: &str) -> Vec<(&str, &str)> {
        vec![("endpoint", endpoint), ("bucket", "tempo"), ("access_key_id", "a"), ("access_key_secret", "b")]
    }

    fn sev(found: &[(Severity, String, String)]) -> Vec<Severity> {
        found.iter().map(|(s, _, _)| *s).collect()
    }

    #[test]
    fn plain_http_by_environment() {
        let http = keys("http://minio:9000");
        let stack = usage(CrKind::TempoStack, false, None);
        let mono = usage(CrKind::TempoMonolithic, false, None);
        // Outside production: a warning, with or without a CR.
        for u in [None, Some(&stack), Some(&mono)] {
            assert_eq!(sev(&run(&http, u, false, false)), vec![Warn]);
        }
        // In production: rejected, unless allowed.
        let found = run(&http, Some(&stack), true, false);
        assert_eq!(sev(&found), vec![Reject]);
        assert!(found[0].2.contains("production.allowInsecureEndpoints"), "{}", found[0].2);
        assert!(found[0].2.contains("\"http://minio:9000\""), "{}", found[0].2);
        assert_eq!(sev(&run(&http, Some(&mono), true, true)), vec![Warn]);
        assert_eq!(sev(&run(&http, None, true, false)), vec![Reject]);
    }

    #[test]
    fn tempostack_https_without_tls() {
        let https = keys("https://s3.eu-west-1.amazonaws.com");
        let plain = usage(CrKind::TempoStack, false, None);
        let found = run(&https, Some(&plain), false, false);
        assert_eq!(sev(&found), vec![Warn]);
        assert_eq!(found[0].1, "spec.storage.tls");
        assert!(found[0].2.contains("PLAIN HTTP"), "{}", found[0].2);
        assert!(
            found[0].2.contains("TempoStack \"tracing\" does not set spec.storage.tls.enabled: true"),
            "{}",
            found[0].2
        );
        assert_eq!(sev(&run(&https, Some(&plain), true, false)), vec![Reject]);
        assert_eq!(sev(&run(&https, Some(&plain), true, true)), vec![Warn]);
        // tls.enabled: clean. TempoMonolithic: HTTPS from the scheme. Alone: cannot tell.
        assert!(run(&https, Some(&usage(CrKind::TempoStack, true, None)), true, false).is_empty());
        assert!(run(&https, Some(&usage(CrKind::TempoMonolithic, false, None)), true, false).is_empty());
        assert!(run(&https, None, true, false).is_empty());
    }

    #[test]
    fn http_with_tls_enabled_is_https_in_fact() {
        let http = keys("http://minio.minio.svc:9000");
        let found = run(&http, Some(&usage(CrKind::TempoStack, true, None)), true, false);
        assert_eq!(sev(&found), vec![Warn]);
        assert!(found[0].2.contains("speaks HTTPS"), "{}", found[0].2);
    }

    #[test]
    fn token_modes_always_use_https() {
        let sts = [("bucket", "tempo"), ("region", "eu-west-1"), ("role_arn", "arn:aws:iam::1:role/r")];
        assert!(run(&sts, Some(&usage(CrKind::TempoStack, false, None)), true, false).is_empty());
        // An endpoint next to an explicit token mode is ignored by the operator.
        let with_endpoint = [("bucket", "tempo"), ("region", "eu-west-1"), ("endpoint", "http://minio:9000")];
        let cco = usage(CrKind::TempoStack, false, Some(CredentialMode::TokenCco));
        assert!(run(&with_endpoint, Some(&cco), true, false).is_empty());
    }

    #[test]
    fn skipped_tls_verification_by_environment() {
        let s = SecretContent { name: "tempo-s3".into(), ..Default::default() };
        let stack = usage(CrKind::TempoStack, true, None);
        let path = "storage.trace.s3.tls_insecure_skip_verify";
        let found = |production: bool, allow: bool| {
            let mut settings = Settings::default();
            settings.production.allow_insecure_endpoints = allow;
            let mode = decide(Backend::S3, None, &s);
            let c = SecretCheck::new(&s, Backend::S3, Some(&stack), &mode, &settings, production);
            let mut out = Findings::new();
            tls_verification_skipped(&c, path, &mut out);
            out.iter().map(|f| (f.severity, f.path.clone(), f.message.clone())).collect::<Vec<_>>()
        };
        assert_eq!(sev(&found(false, false)), vec![Warn]);
        assert_eq!(sev(&found(true, true)), vec![Warn]);
        let rejected = found(true, false);
        assert_eq!(sev(&rejected), vec![Reject]);
        assert_eq!(rejected[0].1, format!("spec.extraConfig.tempo.{path}"));
        assert!(
            rejected[0].2.contains("refused in production unless production.allowInsecureEndpoints"),
            "{}",
            rejected[0].2
        );
        assert!(!found(false, false)[0].2.contains("refused in production"));
    }

    #[test]
    fn upper_case_scheme_is_left_to_endpoint() {
        assert!(run(&keys("HTTP://minio:9000"), None, false, false).is_empty());
    }
}
