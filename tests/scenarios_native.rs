//! Every test-data scenario through the engine compiled natively, with look-ups answered from the
//! scenario's replay session exactly as kwctl replays it (in order, request by request).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use support::crd;
use support::scenarios::{self, Outcome};
use tempo_policy::cluster::{Cluster, LookupError, Resource, classify_host_error};

/// kwctl's replay format: a FIFO of exchanges whose recorded request must match the policy's.
struct Replay {
    exchanges: RefCell<VecDeque<serde_yaml_ng::Value>>,
    log: RefCell<Vec<String>>,
}

impl Replay {
    fn load(path: Option<std::path::PathBuf>) -> Self {
        let exchanges = match path {
            Some(p) => serde_yaml_ng::from_str(&std::fs::read_to_string(p).unwrap()).unwrap(),
            None => VecDeque::new(),
        };
        Replay { exchanges: RefCell::new(exchanges), log: RefCell::default() }
    }

    fn next(&self, tag: &str, actual: Value) -> Result<Option<String>, String> {
        let exchange = self.exchanges.borrow_mut().pop_front();
        let Some(exchange) = exchange else {
            self.log.borrow_mut().push(format!("unexpected {tag} {actual}"));
            return Err("the list of recorded responses is empty".into());
        };
        let text = exchange["request"].as_str().unwrap();
        let (recorded_tag, body) = text.split_once('\n').unwrap();
        let recorded: Value =
            serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(body).unwrap()).unwrap();
        if recorded_tag.trim() != tag || recorded != actual {
            self.log.borrow_mut().push(format!("expected {recorded_tag} {recorded}, got {tag} {actual}"));
            return Err(format!("Replay error: unexpected request. Was expecting {recorded}, got {actual} instead"));
        }
        let response = &exchange["response"];
        match response["type"].as_str().unwrap() {
            "Success" => Ok(Some(response["payload"].as_str().unwrap().to_string())),
            _ => Err(response["message"].as_str().unwrap().to_string()),
        }
    }
}

impl Cluster for Replay {
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Result<Option<String>, LookupError> {
        let actual = serde_json::json!({"api_version": resource.api_version(), "kind": resource.kind(), "name": name, "namespace": namespace, "disable_cache": false});
        match self.next("!KubernetesGetResource", actual) {
            Ok(payload) => Ok(payload),
            Err(message) => classify_host_error(&message).map(|()| None),
        }
    }

    fn list(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<Vec<Value>, LookupError> {
        let mut masks: Vec<&str> = field_masks.to_vec();
        masks.sort();
        let actual = serde_json::json!({"api_version": resource.api_version(), "kind": resource.kind(), "namespace": namespace,
            "label_selector": null, "field_selector": null, "field_masks": masks});
        match self.next("!KubernetesListResourceNamespace", actual) {
            Ok(Some(payload)) => {
                let list: Value = serde_json::from_str(&payload).unwrap();
                Ok(list["items"].as_array().cloned().unwrap_or_default())
            }
            Ok(None) => Ok(Vec::new()),
            Err(message) => classify_host_error(&message).map(|()| Vec::new()),
        }
    }
}

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
