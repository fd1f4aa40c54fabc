//! The playground's one entry: pasted manifests and settings in, the report `tempo-policy check
//! --output json` gives out, computed in the page by the policy's own engine.
//!
//! Nothing here is a second copy of a rule or of `check`: reading, planning the requests and
//! answering look-ups from the manifests are `tempo-policy-check`'s, judging is the policy
//! crate's (`answer_with`, the function behind its waPC `validate`). What this crate adds is the
//! glue: the policy's registration rules and title from `metadata.yml`, settings read as the API
//! server reads a ClusterAdmissionPolicy (YAML 1.1), and the objects a patch applies to.

mod cluster;
mod options;
pub mod share;

use serde_json::{Value, json};
use tempo_policy_check::Prepared;
use tempo_policy_check::inputs::{InputProblem, Inputs};
use tempo_policy_check::manifests::ManifestLookups;
use tempo_policy_check::outcome::{Answer, Outcome, PolicyInfo, Report};
use tempo_policy_check::requests::{Rule, Target, admission_request};
use wasm_bindgen::prelude::wasm_bindgen;

pub use options::Options;

/// The file name findings and YAML errors in the manifests editor point at.
pub const MANIFESTS_FILE: &str = "manifests.yaml";
/// The file name errors in the settings editor point at.
pub const SETTINGS_FILE: &str = "settings.yaml";

/// The policy's metadata, as built: its `rules` decide which pasted objects are judged, exactly
/// as policy-server's webhook registration does.
const METADATA: &str = include_str!("../../metadata.yml");

/// Check `manifests` (multi-document YAML or JSON) under `settings` (YAML or JSON; empty for the
/// defaults) with `options` (JSON: `{"namespace": "default", "strict": false}`, each optional).
/// Returns the JSON report of `tempo-policy check --output json`, in which each result whose
/// patch is not empty also carries the `object` the patch applies to (never a Secret: the policy
/// mutates Tempo CRs only, and the page needs the object to show the patch as a diff).
#[wasm_bindgen]
pub fn check(manifests: &str, settings: &str, options: &str) -> String {
    let report = match Options::parse(options) {
        Ok(options) => run(manifests, settings, &options),
        Err(problem) => rejected_input(InputProblem { file: "options".to_owned(), line: None, message: problem }),
    };
    let mut text =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| json!({"error": e.to_string()}).to_string());
    text.push('\n');
    text
}

/// The text a shared link carries (JSON: `{"manifests": ..., "leftOut": [...]}`): the manifests
/// with every Secret's credential values replaced by placeholders the policy judges the same
/// ([`share::redact`]), and what was left out, per Secret.
#[wasm_bindgen]
pub fn share(manifests: &str) -> String {
    share::redact(manifests).to_json().to_string()
}

/// The report as JSON (see [`check`]).
pub fn run(manifests: &str, settings: &str, options: &Options) -> Value {
    let policy = policy_info();
    let (settings_json, settings_warnings) = match read_settings(settings) {
        Ok(read) => read,
        Err(problem) => return rejected_input(problem),
    };
    let mut inputs = Inputs::default();
    inputs.read_text(MANIFESTS_FILE, manifests, false);
    let prepared = Prepared::new(&registration(), &inputs, None, &options.namespace);
    let outcomes: Vec<Outcome> = prepared
        .targets
        .iter()
        .enumerate()
        .map(|(index, target)| evaluate(&prepared, target, index, &settings_json))
        .collect();
    let objects: Vec<Option<Value>> = prepared
        .targets
        .iter()
        .zip(&outcomes)
        .map(|(target, outcome)| outcome.patch.as_ref().and(target.object().cloned()))
        .collect();
    let report = prepared.finish(policy, outcomes, options.strict);
    let mut value = with_objects(&report, objects);
    // What validate_settings answers beside "valid" (e.g. an allow-list pattern that is not
    // anchored), which `check` prints on stderr: the page shows it above the results.
    if let (false, Some(map)) = (settings_warnings.is_empty(), value.as_object_mut()) {
        map.insert("settingsWarnings".to_owned(), json!(settings_warnings));
    }
    value
}

/// One request through the engine, look-ups answered from the manifests and recorded.
fn evaluate(prepared: &Prepared, target: &Target, index: usize, settings: &Value) -> Outcome {
    let lookups = ManifestLookups::new(prepared.set.clone());
    let payload = json!({"request": admission_request(target, index), "settings": settings});
    let answer = match serde_json::to_vec(&payload)
        .map_err(|e| e.to_string())
        .and_then(|bytes| tempo_policy::answer_with(&bytes, &cluster::Manifests(&lookups)))
    {
        Ok(answer) => {
            Answer { allowed: answer.accepted, message: answer.message, warnings: answer.warnings, patch: None }
                .with_mutation(target.object(), answer.mutated.as_ref())
        }
        // As policy-server answers a guest error.
        Err(message) => {
            Answer { allowed: false, message: Some(format!("internal server error: {message}")), ..Answer::default() }
        }
    };
    Outcome::new(target, &answer, lookups.lookups())
}

/// The JSON report, each patched result with the object before the patch.
fn with_objects(report: &Report, objects: Vec<Option<Value>>) -> Value {
    let mut value = tempo_policy_check::report::json::value(report);
    if let Some(results) = value.get_mut("results").and_then(Value::as_array_mut) {
        for (result, object) in results.iter_mut().zip(objects) {
            if let (Some(map), Some(object)) = (result.as_object_mut(), object) {
                map.insert("object".to_owned(), object);
            }
        }
    }
    value
}

/// A report that judged nothing because an input it needs is wrong (exit code 2, as `check`).
fn rejected_input(problem: InputProblem) -> Value {
    let report = Report { policy: policy_info(), problems: vec![problem], ..Report::default() };
    with_objects(&report, Vec::new())
}

/// Settings text to the JSON the policy reads, checked as `validate_settings` checks them, with
/// the warnings it would give.
fn read_settings(text: &str) -> Result<(Value, Vec<String>), InputProblem> {
    let problem = |line: Option<usize>, message: String| InputProblem { file: SETTINGS_FILE.to_owned(), line, message };
    let value = if text.trim().is_empty() {
        Value::Null
    } else {
        tempo_policy_check::yaml::parse_document(text)
            .map_err(|(line, message)| problem(Some(line), format!("not valid YAML: {message}")))?
    };
    // A ClusterAdmissionPolicy's `settings` pasted whole is read for its settings.
    let value = match value.pointer("/spec/settings") {
        Some(settings) if value.get("kind").is_some() => settings.clone(),
        _ => value,
    };
    let bytes = serde_json::to_vec(&value).map_err(|e| problem(None, e.to_string()))?;
    let settings = tempo_policy::parse_settings(&bytes)
        .map_err(|message| problem(None, format!("the settings are not valid: {message}")))?;
    settings.validate().map_err(|message| problem(None, format!("the settings are not valid: {message}")))?;
    Ok((value, settings.warnings()))
}

/// The policy's registration rules from `metadata.yml`.
pub fn registration() -> Vec<Rule> {
    metadata().get("rules").cloned().and_then(|rules| serde_json::from_value(rules).ok()).unwrap_or_default()
}

/// `metadata.yml`, read once: every check (each debounced edit) needs its rules and title.
fn metadata() -> &'static Value {
    static PARSED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| tempo_policy_check::yaml::parse_document(METADATA).unwrap_or(Value::Null))
}

fn policy_info() -> PolicyInfo {
    let metadata = metadata();
    let annotation =
        |key: &str| metadata.get("annotations").and_then(|a| a.get(key)).and_then(Value::as_str).map(str::to_owned);
    PolicyInfo {
        rules: Vec::new(),
        path: "playground".to_owned(),
        title: annotation("io.kubewarden.policy.title"),
        version: annotation("io.kubewarden.policy.version"),
        url: annotation("io.kubewarden.policy.url"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn registration_and_title_come_from_the_metadata() {
        let rules = registration();
        let resources: Vec<&str> = rules.iter().flat_map(|r| r.resources.iter().map(String::as_str)).collect();
        for resource in ["tempostacks", "tempomonolithics", "secrets"] {
            assert!(resources.contains(&resource), "{resources:?}");
        }
        let info = policy_info();
        assert_eq!(info.title.as_deref(), Some("tempo-policy"));
        assert!(info.version.is_some() && info.url.is_some());
    }

    #[test]
    fn settings_as_a_whole_cluster_admission_policy() {
        let policy = "apiVersion: policies.kubewarden.io/v1\nkind: ClusterAdmissionPolicy\nspec:\n  settings:\n    storageSize:\n      default: 3Gi\n";
        assert_eq!(read_settings(policy).unwrap(), (json!({"storageSize": {"default": "3Gi"}}), Vec::new()));
        assert_eq!(read_settings("  \n").unwrap(), (Value::Null, Vec::new()));
        let (_, warnings) = read_settings("storage:\n  allowedEndpoints: ['amazonaws\\.com']\n").unwrap();
        assert!(warnings[0].starts_with("storage.allowedEndpoints[0]:"), "{warnings:?}");
        let problem = read_settings("storageSize: [\n").unwrap_err();
        assert_eq!((problem.file.as_str(), problem.line.is_some()), (SETTINGS_FILE, true));
    }

    #[test]
    fn options() {
        assert_eq!(Options::parse("").unwrap(), Options::default());
        let o = Options::parse(r#"{"namespace": "obs", "strict": true}"#).unwrap();
        assert_eq!((o.namespace.as_str(), o.strict), ("obs", true));
        for bad in ["[]", "{\"strict\": 1}", "{\"namespace\": \"\"}", "{\"nope\": 1}", "{"] {
            assert!(Options::parse(bad).is_err(), "{bad}");
        }
    }

    /// A Secret the policy reads but that is not pasted: "not found", as in a cluster without it.
    #[test]
    fn a_missing_secret_is_not_found_not_a_failed_lookup() {
        let stack = "apiVersion: tempo.grafana.com/v1alpha1\nkind: TempoStack\nmetadata:\n  name: s\n  namespace: obs\nspec:\n  storage:\n    secret:\n      name: gone\n      type: s3\n  storageSize: 1Gi\n";
        let report = run(stack, "storage:\n  requireSecret: true\n", &Options::default());
        let result = &report["results"][0];
        assert_eq!(result["lookups"][0]["request"], "get v1/Secret obs/gone");
        let rules: Vec<&str> =
            result["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
        assert!(!rules.contains(&"lookup-skipped"), "{rules:?}");
        assert_eq!(result["allowed"], false, "{result:#}");
    }
}
