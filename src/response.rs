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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::rules::Rule;

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
