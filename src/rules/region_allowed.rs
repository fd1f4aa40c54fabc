//! `region-allowed`: the bucket's region is one of `storage.allowedRegions` (data residency).
//!
//! ## What it checks
//! Only when `storage.allowedRegions` is set. The bucket's region is taken from every place
//! that states it, as `endpoint-region` reads them: the endpoint host, the S3 `region` key
//! (what the token modes use), and `storage.bucketRegions[<bucket>]`; for Azure and GCS only
//! `storage.bucketRegions` by `container` / `bucketname` can say. A region not in the list is
//! rejected, naming where it came from. When nothing states the region (an in-cluster MinIO or
//! Ceph RGW, the legacy global AWS endpoint, transfer acceleration, an Azure container or GCS
//! bucket missing from `storage.bucketRegions`) the policy cannot tell, and says so in a warning.
//!
//! ## Why
//! Data-residency rules (GDPR, sovereignty contracts) say where traces may be stored; traces
//! carry request parameters, user ids and IP addresses. Nothing in Tempo or its operator knows
//! such a rule, and a copied Secret moves a stack's data to another continent silently.
//!
//! ## Example
//! With `storage.allowedRegions: [eu-west-1, eu-central-1]`: rejected `endpoint:
//! https://s3.us-east-1.amazonaws.com`; accepted `endpoint: https://s3.eu-central-1.amazonaws.com`;
//! warned `endpoint: http://minio.minio.svc:9000` (no region to check: add the bucket to
//! `storage.bucketRegions` to have it checked).
//!
//! ## Settings
//! `storage.allowedRegions` (the list; empty turns the rule off), `storage.bucketRegions`
//! (bucket / container name → region, for buckets whose endpoint names no region).

use crate::context::SecretCheck;
use crate::context::read_endpoint;
use crate::finding::{Findings, quote};
use crate::location::endpoint::Target;
use crate::location::endpoint::shown;
use crate::location::region::RegionCheck;
use crate::objects::Backend;
use crate::registry::Rule;
use crate::rules::endpoint_region::{region_claims, region_key};

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let allowed = &c.settings.storage.allowed_regions;
    if allowed.is_empty() {
        return;
    }
    let allowed_list = allowed.iter().map(|r| quote(r)).collect::<Vec<_>>().join(", ");
    let claims = region_claims(c);
    if claims.is_empty() {
        unknown(c, &allowed_list, out);
        return;
    }
    let mut reported: Vec<&str> = Vec::new();
    for claim in &claims {
        // Google writes location codes in either case (`EU`, `eu`); AWS and IBM codes are lower
        // case only (the settings refuse `EU-WEST-1`), so ignoring case matches exactly those.
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(claim.region)) || reported.contains(&claim.region) {
            continue;
        }
        reported.push(claim.region);
        out.reject(
            Rule::RegionAllowed,
            claim.path(c),
            format!(
                "{}: {} puts the bucket in region {}, which is not in storage.allowedRegions ({allowed_list}): store the traces in a bucket of an allowed region, or have the policy's administrators allow this one",
                c.subject(),
                claim.source,
                quote(claim.region)
            ),
        );
    }
}

/// Nothing states the region: say so, unless other rules already reject the keys that would.
fn unknown(c: &SecretCheck, allowed_list: &str, out: &mut Findings) {
    let key = c.backend.bucket_key();
    let Some(bucket) = c.secret.text(key) else { return };
    // A malformed `region` is `endpoint-region`'s rejection, not an unknown region.
    if region_key(c).is_some_and(|(_, _, check)| check == RegionCheck::Malformed) {
        return;
    }
    let why = match c.backend {
        Backend::S3 => match read_endpoint(c) {
            Some(e) if matches!(e.target, Target::Other) => format!(
                "endpoint {} is an S3-compatible store whose host names no region (in-cluster MinIO or Ceph RGW, another provider)",
                quote(&shown(e))
            ),
            Some(e) => format!("endpoint {} names no region", quote(&shown(e))),
            // No endpoint and no region: `secret-keys` rejects already.
            None => return,
        },
        Backend::Azure => "Azure names no region in its endpoint".to_string(),
        Backend::Gcs => "GCS names no region in its endpoint".to_string(),
    };
    let what = if c.backend == Backend::Azure { "container" } else { "bucket" };
    out.warn(
        Rule::RegionAllowed,
        c.key_path(key),
        format!(
            "{}: {why}, so the policy cannot tell whether {what} {} is in storage.allowedRegions ({allowed_list}): add it to storage.bucketRegions to have it checked",
            c.subject(),
            quote(bucket)
        ),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::finding::Severity::{self, Reject, Warn};
    use crate::objects::{CredentialMode, Entry, SecretContent};
    use crate::settings::Settings;

    fn settings(allowed: &[&str], bucket_regions: &[(&str, &str)]) -> Settings {
        let mut s = Settings::default();
        s.storage.allowed_regions = allowed.iter().map(|r| r.to_string()).collect();
        for (b, r) in bucket_regions {
            s.storage.bucket_regions.insert(b.to_string(), r.to_string());
        }
        s
    }

    fn run(
        backend: Backend,
        pairs: &[(&str, &str)],
        explicit: Option<CredentialMode>,
        settings: &Settings,
    ) -> Vec<(Severity, String)> {
        let mut s = SecretContent { name: "store".into(), ..Default::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        let mode = decide(backend, explicit, &s);
        let c = SecretCheck::new(&s, backend, None, &mode, settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| (f.severity, f.message.clone())).collect()
    }

    fn sev(found: &[(Severity, String)]) -> Vec<Severity> {
        found.iter().map(|(s, _)| *s).collect()
    }

    const EU: &[&str] = &["eu-west-1", "eu-central-1"];

    #[test]
    fn off_without_allowed_regions() {
        let s = settings(&[], &[]);
        assert_eq!(
            run(Backend::S3, &[("endpoint", "https://s3.us-east-1.amazonaws.com"), ("bucket", "t-1")], None, &s),
            vec![]
        );
        assert_eq!(run(Backend::S3, &[("endpoint", "http://minio:9000"), ("bucket", "t-1")], None, &s), vec![]);
    }

    #[test]
    fn s3_sources() {
        let s = settings(EU, &[("tempo-us", "us-east-1")]);
        type Row<'a> = (&'a [(&'a str, &'a str)], Option<CredentialMode>, Vec<Severity>);
        let rows: &[Row] = &[
            (&[("endpoint", "https://s3.eu-central-1.amazonaws.com"), ("bucket", "t-1")], None, vec![]),
            (&[("endpoint", "https://s3.us-east-1.amazonaws.com"), ("bucket", "t-1")], None, vec![Reject]),
            (
                &[("endpoint", "https://t-1.s3.dualstack.us-west-2.amazonaws.com:443"), ("bucket", "t-1")],
                None,
                vec![Reject],
            ),
            (&[("region", "eu-west-1"), ("role_arn", "arn:aws:iam::1:role/r"), ("bucket", "t-1")], None, vec![]),
            (&[("region", "us-east-2"), ("role_arn", "arn:aws:iam::1:role/r"), ("bucket", "t-1")], None, vec![Reject]),
            (&[("region", "us-east-2"), ("bucket", "t-1")], Some(CredentialMode::TokenCco), vec![Reject]),
            // bucketRegions decides where the endpoint cannot.
            (&[("endpoint", "http://minio:9000"), ("bucket", "tempo-us")], None, vec![Reject]),
            (&[("endpoint", "https://s3.amazonaws.com"), ("bucket", "tempo-us")], None, vec![Reject]),
            // Unknown: a warning.
            (&[("endpoint", "http://minio:9000"), ("bucket", "t-1")], None, vec![Warn]),
            (&[("endpoint", "https://s3.amazonaws.com"), ("bucket", "t-1")], None, vec![Warn]),
            (&[("endpoint", "https://t-1.s3-accelerate.amazonaws.com"), ("bucket", "t-1")], None, vec![Warn]),
            // Other rules' business: missing keys, malformed region.
            (&[("bucket", "t-1")], None, vec![]),
            (&[("region", "EU-WEST-1"), ("role_arn", "arn:aws:iam::1:role/r"), ("bucket", "t-1")], None, vec![]),
            // Static mode set on the CR: the region key is not read.
            (
                &[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("region", "us-east-1"), ("bucket", "t-1")],
                Some(CredentialMode::Static),
                vec![],
            ),
            // Two disallowed sources, the same region: one finding.
            (
                &[("endpoint", "https://s3.us-east-1.amazonaws.com"), ("region", "us-east-1"), ("bucket", "tempo-us")],
                None,
                vec![Reject],
            ),
        ];
        for (pairs, mode, expected) in rows {
            let found = run(Backend::S3, pairs, *mode, &s);
            assert_eq!(&sev(&found), expected, "{pairs:?}: {found:?}");
        }
    }

    #[test]
    fn message_names_source_and_list() {
        let s = settings(EU, &[]);
        let found =
            run(Backend::S3, &[("endpoint", "https://s3.us-east-1.amazonaws.com"), ("bucket", "t-1")], None, &s);
        let m = &found[0].1;
        assert!(m.contains("the endpoint host puts the bucket in region \"us-east-1\""), "{m}");
        assert!(m.contains("(\"eu-west-1\", \"eu-central-1\")"), "{m}");
        let found = run(Backend::S3, &[("endpoint", "http://minio.minio.svc:9000"), ("bucket", "t-1")], None, &s);
        assert!(found[0].1.contains("\"http://minio.minio.svc:9000\" is an S3-compatible store"), "{}", found[0].1);
    }

    #[test]
    fn ibm_locations() {
        let s = settings(&["eu-de"], &[]);
        let ok = run(
            Backend::S3,
            &[("endpoint", "https://s3.direct.eu-de.cloud-object-storage.appdomain.cloud"), ("bucket", "t-1")],
            None,
            &s,
        );
        assert_eq!(ok, vec![]);
        let cross = run(
            Backend::S3,
            &[("endpoint", "https://s3.eu.cloud-object-storage.appdomain.cloud"), ("bucket", "t-1")],
            None,
            &s,
        );
        assert_eq!(sev(&cross), vec![Reject]);
    }

    #[test]
    fn azure_and_gcs_by_bucket_regions() {
        let s = settings(&["westeurope"], &[("tempo-eu", "westeurope"), ("tempo-us", "eastus")]);
        let azure = |container: &str| {
            run(Backend::Azure, &[("container", container), ("account_name", "acct"), ("account_key", "k")], None, &s)
        };
        assert_eq!(azure("tempo-eu"), vec![]);
        assert_eq!(sev(&azure("tempo-us")), vec![Reject]);
        let unknown = azure("tempo-other");
        assert_eq!(sev(&unknown), vec![Warn]);
        assert!(unknown[0].1.contains("container \"tempo-other\""), "{}", unknown[0].1);
        let gcs = run(Backend::Gcs, &[("bucketname", "tempo-us"), ("key.json", "{}")], None, &s);
        assert_eq!(sev(&gcs), vec![Reject]);
        let gcs = run(Backend::Gcs, &[("bucketname", "tempo-x"), ("key.json", "{}")], None, &s);
        assert_eq!(sev(&gcs), vec![Warn]);
    }
}
