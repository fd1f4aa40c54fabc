//! Rendering a verdict into the SDK's ValidationResponse: rejecting findings into the message, the rest into warnings.

use crate::engine::Verdict;
use crate::finding::Severity;
use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::wapc_guest::CallResult;
use kubewarden_policy_sdk::{accept_request, mutate_request, reject_request};

/// The answer to `validate`, built with the SDK's helpers where one fits (it has none that
/// accepts with warnings, so those answers are its `ValidationResponse` filled in directly).
pub fn respond(verdict: Verdict) -> CallResult {
    let mut rejects = Vec::new();
    let mut warnings = Vec::new();
    for f in verdict.findings.iter() {
        match f.severity {
            Severity::Reject => rejects.push(f.to_string()),
            Severity::Warn => warnings.push(f.to_string()),
        }
    }
    let warnings = (!warnings.is_empty()).then_some(warnings);
    match (rejects.is_empty(), verdict.mutated, warnings) {
        // A rejected request is never mutated.
        (false, _, warnings) => reject_request(Some(rejects.join("; ")), None, None, warnings),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::rules::Rule;

    fn text(verdict: Verdict) -> String {
        String::from_utf8(respond(verdict).unwrap()).unwrap()
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
