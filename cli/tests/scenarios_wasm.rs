//! Every test-data scenario through the compiled, annotated policy.wasm, evaluated by the same
//! host as `tempo-policy run` (policy-server's steps: validate_settings, a fresh instance per
//! request, grants from contextAwareResources, kwctl replay sessions). A test binary of its own
//! (`harness = false`, libtest-mimic): one test per scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../tests/support/scenarios.rs"]
mod scenarios;

use libtest_mimic::{Arguments, Failed, Trial};
use scenarios::{Outcome, Scenario};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tempo_policy_cli::{
    AdmissionRequest, EvaluationOptions, Evaluator, HostCapabilities, ModuleCache, NoCluster, Policy, PolicyLog,
    Replay, Runtime, Settings,
};

fn annotated_policy() -> PathBuf {
    let path = std::env::var_os("TEMPO_POLICY_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../annotated-policy.wasm")));
    assert!(path.exists(), "{} is missing: run `make annotated-policy.wasm` (or `make test`) first", path.display());
    path
}

/// One scenario through the wasm, with the policy compiled once for all of them.
fn run(policy: &Policy, sc: &Scenario) -> Result<(), String> {
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
    if !settings_answer.valid {
        return Err(format!("{}: settings refused: {:?}", sc.name, settings_answer.message));
    }
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
    // The same end as the native run, and the same snapshot: both builds must say the same.
    outcome.conclude(sc, Vec::new(), capabilities.finish())
}

/// Each scenario is a test of its own, `scenario::<name>`, as in tests/scenarios_native.rs.
fn main() {
    let args = Arguments::from_args();
    // Loaded on the first trial, not for `--list`, and through a module cache: nextest runs each
    // test in a process of its own, and compiling the policy in each would take 188 times 1.7 s.
    // Instances are fresh per request.
    static POLICY: OnceLock<Policy> = OnceLock::new();
    let policy = || {
        POLICY.get_or_init(|| {
            let cache = ModuleCache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenarios-module-cache"));
            Runtime::new().unwrap().with_cache(Some(cache)).load_policy_file(&annotated_policy()).unwrap()
        })
    };
    let trials = scenarios::load()
        .into_iter()
        .map(|sc| Trial::test(format!("scenario::{}", sc.name), move || run(policy(), &sc).map_err(Failed::from)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
