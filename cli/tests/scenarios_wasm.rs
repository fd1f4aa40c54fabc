//! Every test-data scenario through the compiled, annotated policy.wasm, evaluated by the same
//! host as `tempo-policy run` (policy-server's steps: validate_settings, a fresh instance per
//! request, grants from contextAwareResources, kwctl replay sessions).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../tests/support/scenarios.rs"]
mod scenarios;

use scenarios::Outcome;
use std::path::PathBuf;
use std::sync::Arc;
use tempo_policy_cli::{
    AdmissionRequest, EvaluationOptions, Evaluator, HostCapabilities, NoCluster, PolicyLog, Replay, Runtime, Settings,
};

fn annotated_policy() -> PathBuf {
    let path = std::env::var_os("TEMPO_POLICY_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../annotated-policy.wasm")));
    assert!(path.exists(), "{} is missing: run `make annotated-policy.wasm` (or `make test`) first", path.display());
    path
}

#[test]
fn every_scenario_matches_its_expectation_through_the_wasm() {
    let runtime = Runtime::new().unwrap();
    // Compile once: the module is the same for every scenario, instances are fresh per request.
    let policy = runtime.load_policy_file(&annotated_policy()).unwrap();
    let all = scenarios::load();
    let mut failures = Vec::new();
    for sc in &all {
        let capabilities: Arc<dyn HostCapabilities> = match sc.replay_path() {
            Some(p) => Arc::new(Replay::load(&p).unwrap()),
            None => Arc::new(NoCluster),
        };
        let settings = Settings::from_value(sc.settings_json(), &sc.name).unwrap();
        let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let options = EvaluationOptions {
            allow_context_aware: true,
            capabilities: capabilities.clone(),
            log: PolicyLog::Capture(logs.clone()),
            ..EvaluationOptions::default()
        };
        let evaluator = Evaluator::new(policy.clone(), settings, options);
        let settings_answer = evaluator.validate_settings().unwrap();
        assert!(settings_answer.valid, "{}: settings refused: {:?}", sc.name, settings_answer.message);
        let request = AdmissionRequest::load(sc.request_path().to_str().unwrap()).unwrap();
        let response = evaluator.validate(&request);
        let line = response.to_json_line();
        scenarios::assert_no_leak(sc, &line);
        // Nothing the policy logs may carry a secret value either.
        scenarios::assert_no_leak(sc, &serde_json::to_string(&*logs.lock().unwrap()).unwrap());
        let patch = response.decoded_patch().map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|op| format!("{} {}", op["op"].as_str().unwrap(), op["path"].as_str().unwrap()))
                .collect::<Vec<_>>()
        });
        let outcome = Outcome {
            allowed: response.allowed,
            message: response.message().map(str::to_string),
            code: response.status.as_ref().and_then(|s| s.code),
            warnings: response.warnings.clone().unwrap_or_default(),
            patch,
        };
        if let Err(e) = outcome.check(sc) {
            failures.push(e);
        }
        let leftovers = capabilities.finish();
        if !leftovers.is_empty() {
            failures.push(format!("{}: {leftovers:?}", sc.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed through the wasm:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
