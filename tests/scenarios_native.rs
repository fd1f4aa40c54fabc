//! Every test-data scenario through the engine compiled natively, with look-ups answered from the
//! scenario's replay session exactly as kwctl replays it (in order, request by request), by the
//! same replay type as the wasm tests (`tempo_policy_lookups::Replay`). A test
//! binary of its own (`harness = false`, libtest-mimic): one test per scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use support::crd;
use support::native_cluster::NativeCluster;
use support::scenarios::{self, Outcome, Scenario};
use tempo_policy_lookups::HostCapabilities;

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

/// One scenario through the engine, its look-ups answered by its replay session.
fn run(sc: &Scenario) -> Result<(), String> {
    let request = sc.request_json();
    let payload = serde_json::to_vec(&serde_json::json!({"request": request, "settings": sc.settings_json()})).unwrap();
    let replay = sc.replay();
    let response = tempo_policy::validate_with(&payload, &NativeCluster(&replay));
    let mut failures = Vec::new();
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
    outcome.conclude(sc, failures, replay.finish())
}

/// Every settings file the scenarios use is one `validate_settings` accepts: a scenario that
/// passed only because settings validation never ran would prove nothing.
fn every_settings_file_is_valid() -> Result<(), Failed> {
    for sc in scenarios::load() {
        if sc.settings.is_none() {
            continue;
        }
        let payload = serde_json::to_vec(&sc.settings_json()).unwrap();
        let answer: Value = serde_json::from_slice(&tempo_policy::validate_settings(&payload).unwrap()).unwrap();
        if answer["valid"] != Value::Bool(true) {
            return Err(format!("{}: {:?} {}", sc.name, sc.settings, answer["message"]).into());
        }
    }
    Ok(())
}

/// The table refuses unknown fields: a typo such as `warn:` fails the run instead of dropping
/// the check it meant.
fn a_typo_in_the_table_fails() -> Result<(), Failed> {
    let typo = "- name: x\n  object: x.yaml\n  expect: {allowed: true, rejects: [], warn: [unused-keys]}\n";
    let e = scenarios::parse(typo).err().ok_or("`warn:` was accepted")?;
    if !e.to_string().contains("unknown field `warn`") {
        return Err(format!("unexpected error: {e}").into());
    }
    let typo = "- name: x\n  objet: x.yaml\n  expect: {allowed: true}\n";
    scenarios::parse(typo).err().ok_or("`objet:` was accepted")?;
    Ok(())
}

/// Each scenario is a test of its own, named `scenario::<name>`, so that one can be run or
/// filtered alone (`cargo nextest run -E 'test(scenario::tempostack-minio)'`).
fn main() {
    let args = Arguments::from_args();
    let all = scenarios::load();
    let mut trials = vec![
        Trial::test("every_settings_file_is_valid", every_settings_file_is_valid),
        Trial::test("a_typo_in_the_table_fails", a_typo_in_the_table_fails),
        Trial::test("the_table_has_every_scenario", {
            let result = scenarios::table_is_whole(&all);
            move || result.map_err(Failed::from)
        }),
    ];
    trials.extend(
        all.into_iter().map(|sc| Trial::test(format!("scenario::{}", sc.name), move || run(&sc).map_err(Failed::from))),
    );
    libtest_mimic::run(&args, trials).exit();
}
