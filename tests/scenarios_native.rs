//! Every test-data scenario through the engine compiled natively, with look-ups answered from the
//! scenario's replay session exactly as kwctl replays it (in order, request by request).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use serde_json::Value;
use support::crd;
use support::replay::Replay;
use support::scenarios::{self, Outcome};

fn patch_ops(request: &Value, mutated: Option<&Value>) -> Option<Vec<String>> {
    let mutated = mutated?;
    let patch = json_patch::diff(&request["object"], mutated);
    let ops: Vec<String> = serde_json::to_value(&patch)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|op| format!("{} {}", op["op"].as_str().unwrap(), op["path"].as_str().unwrap()))
        .collect();
    (!ops.is_empty()).then_some(ops)
}

#[test]
fn every_scenario_matches_its_expectation() {
    let mut failures = Vec::new();
    let all = scenarios::load();
    assert!(all.len() >= 30, "the scenario table shrank: {}", all.len());
    for sc in &all {
        let request = sc.request_json();
        let payload =
            serde_json::to_vec(&serde_json::json!({"request": request, "settings": sc.settings_json()})).unwrap();
        let replay = Replay::load(sc.replay_path());
        let response = tempo_policy::validate_with(&payload, &replay);
        let outcome = match response {
            Ok(bytes) => {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                scenarios::assert_no_leak(sc, &String::from_utf8_lossy(&bytes));
                // Defaults must leave a valid object behind.
                if let Some(mutated) = v.get("mutated_object").filter(|m| !m.is_null())
                    && let Err(e) = crd::validate(mutated)
                {
                    failures.push(format!("{}: the mutated object is not valid against its CRD: {e}", sc.name));
                }
                Outcome {
                    allowed: v["accepted"].as_bool().unwrap(),
                    message: v["message"].as_str().map(str::to_string),
                    code: v["code"].as_u64().map(|c| c as u16),
                    warnings: v["warnings"]
                        .as_array()
                        .map(|a| a.iter().map(|w| w.as_str().unwrap().to_string()).collect())
                        .unwrap_or_default(),
                    patch: patch_ops(&request, v.get("mutated_object").filter(|m| !m.is_null())),
                }
            }
            Err(e) => Outcome {
                allowed: false,
                message: Some(format!("internal server error: {e}")),
                code: Some(500),
                warnings: vec![],
                patch: None,
            },
        };
        if let Err(e) = outcome.check(sc) {
            failures.push(e);
        }
        let log = replay.log.borrow();
        if !log.is_empty() {
            failures.push(format!("{}: look-ups differ from the replay session: {log:?}", sc.name));
        }
        let left = replay.exchanges.borrow().len();
        if left > 0 {
            failures.push(format!("{}: {left} recorded look-ups were not made", sc.name));
        }
    }
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n{}", failures.len(), all.len(), failures.join("\n"));
}

/// Every settings file the scenarios use is one `validate_settings` accepts: a scenario that
/// passed only because settings validation never ran would prove nothing.
#[test]
fn every_settings_file_is_valid() {
    for sc in scenarios::load() {
        if sc.settings.is_none() {
            continue;
        }
        let payload = serde_json::to_vec(&sc.settings_json()).unwrap();
        let answer: Value = serde_json::from_slice(&tempo_policy::validate_settings(&payload).unwrap()).unwrap();
        assert_eq!(answer["valid"], Value::Bool(true), "{}: {:?} {}", sc.name, sc.settings, answer["message"]);
    }
}
