//! Rendering a verdict into Kubewarden's ValidationResponse: rejecting findings into the message, the rest into warnings.

use crate::engine::Verdict;
use crate::finding::Severity;
use kubewarden_policy_sdk::response::ValidationResponse;

pub fn render(verdict: Verdict) -> ValidationResponse {
    let mut rejects = Vec::new();
    let mut warnings = Vec::new();
    for f in verdict.findings.iter() {
        match f.severity {
            Severity::Reject => rejects.push(f.to_string()),
            Severity::Warn => warnings.push(f.to_string()),
        }
    }
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
