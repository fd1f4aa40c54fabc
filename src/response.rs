//! Rendering a verdict into Kubewarden's ValidationResponse: rejecting findings into the message, the rest into warnings.

use crate::engine::Verdict;
use crate::finding::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// Kubewarden's ValidationResponse, field for field as `kubewarden-policy-sdk` serialises it
/// (every field present, `null` when unset). Defined here so that the policy does not link the
/// SDK, whose dependencies (k8s-openapi, oci-spec with regex's Unicode tables, chrono, serde_yaml)
/// were most of policy.wasm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationResponse {
    pub accepted: bool,
    pub message: Option<String>,
    pub code: Option<u16>,
    pub mutated_object: Option<serde_json::Value>,
    pub audit_annotations: Option<BTreeMap<String, String>>,
    pub warnings: Option<Vec<String>>,
}

/// Kubewarden's SettingsValidationResponse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsValidationResponse {
    pub valid: bool,
    pub message: Option<String>,
}

/// The most rejections, and the most warnings, one response lists. Rules already bound their own
/// findings (`unused-keys` counts keys past a few, `quote` and the message cap bound each one);
/// this is the net under all of them, so that no input makes a response grow with its size.
pub const MAX_LISTED: usize = 25;

pub fn render(verdict: Verdict) -> ValidationResponse {
    let mut rejects = Vec::new();
    let mut warnings = Vec::new();
    for f in verdict.findings.iter() {
        match f.severity {
            Severity::Reject => rejects.push(f),
            Severity::Warn => warnings.push(f),
        }
    }
    let rejects = bounded(&rejects, "rejections");
    let warnings = bounded(&warnings, "warnings");
    let accepted = rejects.is_empty();
    ValidationResponse {
        accepted,
        message: (!accepted).then(|| rejects.join("; ")),
        code: None,
        mutated_object: if accepted { verdict.mutated } else { None },
        audit_annotations: None,
        warnings: (!warnings.is_empty()).then_some(warnings),
    }
}

/// At most [`MAX_LISTED`] findings as text; past that, the last line counts the rest (under the
/// rule id of the first one left out, as every line starts with a rule id).
fn bounded(findings: &[&crate::finding::Finding], what: &str) -> Vec<String> {
    if findings.len() <= MAX_LISTED {
        return findings.iter().map(|f| f.to_string()).collect();
    }
    let (kept, left_out) = findings.split_at(MAX_LISTED - 1);
    let mut out: Vec<String> = kept.iter().map(|f| f.to_string()).collect();
    let mut rules: Vec<&str> = left_out.iter().map(|f| f.rule.id()).collect();
    rules.sort_unstable();
    rules.dedup();
    let first = rules.first().copied().unwrap_or("lookup-skipped");
    out.push(format!("{first}: … and {} more {what} left out ({})", left_out.len(), rules.join(", ")));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::rules::Rule;

    /// Issue 10 item 15: however many findings, the response lists a bounded number.
    #[test]
    fn responses_stay_small() {
        let mut findings = Findings::new();
        for i in 0..10_000 {
            findings.warn(Rule::UnusedKeys, "x", format!("w{i}"));
            findings.reject(if i % 2 == 0 { Rule::SecretKeys } else { Rule::Endpoint }, "x", format!("r{i}"));
        }
        let r = render(Verdict { findings, mutated: None });
        let warnings = r.warnings.unwrap();
        assert_eq!(warnings.len(), MAX_LISTED);
        assert_eq!(warnings[MAX_LISTED - 1], "unused-keys: … and 9976 more warnings left out (unused-keys)");
        let message = r.message.unwrap();
        assert_eq!(message.split("; ").count(), MAX_LISTED);
        assert!(
            message.ends_with("endpoint: … and 9976 more rejections left out (endpoint, secret-keys)"),
            "{message}"
        );
    }

    /// Field for field what kubewarden-policy-sdk 0.17 serialised (every field, `null` when unset).
    #[test]
    fn responses_have_the_sdk_shape() {
        let mut findings = Findings::new();
        findings.warn(Rule::UnusedKeys, "x", "w");
        let accepted = render(Verdict { findings, mutated: Some(serde_json::json!({"a": 1})) });
        assert_eq!(
            serde_json::to_string(&accepted).unwrap(),
            r#"{"accepted":true,"message":null,"code":null,"mutated_object":{"a":1},"audit_annotations":null,"warnings":["unused-keys: w"]}"#
        );
        let mut findings = Findings::new();
        findings.reject(Rule::StorageSpec, "x", "r");
        let rejected = render(Verdict { findings, mutated: Some(serde_json::json!({"a": 1})) });
        assert_eq!(
            serde_json::to_string(&rejected).unwrap(),
            r#"{"accepted":false,"message":"storage-spec: r","code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#
        );
        let settings = SettingsValidationResponse { valid: false, message: Some("m".into()) };
        assert_eq!(serde_json::to_string(&settings).unwrap(), r#"{"valid":false,"message":"m"}"#);
        assert_eq!(crate::protocol_version(b"").unwrap(), br#""v1""#);
    }
}
