//! The bad-input corpus built in code (tests/support/bad_input.rs) through the engine compiled
//! natively: every case gets its expected verdict or a clean error, never a panic, and no
//! answer echoes the input (messages stay small whatever the size of the object).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use serde_json::Value;
use support::bad_input::{self, Expect};
use support::scenarios::rule_ids;
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource};

/// The objects of a case: `get` by kind and name, `list` by kind and namespace.
struct Objects<'a>(&'a [Value]);

impl JsonCluster for Objects<'_> {
    fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
        Ok(self.0.iter().find(|o| o["kind"] == resource.kind() && o["metadata"]["name"] == name).map(Value::to_string))
    }

    fn list_json(&self, resource: Resource, namespace: &str, _: &[&str]) -> Result<String, LookupError> {
        let items: Vec<&Value> =
            self.0.iter().filter(|o| o["kind"] == resource.kind() && o["metadata"]["namespace"] == namespace).collect();
        Ok(serde_json::json!({ "items": items }).to_string())
    }
}

/// Largest answer text (message plus warnings) any case may produce.
const MAX_SAID: usize = 16 * 1024;

#[test]
fn every_bad_input_gets_a_clear_answer() {
    let cases = bad_input::cases();
    let mut failures = Vec::new();
    for case in &cases {
        let cluster = Objects(&case.cluster);
        let result = tempo_policy::validate_with(&case.payload, &cluster);
        let problem = match (&case.expect, result) {
            (Expect::Error(text), Err(e)) => {
                let e = e.to_string();
                (!e.contains(text) || e.len() > MAX_SAID).then(|| {
                    format!("error {:?} (expected one containing {text:?})", e.chars().take(400).collect::<String>())
                })
            }
            (Expect::Error(text), Ok(out)) => Some(format!(
                "answered {} (expected an error containing {text:?})",
                String::from_utf8_lossy(&out).chars().take(400).collect::<String>()
            )),
            (Expect::Verdict { .. }, Err(e)) => Some(format!("error {e}")),
            (Expect::Verdict { allowed, rejects, warns, message_contains }, Ok(out)) => {
                let v: Value = serde_json::from_slice(&out).unwrap();
                let message = v["message"].as_str().unwrap_or("");
                let warnings: Vec<&str> =
                    v["warnings"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                let got_rejects = rule_ids(if message.is_empty() { vec![] } else { message.split("; ").collect() });
                let got_warns = rule_ids(warnings.iter().copied());
                let said = message.len() + warnings.iter().map(|w| w.len()).sum::<usize>();
                let mut p = Vec::new();
                if v["accepted"].as_bool() != Some(*allowed) {
                    p.push(format!("accepted {} (expected {allowed})", v["accepted"]));
                }
                if got_rejects.iter().map(String::as_str).collect::<Vec<_>>() != rejects.to_vec() {
                    p.push(format!("rejects {got_rejects:?} (expected {rejects:?})"));
                }
                if got_warns.iter().map(String::as_str).collect::<Vec<_>>() != warns.to_vec() {
                    p.push(format!("warns {got_warns:?} (expected {warns:?})"));
                }
                for s in *message_contains {
                    if !message.contains(s) {
                        p.push(format!("message does not contain {s:?}"));
                    }
                }
                if said > MAX_SAID {
                    p.push(format!("{said} bytes of message and warnings"));
                }
                if !v["mutated_object"].is_null() {
                    p.push("a mutated object with empty settings".to_string());
                }
                (!p.is_empty()).then(|| {
                    let short = |s: &str| s.chars().take(400).collect::<String>();
                    let warnings: Vec<String> = warnings.iter().map(|w| short(w)).collect();
                    format!("{}\n  message: {:?}\n  warnings: {warnings:?}", p.join(", "), short(message))
                })
            }
        };
        if let Some(p) = problem {
            failures.push(format!("{}: {p}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let cases = bad_input::cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}
