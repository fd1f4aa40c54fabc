//! Every test-data scenario through the compiled, annotated policy.wasm, evaluated by the same
//! host as `tempo-policy run` (policy-server's steps: validate_settings, a fresh instance per
//! request, grants from contextAwareResources, kwctl replay sessions). A test binary of its own
//! (`harness = false`, libtest-mimic): one test per scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../tests/support/scenarios.rs"]
mod scenarios;

#[path = "common/mod.rs"]
mod common;

use common::annotated_policy;
use libtest_mimic::{Arguments, Failed, Trial};
use scenarios::{Outcome, Scenario};
use std::path::Path;
use std::sync::Mutex;
use std::sync::{Arc, OnceLock};
use tempo_policy_cli::annotate::annotate;
use tempo_policy_cli::capabilities::{KubernetesRequest, RecordedResponse};
use tempo_policy_cli::{
    AdmissionRequest, EvaluationOptions, Evaluator, HostCapabilities, ModuleCache, NoCluster, Policy, PolicyLog,
    Replay, Runtime, Settings,
};

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

/// Answers every look-up with the scenario's recorded answer for it (or a failure), and keeps the
/// look-ups in the order they were made.
struct Recording {
    recorded: Vec<(KubernetesRequest, RecordedResponse)>,
    made: Mutex<Vec<KubernetesRequest>>,
}

impl HostCapabilities for Recording {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        self.made.lock().unwrap().push(request.clone());
        match self.recorded.iter().find(|(r, _)| r == request).map(|(_, answer)| answer) {
            Some(RecordedResponse::Success(json)) => Ok(json.clone().into_bytes()),
            Some(RecordedResponse::Error(message)) => Err(message.clone()),
            None => Err("not recorded".to_string()),
        }
    }
}

/// The bench's look-up floor (the baseline policy with `{"lookupFloor": true}`) makes the look-ups
/// the policy makes, on every scenario with default settings: the same ones, in the same order,
/// except those the policy makes because of an answer (the Namespace of a Secret in use, the old
/// Secret of a renamed storage Secret), which the floor cannot know of; and where a failed
/// look-up stopped the policy, the floor, which ignores answers, goes on.
fn lookup_floor_follows_the_policy() -> Result<(), String> {
    let runtime = Runtime::new().unwrap();
    let raw = std::fs::read(scenarios::test_data().join("../target/wasm32-wasip1/release/baseline_policy.wasm"))
        .map_err(|e| {
            format!("the baseline policy is missing (`make target/wasm32-wasip1/release/baseline_policy.wasm`): {e}")
        })?;
    let metadata = std::fs::read_to_string(scenarios::test_data().join("../metadata.yml")).unwrap();
    let annotated = annotate(&runtime, &raw, "baseline", &metadata, "metadata.yml", None).unwrap();
    let floor = runtime.load_policy_bytes(&annotated, "baseline").unwrap();
    let settings = Settings::from_value(serde_json::json!({"lookupFloor": true}), "floor").unwrap();
    let mut compared = 0;
    for sc in scenarios::load().into_iter().filter(|sc| sc.settings.is_none()) {
        let recorded = sc.replay().kubernetes_answers();
        let capabilities = Arc::new(Recording { recorded, made: Mutex::new(Vec::new()) });
        let options = EvaluationOptions {
            allow_context_aware: true,
            capabilities: capabilities.clone(),
            log: PolicyLog::Discard,
            ..EvaluationOptions::default()
        };
        let request = AdmissionRequest::load(sc.request_path().to_str().unwrap()).unwrap();
        let response = Evaluator::new(floor.clone(), settings.clone(), options).validate(&request);
        if !response.allowed {
            return Err(format!("{}: the floor did not accept: {:?}", sc.name, response.message()));
        }
        let made = capabilities.made.lock().unwrap().clone();
        let recorded: Vec<&KubernetesRequest> = capabilities.recorded.iter().map(|(r, _)| r).collect();
        let common = made.len().min(recorded.len());
        let same_start = made.iter().zip(&recorded).all(|(a, b)| a == *b);
        let policy_stopped = capabilities
            .recorded
            .iter()
            .any(|(_, answer)| matches!(answer, RecordedResponse::Error(m) if !m.starts_with("Cannot find")));
        let extra_are_answer_dependent = recorded[common..].iter().enumerate().all(|(i, r)| match r {
            KubernetesRequest::GetResource(get) => {
                get.kind == "Namespace"
                    || (get.kind == "Secret"
                        && recorded[..common + i]
                            .iter()
                            .any(|p| matches!(p, KubernetesRequest::GetResource(g) if g.kind == "Secret")))
            }
            _ => false,
        });
        let fits = same_start && (made.len() <= recorded.len() && extra_are_answer_dependent || policy_stopped);
        if !fits {
            let show =
                |list: &[&KubernetesRequest]| list.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n  ");
            return Err(format!(
                "{}: the floor made\n  {}\nwhere the policy made\n  {}",
                sc.name,
                show(&made.iter().collect::<Vec<_>>()),
                show(&recorded)
            ));
        }
        compared += 1;
    }
    assert!(compared > 100, "{compared}");
    Ok(())
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
        .chain([Trial::test("lookup_floor_follows_the_policy", || {
            lookup_floor_follows_the_policy().map_err(Failed::from)
        })])
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
