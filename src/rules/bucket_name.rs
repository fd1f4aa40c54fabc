//! `bucket-name`: the bucket or container name follows the provider's naming rules and `storage.bucketNamePattern`.
//!
//! ## What it checks
//! The S3 `bucket`, the GCS `bucketname` and the Azure `container` against their provider's rules
//! (every broken rule listed at once):
//! - S3 (AWS, IBM COS): 3–63 characters; lowercase letters, digits, `.` and `-`; a letter or digit
//!   at both ends; no `..`; not an IPv4 address; none of the reserved prefixes (`xn--`, `sthree-`,
//!   `amzn-s3-demo-`) and suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`);
//! - GCS: 3–63 characters (up to 222 with dots, each part at most 63); lowercase letters,
//!   digits, `-`, `_` and `.`; a letter or digit at both ends; not an IP address; no `goog`
//!   prefix, no `google` or look-alike;
//! - Azure containers: 3–63 characters; lowercase letters, digits and `-`; a letter or digit
//!   at both ends; no `--`.
//!
//! An S3 access point alias (`<access point>-<metadata>-s3alias`, or `-ext-s3alias`) is accepted
//! in `bucket` behind AWS endpoints and in the token modes: AWS generates one for every access
//! point and documents it as usable "anywhere a bucket name is used to perform object-level
//! operations" (S3 user guide, access-points-naming.html, "Access point aliases"); the suffix is
//! reserved only so that no bucket can be created under it (bucketnamingrules.html). minio-go's
//! bucket-name check has no suffix rule (`CheckValidBucketName` in pkg/s3utils/utils.go), and it
//! addresses AWS hosts virtual-hosted, as access points require (`IsVirtualHostSupported`).
//! Access points take HTTPS only, so an alias behind a plain `http://` AWS endpoint is refused.
//! Behind other stores (MinIO, Ceph RGW, IBM COS) there are no access points: such a name is a
//! bucket created under a reserved suffix, judged as before.
//!
//! A broken rule rejects, except behind an S3-compatible endpoint that is neither AWS nor IBM COS
//! (MinIO, Ceph RGW, an IP address): those stores accept some names AWS refuses (Ceph's relaxed
//! names allow upper case, none of them reserves AWS's prefixes), so it is only a warning there.
//! The token modes always talk to AWS.
//!
//! When `storage.bucketNamePattern` is set, every backend's bucket or container name must match
//! it (a regex; anchor it with `^…$` to match the whole name).
//!
//! A dotted S3 bucket named in a virtual-hosted HTTPS endpoint host
//! (`https://tempo.traces.s3.eu-west-1.amazonaws.com`) is a warning: the provider's wildcard
//! certificate `*.s3.eu-west-1.amazonaws.com` covers a single label, so TLS verification fails.
//!
//! ## Why
//! The operator checks no name; a bad one fails when Tempo first writes, after the rollout
//! (`InvalidBucketName`, `ContainerNotFound` for a container that cannot exist). Naming
//! conventions (`tempo-<team>-<env>`) are how platform teams find, bill and lock down buckets.
//!
//! ## Example
//! Rejected: `bucket: Tempo_Traces` (upper case, `_`); with `storage.bucketNamePattern: "^tempo-"`,
//! `bucket: traces-prod`. Accepted: `bucket: tempo-traces-prod`. Warned: `bucket: tempo.traces`
//! with `endpoint: https://tempo.traces.s3.eu-west-1.amazonaws.com`.
//!
//! ## Settings
//! `storage.bucketNamePattern` (a regex every bucket and container name must match).

use crate::context::SecretCheck;
use crate::context::read_endpoint;
use crate::finding::{Findings, Severity, quote};
use crate::location::bucket_name::{
    azure_container_problems, gcs_bucket_problems, is_access_point_alias, s3_bucket_problems,
};
use crate::location::endpoint::{Scheme, Target};
use crate::objects::Backend;
use crate::registry::Rule;
use crate::settings::compile;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let key = c.backend.bucket_key();
    // Surrounding whitespace is `secret-keys`' finding; the name is judged without it.
    let Some(name) = c.secret.text(key).map(str::trim).filter(|n| !n.is_empty()) else { return };
    let path = c.key_path(key);
    let what = if c.backend == Backend::Azure { "container" } else { "bucket" };

    let (problems, provider, severity) = match c.backend {
        Backend::S3 => match read_endpoint(c).map(|e| &e.target) {
            Some(Target::Other) => (
                s3_bucket_problems(name, false),
                "the S3 bucket naming rules (a warning only: MinIO and Ceph RGW accept some names AWS refuses, but not every store does, and the bucket cannot move to AWS under this name)",
                Severity::Warn,
            ),
            Some(Target::IbmCos(_)) => {
                (s3_bucket_problems(name, false), "the IBM COS (S3) bucket naming rules", Severity::Reject)
            }
            _ => (s3_bucket_problems(name, true), "the S3 bucket naming rules", Severity::Reject),
        },
        Backend::Gcs => (gcs_bucket_problems(name), "the GCS bucket naming rules", Severity::Reject),
        Backend::Azure => (azure_container_problems(name), "the Azure container naming rules", Severity::Reject),
    };
    if !problems.is_empty() {
        let listed = problems.iter().map(|p| p.replace("; ", ";\\u{20}")).collect::<Vec<_>>().join(", ");
        out.push(
            Rule::BucketName,
            severity,
            path.clone(),
            format!(
                "{}: {what} {} breaks {provider}: it {listed}: use a name that follows them (a {what} cannot be renamed: create one under the new name)",
                c.subject(),
                quote(name)
            ),
        );
    }

    let pattern = c.settings.storage.bucket_name_pattern.as_deref();
    if let Some(Err(e)) = pattern.map(|p| compile("storage.bucketNamePattern", p)) {
        // Fail closed: a convention that cannot be read is not met.
        out.reject(
            Rule::BucketName,
            path.clone(),
            format!("{}: {what} {} cannot be checked: {e}: fix the policy settings", c.subject(), quote(name)),
        );
    }
    if let Some(pattern) = pattern
        && let Ok(re) = compile("storage.bucketNamePattern", pattern)
        && !re.is_match(name)
    {
        out.reject(
            Rule::BucketName,
            path,
            format!(
                "{}: {what} {} does not match storage.bucketNamePattern '{}': use a name that does (the policy's administrators set the convention)",
                c.subject(),
                quote(name),
                pattern.replace("; ", ";\\u{20}")
            ),
        );
    }

    dotted_virtual_host(c, out);
    alias_over_http(c, name, out);
}

/// Access points, and so their aliases, answer HTTPS only.
fn alias_over_http(c: &SecretCheck, name: &str, out: &mut Findings) {
    let Some(e) = read_endpoint(c) else { return };
    if e.scheme == Scheme::Http && matches!(e.target, Target::Aws(_)) && is_access_point_alias(name) {
        out.reject(
            Rule::BucketName,
            c.key_path(c.backend.bucket_key()),
            format!(
                "{}: bucket {} is an S3 access point alias, and access points answer HTTPS only: use an https:// endpoint",
                c.subject(),
                quote(name)
            ),
        );
    }
}

/// A dotted bucket in a virtual-hosted HTTPS host defeats the wildcard certificate.
fn dotted_virtual_host(c: &SecretCheck, out: &mut Findings) {
    let Some(e) = read_endpoint(c) else { return };
    let Some(in_host) = e.bucket() else { return };
    if e.scheme != Scheme::Https || !in_host.contains('.') {
        return;
    }
    let instead = match e.region() {
        Some(r) => format!("use the path-style endpoint {}", quote(&e.suggested_regional_endpoint(r))),
        None => "use the path-style endpoint of the bucket's region".to_string(),
    };
    out.warn(
        Rule::BucketName,
        c.key_path("endpoint"),
        format!(
            "{}: the endpoint host {} puts the dotted bucket name {} in front of the provider's domain, whose wildcard TLS certificate covers a single label, so certificate verification fails: {instead}",
            c.subject(),
            quote(&e.host),
            quote(in_host)
        ),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::finding::Severity::{Reject, Warn};
    use crate::objects::{Entry, SecretContent};
    use crate::settings::Settings;

    fn run(backend: Backend, pairs: &[(&str, &str)], pattern: Option<&str>) -> Vec<(Severity, String)> {
        let mut s = SecretContent { name: "store".into(), ..Default::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        let mut settings = Settings::default();
        settings.storage.bucket_name_pattern = pattern.map(str::to_string);
        let mode = decide(backend, None, &s);
        let c = SecretCheck::new(&s, backend, None, &mode, &settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| (f.severity, f.message.clone())).collect()
    }

    fn s3(endpoint: &str, bucket: &str) -> Vec<Severity> {
        run(Backend::S3, &[("endpoint", endpoint), ("bucket", bucket)], None).iter().map(|(s, _)| *s).collect()
    }

    #[test]
    fn s3_names_by_store() {
        let aws = "https://s3.eu-west-1.amazonaws.com";
        let ibm = "https://s3.us-south.cloud-object-storage.appdomain.cloud";
        let minio = "http://minio:9000";
        let rows: &[(&str, &str, Vec<Severity>)] = &[
            (aws, "tempo-traces", vec![]),
            (aws, "tempo.traces.eu", vec![]),
            (aws, "Tempo_Traces", vec![Reject]),
            (aws, "tb", vec![Reject]),
            (aws, "tempo..traces", vec![Reject]),
            (aws, "192.168.5.4", vec![Reject]),
            (aws, "sthree-tempo", vec![Reject]),
            // Not an alias's shape (no metadata part): a bucket under the reserved suffix.
            (aws, "tempo-s3alias", vec![Reject]),
            // Issue 19: access point aliases are accepted where access points exist.
            (aws, "tempo-ap-aqfqprnstn7aefdfbarligizwgyfouse1a-s3alias", vec![]),
            (aws, "tempo-ap-hbjkl3hnm2w7ylmj2ocvrd2oprqvuuse1b-ext-s3alias", vec![]),
            ("https://tempo-ap-abc123-s3alias.s3.eu-west-1.amazonaws.com", "tempo-ap-abc123-s3alias", vec![]),
            ("http://s3.eu-west-1.amazonaws.com", "tempo-ap-aqfqprnstn7aefdfbarligizwgyfouse1a-s3alias", vec![Reject]),
            (ibm, "tempo-ap-aqfqprnstn7aefdfbarligizwgyfouse1a-s3alias", vec![Reject]),
            (minio, "tempo-ap-aqfqprnstn7aefdfbarligizwgyfouse1a-s3alias", vec![Warn]),
            // The other reserved suffixes stay refused.
            (aws, "tempo-ap-aqfqprnstn7aefdfbarligiz--ol-s3", vec![Reject]),
            (ibm, "Tempo", vec![Reject]),
            (minio, "Tempo", vec![Warn]),
            (minio, "tempo", vec![]),
            ("http://10.0.0.5:9000", "xn--tempo", vec![Warn]),
            // Unparsable endpoint: `endpoint` rejects it, names are judged by AWS's rules.
            ("minio:9000", "Tempo", vec![Reject]),
        ];
        for (endpoint, bucket, expected) in rows {
            assert_eq!(&s3(endpoint, bucket), expected, "{endpoint} {bucket}");
        }
        let http = run(
            Backend::S3,
            &[("endpoint", "http://s3.eu-west-1.amazonaws.com"), ("bucket", "tempo-ap-aqfqprnstn7aefdf-s3alias")],
            None,
        );
        assert!(http[0].1.contains("access points answer HTTPS only"), "{http:?}");
        // Token modes talk to AWS over HTTPS: an alias is fine.
        let alias = run(
            Backend::S3,
            &[
                ("bucket", "tempo-ap-aqfqprnstn7aefdf-s3alias"),
                ("region", "eu-west-1"),
                ("role_arn", "arn:aws:iam::1:role/r"),
            ],
            None,
        );
        assert!(alias.is_empty(), "{alias:?}");
        // Token modes talk to AWS.
        let sts = run(
            Backend::S3,
            &[("bucket", "Tempo"), ("region", "eu-west-1"), ("role_arn", "arn:aws:iam::1:role/r")],
            None,
        );
        assert_eq!(sts.len(), 1);
        assert_eq!(sts[0].0, Reject);
        assert!(sts[0].1.contains("may contain only lowercase letters"), "{}", sts[0].1);
    }

    #[test]
    fn gcs_and_azure() {
        let gcs = |b: &str| run(Backend::Gcs, &[("bucketname", b), ("key.json", "{}")], None);
        assert!(gcs("tempo_traces").is_empty());
        assert!(gcs("a.very.long.dotted.bucket.name.example.com").is_empty());
        assert_eq!(gcs("google-tempo").len(), 1);
        assert_eq!(gcs("goog-tempo")[0].0, Reject);
        let azure =
            |n: &str| run(Backend::Azure, &[("container", n), ("account_name", "a"), ("account_key", "k")], None);
        assert!(azure("tempo-traces").is_empty());
        let found = azure("tempo--traces");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].1.contains("container \"tempo--traces\" breaks the Azure container naming rules"),
            "{}",
            found[0].1
        );
        assert_eq!(azure("tempo_traces")[0].0, Reject);
    }

    #[test]
    fn bucket_name_pattern_on_every_backend() {
        let p = Some("^tempo-[a-z]+-(dev|prod)$");
        let ok =
            run(Backend::S3, &[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "tempo-team-prod")], p);
        assert!(ok.is_empty());
        let found =
            run(Backend::S3, &[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "traces-prod")], p);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Reject);
        assert!(
            found[0].1.contains("does not match storage.bucketNamePattern '^tempo-[a-z]+-(dev|prod)$'"),
            "{}",
            found[0].1
        );
        // In-cluster stores too: the pattern is the administrators' convention, not AWS's.
        let found = run(Backend::S3, &[("endpoint", "http://minio:9000"), ("bucket", "traces")], p);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Reject);
        assert_eq!(run(Backend::Gcs, &[("bucketname", "traces"), ("key.json", "{}")], p).len(), 1);
        assert_eq!(
            run(Backend::Azure, &[("container", "traces"), ("account_name", "a"), ("account_key", "k")], p).len(),
            1
        );
    }

    #[test]
    fn dotted_bucket_in_virtual_hosted_https_host() {
        let found = run(
            Backend::S3,
            &[("endpoint", "https://tempo.traces.s3.eu-west-1.amazonaws.com"), ("bucket", "tempo.traces")],
            None,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Warn);
        assert!(found[0].1.contains("\"https://s3.eu-west-1.amazonaws.com\""), "{}", found[0].1);
        // Path-style, plain HTTP, or no dot: nothing.
        assert!(s3("https://s3.eu-west-1.amazonaws.com", "tempo.traces").is_empty());
        assert!(s3("http://tempo.traces.s3.eu-west-1.amazonaws.com", "tempo.traces").is_empty());
        assert!(s3("https://tempo-traces.s3.eu-west-1.amazonaws.com", "tempo-traces").is_empty());
        // IBM COS and acceleration hosts carry the bucket too.
        assert_eq!(
            s3("https://tempo.traces.s3.us-south.cloud-object-storage.appdomain.cloud", "tempo.traces"),
            vec![Warn]
        );
        assert_eq!(s3("https://tempo.traces.s3-accelerate.amazonaws.com", "tempo.traces"), vec![Warn]);
    }
}
