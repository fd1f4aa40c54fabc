//! Policy unit tests the way Kubewarden policy authors write them: the SDK's `test::Testcase`
//! over the request fixtures in `test-data/requests/` (bare AdmissionRequests, as `kwctl run`
//! takes them), a passing and a failing case per rule family.
//!
//! `Testcase::eval` takes a plain `fn`, so look-ups are answered by the case's kwctl replay
//! session set for the current thread, where Kubewarden's own policies set mockall expectations
//! on the SDK's host-capability functions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use kubewarden_policy_sdk::test::Testcase;
use kubewarden_policy_sdk::wapc_guest::CallResult;
use std::cell::RefCell;
use support::native_cluster::NativeCluster;
use support::scenarios::{self, Scenario};
use tempo_policy_lookups::{HostCapabilities, Replay};

thread_local! {
    static SESSION: RefCell<Replay> = RefCell::new(Replay::new(Vec::new()));
}

/// `validate` with the look-ups answered by the current thread's replay session.
fn validate_replayed(payload: &[u8]) -> CallResult {
    SESSION.with(|session| tempo_policy::validate_with(payload, &NativeCluster(&*session.borrow())))
}

fn scenario(name: &str) -> Scenario {
    scenarios::load().into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"))
}

/// Runs one fixture through `Testcase` and returns what the policy said (message and
/// warnings), after checking that every recorded look-up was made and in order.
fn run(name: &str, accepted: bool) -> kubewarden_policy_sdk::response::ValidationResponse {
    let sc = scenario(name);
    SESSION.with(|session| *session.borrow_mut() = sc.replay());
    let testcase = Testcase {
        name: name.to_string(),
        fixture_file: sc.request_path().to_string_lossy().into_owned(),
        expected_validation_result: accepted,
        settings: sc.settings_json(),
    };
    let response = testcase.eval(validate_replayed).unwrap();
    // A look-up the session did not expect is answered with the replay's error (a warning).
    let said = format!("{:?} {:?}", response.message, response.warnings);
    assert!(
        !said.contains("Replay error") && !said.contains("recorded responses is empty"),
        "{name}: look-ups differ: {said}"
    );
    SESSION.with(|session| {
        let session = session.borrow();
        assert!(session.finish().is_empty(), "{name}: recorded look-ups were not made: {:?}", session.finish());
    });
    response
}

fn says(response: &kubewarden_policy_sdk::response::ValidationResponse, rule: &str) -> bool {
    let prefix = format!("{rule}: ");
    response.message.as_deref().is_some_and(|m| m.starts_with(&prefix) || m.contains(&format!("; {prefix}")))
        || response.warnings.iter().flatten().any(|w| w.starts_with(&prefix))
}

#[test]
fn storage_section() {
    assert!(!says(&run("tempomonolithic-pv", true), "storage-spec"));
    assert!(says(&run("tempostack-bad-storage", false), "storage-spec"));
}

#[test]
fn secret_keys_and_credential_modes() {
    let fine = run("tempomonolithic-aws-s3", true);
    assert!(fine.message.is_none() && fine.warnings.is_none(), "{:?}", fine.warnings);
    assert!(says(&run("tempostack-loki-secret", false), "secret-keys"));
    assert!(says(&run("tempostack-s3-mixed-keys", false), "credential-mode"));
}

#[test]
fn endpoints_and_regions() {
    assert!(!says(&run("tempostack-s3-region-consistent", true), "endpoint-region"));
    assert!(says(&run("tempostack-s3-us-bucket-eu-endpoint", false), "endpoint-region"));
    assert!(says(&run("tempostack-s3-endpoint-userinfo-path", false), "endpoint"));
}

#[test]
fn production_rules() {
    assert!(!says(&run("dev-tempomonolithic-aws-static", true), "static-credentials"));
    assert!(says(&run("prod-tempomonolithic-aws-static", false), "static-credentials"));
}

#[test]
fn secrets_in_use() {
    run("secret-delete-unused", true);
    assert!(says(&run("secret-delete-in-use", false), "secret-in-use"));
    assert!(says(&run("secret-update-bucket-in-use", false), "storage-change"));
}

#[test]
fn limits_sizes_and_defaults() {
    let defaulted = run("tempostack-minio-defaults", true);
    let mutated = defaulted.mutated_object.expect("defaults are filled in");
    assert!(mutated["spec"]["storageSize"].is_string(), "{mutated}");
    run("tempostack-minio-limits-required", true);
    assert!(says(&run("tempostack-no-limits-required", false), "resource-limits"));
    assert!(says(&run("tempostack-shrink-rejected", false), "storage-size"));
}

/// The plain `validate` export, whose look-ups go to the host: natively the SDK's stub host
/// answers every call with an error, which the policy reports and gets past.
#[test]
fn plain_validate_without_a_host() {
    let sc = scenario("tempostack-minio");
    let testcase = Testcase {
        name: sc.name.clone(),
        fixture_file: sc.request_path().to_string_lossy().into_owned(),
        expected_validation_result: true,
        settings: sc.settings_json(),
    };
    let response = testcase.eval(tempo_policy::validate).unwrap();
    assert!(says(&response, "lookup-skipped"), "{:?}", response.warnings);
}
