//! The host library as a test harness or `check` command uses it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use tempo_policy_cli::annotate::annotate;
use tempo_policy_cli::{
    AdmissionRequest, Constraints, EvaluationOptions, Evaluator, HostCapabilities, KubernetesRequest, PolicyLog,
    Runtime, Settings,
};

/// Answers every look-up with a fixed ValidationResponse (for the relay guest).
struct Fixed(serde_json::Value);
impl HostCapabilities for Fixed {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        assert_eq!(request.operation(), "get_resource");
        Ok(self.0.to_string().into_bytes())
    }
}

fn request(op: &str, object: serde_json::Value) -> AdmissionRequest {
    AdmissionRequest::from_text(&request_json(op, object), "test").unwrap()
}

#[test]
fn fresh_and_warm_baseline() {
    let runtime = Runtime::new().unwrap();
    let raw = std::fs::read(baseline_wasm()).unwrap();
    let annotated = annotate(&runtime, &raw, "baseline", METADATA, "metadata.yml", None).unwrap();
    let policy = runtime.load_policy_bytes(&annotated, "baseline").unwrap();
    assert_eq!(policy.metadata().unwrap().protocol_version.as_deref(), Some("v1"));
    assert_eq!(policy.protocol_version().unwrap(), "v1");
    let evaluator = Evaluator::new(policy, Settings::default(), EvaluationOptions::default());
    assert!(evaluator.validate_settings().unwrap().valid);
    let req = request("CREATE", json!({"metadata": {"name": "s"}}));
    let fresh = evaluator.validate(&req);
    assert!(fresh.allowed);
    let mut warm = evaluator.warm().unwrap();
    for _ in 0..3 {
        assert_eq!(warm.validate(&req), fresh);
    }
    // Unannotated bytes are refused.
    let err = runtime.load_policy_bytes(&raw, "raw.wasm").unwrap_err().to_string();
    assert!(err.starts_with("Policy is missing protocol version"), "{err}");
}

#[test]
fn not_allowed_to_mutate_and_custom_message() {
    let runtime = Runtime::new().unwrap();
    let annotated = annotate(&runtime, &relay_guest(), "relay", METADATA, "metadata.yml", None).unwrap();
    let policy = runtime.load_policy_bytes(&annotated, "relay").unwrap();
    let object = json!({"metadata": {"name": "s"}});
    let mutated = json!({"metadata": {"name": "s", "labels": {"a": "b"}}});
    let logs = Arc::new(Mutex::new(Vec::new()));
    let evaluator = Evaluator::new(
        policy.clone(),
        Settings::default(),
        EvaluationOptions {
            constraints: Constraints {
                policy_id: "tempo-policy".into(),
                allowed_to_mutate: false,
                ..Constraints::default()
            },
            allow_context_aware: true,
            capabilities: Arc::new(Fixed(json!({"accepted": true, "mutated_object": mutated}))),
            log: PolicyLog::Capture(logs.clone()),
            ..EvaluationOptions::default()
        },
    );
    assert_eq!(evaluator.granted().len(), 1);
    let r = evaluator.validate(&request("CREATE", object.clone()));
    assert!(!r.allowed);
    assert_eq!(r.patch, None);
    assert_eq!(
        r.message(),
        Some(
            "Request rejected by policy tempo-policy. The policy attempted to mutate the request, but it is currently configured to not allow mutations."
        )
    );

    let evaluator = Evaluator::new(
        policy,
        Settings::default(),
        EvaluationOptions {
            constraints: Constraints {
                custom_rejection_message: Some("Tempo storage is misconfigured".into()),
                ..Constraints::default()
            },
            allow_context_aware: true,
            capabilities: Arc::new(Fixed(json!({"accepted": false, "message": "endpoint: bad", "code": 400}))),
            ..EvaluationOptions::default()
        },
    );
    let r = evaluator.validate(&request("CREATE", object));
    let status = serde_json::to_value(&r.status).unwrap();
    assert_eq!(
        status,
        json!({"message": "Tempo storage is misconfigured", "details": {"causes": [{"reason": null, "message": "endpoint: bad", "field": null}]}, "code": 400})
    );
}

#[test]
fn unparsable_reply_is_internal_error() {
    let runtime = Runtime::new().unwrap();
    let annotated = annotate(&runtime, &relay_guest(), "relay", METADATA, "metadata.yml", None).unwrap();
    let policy = runtime.load_policy_bytes(&annotated, "relay").unwrap();
    let evaluator = Evaluator::new(
        policy,
        Settings::default(),
        EvaluationOptions {
            allow_context_aware: true,
            capabilities: Arc::new(Fixed(json!({"not": "a response"}))),
            ..EvaluationOptions::default()
        },
    );
    let r = evaluator.validate(&request("CREATE", json!({})));
    assert!(!r.allowed);
    assert_eq!(r.status.as_ref().unwrap().code, Some(500));
    assert!(
        r.message().unwrap().starts_with(
            "internal server error: cannot deserialize policy validation response: missing field `accepted`"
        ),
        "{:?}",
        r.message()
    );
}

/// Rough per-call cost of the baseline (the host's floor). Not a benchmark:
/// `cargo nextest run --release -p tempo-policy-cli --run-ignored only --no-capture baseline_cost`.
#[test]
#[ignore = "timing report, run on demand"]
fn baseline_cost() {
    use std::time::Instant;
    let runtime = Runtime::new().unwrap();
    let raw = std::fs::read(baseline_wasm()).unwrap();
    let start = Instant::now();
    let annotated = annotate(&runtime, &raw, "baseline", METADATA, "metadata.yml", None).unwrap();
    let policy = runtime.load_policy_bytes(&annotated, "baseline").unwrap();
    eprintln!("annotate + load (2 compiles): {:?}", start.elapsed());
    let evaluator = Evaluator::new(
        policy,
        Settings::default(),
        EvaluationOptions { log: PolicyLog::Discard, ..EvaluationOptions::default() },
    );
    let req = request("CREATE", json!({"metadata": {"name": "s"}, "data": {"bucket": "dGVtcG8="}}));
    let n = 2000;
    for _ in 0..100 {
        assert!(evaluator.validate(&req).allowed);
    }
    let start = Instant::now();
    for _ in 0..n {
        assert!(evaluator.validate(&req).allowed);
    }
    eprintln!("fresh instance validate: {:?}/call", start.elapsed() / n);
    let mut warm = evaluator.warm().unwrap();
    let start = Instant::now();
    for _ in 0..n {
        assert!(warm.validate(&req).allowed);
    }
    eprintln!("warm instance validate: {:?}/call", start.elapsed() / n);
}
