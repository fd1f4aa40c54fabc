//! Parsing and classification of an object-storage `endpoint` URL: structural problems, provider, partition, region, bucket.
//!
//! The operator only checks that the endpoint parses as a URL, strips the
//! scheme and hands `host[:port]` to Tempo, so anything else that is wrong
//! surfaces at run time. This module finds those problems up front and reads
//! the provider's host naming scheme so the caller can compare the region and
//! bucket in the host with the rest of the configuration.
//!
//! Surrounding whitespace (a Secret made with `echo` carries a trailing
//! newline) is trimmed before parsing and recorded as
//! [`EndpointNote::SurroundingWhitespace`]: classification still happens, so
//! the caller can say precisely what is wrong, but the operator's Go URL
//! parser rejects control characters, so the caller should treat the note as
//! an error rather than a warning.

use std::fmt;

use url::{Host, Url};

use super::region::{self, AwsPartition};

/// The two schemes Tempo can speak; anything else never reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Structural problems with the endpoint as Tempo will use it.
///
/// None of these carries the raw input: the user-info part of a URL can be a
/// password, so the rendered text is built only from parts that cannot hold
/// one (the scheme, the path) or from fixed wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointProblem {
    /// The text is not a URL at all; the reason is fixed wording.
    NotAUrl(String),
    /// A bare host such as `s3.us-east-1.amazonaws.com` or `minio:9000`: the
    /// key is called `endpoint`, and users expect a host name to do
    /// (grafana/tempo-operator#632), but the operator rejects it.
    MissingScheme,
    /// Lowercased scheme.
    UnsupportedScheme(String),
    NoHost,
    /// Tempo refuses paths ("Endpoint url cannot have fully qualified
    /// paths", grafana/tempo#3696); usually the bucket was put there.
    HasPath(String),
    /// Deliberately without the query: it could be a pre-signed signature.
    HasQuery,
    HasFragment,
    /// Deliberately without the user-info: it is usually a password.
    HasUserInfo,
    /// A host name that Go's URL parser (the operator's `url.ParseRequestURI`), the S3 client's
    /// domain check (minio-go `s3utils.IsValidDomain`) or Go's resolver refuses: a character
    /// outside letters, digits, `-`, `_` and `.`, percent-encoding, a leading `-`, `_` or `.`,
    /// an empty or over-long label. The reason is fixed wording plus at most one character.
    InvalidHostName(String),
    /// A host the S3 client Tempo uses (minio-go `isValidEndpointURL`, utils.go) refuses when
    /// Tempo starts, although it is a well-formed name; the text says which and why.
    RefusedByS3Client(&'static str),
}

impl fmt::Display for EndpointProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointProblem::NotAUrl(reason) => write!(f, "is not a valid URL: {reason}"),
            EndpointProblem::MissingScheme => f.write_str(
                "has no scheme: write it as a URL starting with https:// (or http:// for plain \
                 HTTP), for example https://s3.eu-west-1.amazonaws.com (the operator rejects a \
                 bare host name)",
            ),
            EndpointProblem::UnsupportedScheme(s) => {
                write!(f, "uses the scheme \"{s}\": only http:// and https:// are supported")
            }
            EndpointProblem::NoHost => f.write_str("has no host name"),
            EndpointProblem::HasPath(p) => write!(
                f,
                "has the path \"{p}\", which Tempo refuses (\"Endpoint url cannot have fully \
                 qualified paths\"): remove it and put the bucket name in the bucket key"
            ),
            EndpointProblem::HasQuery => f.write_str("has a query string (the part after \"?\"): remove it"),
            EndpointProblem::HasFragment => f.write_str("has a fragment (the part after \"#\"): remove it"),
            EndpointProblem::HasUserInfo => f.write_str(
                "carries credentials before the host name (user:password@): remove them and put \
                 the keys in access_key_id and access_key_secret",
            ),
            EndpointProblem::InvalidHostName(reason) => write!(
                f,
                "has a host name that {reason}, so neither the operator's URL parser, the S3 \
                 client Tempo uses (minio-go) nor a DNS resolver accepts it: write the host name \
                 as DNS has it"
            ),
            EndpointProblem::RefusedByS3Client(why) => f.write_str(why),
        }
    }
}

/// Things that do not stop classification but that the caller should report;
/// whether as an error or a warning is the caller's call (see each variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointNote {
    /// Leading or trailing whitespace, typically the newline `echo` leaves.
    /// The operator rejects it (Go's URL parser refuses control characters).
    SurroundingWhitespace,
    /// `HTTPS://…`: valid URL, but the operator strips only a lowercase
    /// `https://`/`http://` prefix, so Tempo receives the scheme as part of
    /// the host and the connection is treated as plain HTTP.
    SchemeNotLowercase,
    /// `host.` (fully qualified): resolves fine, but is unusual enough that
    /// allow-lists and certificate names often do not match it.
    HostTrailingDot,
}

impl fmt::Display for EndpointNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndpointNote::SurroundingWhitespace => {
                "has leading or trailing whitespace (often a newline left by `echo`: use \
                 `echo -n` or `kubectl create secret --from-literal`): the operator rejects it"
            }
            EndpointNote::SchemeNotLowercase => {
                "has an upper-case scheme: the operator only recognises a lowercase http:// or \
                 https:// prefix, so Tempo would receive the scheme as part of the host"
            }
            EndpointNote::HostTrailingDot => {
                "ends its host name with a dot: allow-lists and certificates rarely expect it"
            }
        })
    }
}

/// A parsed endpoint that Tempo can use as `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    /// Lowercased, without port, brackets or trailing dot, so that it can be
    /// compared with other hosts directly.
    pub host: String,
    /// `None` when absent *or* equal to the scheme's default port: the `url`
    /// crate normalises the default away, and both mean the same connection.
    pub port: Option<u16>,
    pub target: Target,
    pub notes: Vec<EndpointNote>,
}

/// Who serves the endpoint, as far as the host name tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Aws(AwsEndpoint),
    IbmCos(IbmEndpoint),
    /// MinIO, Ceph RGW, in-cluster services, IP addresses, other clouds:
    /// S3-compatible, with nothing to learn from the host name.
    Other,
}

/// An endpoint under an AWS partition's DNS suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsEndpoint {
    /// The partition the DNS suffix belongs to; `GovCloud` when the suffix is
    /// `amazonaws.com` and the host's region is `us-gov-*`. A region of
    /// another partition in the host (`s3.cn-north-1.amazonaws.com`) does not
    /// change it: check with [`region::partition_matches`].
    pub partition: AwsPartition,
    pub form: AwsForm,
    /// The region written in the host. `None` for forms without one
    /// (legacy global, transfer acceleration, multi-region access points,
    /// unrecognised hosts).
    pub region: Option<String>,
    /// The bucket a virtual-hosted, website, acceleration or VPC `bucket.`
    /// host names; it must equal the Secret's `bucket` key.
    pub bucket: Option<String>,
    /// `<name>-<account>` of an access point, or a multi-region alias.
    pub access_point: Option<String>,
    /// `.dualstack.` (IPv4 and IPv6) variant.
    pub dualstack: bool,
    /// FIPS 140 variant (`s3-fips`, `s3-accesspoint-fips`, `s3-fips-<region>`).
    pub fips: bool,
}

/// The AWS S3 host naming forms. Dual-stack and FIPS variants are flags on
/// [`AwsEndpoint`] rather than forms: they combine freely with the forms and
/// change nothing about region or bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsForm {
    /// Path-style `s3.<region>.…` (also `s3.dualstack.`, `s3-fips.`).
    Regional,
    /// Path-style `s3-<region>.amazonaws.com` (older regions only) and
    /// `s3-fips-<region>`.
    LegacyDash,
    /// Path-style `s3.amazonaws.com` / `s3-external-1.amazonaws.com`: served
    /// from us-east-1; buckets in regions launched after 2019-03-20 get
    /// HTTP 400 through it.
    LegacyGlobal,
    /// `<bucket>.s3.<region>.…` (also dual-stack and FIPS).
    VirtualHosted,
    /// `<bucket>.s3-<region>.amazonaws.com`.
    VirtualHostedLegacyDash,
    /// `<bucket>.s3.amazonaws.com` / `<bucket>.s3-external-1.amazonaws.com`.
    VirtualHostedLegacyGlobal,
    /// `<name>-<account>.s3-accesspoint[-fips][.dualstack].<region>.…`
    AccessPoint,
    /// `<alias>.accesspoint.s3-global.amazonaws.com`: no region by design.
    MultiRegionAccessPoint,
    /// `[<name>.]<kind>.vpce-<id>.s3.<region>.vpce.…`: PrivateLink interface
    /// endpoints; grafana/loki#19243 rejected these by mistake.
    VpcInterface(VpcKind),
    /// `<bucket>.s3-accelerate[.dualstack].amazonaws.com`: no region.
    Accelerate,
    /// `<bucket>.s3-website-<region>` / `<bucket>.s3-website.<region>`: the
    /// static-website endpoint, which does not speak the S3 API at all.
    Website,
    /// Under an AWS suffix but no S3 form we know (`ec2.…`, a typo, S3
    /// Express, Outposts, Object Lambda): worth a warning, not a rejection.
    Unrecognized,
}

impl AwsForm {
    /// Whether the host is one of the legacy global names that the policy
    /// warns about, suggesting a regional endpoint instead.
    pub const fn is_legacy_global(self) -> bool {
        matches!(self, AwsForm::LegacyGlobal | AwsForm::VirtualHostedLegacyGlobal)
    }

    /// Whether AWS documents the form as legacy (dash or global).
    pub const fn is_legacy(self) -> bool {
        matches!(
            self,
            AwsForm::LegacyDash
                | AwsForm::LegacyGlobal
                | AwsForm::VirtualHostedLegacyDash
                | AwsForm::VirtualHostedLegacyGlobal
        )
    }
}

/// The region the legacy global names are served from. Not reported as the
/// host's region: the S3 client Tempo uses looks the bucket's region up and
/// redirects, so a bucket elsewhere is not an error, only a reason to warn.
pub const LEGACY_GLOBAL_REGION: &str = "us-east-1";

/// The first label of an interface VPC endpoint host. It is a keyword chosen
/// by AWS, never a bucket name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcKind {
    /// `vpce-<id>.s3.<region>.vpce.…`
    Bare,
    /// `bucket.vpce-…` (optionally preceded by `<bucket>.`).
    Bucket,
    /// `accesspoint.vpce-…` (optionally preceded by `<name>-<account>.`).
    AccessPoint,
    /// `control.vpce-…`: the S3 Control API, not object storage.
    Control,
}

/// An IBM Cloud Object Storage endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IbmEndpoint {
    /// The resiliency scope of the location.
    pub form: IbmForm,
    pub network: IbmNetwork,
    /// Whether the host is under the retired SoftLayer domains
    /// (`objectstorage.softlayer.net` public, `objectstorage.service.networklayer.com`
    /// private) rather than `cloud-object-storage.appdomain.cloud`.
    pub legacy: bool,
    /// The region (`us-south`), cross-region code (`eu`) or single site
    /// (`ams03`); `None` when the host is unrecognised. Legacy `us-geo` and
    /// tethered `dal-us-geo` give `us`.
    pub location: Option<String>,
    /// A virtual-hosted bucket (`<bucket>.s3.<location>.…`).
    pub bucket: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IbmForm {
    Regional,
    /// Includes tethered endpoints (`s3.dal.us.…`), which pin one metro.
    CrossRegion,
    SingleSite,
    Unrecognized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IbmNetwork {
    Public,
    /// `s3.private.…`: IBM Cloud classic private network.
    Private,
    /// `s3.direct.…`: from IBM Cloud VPC.
    Direct,
}

impl Endpoint {
    /// The region or location the host names, if any. Legacy global AWS names
    /// give `None`; see [`LEGACY_GLOBAL_REGION`].
    pub fn region(&self) -> Option<&str> {
        match &self.target {
            Target::Aws(aws) => aws.region.as_deref(),
            Target::IbmCos(ibm) => ibm.location.as_deref(),
            Target::Other => None,
        }
    }

    /// The bucket named in the host, which must equal the Secret's bucket.
    pub fn bucket(&self) -> Option<&str> {
        match &self.target {
            Target::Aws(aws) => aws.bucket.as_deref(),
            Target::IbmCos(ibm) => ibm.bucket.as_deref(),
            Target::Other => None,
        }
    }

    pub fn aws_partition(&self) -> Option<AwsPartition> {
        match &self.target {
            Target::Aws(aws) => Some(aws.partition),
            _ => None,
        }
    }

    pub fn is_legacy_global(&self) -> bool {
        matches!(&self.target, Target::Aws(aws) if aws.form.is_legacy_global())
    }

    /// A path-style regional endpoint for `region`, keeping the scheme and,
    /// for AWS, the FIPS and dual-stack choices, so the suggestion changes only
    /// what the warning is about. Meant for the legacy forms; for IBM it keeps
    /// the network (public, private, direct). The DNS suffix follows the
    /// region's partition, so a `cn-*` region gets `amazonaws.com.cn`.
    pub fn suggested_regional_endpoint(&self, region: &str) -> String {
        let scheme = self.scheme;
        match &self.target {
            Target::IbmCos(ibm) => {
                let network = match ibm.network {
                    IbmNetwork::Public => "",
                    IbmNetwork::Private => "private.",
                    IbmNetwork::Direct => "direct.",
                };
                format!("{scheme}://s3.{network}{region}.cloud-object-storage.appdomain.cloud")
            }
            Target::Aws(aws) => {
                let suffix = region::aws_partition_of_region(region).unwrap_or(aws.partition).dns_suffix();
                let service = if aws.fips { "s3-fips" } else { "s3" };
                let dualstack = if aws.dualstack { ".dualstack" } else { "" };
                format!("{scheme}://{service}{dualstack}.{region}.{suffix}")
            }
            Target::Other => {
                let suffix = region::aws_partition_of_region(region).unwrap_or(AwsPartition::Commercial).dns_suffix();
                format!("{scheme}://s3.{region}.{suffix}")
            }
        }
    }
}

/// Parses `raw` as Tempo will use it and classifies the host.
///
/// Returns every structural problem at once, so one admission response can
/// list them all. Surrounding whitespace is trimmed and noted, not an error
/// here (see the module documentation). A path of exactly `/` is accepted:
/// Tempo's S3 client accepts it too.
pub fn parse_endpoint(raw: &str) -> Result<Endpoint, Vec<EndpointProblem>> {
    let trimmed = raw.trim();
    let mut notes = Vec::new();
    if trimmed.len() != raw.len() {
        notes.push(EndpointNote::SurroundingWhitespace);
    }
    if trimmed.is_empty() {
        return Err(vec![EndpointProblem::NotAUrl("it is empty".into())]);
    }
    // The url crate silently drops tabs and newlines inside the input; Go's
    // parser (the operator's) rejects them, so we must not be more lenient.
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(vec![EndpointProblem::NotAUrl("it contains spaces or control characters".into())]);
    }
    let Some((scheme_raw, after_scheme)) = trimmed.split_once("://") else {
        return Err(vec![no_scheme_problem(trimmed)]);
    };
    if scheme_raw.is_empty() {
        return Err(vec![EndpointProblem::MissingScheme]);
    }
    if !is_valid_scheme(scheme_raw) {
        // Something like `minio:9000/x://`: no scheme at the start.
        return Err(vec![no_scheme_problem(trimmed)]);
    }

    let mut problems = Vec::new();
    let scheme_lc = scheme_raw.to_ascii_lowercase();
    let scheme = match scheme_lc.as_str() {
        "http" => Some(Scheme::Http),
        "https" => Some(Scheme::Https),
        _ => {
            problems.push(EndpointProblem::UnsupportedScheme(scheme_lc.clone()));
            None
        }
    };
    if scheme.is_some() && scheme_raw != scheme_lc {
        notes.push(EndpointNote::SchemeNotLowercase);
    }
    // `https:///x` parses in the url crate with host `x`; Go sees no host.
    if after_scheme.is_empty() || after_scheme.starts_with(['/', '?', '#']) {
        problems.push(EndpointProblem::NoHost);
        return Err(problems);
    }

    let userinfo_in_raw = after_scheme_has_at(after_scheme);
    if userinfo_in_raw {
        problems.push(EndpointProblem::HasUserInfo);
    }

    // Host names must be ASCII (their xn-- form): the URL parser runs without Unicode tables
    // (idna's stub back end, see Cargo.toml), and the operator's S3 clients do not resolve
    // non-ASCII names either. Checked here, so that the parser never sees non-ASCII text.
    if !trimmed.is_ascii() {
        problems.push(EndpointProblem::NotAUrl(
            "it contains non-ASCII characters (write a host name in its xn-- form)".into(),
        ));
        return Err(problems);
    }

    // The url crate follows the WHATWG URL standard, which percent-decodes host names and lets
    // `{`, `*` or `$` through; Go's parser and minio-go do not, so the host is judged as written.
    let raw_host = raw_host_of(after_scheme);
    if let Some(reason) = raw_host.and_then(host_name_problem) {
        problems.push(EndpointProblem::InvalidHostName(reason));
        return Err(problems);
    }

    let url = match Url::parse(trimmed) {
        Ok(url) => url,
        Err(e) => {
            problems.push(parse_error_problem(e));
            return Err(problems);
        }
    };

    if !userinfo_in_raw && (!url.username().is_empty() || url.password().is_some()) {
        problems.push(EndpointProblem::HasUserInfo);
    }
    let path = url.path();
    if !path.is_empty() && path != "/" {
        problems.push(EndpointProblem::HasPath(path.to_owned()));
    }
    if url.query().is_some() {
        problems.push(EndpointProblem::HasQuery);
    }
    if url.fragment().is_some() {
        problems.push(EndpointProblem::HasFragment);
    }

    // The bool says whether the host is a name (worth classifying) or an IP.
    let host: Option<(String, bool)> = match url.host() {
        Some(Host::Domain(d)) => {
            let lower = d.to_ascii_lowercase();
            let name = match lower.strip_suffix('.') {
                Some(stripped) => {
                    notes.push(EndpointNote::HostTrailingDot);
                    stripped.to_owned()
                }
                None => lower,
            };
            (!name.is_empty()).then_some((name, true))
        }
        Some(Host::Ipv4(a)) => Some((a.to_string(), false)),
        Some(Host::Ipv6(a)) => Some((a.to_string(), false)),
        None => None,
    };
    if host.is_none() {
        problems.push(EndpointProblem::NoHost);
    }
    if let Some(refusal) = raw_host.and_then(s3_client_refusal) {
        problems.push(EndpointProblem::RefusedByS3Client(refusal));
    }

    match (scheme, host) {
        (Some(scheme), Some((host, is_domain))) if problems.is_empty() => {
            let target = if is_domain { classify_host(&host) } else { Target::Other };
            Ok(Endpoint { scheme, host, port: url.port(), target, notes })
        }
        _ => Err(problems),
    }
}

/// The url crate drops an empty user-info (`https://@host`); Go keeps it and
/// Tempo would get `@host`. Only the authority is searched: `@` may appear in
/// a path.
fn after_scheme_has_at(after_scheme: &str) -> bool {
    after_scheme.split(['/', '?', '#']).next().is_some_and(|authority| authority.contains('@'))
}

/// The host as written between the user-info and the port; `None` for a bracketed IPv6 literal
/// (the url crate checks those) or an empty host (reported as [`EndpointProblem::NoHost`]).
/// `\\` ends the authority too: the url crate reads it as `/` in http(s) URLs.
fn raw_host_of(after_scheme: &str) -> Option<&str> {
    let authority = after_scheme.split(['/', '?', '#', '\\']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return None;
    }
    host_port.split(':').next().filter(|h| !h.is_empty())
}

/// Why no URL parser or resolver on the way to the store takes `host` as a host name. The
/// rules are the union of three checks the endpoint goes through:
/// - Go's `url.Parse`/`url.ParseRequestURI` (the operator, Tempo): percent-encoding of ASCII
///   and characters such as `{`, `}`, `|` in a host are errors;
/// - minio-go `s3utils.IsValidDomain` (pkg/s3utils/utils.go), called by `isValidEndpointURL`
///   when Tempo starts: no leading or trailing `-` or `_`, no leading `.`, none of
///   `` `~!@#$%^&*()+={}[]|\"';:><?/ ``;
/// - Go's resolver (`net.isDomainName`): letters, digits, `-`, `_`, `.` only, no empty label,
///   no label that starts or ends with `-`, labels of at most 63 and names of at most 253
///   characters.
///
/// The reason names at most one character of the input, never the host itself.
fn host_name_problem(host: &str) -> Option<String> {
    if host.contains('%') {
        return Some("is percent-encoded (%xx), which Go's URL parser refuses in a host".into());
    }
    if let Some(c) = host.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Some(format!("contains {c:?} (only letters, digits, \"-\", \"_\" and \".\" can appear in one)"));
    }
    if let Some(c) = host.chars().next().filter(|c| matches!(c, '-' | '_' | '.')) {
        return Some(format!("starts with {c:?}"));
    }
    if let Some(c) = host.chars().last().filter(|c| matches!(c, '-' | '_')) {
        return Some(format!("ends with {c:?}"));
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > 253 {
        return Some("is longer than 253 characters".into());
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Some("has an empty label (two dots in a row)".into());
        }
        if label.len() > 63 {
            return Some("has a label longer than 63 characters".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("has a label that starts or ends with \"-\"".into());
        }
    }
    None
}

/// Hosts minio-go's `isValidEndpointURL` (utils.go, v7.2.0, the version Tempo builds with)
/// refuses when Tempo creates its S3 client, checked on the host as written (Go compares case
/// sensitively):
/// - a host containing `.s3.amazonaws.com` that is not one of the Amazon hosts
///   `s3utils.IsAmazonEndpoint` knows, whose patterns all start with `s3.` or `s3-`: in
///   practice the virtual-hosted `<bucket>.s3.amazonaws.com` ("Amazon S3 endpoint should be
///   's3.amazonaws.com'");
/// - a host containing `.googleapis.com` other than exactly `storage.googleapis.com`
///   (`s3utils.IsGoogleEndpoint`): the virtual-hosted `<bucket>.storage.googleapis.com` and
///   the regional `storage.<region>.rep.googleapis.com` ("Google Cloud Storage endpoint should
///   be 'storage.googleapis.com'");
/// - a host containing `s3-outposts` that is not `<prefix>.s3-outposts.<region>.amazonaws.com`.
fn s3_client_refusal(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.contains(".s3.amazonaws.com") && !(host.starts_with("s3.") || host.starts_with("s3-")) {
        return Some(
            "is a virtual-hosted name on the global S3 endpoint (<bucket>.s3.amazonaws.com), which \
             the S3 client Tempo uses (minio-go) refuses when Tempo starts (\"Amazon S3 endpoint \
             should be 's3.amazonaws.com'\"): use the regional endpoint \
             https://s3.<region>.amazonaws.com and keep the bucket name in the bucket key",
        );
    }
    if host.contains(".googleapis.com") && host != "storage.googleapis.com" {
        return Some(
            "is a Google Cloud host other than storage.googleapis.com (a virtual-hosted \
             <bucket>.storage.googleapis.com or a regional storage.<region>.rep.googleapis.com), \
             which the S3 client Tempo uses (minio-go) refuses when Tempo starts (\"Google Cloud \
             Storage endpoint should be 'storage.googleapis.com'\"): use \
             https://storage.googleapis.com and keep the bucket name in the bucket key",
        );
    }
    if host.contains("s3-outposts") && !is_outposts_host(host) {
        return Some(
            "names S3 on Outposts in a form the S3 client Tempo uses (minio-go) refuses when \
             Tempo starts: it must be <prefix>.s3-outposts.<region>.amazonaws.com",
        );
    }
    None
}

/// `<prefix>.s3-outposts.<region>.amazonaws.com`, the one Outposts form minio-go accepts.
fn is_outposts_host(host: &str) -> bool {
    let Some(stem) = host.strip_suffix(".amazonaws.com") else { return false };
    let Some((front, region)) = stem.rsplit_once('.') else { return false };
    let Some(prefix) = front.strip_suffix(".s3-outposts") else { return false };
    !prefix.is_empty()
        && !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_valid_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// For input without `://`: a bare host (the common mistake) gets the
/// specific problem, anything else a generic one. Never echoes the input.
fn no_scheme_problem(s: &str) -> EndpointProblem {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("http:") || lower.starts_with("https:") {
        return EndpointProblem::NotAUrl("the scheme must be followed by \"://\"".into());
    }
    let authority = s.trim_start_matches('/').split('/').next().unwrap_or_default();
    let looks_like_host = authority.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '[')
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'));
    if looks_like_host {
        EndpointProblem::MissingScheme
    } else {
        EndpointProblem::NotAUrl("it has no scheme such as https:// and is not a host name".into())
    }
}

fn parse_error_problem(e: url::ParseError) -> EndpointProblem {
    use url::ParseError as E;
    let reason = match e {
        E::EmptyHost => return EndpointProblem::NoHost,
        E::RelativeUrlWithoutBase => return EndpointProblem::MissingScheme,
        E::InvalidPort => "the port is not a number from 0 to 65535",
        E::InvalidIpv4Address | E::InvalidIpv6Address => "the IP address in it is not valid",
        E::InvalidDomainCharacter | E::IdnaError => "the host name is not valid",
        _ => "it cannot be parsed",
    };
    EndpointProblem::NotAUrl(reason.into())
}

/// DNS suffixes of the AWS partitions. `GovCloud` shares `amazonaws.com`
/// with the commercial partition and is told apart by region afterwards.
const AWS_SUFFIXES: &[(&str, AwsPartition)] = &[
    ("amazonaws.com", AwsPartition::Commercial),
    ("amazonaws.com.cn", AwsPartition::China),
    ("amazonaws.eu", AwsPartition::EuSovereign),
    ("c2s.ic.gov", AwsPartition::Iso),
    ("sc2s.sgov.gov", AwsPartition::IsoB),
    ("cloud.adc-e.uk", AwsPartition::IsoE),
    ("csp.hci.ic.gov", AwsPartition::IsoF),
];

const IBM_SUFFIX: &str = "cloud-object-storage.appdomain.cloud";
const IBM_LEGACY_SUFFIXES: &[(&str, IbmNetwork)] = &[
    ("objectstorage.softlayer.net", IbmNetwork::Public),
    ("objectstorage.service.networklayer.com", IbmNetwork::Private),
];

/// Strips `.suffix` from `host`; `Some("")` when the host is the suffix itself.
fn strip_domain<'a>(host: &'a str, suffix: &str) -> Option<&'a str> {
    if host == suffix {
        return Some("");
    }
    host.strip_suffix(suffix)?.strip_suffix('.')
}

/// Classifies a lowercased domain name without trailing dot.
pub fn classify_host(host: &str) -> Target {
    for &(suffix, partition) in AWS_SUFFIXES {
        if let Some(stem) = strip_domain(host, suffix) {
            return Target::Aws(classify_aws(stem, partition));
        }
    }
    if let Some(stem) = strip_domain(host, IBM_SUFFIX) {
        return Target::IbmCos(classify_ibm(stem, None));
    }
    for &(suffix, network) in IBM_LEGACY_SUFFIXES {
        if let Some(stem) = strip_domain(host, suffix) {
            return Target::IbmCos(classify_ibm(stem, Some(network)));
        }
    }
    Target::Other
}

fn is_region(label: &str) -> bool {
    region::is_aws_region_format(label)
}

/// Everything the S3 host grammar yields, borrowed from the host.
struct AwsParts<'a> {
    form: AwsForm,
    region: Option<&'a str>,
    /// Labels before the service label: bucket or access-point name.
    name: &'a [&'a str],
    dualstack: bool,
    fips: bool,
}

const UNRECOGNIZED: AwsParts<'static> =
    AwsParts { form: AwsForm::Unrecognized, region: None, name: &[], dualstack: false, fips: false };

impl<'a> AwsParts<'a> {
    fn new(form: AwsForm, region: Option<&'a str>, name: &'a [&'a str]) -> Self {
        AwsParts { form, region, name, dualstack: false, fips: false }
    }

    fn flags(mut self, dualstack: bool, fips: bool) -> Self {
        self.dualstack = dualstack;
        self.fips = fips;
        self
    }
}

/// Path-style when nothing precedes the service label, virtual-hosted otherwise.
fn path_or_virtual(name: &[&str], path: AwsForm, virtual_hosted: AwsForm) -> AwsForm {
    if name.is_empty() { path } else { virtual_hosted }
}

fn classify_aws(stem: &str, suffix_partition: AwsPartition) -> AwsEndpoint {
    let labels: Vec<&str> = stem.split('.').collect();
    let commercial = suffix_partition == AwsPartition::Commercial;
    let parts = match labels.as_slice() {
        [rest @ .., "vpce"] => classify_vpce(rest),
        labels => classify_s3(labels, commercial),
    };
    let region = parts.region.map(str::to_owned);
    let partition = match region.as_deref().and_then(region::aws_partition_of_region) {
        Some(AwsPartition::GovCloud) if commercial => AwsPartition::GovCloud,
        _ => suffix_partition,
    };
    let name = (!parts.name.is_empty()).then(|| parts.name.join("."));
    let (bucket, access_point) = match parts.form {
        AwsForm::AccessPoint | AwsForm::MultiRegionAccessPoint | AwsForm::VpcInterface(VpcKind::AccessPoint) => {
            (None, name)
        }
        AwsForm::VpcInterface(VpcKind::Control) | AwsForm::Unrecognized => (None, None),
        _ => (name, None),
    };
    AwsEndpoint {
        partition,
        form: parts.form,
        region,
        bucket,
        access_point,
        dualstack: parts.dualstack,
        fips: parts.fips,
    }
}

/// Reads the S3 host grammar from the right, because a bucket name may itself
/// contain labels such as `s3` or a region (`logs.s3.eu-west-1.s3.eu-west-1…`).
fn classify_s3<'a>(labels: &'a [&'a str], commercial: bool) -> AwsParts<'a> {
    use AwsForm as F;
    match labels {
        [name @ .., svc @ ("s3" | "s3-fips"), "dualstack", r] if is_region(r) => {
            AwsParts::new(path_or_virtual(name, F::Regional, F::VirtualHosted), Some(*r), name)
                .flags(true, *svc == "s3-fips")
        }
        [name @ .., svc @ ("s3" | "s3-fips"), r] if is_region(r) => {
            AwsParts::new(path_or_virtual(name, F::Regional, F::VirtualHosted), Some(*r), name)
                .flags(false, *svc == "s3-fips")
        }
        [name @ .., svc @ ("s3-accesspoint" | "s3-accesspoint-fips"), "dualstack", r]
            if is_region(r) && !name.is_empty() =>
        {
            AwsParts::new(F::AccessPoint, Some(*r), name).flags(true, *svc == "s3-accesspoint-fips")
        }
        [name @ .., svc @ ("s3-accesspoint" | "s3-accesspoint-fips"), r] if is_region(r) && !name.is_empty() => {
            AwsParts::new(F::AccessPoint, Some(*r), name).flags(false, *svc == "s3-accesspoint-fips")
        }
        [name @ .., "s3-website", r] if is_region(r) && !name.is_empty() => AwsParts::new(F::Website, Some(*r), name),
        [name @ .., "s3-accelerate", "dualstack"] if commercial => {
            AwsParts::new(F::Accelerate, None, name).flags(true, false)
        }
        [name @ .., "s3-accelerate"] if commercial => AwsParts::new(F::Accelerate, None, name),
        [name @ .., "accesspoint", "s3-global"] if commercial && !name.is_empty() => {
            AwsParts::new(F::MultiRegionAccessPoint, None, name)
        }
        [name @ .., "s3" | "s3-external-1"] if commercial => {
            AwsParts::new(path_or_virtual(name, F::LegacyGlobal, F::VirtualHostedLegacyGlobal), None, name)
        }
        [name @ .., last] => classify_dash(name, last),
        [] => UNRECOGNIZED,
    }
}

/// The dash forms fold the region into the service label: `s3-eu-west-1`,
/// `s3-fips-us-gov-west-1`, `s3-website-us-east-1`.
fn classify_dash<'a>(name: &'a [&'a str], label: &'a str) -> AwsParts<'a> {
    let Some(rest) = label.strip_prefix("s3-") else {
        return UNRECOGNIZED;
    };
    if let Some(r) = rest.strip_prefix("website-") {
        if is_region(r) && !name.is_empty() {
            return AwsParts::new(AwsForm::Website, Some(r), name);
        }
        return UNRECOGNIZED;
    }
    let (r, fips) = match rest.strip_prefix("fips-") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    if !is_region(r) {
        return UNRECOGNIZED;
    }
    let form = path_or_virtual(name, AwsForm::LegacyDash, AwsForm::VirtualHostedLegacyDash);
    AwsParts::new(form, Some(r), name).flags(false, fips)
}

/// `[<name>.]<kind>.vpce-<id>.s3.<region>` (the trailing `vpce` already
/// removed). The region follows the service label, as in every other form.
fn classify_vpce<'a>(labels: &'a [&'a str]) -> AwsParts<'a> {
    let [front @ .., id, svc @ ("s3" | "s3-fips"), r] = labels else {
        return UNRECOGNIZED;
    };
    if !id.starts_with("vpce-") || !is_region(r) {
        return UNRECOGNIZED;
    }
    let (kind, name): (VpcKind, &[&str]) = match front {
        [] => (VpcKind::Bare, &[]),
        [name @ .., "bucket"] => (VpcKind::Bucket, name),
        [name @ .., "accesspoint"] => (VpcKind::AccessPoint, name),
        ["control"] => (VpcKind::Control, &[]),
        _ => return UNRECOGNIZED,
    };
    AwsParts::new(AwsForm::VpcInterface(kind), Some(*r), name).flags(false, *svc == "s3-fips")
}

/// `legacy_network` is `Some` for the SoftLayer domains, whose network is
/// fixed by the domain rather than by a label.
fn classify_ibm(stem: &str, legacy_network: Option<IbmNetwork>) -> IbmEndpoint {
    let labels: Vec<&str> = stem.split('.').collect();
    let unrecognized = IbmEndpoint {
        form: IbmForm::Unrecognized,
        network: legacy_network.unwrap_or(IbmNetwork::Public),
        legacy: legacy_network.is_some(),
        location: None,
        bucket: None,
    };
    let Some((location_label, before)) = labels.split_last() else {
        return unrecognized;
    };
    // Legacy hosts: `s3-api.us-geo`, `s3-api.dal-us-geo` (tethered to Dallas),
    // `s3.us-south`; the cross-region code is the part before `-geo`.
    let location = match location_label.strip_suffix("-geo") {
        Some(geo) if legacy_network.is_some() => geo.rsplit('-').next().unwrap_or(geo),
        _ => *location_label,
    };
    let mut before = before;
    let form = if region::is_ibm_site_format(location) {
        IbmForm::SingleSite
    } else if region::is_ibm_cross_region_format(location) {
        IbmForm::CrossRegion
    } else if region::is_ibm_region_format(location) {
        IbmForm::Regional
    } else {
        return unrecognized;
    };
    // A tethered cross-region endpoint pins one metro: `s3.dal.us.…`.
    if form == IbmForm::CrossRegion
        && let [rest @ .., tether] = before
        && tether.len() == 3
        && tether.bytes().all(|b| b.is_ascii_lowercase())
    {
        before = rest;
    }
    let mut network = legacy_network.unwrap_or(IbmNetwork::Public);
    if legacy_network.is_none() {
        match before {
            [rest @ .., "private"] => {
                network = IbmNetwork::Private;
                before = rest;
            }
            [rest @ .., "direct"] => {
                network = IbmNetwork::Direct;
                before = rest;
            }
            _ => {}
        }
    }
    let service_ok = match before {
        [.., "s3"] => true,
        [.., "s3-api"] => legacy_network.is_some(),
        _ => false,
    };
    if !service_ok {
        return unrecognized;
    }
    let name = before.split_last().map(|(_, name)| name).unwrap_or_default();
    IbmEndpoint {
        form,
        network,
        legacy: legacy_network.is_some(),
        location: Some(location.to_owned()),
        bucket: (!name.is_empty()).then(|| name.join(".")),
    }
}

/// `scheme://host[:port]` of a parsed endpoint: what messages show of it (never user-info,
/// which a parsed endpoint cannot have).
pub fn shown(e: &Endpoint) -> String {
    let host = if e.host.contains(':') { format!("[{}]", e.host) } else { e.host.clone() };
    match e.port {
        Some(port) => format!("{}://{host}:{port}", e.scheme),
        None => format!("{}://{host}", e.scheme),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    /// Found by fuzzing: an upper-case letter beside a non-ASCII one in the host tripped a debug
    /// assertion of idna's ASCII-only back end. Non-ASCII endpoints never reach the parser now.
    #[test]
    fn non_ascii_endpoints_are_not_urls() {
        for raw in ["https://s3.us-easS\u{432}.amazonaws.com", "https://bücher.example", "http://minio:9000/päth"] {
            let problems = parse_endpoint(raw).unwrap_err();
            assert!(
                problems.iter().any(|p| p.to_string().contains("non-ASCII")),
                "{raw}: {:?}",
                problems.iter().map(ToString::to_string).collect::<Vec<_>>()
            );
        }
        assert!(parse_endpoint("https://XN--bcher-kva.example").is_ok());
    }
    use AwsForm as F;
    use AwsPartition::*;
    use IbmNetwork::{Direct, Private, Public};

    #[derive(Debug, Clone)]
    enum Exp {
        Aws {
            p: AwsPartition,
            form: AwsForm,
            region: Option<&'static str>,
            bucket: Option<&'static str>,
            ap: Option<&'static str>,
            ds: bool,
            fips: bool,
        },
        Ibm {
            form: IbmForm,
            net: IbmNetwork,
            legacy: bool,
            loc: Option<&'static str>,
            bucket: Option<&'static str>,
        },
        Other,
        Err(&'static [&'static str]),
    }

    fn aws(p: AwsPartition, form: AwsForm, region: &'static str) -> Exp {
        Exp::Aws {
            p,
            form,
            region: (!region.is_empty()).then_some(region),
            bucket: None,
            ap: None,
            ds: false,
            fips: false,
        }
    }

    fn ibm(form: IbmForm, net: IbmNetwork, loc: &'static str) -> Exp {
        Exp::Ibm { form, net, legacy: false, loc: (!loc.is_empty()).then_some(loc), bucket: None }
    }

    fn err(kinds: &'static [&'static str]) -> Exp {
        Exp::Err(kinds)
    }

    impl Exp {
        fn b(mut self, name: &'static str) -> Self {
            match &mut self {
                Exp::Aws { bucket, .. } | Exp::Ibm { bucket, .. } => *bucket = Some(name),
                _ => panic!("bucket on {self:?}"),
            }
            self
        }
        fn ap(mut self, name: &'static str) -> Self {
            if let Exp::Aws { ap, .. } = &mut self {
                *ap = Some(name);
            }
            self
        }
        fn ds(mut self) -> Self {
            if let Exp::Aws { ds, .. } = &mut self {
                *ds = true;
            }
            self
        }
        fn fips(mut self) -> Self {
            if let Exp::Aws { fips, .. } = &mut self {
                *fips = true;
            }
            self
        }
        fn legacy(mut self) -> Self {
            if let Exp::Ibm { legacy, .. } = &mut self {
                *legacy = true;
            }
            self
        }
    }

    fn kind(p: &EndpointProblem) -> &'static str {
        match p {
            EndpointProblem::NotAUrl(_) => "NotAUrl",
            EndpointProblem::MissingScheme => "MissingScheme",
            EndpointProblem::UnsupportedScheme(_) => "UnsupportedScheme",
            EndpointProblem::NoHost => "NoHost",
            EndpointProblem::HasPath(_) => "HasPath",
            EndpointProblem::HasQuery => "HasQuery",
            EndpointProblem::HasFragment => "HasFragment",
            EndpointProblem::HasUserInfo => "HasUserInfo",
            EndpointProblem::InvalidHostName(_) => "InvalidHostName",
            EndpointProblem::RefusedByS3Client(_) => "RefusedByS3Client",
        }
    }

    const VPC_BUCKET: AwsForm = F::VpcInterface(VpcKind::Bucket);
    const VPC_AP: AwsForm = F::VpcInterface(VpcKind::AccessPoint);

    fn rows() -> Vec<(&'static str, Exp)> {
        vec![
            // Commercial, path-style regional.
            ("https://s3.us-east-1.amazonaws.com", aws(Commercial, F::Regional, "us-east-1")),
            ("https://s3.eu-west-1.amazonaws.com/", aws(Commercial, F::Regional, "eu-west-1")),
            ("HTTPS://S3.EU-WEST-1.AMAZONAWS.COM", aws(Commercial, F::Regional, "eu-west-1")),
            ("https://s3.ap-southeast-5.amazonaws.com:443", aws(Commercial, F::Regional, "ap-southeast-5")),
            ("http://s3.eu-central-2.amazonaws.com:9000", aws(Commercial, F::Regional, "eu-central-2")),
            ("https://s3.us-east-1.amazonaws.com.", aws(Commercial, F::Regional, "us-east-1")),
            ("https://s3.ap-southeast-9.amazonaws.com", aws(Commercial, F::Regional, "ap-southeast-9")),
            ("https://s3.il-central-1.amazonaws.com", aws(Commercial, F::Regional, "il-central-1")),
            ("https://s3.mx-central-1.amazonaws.com/", aws(Commercial, F::Regional, "mx-central-1")),
            ("  https://s3.sa-east-1.amazonaws.com\n", aws(Commercial, F::Regional, "sa-east-1")),
            // Dual-stack and FIPS.
            ("https://s3.dualstack.us-west-2.amazonaws.com", aws(Commercial, F::Regional, "us-west-2").ds()),
            ("https://s3.dualstack.eu-north-1.amazonaws.com/", aws(Commercial, F::Regional, "eu-north-1").ds()),
            ("https://s3.dualstack.cn-north-1.amazonaws.com.cn", aws(China, F::Regional, "cn-north-1").ds()),
            ("https://s3-fips.us-east-2.amazonaws.com", aws(Commercial, F::Regional, "us-east-2").fips()),
            (
                "https://s3-fips.dualstack.us-west-1.amazonaws.com",
                aws(Commercial, F::Regional, "us-west-1").fips().ds(),
            ),
            ("https://s3-fips.ca-central-1.amazonaws.com:443", aws(Commercial, F::Regional, "ca-central-1").fips()),
            ("https://s3-fips.us-gov-west-1.amazonaws.com", aws(GovCloud, F::Regional, "us-gov-west-1").fips()),
            (
                "https://s3-fips.dualstack.us-gov-east-1.amazonaws.com",
                aws(GovCloud, F::Regional, "us-gov-east-1").fips().ds(),
            ),
            // Legacy dash.
            ("https://s3-eu-west-1.amazonaws.com", aws(Commercial, F::LegacyDash, "eu-west-1")),
            ("https://s3-ap-northeast-1.amazonaws.com/", aws(Commercial, F::LegacyDash, "ap-northeast-1")),
            ("https://s3-us-west-2.amazonaws.com:443", aws(Commercial, F::LegacyDash, "us-west-2")),
            ("https://s3-us-gov-west-1.amazonaws.com", aws(GovCloud, F::LegacyDash, "us-gov-west-1")),
            ("https://s3-fips-us-gov-west-1.amazonaws.com", aws(GovCloud, F::LegacyDash, "us-gov-west-1").fips()),
            // Legacy global: no region in the host.
            ("https://s3.amazonaws.com", aws(Commercial, F::LegacyGlobal, "")),
            ("http://s3.amazonaws.com/", aws(Commercial, F::LegacyGlobal, "")),
            ("https://s3-external-1.amazonaws.com", aws(Commercial, F::LegacyGlobal, "")),
            ("https://S3.AmazonAWS.com:443", aws(Commercial, F::LegacyGlobal, "")),
            // Virtual-hosted.
            (
                "https://tempo-traces.s3.eu-west-1.amazonaws.com",
                aws(Commercial, F::VirtualHosted, "eu-west-1").b("tempo-traces"),
            ),
            (
                "https://my.dotted.bucket.s3.us-east-2.amazonaws.com",
                aws(Commercial, F::VirtualHosted, "us-east-2").b("my.dotted.bucket"),
            ),
            (
                "https://logs.s3.eu-west-1.s3.eu-west-1.amazonaws.com",
                aws(Commercial, F::VirtualHosted, "eu-west-1").b("logs.s3.eu-west-1"),
            ),
            (
                "https://tempo.s3.dualstack.ap-south-1.amazonaws.com",
                aws(Commercial, F::VirtualHosted, "ap-south-1").b("tempo").ds(),
            ),
            (
                "https://tempo.s3-fips.us-east-1.amazonaws.com",
                aws(Commercial, F::VirtualHosted, "us-east-1").b("tempo").fips(),
            ),
            (
                "https://tempo.s3-fips.dualstack.us-gov-west-1.amazonaws.com",
                aws(GovCloud, F::VirtualHosted, "us-gov-west-1").b("tempo").fips().ds(),
            ),
            // minio-go refuses every *.s3.amazonaws.com host but its own (isValidEndpointURL).
            ("https://tempo.s3.amazonaws.com", err(&["RefusedByS3Client"])),
            ("https://tempo.s3.amazonaws.com.", err(&["RefusedByS3Client"])),
            ("https://tempo.s3-external-1.amazonaws.com", aws(Commercial, F::VirtualHostedLegacyGlobal, "").b("tempo")),
            (
                "https://tempo.s3-eu-west-1.amazonaws.com",
                aws(Commercial, F::VirtualHostedLegacyDash, "eu-west-1").b("tempo"),
            ),
            (
                "https://tempo.s3.cn-northwest-1.amazonaws.com.cn",
                aws(China, F::VirtualHosted, "cn-northwest-1").b("tempo"),
            ),
            (
                "https://TEMPO.S3.EU-CENTRAL-1.AMAZONAWS.COM:443/",
                aws(Commercial, F::VirtualHosted, "eu-central-1").b("tempo"),
            ),
            (
                "https://tempo.s3.eusc-de-east-1.amazonaws.eu",
                aws(EuSovereign, F::VirtualHosted, "eusc-de-east-1").b("tempo"),
            ),
            ("https://s3.s3.us-west-2.amazonaws.com", aws(Commercial, F::VirtualHosted, "us-west-2").b("s3")),
            // Access points.
            (
                "https://finance-123456789012.s3-accesspoint.us-west-2.amazonaws.com",
                aws(Commercial, F::AccessPoint, "us-west-2").ap("finance-123456789012"),
            ),
            (
                "https://finance-123456789012.s3-accesspoint.dualstack.eu-west-1.amazonaws.com",
                aws(Commercial, F::AccessPoint, "eu-west-1").ap("finance-123456789012").ds(),
            ),
            (
                "https://finance-123456789012.s3-accesspoint-fips.us-east-1.amazonaws.com",
                aws(Commercial, F::AccessPoint, "us-east-1").ap("finance-123456789012").fips(),
            ),
            (
                "https://finance-123456789012.s3-accesspoint-fips.dualstack.us-gov-west-1.amazonaws.com",
                aws(GovCloud, F::AccessPoint, "us-gov-west-1").ap("finance-123456789012").fips().ds(),
            ),
            (
                "https://ap-123456789012.s3-accesspoint.cn-north-1.amazonaws.com.cn",
                aws(China, F::AccessPoint, "cn-north-1").ap("ap-123456789012"),
            ),
            ("https://s3-accesspoint.us-east-1.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            (
                "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
                aws(Commercial, F::MultiRegionAccessPoint, "").ap("mfzwi23gnjvgw.mrap"),
            ),
            // Interface VPC endpoints: `bucket` is a keyword, never a bucket.
            (
                "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
                aws(Commercial, VPC_BUCKET, "us-east-1"),
            ),
            (
                "https://accesspoint.vpce-1a2b3c4d-5e6f.s3.eu-west-1.vpce.amazonaws.com",
                aws(Commercial, VPC_AP, "eu-west-1"),
            ),
            (
                "https://control.vpce-1a2b3c4d-5e6f.s3.us-west-2.vpce.amazonaws.com",
                aws(Commercial, F::VpcInterface(VpcKind::Control), "us-west-2"),
            ),
            (
                "https://vpce-1a2b3c4d-5e6f.s3.ap-southeast-3.vpce.amazonaws.com",
                aws(Commercial, F::VpcInterface(VpcKind::Bare), "ap-southeast-3"),
            ),
            (
                "https://vpce-1a2b3c4d-5e6f-us-east-1a.s3.us-east-1.vpce.amazonaws.com",
                aws(Commercial, F::VpcInterface(VpcKind::Bare), "us-east-1"),
            ),
            (
                "https://tempo-traces.bucket.vpce-0123456789abcdef0-abcdefgh.s3.eu-central-1.vpce.amazonaws.com",
                aws(Commercial, VPC_BUCKET, "eu-central-1").b("tempo-traces"),
            ),
            ("https://bucket.vpce-0a1b2c3d.s3.cn-north-1.vpce.amazonaws.com.cn", aws(China, VPC_BUCKET, "cn-north-1")),
            (
                "https://bucket.vpce-0a1b2c3d.s3.us-gov-west-1.vpce.amazonaws.com",
                aws(GovCloud, VPC_BUCKET, "us-gov-west-1"),
            ),
            (
                "https://BUCKET.VPCE-0A1B2C3D.S3.EU-WEST-1.VPCE.AMAZONAWS.COM:443/",
                aws(Commercial, VPC_BUCKET, "eu-west-1"),
            ),
            (
                "https://finance-123456789012.accesspoint.vpce-0a1b.s3.us-east-1.vpce.amazonaws.com",
                aws(Commercial, VPC_AP, "us-east-1").ap("finance-123456789012"),
            ),
            (
                "https://bucket.vpce-0a1b.s3.eusc-de-east-1.vpce.amazonaws.eu",
                aws(EuSovereign, VPC_BUCKET, "eusc-de-east-1"),
            ),
            ("https://foo.vpce-0a1b.s3.us-east-1.vpce.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            // Transfer acceleration and website endpoints.
            ("https://tempo.s3-accelerate.amazonaws.com", aws(Commercial, F::Accelerate, "").b("tempo")),
            ("https://tempo.s3-accelerate.dualstack.amazonaws.com", aws(Commercial, F::Accelerate, "").b("tempo").ds()),
            ("http://tempo.s3-website-us-east-1.amazonaws.com", aws(Commercial, F::Website, "us-east-1").b("tempo")),
            (
                "http://tempo.s3-website.eu-central-1.amazonaws.com",
                aws(Commercial, F::Website, "eu-central-1").b("tempo"),
            ),
            // Other partitions.
            ("https://s3.cn-north-1.amazonaws.com.cn", aws(China, F::Regional, "cn-north-1")),
            ("https://s3.eusc-de-east-1.amazonaws.eu", aws(EuSovereign, F::Regional, "eusc-de-east-1")),
            ("https://s3.us-gov-west-1.amazonaws.com", aws(GovCloud, F::Regional, "us-gov-west-1")),
            ("https://s3.us-iso-east-1.c2s.ic.gov", aws(Iso, F::Regional, "us-iso-east-1")),
            ("http://s3.us-isob-east-1.sc2s.sgov.gov", aws(IsoB, F::Regional, "us-isob-east-1")),
            ("https://s3.eu-isoe-west-1.cloud.adc-e.uk", aws(IsoE, F::Regional, "eu-isoe-west-1")),
            ("https://s3-fips.us-isof-south-1.csp.hci.ic.gov", aws(IsoF, F::Regional, "us-isof-south-1").fips()),
            // Region from the wrong partition: classified, the caller checks.
            ("https://s3.cn-north-1.amazonaws.com", aws(Commercial, F::Regional, "cn-north-1")),
            ("https://s3.eu-west-1.amazonaws.com.cn", aws(China, F::Regional, "eu-west-1")),
            // Under an AWS suffix but not an S3 form we know.
            ("https://ec2.us-east-1.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            ("https://s3.garbage.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            ("https://amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            ("https://s3.amazonaws.com.cn", aws(China, F::Unrecognized, "")),
            ("https://tempo.s3-accelerate.amazonaws.com.cn", aws(China, F::Unrecognized, "")),
            ("https://s3-control.us-east-1.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            (
                "https://tempo--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com",
                aws(Commercial, F::Unrecognized, ""),
            ),
            ("https://s3-us-east.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            // IBM Cloud Object Storage.
            ("https://s3.us-south.cloud-object-storage.appdomain.cloud", ibm(IbmForm::Regional, Public, "us-south")),
            ("https://s3.private.eu-de.cloud-object-storage.appdomain.cloud", ibm(IbmForm::Regional, Private, "eu-de")),
            (
                "https://s3.direct.jp-tok.cloud-object-storage.appdomain.cloud:443/",
                ibm(IbmForm::Regional, Direct, "jp-tok"),
            ),
            ("https://s3.us.cloud-object-storage.appdomain.cloud", ibm(IbmForm::CrossRegion, Public, "us")),
            ("https://s3.private.eu.cloud-object-storage.appdomain.cloud", ibm(IbmForm::CrossRegion, Private, "eu")),
            ("https://s3.direct.ap.cloud-object-storage.appdomain.cloud", ibm(IbmForm::CrossRegion, Direct, "ap")),
            (
                "https://s3.private.dal.us.cloud-object-storage.appdomain.cloud",
                ibm(IbmForm::CrossRegion, Private, "us"),
            ),
            ("https://s3.ams03.cloud-object-storage.appdomain.cloud", ibm(IbmForm::SingleSite, Public, "ams03")),
            (
                "https://s3.private.sng01.cloud-object-storage.appdomain.cloud",
                ibm(IbmForm::SingleSite, Private, "sng01"),
            ),
            (
                "https://tempo.s3.eu-gb.cloud-object-storage.appdomain.cloud",
                ibm(IbmForm::Regional, Public, "eu-gb").b("tempo"),
            ),
            ("https://S3.CA-TOR.Cloud-Object-Storage.AppDomain.Cloud", ibm(IbmForm::Regional, Public, "ca-tor")),
            ("https://s3.eu-fr2.cloud-object-storage.appdomain.cloud", ibm(IbmForm::Regional, Public, "eu-fr2")),
            ("https://s3.us-south.objectstorage.softlayer.net", ibm(IbmForm::Regional, Public, "us-south").legacy()),
            (
                "https://s3.eu-de.objectstorage.service.networklayer.com",
                ibm(IbmForm::Regional, Private, "eu-de").legacy(),
            ),
            ("https://s3-api.us-geo.objectstorage.softlayer.net", ibm(IbmForm::CrossRegion, Public, "us").legacy()),
            (
                "https://s3-api.dal-us-geo.objectstorage.service.networklayer.com",
                ibm(IbmForm::CrossRegion, Private, "us").legacy(),
            ),
            ("https://s3.foo-bar-baz.cloud-object-storage.appdomain.cloud", ibm(IbmForm::Unrecognized, Public, "")),
            ("https://s4.us-south.cloud-object-storage.appdomain.cloud", ibm(IbmForm::Unrecognized, Public, "")),
            // Everything else: S3-compatible, region unknown.
            ("http://minio:9000", Exp::Other),
            ("http://minio.minio.svc:9000", Exp::Other),
            ("http://rook-ceph-rgw-store.rook-ceph.svc", Exp::Other),
            ("http://s3-gateway-service.storage.svc.cluster.local:80", Exp::Other),
            ("http://10.0.0.5:9000", Exp::Other),
            ("http://[fd00::1]:9000", Exp::Other),
            ("https://[2001:db8::5]/", Exp::Other),
            ("https://config.cloud-object-storage.cloud.ibm.com", Exp::Other),
            ("https://storage.googleapis.com", Exp::Other),
            ("https://myaccount.blob.core.windows.net", Exp::Other),
            ("https://s3.garbage", Exp::Other),
            ("https://s3.eu-west-1.amazonaws.com.evil.example", Exp::Other),
            ("https://notamazonaws.com", Exp::Other),
            ("https://nyc3.digitaloceanspaces.com", Exp::Other),
            ("https://minio.example.com/", Exp::Other),
            // Google hosts other than storage.googleapis.com, malformed Outposts hosts: refused
            // by minio-go when Tempo starts.
            ("https://tempo-traces.storage.googleapis.com", err(&["RefusedByS3Client"])),
            ("https://storage.europe-west3.rep.googleapis.com", err(&["RefusedByS3Client"])),
            ("https://storage.us-east4.rep.googleapis.com:443", err(&["RefusedByS3Client"])),
            ("https://www.googleapis.com", err(&["RefusedByS3Client"])),
            ("https://s3-outposts.us-west-2.amazonaws.com", err(&["RefusedByS3Client"])),
            ("https://op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com", aws(Commercial, F::Unrecognized, "")),
            // Host names no parser or resolver on the way accepts.
            ("https://{minio}:9000", err(&["InvalidHostName"])),
            ("https://s3.%61mazonaws.com", err(&["InvalidHostName"])),
            ("https://s3.eu-west-1.amazonaws.com%2e", err(&["InvalidHostName"])),
            ("https://-minio.minio.svc:9000", err(&["InvalidHostName"])),
            ("https://_minio.minio.svc:9000", err(&["InvalidHostName"])),
            ("https://.minio.minio.svc:9000", err(&["InvalidHostName"])),
            ("https://minio.minio.svc_:9000", err(&["InvalidHostName"])),
            ("https://minio-.minio.svc:9000", err(&["InvalidHostName"])),
            ("https://minio..svc:9000", err(&["InvalidHostName"])),
            ("https://*.s3.eu-west-1.amazonaws.com", err(&["InvalidHostName"])),
            ("https://mini$o:9000", err(&["InvalidHostName"])),
            ("https://minio!:9000", err(&["InvalidHostName"])),
            ("https://user:pw@{minio}:9000", err(&["HasUserInfo", "InvalidHostName"])),
            ("http://s3_gateway.storage.svc:9000", Exp::Other),
            ("http://minio_1.storage.svc:9000", Exp::Other),
            // Structural problems.
            ("not a url", err(&["NotAUrl"])),
            ("", err(&["NotAUrl"])),
            ("  \n", err(&["NotAUrl"])),
            ("s3.amazonaws.com", err(&["MissingScheme"])),
            ("s3.us-east-1.amazonaws.com:443", err(&["MissingScheme"])),
            ("minio:9000", err(&["MissingScheme"])),
            ("minio.minio.svc:9000/tempo", err(&["MissingScheme"])),
            ("//s3.amazonaws.com", err(&["MissingScheme"])),
            ("://s3.amazonaws.com", err(&["MissingScheme"])),
            ("https:s3.amazonaws.com", err(&["NotAUrl"])),
            ("ftp://x", err(&["UnsupportedScheme"])),
            ("s3://tempo-bucket", err(&["UnsupportedScheme"])),
            ("https://", err(&["NoHost"])),
            ("https:///tempo", err(&["NoHost"])),
            ("https://minio:99999", err(&["NotAUrl"])),
            ("https://s3.amazon aws.com", err(&["NotAUrl"])),
            ("https://s3.amazon\naws.com", err(&["NotAUrl"])),
            ("https://user:pw@host", err(&["HasUserInfo"])),
            ("https://@minio:9000", err(&["HasUserInfo"])),
            ("https://minio:9000/bucket", err(&["HasPath"])),
            ("https://s3.eu-west-1.amazonaws.com/tempo/traces?x=1#frag", err(&["HasPath", "HasQuery", "HasFragment"])),
            ("https://s3.amazonaws.com?", err(&["HasQuery"])),
            ("https://minio#", err(&["HasFragment"])),
            ("ftp://user:pw@x/y", err(&["UnsupportedScheme", "HasUserInfo", "HasPath"])),
        ]
    }

    #[test]
    fn endpoint_table() {
        let rows = rows();
        assert!(rows.len() >= 80, "only {} rows", rows.len());
        for (raw, exp) in rows {
            let got = parse_endpoint(raw);
            match (&exp, &got) {
                (Exp::Err(kinds), Err(problems)) => {
                    let got_kinds: Vec<&str> = problems.iter().map(kind).collect();
                    assert_eq!(&got_kinds, kinds, "{raw:?}");
                }
                (Exp::Other, Ok(e)) => assert_eq!(e.target, Target::Other, "{raw:?}"),
                (Exp::Aws { p, form, region, bucket, ap, ds, fips }, Ok(Endpoint { target: Target::Aws(a), .. })) => {
                    assert_eq!(a.partition, *p, "partition of {raw:?}");
                    assert_eq!(a.form, *form, "form of {raw:?}");
                    assert_eq!(a.region.as_deref(), *region, "region of {raw:?}");
                    assert_eq!(a.bucket.as_deref(), *bucket, "bucket of {raw:?}");
                    assert_eq!(a.access_point.as_deref(), *ap, "access point of {raw:?}");
                    assert_eq!(a.dualstack, *ds, "dualstack of {raw:?}");
                    assert_eq!(a.fips, *fips, "fips of {raw:?}");
                }
                (Exp::Ibm { form, net, legacy, loc, bucket }, Ok(Endpoint { target: Target::IbmCos(i), .. })) => {
                    assert_eq!(i.form, *form, "form of {raw:?}");
                    assert_eq!(i.network, *net, "network of {raw:?}");
                    assert_eq!(i.legacy, *legacy, "legacy of {raw:?}");
                    assert_eq!(i.location.as_deref(), *loc, "location of {raw:?}");
                    assert_eq!(i.bucket.as_deref(), *bucket, "bucket of {raw:?}");
                }
                _ => panic!("{raw:?}: expected {exp:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn every_region_in_a_host_is_well_formed() {
        // Guards against the loki#19243 class of bug from the other side: if
        // the classifier reports a region, the region check must accept it.
        for (raw, _) in rows() {
            if let Ok(e) = parse_endpoint(raw)
                && let Target::Aws(a) = &e.target
                && let Some(r) = &a.region
            {
                assert!(region::is_aws_region_format(r), "{raw:?} gave {r:?}");
            }
        }
    }

    fn rendered(problems: &[EndpointProblem]) -> String {
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn credentials_never_rendered() {
        let inputs = [
            "https://user:pw@host",
            "https://admin:hunter2@s3.eu-west-1.amazonaws.com/path?sig=abc#x",
            "ftp://admin:hunter2@x/y",
            "https://admin:hunter2@minio:99999",
            "https://admin:hunter2@",
            "admin:hunter2@minio:9000",
            "https://admin:hunter2 @minio",
            "s3://AKIAEXAMPLE:hunter2@bucket",
        ];
        for raw in inputs {
            let problems = parse_endpoint(raw).unwrap_err();
            let text = rendered(&problems);
            let debug = format!("{problems:?}");
            for secret in ["pw", "hunter2", "admin", "AKIAEXAMPLE"] {
                assert!(!text.contains(secret), "{raw:?} rendered {text:?}");
                assert!(!debug.contains(secret), "{raw:?} debug {debug:?}");
            }
        }
        let text = rendered(&parse_endpoint("https://user:pw@host").unwrap_err());
        assert!(text.contains("user:password@"), "{text}");
    }

    /// The reason for a bad host name names one character at most, never the host: what
    /// looks like a host can be a password typed without its user name.
    #[test]
    fn host_name_reasons_do_not_echo_the_host() {
        for raw in ["https://hunter2{x}", "https://-hunter2pw", "https://hunter2%41", "https://hunter2..pw"] {
            let text = rendered(&parse_endpoint(raw).unwrap_err());
            assert!(!text.contains("hunter2"), "{raw}: {text}");
            assert!(text.contains("minio-go"), "{raw}: {text}");
        }
        let text = rendered(&parse_endpoint("https://mini$o:9000").unwrap_err());
        assert!(text.contains("'$'"), "{text}");
        let text = rendered(&parse_endpoint("https://tempo.s3.amazonaws.com").unwrap_err());
        assert!(text.contains("https://s3.<region>.amazonaws.com"), "{text}");
    }

    #[test]
    fn problem_texts_guide_the_fix() {
        let text = rendered(&parse_endpoint("s3.us-east-1.amazonaws.com").unwrap_err());
        assert!(text.contains("https://"), "{text}");
        let text = rendered(&parse_endpoint("https://minio:9000/tempo").unwrap_err());
        assert!(text.contains("\"/tempo\"") && text.contains("bucket"), "{text}");
        let text = rendered(&parse_endpoint("ftp://x").unwrap_err());
        assert!(text.contains("\"ftp\""), "{text}");
        let text = rendered(&parse_endpoint("https://minio:99999").unwrap_err());
        assert!(text.contains("port"), "{text}");
    }

    #[test]
    fn host_port_scheme_and_notes() {
        let e = parse_endpoint("HTTPS://S3.EU-WEST-1.AMAZONAWS.COM:8443/").unwrap();
        assert_eq!(e.scheme, Scheme::Https);
        assert_eq!(e.host, "s3.eu-west-1.amazonaws.com");
        assert_eq!(e.port, Some(8443));
        assert_eq!(e.notes, vec![EndpointNote::SchemeNotLowercase]);

        let e = parse_endpoint("http://minio.minio.svc:9000").unwrap();
        assert_eq!((e.scheme, e.host.as_str(), e.port), (Scheme::Http, "minio.minio.svc", Some(9000)));
        assert!(e.notes.is_empty());

        // The default port is normalised away.
        let e = parse_endpoint("http://s3-gateway-service.storage.svc.cluster.local:80").unwrap();
        assert_eq!(e.port, None);

        let e = parse_endpoint("http://[FD00::1]:9000").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("fd00::1", Some(9000)));

        let e = parse_endpoint("http://10.0.0.5:9000").unwrap();
        assert_eq!(e.host, "10.0.0.5");

        let e = parse_endpoint("https://s3.amazonaws.com\n").unwrap();
        assert_eq!(e.notes, vec![EndpointNote::SurroundingWhitespace]);
        assert!(e.is_legacy_global());

        let e = parse_endpoint("https://s3.us-east-1.amazonaws.com./").unwrap();
        assert_eq!(e.host, "s3.us-east-1.amazonaws.com");
        assert_eq!(e.notes, vec![EndpointNote::HostTrailingDot]);
        for note in
            [EndpointNote::SurroundingWhitespace, EndpointNote::SchemeNotLowercase, EndpointNote::HostTrailingDot]
        {
            assert!(!note.to_string().is_empty());
        }
    }

    #[test]
    fn accessors() {
        let e = parse_endpoint("https://tempo.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(e.region(), Some("eu-west-1"));
        assert_eq!(e.bucket(), Some("tempo"));
        assert_eq!(e.aws_partition(), Some(Commercial));
        assert!(!e.is_legacy_global());

        let e = parse_endpoint("https://tempo.s3-external-1.amazonaws.com").unwrap();
        assert!(e.is_legacy_global());
        assert_eq!(e.region(), None);
        assert_eq!(LEGACY_GLOBAL_REGION, "us-east-1");

        let e = parse_endpoint("https://s3.private.eu-de.cloud-object-storage.appdomain.cloud").unwrap();
        assert_eq!(e.region(), Some("eu-de"));
        assert_eq!(e.aws_partition(), None);

        let e = parse_endpoint("http://minio:9000").unwrap();
        assert_eq!((e.region(), e.bucket()), (None, None));
        assert!(F::LegacyDash.is_legacy() && !F::Regional.is_legacy());
    }

    #[test]
    fn suggestions() {
        let e = parse_endpoint("https://s3.amazonaws.com").unwrap();
        assert_eq!(e.suggested_regional_endpoint("eu-west-1"), "https://s3.eu-west-1.amazonaws.com");
        assert_eq!(e.suggested_regional_endpoint("cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn");
        let e = parse_endpoint("http://s3-fips-us-gov-west-1.amazonaws.com").unwrap();
        assert_eq!(e.suggested_regional_endpoint("us-gov-west-1"), "http://s3-fips.us-gov-west-1.amazonaws.com");
        let e = parse_endpoint("https://s3.private.us.cloud-object-storage.appdomain.cloud").unwrap();
        assert_eq!(
            e.suggested_regional_endpoint("us-south"),
            "https://s3.private.us-south.cloud-object-storage.appdomain.cloud"
        );
        let e = parse_endpoint("http://minio:9000").unwrap();
        assert_eq!(e.suggested_regional_endpoint("eusc-de-east-1"), "http://s3.eusc-de-east-1.amazonaws.eu");
    }
}
