//! Rendering a verdict into the answer hosts read: rejecting findings into the message, the rest
//! into warnings. [`answer`] is the protocol-free part (the browser playground reads it);
//! [`respond`] writes it as the SDK's ValidationResponse for waPC hosts.

use crate::engine::Verdict;
use crate::finding::Severity;
use serde_json::Value;

/// The most rejections, and the most warnings, one response lists. Rules already bound their own
/// findings (`unused-keys` counts keys past a few, `quote` and the message cap bound each one);
/// this is the net under all of them, so that no input makes a response grow with its size.
pub const MAX_LISTED: usize = 25;

/// What a verdict answers, before any protocol: the findings as the lines hosts show.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub accepted: bool,
    /// The rejections joined by `"; "`, each starting with its rule id; `None` when accepted.
    pub message: Option<String>,
    /// One line per warning, each starting with its rule id.
    pub warnings: Vec<String>,
    /// The object with defaults filled in; never set on a rejection.
    pub mutated: Option<Value>,
}

/// The verdict as bounded lines of text, rejections joined into one message.
pub fn answer(verdict: Verdict) -> Answer {
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
    Answer {
        accepted,
        message: (!accepted).then(|| rejects.join("; ")),
        warnings,
        // A rejected request is never mutated.
        mutated: if accepted { verdict.mutated } else { None },
    }
}

/// The answer to `validate`, built with the SDK's helpers where one fits (it has none that
/// accepts with warnings, so those answers are its `ValidationResponse` filled in directly).
#[cfg(feature = "guest")]
pub fn respond(verdict: Verdict) -> kubewarden_policy_sdk::wapc_guest::CallResult {
    write(answer(verdict))
}

/// An [`Answer`] as the SDK's ValidationResponse bytes.
#[cfg(feature = "guest")]
pub fn write(answer: Answer) -> kubewarden_policy_sdk::wapc_guest::CallResult {
    use kubewarden_policy_sdk::response::ValidationResponse;
    use kubewarden_policy_sdk::{accept_request, mutate_request, reject_request};
    let Answer { accepted, message, warnings, mutated } = answer;
    let warnings = (!warnings.is_empty()).then_some(warnings);
    match (accepted, mutated, warnings) {
        (false, _, warnings) => reject_request(message, None, None, warnings),
        (true, None, None) => accept_request(),
        (true, Some(mutated), None) => mutate_request(mutated),
        (true, mutated_object, warnings) => Ok(serde_json::to_vec(&ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object,
            audit_annotations: None,
            warnings,
        })?),
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

#[cfg(all(test, feature = "guest"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::rules::Rule;
    use kubewarden_policy_sdk::response::ValidationResponse;

    fn text(verdict: Verdict) -> String {
        String::from_utf8(respond(verdict).unwrap()).unwrap()
    }

    /// Issue 10 item 15: however many findings, the response lists a bounded number.
    #[test]
    fn responses_stay_small() {
        let mut findings = Findings::new();
        for i in 0..10_000 {
            findings.warn(Rule::UnusedKeys, "x", format!("w{i}"));
            findings.reject(if i % 2 == 0 { Rule::SecretKeys } else { Rule::Endpoint }, "x", format!("r{i}"));
        }
        let r: ValidationResponse =
            serde_json::from_slice(&respond(Verdict { findings, mutated: None }).unwrap()).unwrap();
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

    /// What policy-server reads: every field present, `null` when unset; a rejection carries no
    /// mutated object.
    #[test]
    fn responses_have_the_wire_shape_hosts_read() {
        let mutated = Some(serde_json::json!({"a": 1}));
        assert_eq!(
            text(Verdict::default()),
            r#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#
        );
        assert_eq!(
            text(Verdict { findings: Findings::new(), mutated: mutated.clone() }),
            r#"{"accepted":true,"message":null,"code":null,"mutated_object":{"a":1},"audit_annotations":null,"warnings":null}"#
        );
        let mut findings = Findings::new();
        findings.warn(Rule::UnusedKeys, "x", "w");
        assert_eq!(
            text(Verdict { findings, mutated: mutated.clone() }),
            r#"{"accepted":true,"message":null,"code":null,"mutated_object":{"a":1},"audit_annotations":null,"warnings":["unused-keys: w"]}"#
        );
        let mut findings = Findings::new();
        findings.reject(Rule::StorageSpec, "x", "r");
        findings.warn(Rule::UnusedKeys, "x", "w");
        assert_eq!(
            text(Verdict { findings, mutated }),
            r#"{"accepted":false,"message":"storage-spec: r","code":null,"mutated_object":null,"audit_annotations":null,"warnings":["unused-keys: w"]}"#
        );
    }
}
