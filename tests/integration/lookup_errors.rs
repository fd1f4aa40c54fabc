//! A failed Secret look-up stays a `lookup-skipped` warning under `storage.requireSecret`, even
//! when the host's error text contains "404" or "not found"; only the host's exact "not found"
//! answer makes the Secret missing. The exact texts are those of `cluster::classify_host_error`'s
//! tests (policy-server and kwctl for a missing object, a forbidden one, a time-out and an
//! API-server error); here they go the whole way through the engine, as `HostCluster` hands them on.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource, classify_host_error};

/// A cluster whose every `get` fails with one host error text, classified as the host cluster does.
struct Failing(&'static str);

impl JsonCluster for Failing {
    fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
        classify_host_error(self.0, resource, name).map(|()| None)
    }
    fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
        Ok(r#"{"items":[]}"#.to_string())
    }
}

fn evaluate(host_error: &'static str) -> Value {
    let payload = json!({
        "request": {"uid": "1", "kind": {"group": "tempo.grafana.com", "version": "v1alpha1", "kind": "TempoStack"},
            "operation": "CREATE", "namespace": "observability", "name": "simplest",
            "object": {"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack",
                "metadata": {"name": "simplest", "namespace": "observability"},
                "spec": {"storage": {"secret": {"name": "tempo-s3", "type": "s3"}}}}},
        "settings": {"storage": {"requireSecret": true}},
    });
    let out = tempo_policy::validate_with(payload.to_string().as_bytes(), &Failing(host_error)).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn only_the_exact_not_found_answer_makes_a_secret_missing() {
    let missing = evaluate(
        "Host error: Callback evaluation failure: Cannot find v1/Secret named 'tempo-s3' inside of namespace 'Some(\"observability\")'",
    );
    assert_eq!(missing["accepted"], false, "{missing}");
    assert!(missing["message"].as_str().unwrap().starts_with("storage-secret: "), "{missing}");

    for failure in [
        "Host error: Callback evaluation failure: ApiError: secrets \"tempo-s3\" is forbidden: User \"system:serviceaccount:kubewarden:policy-server-default\" cannot get resource \"secrets\" in API group \"\" in the namespace \"observability\": Forbidden (ErrorResponse { status: \"Failure\", message: \"forbidden\", reason: \"Forbidden\", code: 403 })",
        "Host error: Callback evaluation failure: HyperError: error trying to connect: tcp connect error: operation timed out",
        "Host error: Callback evaluation failure: ApiError: Internal error occurred: resource not found in cache: InternalError (ErrorResponse { status: \"Failure\", message: \"Internal error occurred\", reason: \"InternalError\", code: 500 })",
        "Host error: Callback evaluation failure: error trying to reach service: 404 page not found",
    ] {
        let answer = evaluate(failure);
        assert_eq!(answer["accepted"], true, "{failure}: {answer}");
        let warnings = answer["warnings"].as_array().unwrap();
        assert!(
            warnings
                .iter()
                .any(|w| w.as_str().unwrap().starts_with("lookup-skipped: reading Secret \"tempo-s3\" failed")),
            "{failure}: {warnings:?}"
        );
    }
}

/// A cluster whose every look-up fails with a host text full of control characters.
struct Garbled;

const GARBLED: &str = "Host error: Callback evaluation failure:\n\tconnection reset\r\n\u{1b}[2J\u{7}\u{9b}31m";

impl JsonCluster for Garbled {
    fn get_json(&self, _: Resource, _: Option<&str>, _: &str) -> Lookup<String> {
        Err(LookupError::Failed(GARBLED.to_string()))
    }
    fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
        Err(LookupError::Failed(GARBLED.to_string()))
    }
}

/// Issue 19: the API server drops a warning holding a control character, so a skipped check went
/// unreported. Every path that embeds a host's text: the Secret, the TLS ConfigMap and the
/// Namespace of a CR, the CR lists of a Secret's CREATE and DELETE.
#[test]
fn host_errors_reach_the_user_printable_on_every_look_up() {
    let stack = json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack",
        "metadata": {"name": "simplest\u{1b}]0;x\u{7}", "namespace": "observability"},
        "spec": {"storage": {"secret": {"name": "tempo-s3\n", "type": "s3"},
            "tls": {"enabled": true, "caName": "storage-ca\t"}}}});
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "tempo-s3", "namespace": "observability"},
        "stringData": {"bucket": "tempo", "endpoint": "https://s3.eu-west-1.amazonaws.com"}});
    let cr_kind = json!({"group": "tempo.grafana.com", "version": "v1alpha1", "kind": "TempoStack"});
    let secret_kind = json!({"group": "", "version": "v1", "kind": "Secret"});
    let settings = json!({"production": {"namespaceLabels": {"environment": "production"}}});
    for (kind, operation, object, old) in [
        (&cr_kind, "CREATE", stack.clone(), Value::Null),
        (&secret_kind, "CREATE", secret.clone(), Value::Null),
        (&secret_kind, "DELETE", Value::Null, secret.clone()),
    ] {
        let payload = json!({"request": {"uid": "1", "kind": kind, "operation": operation,
            "namespace": "observability", "name": "x", "object": object, "oldObject": old}, "settings": settings});
        let out = tempo_policy::validate_with(payload.to_string().as_bytes(), &Garbled).unwrap();
        let answer: Value = serde_json::from_slice(&out).unwrap();
        let warnings: Vec<&str> = answer["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        assert!(!warnings.is_empty(), "{operation} {kind}: {answer}");
        for text in warnings.iter().copied().chain(answer["message"].as_str()) {
            assert!(!text.chars().any(char::is_control), "{operation} {kind}: {text:?}");
        }
        assert!(
            warnings.iter().all(|w| w.contains("failure:\\n\\tconnection reset\\r\\n\\u{1b}[2J\\u{7}\\u{9b}31m")),
            "{operation} {kind}: {warnings:?}"
        );
    }
}
