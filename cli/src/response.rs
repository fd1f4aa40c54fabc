//! From a policy's `ValidationResponse` to the Kubernetes `AdmissionResponse`
//! policy-server returns (policy-evaluator `admission_response.rs`, policy-server
//! `validation_response_with_constraints`).

use std::collections::HashMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The policy id `kwctl run` uses for a bare wasm module.
pub const POLICY_ID_FROM_CLI: &str = "policy-from-cli";

/// Text of the rejection for a mutation of a DELETE request.
pub const DELETE_MUTATION_MESSAGE: &str = "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed";

/// What a policy's `validate` and `validate_settings` return: the SDK's own types, so the host
/// reads exactly what the policy writes.
pub use kubewarden_policy_sdk::response::ValidationResponse;
pub use kubewarden_policy_sdk::settings::SettingsValidationResponse;

/// `protect` (default) or `monitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyMode {
    #[default]
    Protect,
    Monitor,
}

/// Kubernetes `admission/v1` AdmissionResponse, as policy-server writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    pub uid: String,
    pub allowed: bool,
    /// Always `"JSONPatch"` when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<String>,
    /// Base64 (standard, padded) of the JSON Patch text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AdmissionResponseStatus>,
    #[serde(default)]
    pub audit_annotations: Option<HashMap<String, String>>,
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
}

/// `status` of a response (only `message`, `details`, `code` are ever set).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdmissionResponseStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
}

/// `status.details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusDetails {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<StatusCause>,
}

/// `status.details.causes[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusCause {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

impl AdmissionResponse {
    /// A rejection with a message and a code.
    pub fn reject(uid: &str, message: String, code: Option<u16>) -> Self {
        Self {
            uid: uid.to_owned(),
            allowed: false,
            status: Some(AdmissionResponseStatus { message: Some(message), code, details: None }),
            ..Self::default()
        }
    }

    /// `internal server error: <message>`, code 500 (guest errors and the like).
    pub fn reject_internal_server_error(uid: &str, message: &str) -> Self {
        Self::reject(uid, format!("internal server error: {message}"), Some(500))
    }

    /// Translate a policy's answer. `request_object` is the request's
    /// `object` (`None` on DELETE).
    pub fn from_validation_response(uid: &str, request_object: Option<&Value>, response: ValidationResponse) -> Self {
        let ValidationResponse { accepted, message, code, mutated_object, audit_annotations, warnings } = response;
        let patch = match (mutated_object, request_object) {
            (Some(_), None) => {
                return Self::reject(uid, DELETE_MUTATION_MESSAGE.to_owned(), None);
            }
            (Some(mutated), Some(original)) => json_patch_base64(original, &mutated),
            (None, _) => None,
        };
        let status =
            (message.is_some() || code.is_some()).then_some(AdmissionResponseStatus { message, code, details: None });
        Self {
            uid: uid.to_owned(),
            allowed: accepted,
            patch_type: patch.as_ref().map(|_| "JSONPatch".to_owned()),
            patch,
            status,
            audit_annotations,
            warnings,
        }
    }

    /// Decode `patch` back into JSON Patch operations (tests, `check`).
    pub fn decoded_patch(&self) -> Option<Value> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(self.patch.as_deref()?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The answer as `check` reports it (the shared crate's form, which the playground fills
    /// from the engine).
    pub fn answer(&self) -> tempo_policy_check::outcome::Answer {
        tempo_policy_check::outcome::Answer {
            allowed: self.allowed,
            message: self.message().map(str::to_owned),
            warnings: self.warnings.clone().unwrap_or_default(),
            patch: self.decoded_patch(),
        }
    }

    /// The rejection message, if any.
    pub fn message(&self) -> Option<&str> {
        self.status.as_ref()?.message.as_deref()
    }

    /// One line of JSON, as `kwctl run` prints it.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"uid":"","allowed":false,"status":{{"message":"cannot serialize response: {e}","code":500}}}}"#
            )
        })
    }
}

/// `json_patch::diff(original, mutated)` as base64 text; `None` for an empty diff.
pub fn json_patch_base64(original: &Value, mutated: &Value) -> Option<String> {
    let diff = json_patch::diff(original, mutated);
    if diff.0.is_empty() {
        return None;
    }
    let text = serde_json::to_string(&diff).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(text))
}

/// How policy-server constrains a response: custom rejection message, then
/// `mutating: false` (protect) or monitor mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraints {
    /// Policy id used in messages (`policy-from-cli` for `run`).
    pub policy_id: String,
    pub mode: PolicyMode,
    pub allowed_to_mutate: bool,
    /// A policy CR's `spec.message`.
    pub custom_rejection_message: Option<String>,
}

impl Default for Constraints {
    fn default() -> Self {
        Self {
            policy_id: POLICY_ID_FROM_CLI.to_owned(),
            mode: PolicyMode::Protect,
            allowed_to_mutate: true,
            custom_rejection_message: None,
        }
    }
}

impl Constraints {
    /// Apply the constraints to a response built from the policy's answer.
    pub fn apply(&self, mut response: AdmissionResponse) -> AdmissionResponse {
        if !response.allowed
            && let Some(custom) = &self.custom_rejection_message
        {
            let status = response.status.take().unwrap_or_default();
            let mut causes = status.details.map(|d| d.causes).unwrap_or_default();
            causes.push(StatusCause { message: Some(status.message.unwrap_or_default()), ..StatusCause::default() });
            response.status = Some(AdmissionResponseStatus {
                message: Some(custom.clone()),
                details: Some(StatusDetails { causes }),
                code: status.code,
            });
        }
        match self.mode {
            PolicyMode::Protect => {
                if response.patch.is_some() && !self.allowed_to_mutate {
                    AdmissionResponse {
                        allowed: false,
                        status: Some(AdmissionResponseStatus {
                            message: Some(format!(
                                "Request rejected by policy {}. The policy attempted to mutate the request, but it is currently configured to not allow mutations.",
                                self.policy_id
                            )),
                            ..AdmissionResponseStatus::default()
                        }),
                        patch: None,
                        patch_type: None,
                        ..response
                    }
                } else {
                    response
                }
            }
            PolicyMode::Monitor => {
                AdmissionResponse { allowed: true, patch_type: None, patch: None, status: None, ..response }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The SDK's response has no `Default`: an accepting answer with nothing else set.
    fn accepted() -> ValidationResponse {
        ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object: None,
            audit_annotations: None,
            warnings: None,
        }
    }

    #[test]
    fn accept_shape() {
        let r = AdmissionResponse::from_validation_response("u1", Some(&json!({})), accepted());
        assert_eq!(r.to_json_line(), r#"{"uid":"u1","allowed":true,"auditAnnotations":null,"warnings":null}"#);
    }

    #[test]
    fn reject_shape_and_warnings() {
        let r = AdmissionResponse::from_validation_response(
            "u1",
            Some(&json!({})),
            ValidationResponse {
                accepted: false,
                message: Some("no".into()),
                warnings: Some(vec!["w".into()]),
                ..accepted()
            },
        );
        assert_eq!(
            r.to_json_line(),
            r#"{"uid":"u1","allowed":false,"status":{"message":"no"},"auditAnnotations":null,"warnings":["w"]}"#
        );
    }

    #[test]
    fn patch_generation() {
        let original = json!({"spec": {"a": 1}});
        let mutated = json!({"spec": {"a": 1, "size": "10Gi"}});
        let r = AdmissionResponse::from_validation_response(
            "u",
            Some(&original),
            ValidationResponse { mutated_object: Some(mutated), ..accepted() },
        );
        assert_eq!(r.patch_type.as_deref(), Some("JSONPatch"));
        assert_eq!(r.decoded_patch().unwrap(), json!([{"op": "add", "path": "/spec/size", "value": "10Gi"}]));
        // The exact text policy-server would send.
        assert_eq!(r.patch.as_deref(), Some("W3sib3AiOiJhZGQiLCJwYXRoIjoiL3NwZWMvc2l6ZSIsInZhbHVlIjoiMTBHaSJ9XQ=="));

        let same = AdmissionResponse::from_validation_response(
            "u",
            Some(&original),
            ValidationResponse { mutated_object: Some(original.clone()), ..accepted() },
        );
        assert_eq!(same.patch, None);
        assert_eq!(same.patch_type, None);
    }

    #[test]
    fn delete_mutation_rejected() {
        let r = AdmissionResponse::from_validation_response(
            "u",
            None,
            ValidationResponse { mutated_object: Some(json!({})), ..accepted() },
        );
        assert!(!r.allowed);
        assert_eq!(r.message(), Some(DELETE_MUTATION_MESSAGE));
        assert_eq!(r.status.as_ref().unwrap().code, None);
    }

    #[test]
    fn constraints() {
        let patched = AdmissionResponse {
            uid: "u".into(),
            allowed: true,
            patch_type: Some("JSONPatch".into()),
            patch: Some("cGF0Y2g=".into()),
            ..Default::default()
        };
        let no_mutation = Constraints { allowed_to_mutate: false, ..Constraints::default() };
        let r = no_mutation.apply(patched.clone());
        assert!(!r.allowed);
        assert_eq!(r.patch, None);
        assert_eq!(
            r.message(),
            Some(
                "Request rejected by policy policy-from-cli. The policy attempted to mutate the request, but it is currently configured to not allow mutations."
            )
        );

        let monitor = Constraints { mode: PolicyMode::Monitor, allowed_to_mutate: false, ..Constraints::default() };
        let rejected = AdmissionResponse::reject("u", "bad".into(), Some(400));
        let r = monitor.apply(rejected.clone());
        assert!(r.allowed);
        assert_eq!(r.status, None);
        let r = monitor.apply(patched);
        assert!(r.allowed);
        assert_eq!(r.patch, None);
        assert_eq!(r.patch_type, None);

        let custom = Constraints { custom_rejection_message: Some("custom".into()), ..Constraints::default() };
        let r = custom.apply(rejected);
        assert_eq!(
            serde_json::to_value(&r.status).unwrap(),
            json!({"message": "custom", "details": {"causes": [{"reason": null, "message": "bad", "field": null}]}, "code": 400})
        );
    }
}
