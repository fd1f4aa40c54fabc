//! Settings patterns that reach an evaluation without `validate_settings` (a host that skips it):
//! every use fails closed and says which setting is broken, never dropping the pattern.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{Value, json};

fn evaluate(settings: Value) -> Value {
    // An S3 Secret with static keys in a namespace only `production.namespaces` could call
    // production, judged alone (selected by storageSecretSelector, no CR uses it).
    let payload = json!({
        "request": {"uid": "1", "kind": {"group": "", "version": "v1", "kind": "Secret"}, "operation": "CREATE",
            "namespace": "prod-obs", "name": "tempo-s3",
            "object": {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": "tempo-s3", "namespace": "prod-obs", "labels": {"app.kubernetes.io/part-of": "tempo"}},
                "stringData": {"bucket": "tempo-traces", "endpoint": "https://s3.eu-west-1.amazonaws.com",
                    "access_key_id": "AKIAI44QH8DHBEXAMPLE", "access_key_secret": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}}},
        "settings": settings,
    });
    let out = tempo_policy::validate_with(payload.to_string().as_bytes(), &tempo_policy::cluster::NoCluster).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn broken_patterns_fail_closed_and_name_the_setting() {
    let selector = json!({"matchLabels": {"app.kubernetes.io/part-of": "tempo"}});
    let answer = evaluate(json!({
        "storageSecretSelector": selector,
        "production": {"namespaces": ["^prod-", "("], "staticCredentialsAllowedFor": ["("]},
        "storage": {"allowedEndpoints": ["("], "bucketNamePattern": "["},
    }));
    assert_eq!(answer["accepted"], false, "{answer}");
    let message = answer["message"].as_str().unwrap();
    for expected in [
        "static-credentials: Secret \"tempo-s3\" holds long-lived credentials (access_key_id and access_key_secret), and static credentials are not allowed in production (no endpoint is exempted: settings production.staticCredentialsAllowedFor[0] is not a valid regex (",
        "endpoint-allowed: Secret \"tempo-s3\": the endpoint cannot be checked: settings storage.allowedEndpoints[0] is not a valid regex (",
        "bucket-name: Secret \"tempo-s3\": bucket \"tempo-traces\" cannot be checked: settings storage.bucketNamePattern is not a valid regex (",
    ] {
        assert!(message.contains(expected), "{expected}\n  not in\n{message}");
    }
    assert!(!message.contains("EXAMPLEKEY"));

    // production.namespaces alone: every namespace is production, and a warning says why.
    let answer = evaluate(json!({"storageSecretSelector": selector, "production": {"namespaces": ["("]}}));
    assert_eq!(answer["accepted"], false, "{answer}");
    assert!(answer["message"].as_str().unwrap().starts_with("static-credentials: "), "{answer}");
    let warnings: Vec<&str> = answer["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(
        warnings.contains(&"lookup-skipped: settings production.namespaces[0] is not a valid regex (regex parse error: ( ^ error: unclosed group): namespace \"prod-obs\" is judged as production until the policy settings are fixed"),
        "{warnings:?}"
    );
}

/// Unanchored allow-list patterns are valid, with advice in the settings answer's message.
#[test]
fn unanchored_allow_list_patterns_are_valid_with_a_warning() {
    let answer = tempo_policy::validate_settings(br#"{"storage":{"allowedEndpoints":["minio\\.svc"]}}"#).unwrap();
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["valid"], true);
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with("storage.allowedEndpoints[0]: \"minio\\\\.svc\" is not anchored (^...$)"), "{message}");
    let answer =
        tempo_policy::validate_settings(br#"{"storage":{"allowedEndpoints":["^https://minio\\.svc$"]}}"#).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&answer).unwrap(), json!({"valid": true, "message": null}));
}
