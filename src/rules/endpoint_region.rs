//! `endpoint-region`: the endpoint host, the `region` key and `storage.bucketRegions` agree on where the bucket lives.
//!
//! ## What it checks
//! For S3 Secrets, the bucket's region can come from three places, in this order: the endpoint
//! host (`s3.eu-west-1.amazonaws.com`, `s3.us-south.cloud-object-storage.appdomain.cloud`), the
//! Secret's `region` key, and `storage.bucketRegions[<bucket>]`. Any two of them that disagree
//! are rejected in one finding that names every value and where it came from. Only what the
//! operator reads counts: with `credentialMode: static` set on the CR the `region` key is
//! ignored, in the token modes the `endpoint` key is (the endpoint is then built from `region`);
//! with mixed keys and no mode both are compared.
//!
//! Also, from the endpoint host alone:
//! - a region outside the host's AWS partition is rejected: `cn-*` outside `.amazonaws.com.cn`,
//!   a non-`cn` region under it, a commercial region against GovCloud, `eusc-*` outside
//!   `.amazonaws.eu` (the `region` key and `bucketRegions` are held to the host's partition too);
//! - a virtual-hosted or VPC `bucket.` host (`tempo-traces.s3.eu-west-1.amazonaws.com`,
//!   `tempo-traces.bucket.vpce-…`) must name the Secret's `bucket`;
//! - the static-website endpoint (`s3-website-…`) and the S3 Control VPC endpoint
//!   (`control.vpce-…`) are rejected: neither serves objects through the S3 API;
//! - a Multi-Region Access Point (`<alias>.mrap.accesspoint.s3-global.amazonaws.com`) is
//!   rejected: AWS requires SigV4A signatures there, and minio-go, the S3 client Tempo uses,
//!   signs with SigV4 only (`pkg/signer/request-signature-v4.go`, no `AWS4-ECDSA-P256-SHA256`);
//! - a FIPS host (`s3-fips.…`, `s3-accesspoint-fips.…`) in a region without FIPS S3 endpoints
//!   is rejected: they exist only in the US and Canada commercial regions and in GovCloud, so
//!   `s3-fips.eu-west-1.amazonaws.com` does not resolve;
//! - the legacy global endpoint (`s3.amazonaws.com`, `s3-external-1.amazonaws.com`) is a
//!   warning that names the regional endpoint to use (for the region the Secret or the settings
//!   give, when one does);
//! - a host under an AWS or IBM COS domain that is no S3 form we know is a warning.
//!
//! Region codes: a malformed `region` (`EU-WEST-1`, `eu-west`, `eu-west-1a`) is rejected; a
//! well-formed region missing from the known list (in the host or in `region`) is only a warning,
//! since new regions appear every year. IBM COS locations are judged as IBM codes (`us-south`,
//! `eu`, `ams03`). Every other legitimate AWS form (dual-stack, FIPS, legacy dash, access points,
//! interface VPC endpoints, transfer acceleration) is accepted when it is consistent.
//!
//! ## Why
//! The operator compares none of this. A bucket in us-east-1 behind an eu-west-1 endpoint, or a
//! `region` that says otherwise than the host, fails at run time with "BucketRegionError:
//! incorrect region" or "the region 'x' is wrong; expecting 'y'" (grafana/loki#12095, #9131,
//! #7403); China and GovCloud regions only exist under their own partitions. The Loki Operator's
//! version of this check rejected interface VPC endpoints by mistake (grafana/loki#19243) and
//! missed hosts with a port: here every form is classified, with or without a port. Tempo itself
//! broke on regions newer than its list (grafana/tempo#4981, #2457), hence only a warning for a
//! well-formed region we do not know.
//!
//! ## Example
//! Rejected: `endpoint: https://s3.eu-west-1.amazonaws.com`, `bucket: tempo-traces` with
//! `storage.bucketRegions: {tempo-traces: us-east-1}`; `endpoint: https://s3.cn-north-1.amazonaws.com`;
//! `endpoint: https://other-bucket.s3.eu-west-1.amazonaws.com` with `bucket: tempo-traces`.
//! Accepted: `endpoint: https://s3.us-east-1.amazonaws.com` for that bucket;
//! `endpoint: https://bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com`.
//!
//! ## Settings
//! `storage.bucketRegions` (bucket name → region, the administrators' record of where each
//! bucket lives).

use std::fmt;

use crate::context::{SecretCheck, read_endpoint};
use crate::finding::{Findings, quote};
use crate::location::endpoint::{AwsForm, Endpoint, IbmForm, Target, VpcKind, shown};
use crate::location::region::{AwsPartition, RegionCheck, check_aws_region, check_ibm_location, partition_matches};
use crate::objects::Backend;
use crate::registry::Rule;

/// Where a statement about the bucket's region comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSource {
    EndpointHost,
    RegionKey,
    /// `storage.bucketRegions[<bucket>]`.
    BucketRegions(String),
}

impl fmt::Display for RegionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionSource::EndpointHost => f.write_str("the endpoint host"),
            RegionSource::RegionKey => f.write_str("the region key"),
            RegionSource::BucketRegions(b) => write!(f, "storage.bucketRegions[{}]", quote(b)),
        }
    }
}

/// One statement about the bucket's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionClaim<'a> {
    pub source: RegionSource,
    pub region: &'a str,
}

impl RegionClaim<'_> {
    /// Field path for findings.
    pub fn path(&self, c: &SecretCheck) -> String {
        match &self.source {
            RegionSource::EndpointHost => c.key_path("endpoint"),
            RegionSource::RegionKey => c.key_path("region"),
            RegionSource::BucketRegions(b) => format!("settings storage.bucketRegions[{}]", quote(b)),
        }
    }
}

impl fmt::Display for RegionClaim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.source, quote(self.region))
    }
}

/// Whose region codes the `region` key is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionProvider {
    Aws,
    IbmCos,
}

impl RegionProvider {
    fn check(self, region: &str) -> RegionCheck {
        match self {
            RegionProvider::Aws => check_aws_region(region),
            RegionProvider::IbmCos => check_ibm_location(region),
        }
    }

    fn example(self) -> &'static str {
        match self {
            RegionProvider::Aws => "AWS region codes look like eu-west-1, us-gov-west-1 or cn-north-1",
            RegionProvider::IbmCos => "IBM COS locations look like us-south, eu (cross-region) or ams03 (single site)",
        }
    }
}

/// The S3 `region` key as the operator reads it, with the provider it is judged by and the
/// verdict. `None` when absent, not read, or beside an S3-compatible endpoint that is no cloud
/// (MinIO's region is whatever its administrator chose, and only the token modes, which talk
/// to AWS, would read it).
pub fn region_key<'c>(c: &'c SecretCheck) -> Option<(&'c str, RegionProvider, RegionCheck)> {
    if c.backend != Backend::S3 || !c.reads_region() {
        return None;
    }
    // Surrounding whitespace is `secret-keys`' finding; the region is judged without it.
    let region = c.secret.text("region").map(str::trim).filter(|r| !r.is_empty())?;
    let provider = if c.reads_endpoint() {
        match c.parsed_endpoint().map(|e| &e.target) {
            Some(Target::IbmCos(_)) => RegionProvider::IbmCos,
            Some(Target::Other) => return None,
            Some(Target::Aws(_)) | None => RegionProvider::Aws,
        }
    } else {
        RegionProvider::Aws
    };
    Some((region, provider, provider.check(region)))
}

/// Every statement about the bucket's region the operator's configuration makes, in order:
/// endpoint host, `region` key (when well-formed), `storage.bucketRegions[<bucket>]`. For Azure
/// and GCS only the last can exist (by `container` / `bucketname`).
pub fn region_claims<'c>(c: &'c SecretCheck) -> Vec<RegionClaim<'c>> {
    let mut claims = Vec::new();
    if let Some(region) = read_endpoint(c).and_then(Endpoint::region) {
        claims.push(RegionClaim { source: RegionSource::EndpointHost, region });
    }
    if let Some((region, _, check)) = region_key(c)
        && check != RegionCheck::Malformed
    {
        claims.push(RegionClaim { source: RegionSource::RegionKey, region });
    }
    if let Some(bucket) = c.secret.text(c.backend.bucket_key()).map(str::trim)
        && let Some(region) = c.settings.storage.bucket_regions.get(bucket)
    {
        claims.push(RegionClaim { source: RegionSource::BucketRegions(bucket.to_string()), region });
    }
    claims
}

pub fn check(c: &SecretCheck, out: &mut Findings) {
    if c.backend != Backend::S3 {
        return;
    }
    let endpoint = read_endpoint(c);
    let claims = region_claims(c);
    if let Some(e) = endpoint {
        host_form(c, e, &claims, out);
    }
    region_codes(c, endpoint, out);
    if let Some(e) = endpoint {
        partition(c, e, &claims, out);
    }
    disagreement(c, endpoint, &claims, out);
    if let Some(e) = endpoint {
        bucket_in_host(c, e, out);
    }
}

/// Forms that serve no objects, forms we do not know, and the legacy global endpoint.
fn host_form(c: &SecretCheck, e: &Endpoint, claims: &[RegionClaim], out: &mut Findings) {
    let path = c.key_path("endpoint");
    let url = quote(&shown(e));
    let region_elsewhere = claims.iter().find(|cl| cl.source != RegionSource::EndpointHost).map(|cl| cl.region);
    match &e.target {
        Target::Aws(aws) => match aws.form {
            AwsForm::Website => {
                let instead = match e.region() {
                    Some(r) => format!("use the S3 API endpoint {}", quote(&e.suggested_regional_endpoint(r))),
                    None => "use the regional S3 API endpoint".to_string(),
                };
                out.reject(
                    Rule::EndpointRegion,
                    path,
                    format!(
                        "{}: endpoint {url} is the S3 static-website endpoint, which serves web pages and does not speak the S3 API Tempo uses: {instead}",
                        c.subject()
                    ),
                );
            }
            AwsForm::VpcInterface(VpcKind::Control) => out.reject(
                Rule::EndpointRegion,
                path,
                format!(
                    "{}: endpoint {url} is the S3 Control name of an interface VPC endpoint (control.vpce-…), which manages account settings and serves no objects: use the bucket.vpce-… name of the same VPC endpoint",
                    c.subject()
                ),
            ),
            AwsForm::Unrecognized => out.warn(
                Rule::EndpointRegion,
                path,
                format!(
                    "{}: endpoint {url} is under the {} domain {} but is no S3 endpoint form the policy knows (regional s3.<region>.{}, virtual-hosted, dual-stack, FIPS, access point, interface VPC endpoint, transfer acceleration): check that it is the S3 endpoint of the bucket's region",
                    c.subject(),
                    aws.partition.name(),
                    aws.partition.dns_suffix(),
                    aws.partition.dns_suffix()
                ),
            ),
            AwsForm::MultiRegionAccessPoint => out.reject(
                Rule::EndpointRegion,
                path,
                format!(
                    "{}: endpoint {url} is a Multi-Region Access Point, whose requests must be signed with SigV4A (AWS4-ECDSA-P256-SHA256); the S3 client Tempo uses (minio-go) signs with SigV4 only, so every request is refused: use the regional endpoint of one of the access point's buckets",
                    c.subject()
                ),
            ),
            _ if aws.fips && aws.region.as_deref().is_some_and(|r| !has_fips_endpoint(aws.partition, r)) => {
                let region = aws.region.as_deref().unwrap_or_default();
                let plain = format!("https://s3.{region}.{}", aws.partition.dns_suffix());
                out.reject(
                    Rule::EndpointRegion,
                    path,
                    format!(
                        "{}: endpoint {url} is a FIPS endpoint in region {}, but AWS offers FIPS S3 endpoints only in US, Canada and GovCloud regions, so the host does not exist: use {}",
                        c.subject(),
                        quote(region),
                        quote(&plain)
                    ),
                );
            }
            form if form.is_legacy_global() => {
                let instead = match region_elsewhere {
                    Some(r) => format!("use the regional endpoint {}", quote(&e.suggested_regional_endpoint(r))),
                    None => "use the regional endpoint of the bucket's region (https://s3.<region>.amazonaws.com)"
                        .to_string(),
                };
                out.warn(
                    Rule::EndpointRegion,
                    path,
                    format!(
                        "{}: endpoint {url} is the legacy global S3 endpoint, served from us-east-1: requests for buckets elsewhere are redirected, and buckets in regions launched after 2019-03-20 get HTTP 400 through it: {instead}",
                        c.subject()
                    ),
                );
            }
            _ => {}
        },
        Target::IbmCos(ibm) if ibm.form == IbmForm::Unrecognized => out.warn(
            Rule::EndpointRegion,
            path,
            format!(
                "{}: endpoint {url} is under an IBM Cloud Object Storage domain but is no endpoint form the policy knows (s3[.private|.direct].<location>.cloud-object-storage.appdomain.cloud): check it against the bucket's configuration in the IBM Cloud console",
                c.subject()
            ),
        ),
        _ => {}
    }
}

/// Whether AWS runs FIPS S3 endpoints in `region`: in the commercial partition only in `us-*`
/// and `ca-*` regions, and in GovCloud; never in China or the European Sovereign Cloud
/// (storage-secrets.md, AWS FIPS endpoints list). The ISO partitions are left alone: their
/// endpoint lists are not public.
fn has_fips_endpoint(partition: AwsPartition, region: &str) -> bool {
    match partition {
        AwsPartition::Commercial => region.starts_with("us-") || region.starts_with("ca-"),
        AwsPartition::China | AwsPartition::EuSovereign => false,
        _ => true,
    }
}

/// A malformed `region` key rejects; a well-formed unknown region (key or host) warns.
fn region_codes(c: &SecretCheck, endpoint: Option<&Endpoint>, out: &mut Findings) {
    let key = region_key(c);
    if let Some((region, provider, check)) = key {
        let path = c.key_path("region");
        match check {
            RegionCheck::Malformed => out.reject(
                Rule::EndpointRegion,
                path,
                format!(
                    "{}: region {} is not a region code ({}, lowercase, no zone letter, no spaces): correct it",
                    c.subject(),
                    quote(region),
                    provider.example()
                ),
            ),
            RegionCheck::WellFormedUnknown => out.warn(Rule::EndpointRegion, path, unknown_region(c, region, provider)),
            RegionCheck::Known => {}
        }
    }
    let Some(e) = endpoint else { return };
    let host_region = match &e.target {
        Target::Aws(aws) => aws.region.as_deref().map(|r| (r, RegionProvider::Aws)),
        Target::IbmCos(ibm) => ibm.location.as_deref().map(|r| (r, RegionProvider::IbmCos)),
        Target::Other => None,
    };
    if let Some((region, provider)) = host_region
        && provider.check(region) == RegionCheck::WellFormedUnknown
        // The same unknown region in the key was reported already.
        && key.is_none_or(|(k, _, _)| k != region)
    {
        out.warn(Rule::EndpointRegion, c.key_path("endpoint"), unknown_region(c, region, provider));
    }
}

fn unknown_region(c: &SecretCheck, region: &str, provider: RegionProvider) -> String {
    let what = match provider {
        RegionProvider::Aws => "AWS region",
        RegionProvider::IbmCos => "IBM COS location",
    };
    format!(
        "{}: {} is a well-formed {what} code that the policy does not know: fine if the region launched recently, otherwise check it for a typo",
        c.subject(),
        quote(region)
    )
}

/// Every region stated must belong to the AWS partition of the endpoint's DNS suffix.
fn partition(c: &SecretCheck, e: &Endpoint, claims: &[RegionClaim], out: &mut Findings) {
    let Target::Aws(aws) = &e.target else { return };
    let mut reported: Vec<&str> = Vec::new();
    for claim in claims {
        if partition_matches(aws.partition, claim.region) || reported.contains(&claim.region) {
            continue;
        }
        reported.push(claim.region);
        let region_partition = crate::location::region::aws_partition_of_region(claim.region)
            .map(|p| format!(", which belongs to {p}"))
            .unwrap_or_default();
        let said = match claim.source {
            RegionSource::EndpointHost => {
                format!("the endpoint host {} names region {}", quote(&e.host), quote(claim.region))
            }
            _ => format!("{} is {}", claim.source, quote(claim.region)),
        };
        out.reject(
            Rule::EndpointRegion,
            claim.path(c),
            format!(
                "{}: {said}{region_partition}, but the endpoint's DNS suffix {} belongs to {}: accounts, buckets and endpoints never cross partitions, so the endpoint for {} is {}",
                c.subject(),
                quote(aws.partition.dns_suffix()),
                aws.partition,
                quote(claim.region),
                quote(&e.suggested_regional_endpoint(claim.region))
            ),
        );
    }
}

/// Two statements naming different regions.
fn disagreement(c: &SecretCheck, endpoint: Option<&Endpoint>, claims: &[RegionClaim], out: &mut Findings) {
    let Some(first) = claims.first() else { return };
    if claims.iter().all(|cl| cl.region.eq_ignore_ascii_case(first.region)) {
        return;
    }
    let listed: Vec<String> = claims.iter().map(ToString::to_string).collect();
    let paths: Vec<String> = claims.iter().map(|cl| cl.path(c)).collect();
    let settings_region = claims.iter().find(|cl| matches!(cl.source, RegionSource::BucketRegions(_)));
    let advice = match (settings_region, endpoint) {
        (Some(s), Some(e)) if !matches!(e.target, Target::Other) => format!(
            "storage.bucketRegions records the bucket in {}, so its endpoint is {}{}",
            quote(s.region),
            quote(&e.suggested_regional_endpoint(s.region)),
            if c.secret.text("region").is_some() && c.reads_region() { " and region must say the same" } else { "" }
        ),
        (Some(s), _) => {
            format!("storage.bucketRegions records the bucket in {}: make region say the same", quote(s.region))
        }
        (None, _) => "make them all name the region the bucket is in".to_string(),
    };
    out.reject(
        Rule::EndpointRegion,
        paths.join(", "),
        format!(
            "{}: the bucket's region is stated differently by {}: requests signed for one region are refused by the other (\"BucketRegionError: incorrect region\"): {advice}",
            c.subject(),
            join_and(&listed)
        ),
    );
}

/// A virtual-hosted, VPC `bucket.` or IBM virtual-hosted host names the bucket it serves.
fn bucket_in_host(c: &SecretCheck, e: &Endpoint, out: &mut Findings) {
    let (Some(in_host), Some(bucket)) = (e.bucket(), c.secret.text("bucket").map(str::trim)) else { return };
    if in_host == bucket {
        return;
    }
    let instead = match e.region() {
        Some(r) if !matches!(&e.target, Target::Aws(aws) if aws.form == AwsForm::VpcInterface(VpcKind::Bucket)) => {
            format!(
                "correct the host, or use the path-style endpoint {} which serves every bucket of the region",
                quote(&e.suggested_regional_endpoint(r))
            )
        }
        _ => "correct the host, or the bucket key if the host is right".to_string(),
    };
    out.reject(
        Rule::EndpointRegion,
        format!("{}, {}", c.key_path("endpoint"), c.key_path("bucket")),
        format!(
            "{}: the endpoint host {} names bucket {} but the bucket key is {}: Tempo would look for {} behind a host that serves {}: {instead}",
            c.subject(),
            quote(&e.host),
            quote(in_host),
            quote(bucket),
            quote(bucket),
            quote(in_host)
        ),
    );
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::credential::{ModeDecision, decide};
    use crate::finding::Severity;
    use crate::objects::{CredentialMode, Entry, SecretContent};
    use crate::settings::Settings;

    fn secret(pairs: &[(&str, &str)]) -> SecretContent {
        let mut s = SecretContent { name: "tempo-s3".into(), ..Default::default() };
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        s
    }

    /// (severity, message) of every endpoint-region finding.
    fn run_with(
        pairs: &[(&str, &str)],
        explicit: Option<CredentialMode>,
        settings: &Settings,
    ) -> Vec<(Severity, String)> {
        let s = secret(pairs);
        let mode = decide(Backend::S3, explicit, &s);
        let c = SecretCheck::new(&s, Backend::S3, None, &mode, settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| (f.severity, f.message.clone())).collect()
    }

    fn run(endpoint: &str, bucket: &str) -> Vec<(Severity, String)> {
        run_with(&[("endpoint", endpoint), ("bucket", bucket)], None, &Settings::default())
    }

    fn bucket_regions(pairs: &[(&str, &str)]) -> Settings {
        let mut s = Settings::default();
        for (b, r) in pairs {
            s.storage.bucket_regions.insert(b.to_string(), r.to_string());
        }
        s
    }

    fn severities(found: &[(Severity, String)]) -> Vec<Severity> {
        found.iter().map(|(s, _)| *s).collect()
    }

    use Severity::{Reject, Warn};

    /// Every legitimate form, consistent with the bucket: accepted without a word
    /// (grafana/loki#19243 must not happen here).
    #[test]
    fn consistent_forms_are_clean() {
        let rows = [
            ("https://s3.eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://s3.eu-west-1.amazonaws.com:443", "tempo-traces"),
            ("https://S3.EU-WEST-1.AMAZONAWS.COM/", "tempo-traces"),
            ("https://s3.dualstack.eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://s3-fips.us-east-1.amazonaws.com", "tempo-traces"),
            ("https://s3-fips.dualstack.us-gov-west-1.amazonaws.com", "tempo-traces"),
            ("https://s3-eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://tempo-traces.s3.eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://tempo-traces.s3-eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://tempo-traces.s3.dualstack.ap-southeast-5.amazonaws.com", "tempo-traces"),
            ("https://tempo-ap-123456789012.s3-accesspoint.eu-west-1.amazonaws.com", "tempo-traces"),
            ("https://bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com", "tempo-traces"),
            (
                "https://tempo-traces.bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com",
                "tempo-traces",
            ),
            ("https://accesspoint.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com", "tempo-traces"),
            ("https://vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com", "tempo-traces"),
            ("https://tempo-traces.s3-accelerate.amazonaws.com", "tempo-traces"),
            ("https://tempo-traces.s3-accelerate.dualstack.amazonaws.com", "tempo-traces"),
            ("https://s3.cn-north-1.amazonaws.com.cn", "tempo-traces"),
            ("https://s3.cn-northwest-1.amazonaws.com.cn:443", "tempo-traces"),
            ("https://s3.us-gov-east-1.amazonaws.com", "tempo-traces"),
            ("https://s3.eusc-de-east-1.amazonaws.eu", "tempo-traces"),
            ("https://s3.us-south.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://s3.private.eu-de.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://s3.direct.eu.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://s3.ams03.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://s3.us-south.objectstorage.softlayer.net", "tempo-traces"),
            ("https://s3-api.dal-us-geo.objectstorage.softlayer.net", "tempo-traces"),
            ("https://s3.us-south.objectstorage.service.networklayer.com", "tempo-traces"),
            ("https://s3.private.dal.us.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://tempo-traces.s3.us-south.cloud-object-storage.appdomain.cloud", "tempo-traces"),
            ("https://s3.us-iso-east-1.c2s.ic.gov", "tempo-traces"),
            ("http://minio:9000", "tempo"),
            ("http://rook-ceph-rgw-store.rook-ceph.svc", "tempo"),
            ("http://10.0.0.12:9000", "tempo"),
            ("https://[fd00::12]:9000", "tempo"),
        ];
        for (endpoint, bucket) in rows {
            assert_eq!(run(endpoint, bucket), vec![], "{endpoint}");
        }
    }

    #[test]
    fn endpoint_host_against_bucket_regions() {
        let settings = bucket_regions(&[("tempo-traces", "us-east-1")]);
        let found = run_with(
            &[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "tempo-traces")],
            None,
            &settings,
        );
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        let m = &found[0].1;
        assert!(m.contains("the endpoint host (\"eu-west-1\")"), "{m}");
        assert!(m.contains("storage.bucketRegions[\"tempo-traces\"] (\"us-east-1\")"), "{m}");
        assert!(m.contains("https://s3.us-east-1.amazonaws.com"), "{m}");
        // Agreement, and a bucket the settings do not know: clean.
        let ok = run_with(
            &[("endpoint", "https://s3.us-east-1.amazonaws.com"), ("bucket", "tempo-traces")],
            None,
            &settings,
        );
        assert_eq!(ok, vec![]);
        let other =
            run_with(&[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "tempo-logs")], None, &settings);
        assert_eq!(other, vec![]);
    }

    #[test]
    fn three_sources_in_one_finding() {
        let settings = bucket_regions(&[("tempo-traces", "us-east-1")]);
        let found = run_with(
            &[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "tempo-traces"), ("region", "eu-west-2")],
            None,
            &settings,
        );
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        let m = &found[0].1;
        assert!(
            m.contains("\"eu-west-1\"") && m.contains("the region key (\"eu-west-2\")") && m.contains("\"us-east-1\"")
        );
    }

    #[test]
    fn region_key_is_ignored_in_explicit_static_mode_only() {
        let pairs = [
            ("endpoint", "https://s3.eu-west-1.amazonaws.com"),
            ("bucket", "tempo-traces"),
            ("region", "us-east-1"),
            ("access_key_id", "x"),
            ("access_key_secret", "y"),
        ];
        // Mixed keys, no mode: both read, disagreement.
        let mixed = run_with(&pairs, None, &Settings::default());
        assert_eq!(severities(&mixed), vec![Reject], "{mixed:?}");
        assert!(mixed[0].1.contains("the region key (\"us-east-1\")"));
        // credentialMode static: region ignored.
        assert_eq!(run_with(&pairs, Some(CredentialMode::Static), &Settings::default()), vec![]);
        // credentialMode token: the endpoint is ignored (derived from region), so no disagreement.
        assert_eq!(run_with(&pairs, Some(CredentialMode::Token), &Settings::default()), vec![]);
    }

    #[test]
    fn token_mode_region_against_bucket_regions() {
        let settings = bucket_regions(&[("tempo-traces", "eu-west-1")]);
        let pairs = [("bucket", "tempo-traces"), ("region", "eu-central-1"), ("role_arn", "arn:aws:iam::1:role/r")];
        let found = run_with(&pairs, None, &settings);
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        assert!(found[0].1.contains("make region say the same"), "{}", found[0].1);
    }

    #[test]
    fn partitions() {
        let found = run("https://s3.cn-north-1.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        assert!(found[0].1.contains("AWS China (aws-cn)"), "{}", found[0].1);
        assert!(found[0].1.contains("https://s3.cn-north-1.amazonaws.com.cn"), "{}", found[0].1);
        let found = run("https://s3.eu-west-1.amazonaws.com.cn", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        let found = run("https://s3.eu-central-1.amazonaws.eu", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        // The region key is held to the host's partition too (here: no region in the host).
        let found = run_with(
            &[("endpoint", "https://s3.amazonaws.com"), ("bucket", "tempo-traces"), ("region", "cn-north-1")],
            None,
            &Settings::default(),
        );
        assert_eq!(severities(&found), vec![Warn, Reject], "{found:?}");
        // GovCloud host, commercial region key: partition and disagreement.
        let found = run_with(
            &[
                ("endpoint", "https://s3.us-gov-west-1.amazonaws.com"),
                ("bucket", "tempo-traces"),
                ("region", "us-east-1"),
            ],
            None,
            &Settings::default(),
        );
        assert_eq!(severities(&found), vec![Reject, Reject], "{found:?}");
    }

    #[test]
    fn bucket_in_host() {
        let found = run("https://tempo-logs.s3.eu-west-1.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        let m = &found[0].1;
        assert!(m.contains("names bucket \"tempo-logs\" but the bucket key is \"tempo-traces\""), "{m}");
        assert!(m.contains("https://s3.eu-west-1.amazonaws.com"), "{m}");
        for endpoint in [
            "https://tempo-logs.bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com",
            "https://tempo-logs.s3-accelerate.amazonaws.com",
            "https://tempo-logs.s3-external-1.amazonaws.com",
            "https://tempo-logs.s3.us-south.cloud-object-storage.appdomain.cloud",
        ] {
            let found = run(endpoint, "tempo-traces");
            assert!(found.iter().any(|(s, m)| *s == Reject && m.contains("\"tempo-logs\"")), "{endpoint}: {found:?}");
        }
    }

    #[test]
    fn legacy_global_warns_with_the_regional_endpoint() {
        let found = run("https://s3.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Warn], "{found:?}");
        assert!(found[0].1.contains("https://s3.<region>.amazonaws.com"), "{}", found[0].1);
        let settings = bucket_regions(&[("tempo-traces", "eu-central-1")]);
        let found = run_with(
            &[("endpoint", "https://s3-external-1.amazonaws.com"), ("bucket", "tempo-traces")],
            None,
            &settings,
        );
        assert_eq!(severities(&found), vec![Warn], "{found:?}");
        assert!(found[0].1.contains("\"https://s3.eu-central-1.amazonaws.com\""), "{}", found[0].1);
    }

    #[test]
    fn region_codes() {
        let with_region = |r: &str| {
            run_with(
                &[("bucket", "tempo-traces"), ("region", r), ("role_arn", "arn:aws:iam::1:role/r")],
                None,
                &Settings::default(),
            )
        };
        assert_eq!(with_region("eu-west-1"), vec![]);
        for bad in ["EU-WEST-1", "eu-west", "eu-west-1a", "eu_west_1"] {
            let found = with_region(bad);
            assert_eq!(severities(&found), vec![Reject], "{bad}: {found:?}");
        }
        // Surrounding whitespace is secret-keys' finding: the code itself is fine.
        assert_eq!(with_region("eu-west-1\n"), vec![]);
        let found = with_region("eu-west-4");
        assert_eq!(severities(&found), vec![Warn], "{found:?}");
        assert!(found[0].1.contains("well-formed AWS region"));
        // An unknown but well-formed region in the host: a warning too.
        let found = run("https://s3.ap-southeast-9.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Warn], "{found:?}");
        // IBM COS locations are judged as IBM codes.
        let ibm = [("endpoint", "https://s3.eu-de.cloud-object-storage.appdomain.cloud"), ("bucket", "b-1")];
        let found = run_with(&[ibm[0], ibm[1], ("region", "eu-gb")], None, &Settings::default());
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        assert!(found[0].1.contains("the endpoint host (\"eu-de\") and the region key (\"eu-gb\")"));
        assert_eq!(run_with(&[ibm[0], ibm[1], ("region", "eu-de")], None, &Settings::default()), vec![]);
        // Next to MinIO, the region key is MinIO's business.
        let minio = [("endpoint", "http://minio:9000"), ("bucket", "tempo"), ("region", "home-lab")];
        assert_eq!(run_with(&minio, None, &Settings::default()), vec![]);
    }

    #[test]
    fn forms_that_serve_no_objects_or_are_unknown() {
        let found = run("http://tempo-traces.s3-website-eu-west-1.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        assert!(found[0].1.contains("static-website"));
        let found = run("https://control.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com", "t-1");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        let found = run("https://tempo-traces.s3-website.eu-west-1.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        for unknown in [
            "https://ec2.eu-west-1.amazonaws.com",
            "https://s3express-control.us-west-2.amazonaws.com",
            "https://op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com",
            "https://s3-object-lambda.us-east-1.amazonaws.com",
        ] {
            let found = run(unknown, "tempo-traces");
            assert_eq!(severities(&found), vec![Warn], "{unknown}: {found:?}");
        }
        let found = run("https://cos.eu-de.cloud-object-storage.appdomain.cloud", "tempo-traces");
        assert_eq!(severities(&found), vec![Warn], "{found:?}");
    }

    /// Multi-Region Access Points need SigV4A, which minio-go does not sign; FIPS hosts exist
    /// only in US, Canada and GovCloud regions.
    #[test]
    fn hosts_the_client_cannot_use() {
        let found = run("https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com", "tempo-traces");
        assert_eq!(severities(&found), vec![Reject], "{found:?}");
        assert!(found[0].1.contains("SigV4A"), "{}", found[0].1);
        for endpoint in [
            "https://s3-fips.eu-west-1.amazonaws.com",
            "https://s3-fips.dualstack.ap-southeast-2.amazonaws.com",
            "https://tempo-traces.s3-fips.eu-central-1.amazonaws.com",
            "https://finance-123456789012.s3-accesspoint-fips.eu-west-1.amazonaws.com",
            "https://s3-fips.cn-north-1.amazonaws.com.cn",
        ] {
            let found = run(endpoint, "tempo-traces");
            assert_eq!(severities(&found), vec![Reject], "{endpoint}: {found:?}");
            assert!(found[0].1.contains("FIPS"), "{}", found[0].1);
        }
        let found = run("https://s3-fips.eu-west-1.amazonaws.com", "tempo-traces");
        assert!(found[0].1.contains("\"https://s3.eu-west-1.amazonaws.com\""), "{}", found[0].1);
        for endpoint in [
            "https://s3-fips.us-east-2.amazonaws.com",
            "https://s3-fips.dualstack.us-west-2.amazonaws.com",
            "https://s3-fips.ca-central-1.amazonaws.com",
            "https://s3-fips.ca-west-1.amazonaws.com",
            "https://s3-fips.us-gov-east-1.amazonaws.com",
            "https://s3-fips-us-gov-west-1.amazonaws.com",
        ] {
            assert_eq!(run(endpoint, "tempo-traces"), vec![], "{endpoint}");
        }
    }

    #[test]
    fn azure_and_gcs_are_not_judged_here() {
        let s = secret(&[("container", "tempo"), ("account_name", "acct"), ("account_key", "k")]);
        let mode = ModeDecision::Inferred(CredentialMode::Static);
        let settings = bucket_regions(&[("tempo", "westeurope")]);
        let c = SecretCheck::new(&s, Backend::Azure, None, &mode, &settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        assert!(out.is_empty());
        assert_eq!(region_claims(&c).len(), 1);
    }

    #[test]
    fn messages_survive_hostile_values() {
        let settings = bucket_regions(&[("a; b", "us-east-1")]);
        let found =
            run_with(&[("endpoint", "https://s3.eu-west-1.amazonaws.com"), ("bucket", "a; b")], None, &settings);
        assert_eq!(severities(&found), vec![Reject]);
        assert!(!found[0].1.contains("; "));
    }
}
