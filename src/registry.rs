//! The rule registry: every rule id with its default severity and one-line summary. It sits below `finding` (a finding names its rule) and below the rules that report, so that every import points down.
//!
//! The rule tables of the README and of docs/usage.md are generated from [`Rule::ALL`] and
//! [`Rule::summary`] (`make docs`); `tests/integration/docs.rs` fails when they drift apart.

/// A stable rule id. The ids are part of the product contract: users grep for them,
/// CI dashboards group by them, and they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    StorageSpec,
    SecretKeys,
    CredentialMode,
    Endpoint,
    EndpointRegion,
    RegionAllowed,
    EndpointAllowed,
    BucketName,
    GcsKey,
    StaticCredentials,
    InsecureEndpoint,
    StorageSecret,
    TlsCa,
    ResourceLimits,
    StorageSize,
    StorageChange,
    SecretInUse,
    UnusedKeys,
    ExtraConfig,
    /// Not a rule of the spec: a cross-check that could not run (look-up denied or failed).
    /// Always a warning, so that an outage of the API server never rejects by itself.
    LookupSkipped,
}

impl Rule {
    pub const ALL: [Rule; 20] = [
        Rule::StorageSpec,
        Rule::SecretKeys,
        Rule::CredentialMode,
        Rule::Endpoint,
        Rule::EndpointRegion,
        Rule::RegionAllowed,
        Rule::EndpointAllowed,
        Rule::BucketName,
        Rule::GcsKey,
        Rule::StaticCredentials,
        Rule::InsecureEndpoint,
        Rule::StorageSecret,
        Rule::TlsCa,
        Rule::ResourceLimits,
        Rule::StorageSize,
        Rule::StorageChange,
        Rule::SecretInUse,
        Rule::UnusedKeys,
        Rule::ExtraConfig,
        Rule::LookupSkipped,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::StorageSpec => "storage-spec",
            Rule::SecretKeys => "secret-keys",
            Rule::CredentialMode => "credential-mode",
            Rule::Endpoint => "endpoint",
            Rule::EndpointRegion => "endpoint-region",
            Rule::RegionAllowed => "region-allowed",
            Rule::EndpointAllowed => "endpoint-allowed",
            Rule::BucketName => "bucket-name",
            Rule::GcsKey => "gcs-key",
            Rule::StaticCredentials => "static-credentials",
            Rule::InsecureEndpoint => "insecure-endpoint",
            Rule::StorageSecret => "storage-secret",
            Rule::TlsCa => "tls-ca",
            Rule::ResourceLimits => "resource-limits",
            Rule::StorageSize => "storage-size",
            Rule::StorageChange => "storage-change",
            Rule::SecretInUse => "secret-in-use",
            Rule::UnusedKeys => "unused-keys",
            Rule::ExtraConfig => "extra-config",
            Rule::LookupSkipped => "lookup-skipped",
        }
    }

    /// What the rule rejects by default, as the docs and SARIF show it.
    pub fn default_severity(self) -> &'static str {
        match self {
            Rule::StaticCredentials => "in production",
            Rule::InsecureEndpoint => "in production (warning elsewhere)",
            Rule::StorageSecret => {
                "warning (rejects with `storage.requireSecret`, or when it holds another backend's keys)"
            }
            Rule::TlsCa => "yes (a warning while the ConfigMap does not exist)",
            Rule::UnusedKeys | Rule::LookupSkipped => "warning",
            Rule::ResourceLimits => "yes (limits and maximum when configured)",
            Rule::StorageChange | Rule::SecretInUse => "yes, with `storage.protectSecrets`",
            _ => "yes",
        }
    }

    /// One line on what the rule finds; the full story is the rule module's doc comment.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::StorageSpec => {
                "The CR's storage section is unusable: unknown type or backend, empty Secret name, object backend without its sub-object, TLS on azure or gcs."
            }
            Rule::SecretKeys => {
                "A key the backend and credential mode need is missing or empty (all listed at once, with \"did you mean\" hints; a warning for a Secret judged alone that is complete for a mode only the CR sets, such as `token-cco`), a value has leading or trailing whitespace, or a `data` value is not base64."
            }
            Rule::CredentialMode => {
                "Long- and short-lived keys mixed without `credentialMode` on the CR, a mode the backend does not support, or the CR's mode does not match the Secret's keys."
            }
            Rule::Endpoint => {
                "`endpoint` is not an absolute `http`/`https` URL with a host, has a path, query or fragment, carries user-info, has a host name Go's URL parser, minio-go or DNS refuses, or is a host minio-go refuses at start-up (`<bucket>.s3.amazonaws.com`, `*.googleapis.com` other than `storage.googleapis.com`)."
            }
            Rule::EndpointRegion => {
                "The endpoint host, `region` and `storage.bucketRegions` name different regions, a virtual-hosted or VPC host names another bucket, a region is malformed or outside the host's AWS partition, the endpoint serves no S3 API (website), needs SigV4A (Multi-Region Access Point) or is a FIPS host in a region without one. Warns on the legacy global endpoint and unknown regions."
            }
            Rule::RegionAllowed => {
                "The bucket's region (endpoint host, `region` or `storage.bucketRegions`) is not in `storage.allowedRegions` (a warning when no region can be known)."
            }
            Rule::EndpointAllowed => {
                "`storage.allowedEndpoints` is set and the endpoint (for S3 token modes, Azure and GCS the one the operator builds) matches none of its patterns."
            }
            Rule::BucketName => {
                "The bucket or container name breaks the provider's naming rules (a warning for in-cluster S3 stores; S3 access point aliases are accepted behind AWS over HTTPS) or `storage.bucketNamePattern`. Warns on a dotted bucket in a virtual-hosted HTTPS host."
            }
            Rule::GcsKey => {
                "`key.json` is not JSON, has a `type` Google's credential loaders do not accept, is not `external_account` in token mode, or (workload identity) does not point at the projected token file, or reads it under `credentialMode: static`, where the operator projects none."
            }
            Rule::StaticCredentials => {
                "Long-lived keys (`access_key_id`/`access_key_secret`, `account_key`, a key.json with a private key or refresh token) or `credentialMode: static`, unless the endpoint matches `production.staticCredentialsAllowedFor`."
            }
            Rule::InsecureEndpoint => {
                "A plain `http://` endpoint, or a TempoStack static S3 `https://` endpoint without `tls.enabled` (the operator then speaks plain HTTP)."
            }
            Rule::StorageSecret => "The referenced Secret does not exist, or holds another backend's keys.",
            Rule::TlsCa => {
                "`tls.enabled` with a `caName` ConfigMap that has none of `service-ca.crt`, `ca.crt`, `ca-bundle.crt` non-empty in `data` (the operator's webhook refuses it), or does not exist yet (a warning)."
            }
            Rule::ResourceLimits => {
                "cpu/memory limits missing on any container the operator renders (sidecars, metrics-generator; a `spec.size` profile gives requests only) while `resources.requireLimits` is set, a limit above `resources.maxLimits` or not a quantity, or a `memory` backend larger than its memory limit. Warns when `spec.resources.total.requests` (ignored by the operator) or `spec.size` together with `spec.resources.total` is set, or a default limit is left out for being below the request."
            }
            Rule::StorageSize => {
                "The storage size is not a positive quantity (on a TempoStack a warning: the operator then uses 10Gi), is outside `storageSize.min`..`max` (an unset size is judged by the default that takes effect), or is smaller than before on UPDATE."
            }
            Rule::StorageChange => {
                "An UPDATE moves a CR to another backend, bucket or endpoint, or edits the bucket or endpoint of a Secret in use, so traces already written become unreachable (allowed with the annotation `tempo-policy.kubewarden.io/allow-storage-change: \"true\"`)."
            }
            Rule::SecretInUse => {
                "DELETE of a Secret that a TempoStack or TempoMonolithic in the namespace still references (a warning while the namespace is `Terminating`)."
            }
            Rule::UnusedKeys => {
                "Keys the operator ignores (Loki's `bucketnames`, `forcepathstyle`, `sse_*`, ...), with the Tempo key that was probably meant."
            }
            Rule::ExtraConfig => {
                "`spec.extraConfig.tempo` has a key Tempo (v2.10.8, what the operator deploys) does not accept, a value of a type it cannot read, `overrides` in two shapes, a credential in plain text, or a path outside `extraConfig.allowedPaths` / inside `extraConfig.forbiddenPaths`. Warns on a number of nanoseconds for a duration."
            }
            Rule::LookupSkipped => "A cross-check was skipped because a cluster look-up was not allowed or failed.",
        }
    }
}

/// The rule table of the README and docs/usage.md, generated from the registry so that docs and
/// code cannot drift.
pub fn markdown_table() -> String {
    let mut out = String::from("| Rule id | Rejects (default) | Finding |\n|---|---|---|\n");
    for rule in Rule::ALL {
        out.push_str(&format!("| `{}` | {} | {} |\n", rule.id(), rule.default_severity(), rule.summary()));
    }
    out
}
