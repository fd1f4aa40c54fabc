//! Policy metadata: what `metadata.yml` declares and what `kwctl annotate`
//! writes into the `io.kubewarden.metadata` custom section (camelCase JSON).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The only waPC protocol version Kubewarden knows.
pub const PROTOCOL_V1: &str = "v1";

/// Execution mode `kubewarden-wapc`, the only one this host runs.
pub const EXECUTION_MODE_WAPC: &str = "kubewarden-wapc";

const EXECUTION_MODES: &[&str] = &[EXECUTION_MODE_WAPC, "opa", "gatekeeper", "wasi"];
const POLICY_TYPES: &[&str] = &["kubernetes", "raw"];
const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];

/// One admission rule (`apiGroups`, `apiVersions`, `resources`, `operations`): the type `check`
/// plans its requests with.
pub use tempo_policy_check::requests::Rule;

/// A Kubernetes kind the policy may read through the host capabilities.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextAwareResource {
    pub api_version: String,
    pub kind: String,
}

impl fmt::Display for ContextAwareResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.api_version, self.kind)
    }
}

fn default_true() -> bool {
    true
}
fn default_execution_mode() -> String {
    EXECUTION_MODE_WAPC.to_owned()
}
fn default_policy_type() -> String {
    "kubernetes".to_owned()
}

/// Policy metadata, as in `metadata.yml` and in the annotated module.
///
/// Field order is the serialisation order of the JSON written by `annotate`.
/// Unknown keys (e.g. the old `contextAware: false`) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    pub mutating: bool,
    #[serde(default = "default_true")]
    pub background_audit: bool,
    #[serde(default = "default_execution_mode")]
    pub execution_mode: String,
    #[serde(default = "default_policy_type")]
    pub policy_type: String,
    #[serde(default)]
    pub context_aware_resources: Vec<ContextAwareResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_kubewarden_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_capabilities: Option<Vec<String>>,
}

/// What is wrong with a metadata document.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("cannot parse policy metadata YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("cannot parse policy metadata JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid policy metadata: {0}")]
    Invalid(String),
}

fn check_list(rule_idx: usize, field: &str, values: &[String]) -> Result<(), MetadataError> {
    if values.is_empty() {
        return Err(MetadataError::Invalid(format!(
            "rules[{rule_idx}].{field} must not be empty (use [\"*\"] to match everything)"
        )));
    }
    if values.len() > 1 && values.iter().any(|v| v == "*") {
        return Err(MetadataError::Invalid(format!(
            "rules[{rule_idx}].{field}: \"*\" must be the only element of the list, got {values:?}"
        )));
    }
    Ok(())
}

impl PolicyMetadata {
    /// Parse `metadata.yml` text (also accepts JSON) and validate it.
    pub fn from_yaml(text: &str) -> Result<Self, MetadataError> {
        let metadata: Self = serde_yaml_ng::from_str(text)?;
        metadata.validate()?;
        Ok(metadata)
    }

    /// Parse the JSON of an `io.kubewarden.metadata` section.
    pub fn from_json(bytes: &[u8]) -> Result<Self, MetadataError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// The JSON written into the custom section.
    pub fn to_json(&self) -> Result<Vec<u8>, MetadataError> {
        Ok(serde_json::to_vec(self)?)
    }

    /// Checks `kwctl annotate` performs: rules, modes, context-aware resources.
    pub fn validate(&self) -> Result<(), MetadataError> {
        for (i, rule) in self.rules.iter().enumerate() {
            check_list(i, "apiGroups", &rule.api_groups)?;
            check_list(i, "apiVersions", &rule.api_versions)?;
            check_list(i, "resources", &rule.resources)?;
            check_list(i, "operations", &rule.operations)?;
            if let Some(bad) = rule.operations.iter().find(|op| !OPERATIONS.contains(&op.as_str())) {
                return Err(MetadataError::Invalid(format!(
                    "rules[{i}].operations: unknown operation {bad:?}, expected one of CREATE, UPDATE, DELETE, CONNECT or *"
                )));
            }
        }
        if !EXECUTION_MODES.contains(&self.execution_mode.as_str()) {
            return Err(MetadataError::Invalid(format!(
                "executionMode {:?} is unknown, expected one of {}",
                self.execution_mode,
                EXECUTION_MODES.join(", ")
            )));
        }
        if !POLICY_TYPES.contains(&self.policy_type.as_str()) {
            return Err(MetadataError::Invalid(format!(
                "policyType {:?} is unknown, expected kubernetes or raw",
                self.policy_type
            )));
        }
        for (i, res) in self.context_aware_resources.iter().enumerate() {
            if res.api_version.trim().is_empty() || res.kind.trim().is_empty() {
                return Err(MetadataError::Invalid(format!(
                    "contextAwareResources[{i}] needs both apiVersion and kind"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const METADATA: &str = r#"
rules:
  - apiGroups: ["tempo.grafana.com"]
    apiVersions: ["v1alpha1"]
    resources: ["tempostacks"]
    operations: ["CREATE", "UPDATE"]
mutating: true
contextAware: true
contextAwareResources:
  - apiVersion: v1
    kind: Secret
annotations:
  io.kubewarden.policy.title: tempo-policy
"#;

    #[test]
    fn defaults_and_key_order() {
        let m = PolicyMetadata::from_yaml(METADATA).unwrap();
        assert!(m.background_audit);
        assert_eq!(m.execution_mode, "kubewarden-wapc");
        assert_eq!(m.policy_type, "kubernetes");
        let json = String::from_utf8(m.to_json().unwrap()).unwrap();
        assert!(
            json.starts_with(r#"{"rules":[{"apiGroups":["tempo.grafana.com"],"apiVersions":["v1alpha1"],"resources":["tempostacks"],"operations":["CREATE","UPDATE"]}],"annotations":{"io.kubewarden.policy.title":"tempo-policy"},"mutating":true,"backgroundAudit":true,"executionMode":"kubewarden-wapc","policyType":"kubernetes","contextAwareResources":[{"apiVersion":"v1","kind":"Secret"}]}"#),
            "{json}"
        );
    }

    #[test]
    fn rule_validation() {
        let bad_star = METADATA.replace(r#"["CREATE", "UPDATE"]"#, r#"["*", "CREATE"]"#);
        let err = PolicyMetadata::from_yaml(&bad_star).unwrap_err().to_string();
        assert!(err.contains("\"*\" must be the only element"), "{err}");

        let bad_op = METADATA.replace(r#"["CREATE", "UPDATE"]"#, r#"["PATCH"]"#);
        let err = PolicyMetadata::from_yaml(&bad_op).unwrap_err().to_string();
        assert!(err.contains("unknown operation \"PATCH\""), "{err}");

        let empty = METADATA.replace(r#"["tempostacks"]"#, "[]");
        let err = PolicyMetadata::from_yaml(&empty).unwrap_err().to_string();
        assert!(err.contains("rules[0].resources must not be empty"), "{err}");

        let no_mutating = METADATA.replace("mutating: true", "");
        assert!(PolicyMetadata::from_yaml(&no_mutating).is_err());
    }
}
