//! The rules, one module per rule id, and the order in which the Secret-content rules run.
//!
//! Every module's doc comment follows the same headings (what it checks, why, a failing and a
//! passing example, the settings it reads). The rule tables of the README and of docs/usage.md
//! are generated from the registry ([`crate::registry`]), docs/rules.md from these doc comments
//! too (`make docs`); `tests/integration/docs.rs` fails when they drift apart.

pub mod bucket_name;
pub mod credential_mode;
pub mod endpoint;
pub mod endpoint_allowed;
pub mod endpoint_region;
pub mod extra_config;
pub mod gcs_key;
pub mod insecure_endpoint;
pub mod region_allowed;
pub mod resource_limits;
pub mod secret_in_use;
pub mod secret_keys;
pub mod static_credentials;
pub mod storage_change;
pub mod storage_secret;
pub mod storage_size;
pub mod storage_spec;
pub mod tls_ca;
pub mod unused_keys;

/// The rules that judge where the storage is and how it is reached, on the storage as
/// `extraConfig` makes it (`effective`): what they find there and not on the Secret alone
/// (`plain`, with the same overlay for its wording) is added, saying where it came from. A TLS
/// check Tempo skips by extraConfig is an `insecure-endpoint` finding.
pub fn check_overlay(
    plain: &crate::context::SecretCheck,
    effective: &crate::context::SecretCheck,
    out: &mut crate::finding::Findings,
) {
    let run = |c: &crate::context::SecretCheck| {
        let mut found = crate::finding::Findings::new();
        static_credentials::check(c, &mut found);
        endpoint::check(c, &mut found);
        endpoint_region::check(c, &mut found);
        region_allowed::check(c, &mut found);
        endpoint_allowed::check(c, &mut found);
        bucket_name::check(c, &mut found);
        insecure_endpoint::check(c, &mut found);
        found
    };
    let before = run(plain);
    for f in run(effective).into_vec() {
        if !before.iter().any(|b| *b == f) {
            out.push(f.rule, f.severity, f.path, f.message);
        }
    }
    if let Some(path) = effective.overlay.and_then(|o| o.skips_tls_verification.as_deref()) {
        insecure_endpoint::tls_verification_skipped(effective, path, out);
    }
}

// The registry lives below `finding`; re-exported here, where users of the crate look for it.
pub use crate::registry::{Rule, markdown_table};

/// Every rule that reads a Secret's content, in the order their findings are listed.
pub fn check_secret(c: &crate::context::SecretCheck, out: &mut crate::finding::Findings) {
    if storage_secret::check(c, out) {
        return;
    }
    secret_keys::check(c, out);
    credential_mode::check(c, out);
    static_credentials::check(c, out);
    endpoint::check(c, out);
    endpoint_region::check(c, out);
    region_allowed::check(c, out);
    endpoint_allowed::check(c, out);
    bucket_name::check(c, out);
    insecure_endpoint::check(c, out);
    gcs_key::check(c, out);
    unused_keys::check(c, out);
}
