//! Arbitrary bytes into `validate_settings`: the answer is always a SettingsValidationResponse.

#![no_main]

use libfuzzer_sys::fuzz_target;

/// How an oracle reports a failure: libFuzzer sees one only as a panic (the one place a fuzz
/// target may panic; the lints deny it everywhere else).
#[allow(clippy::panic)]
fn failed(what: String) -> ! {
    panic!("{what}")
}

fuzz_target!(|data: &[u8]| {
    let answer =
        tempo_policy::validate_settings(data).unwrap_or_else(|e| failed(format!("validate_settings failed: {e}")));
    let v: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_else(|e| failed(format!("not JSON: {e}")));
    let valid = v.get("valid").and_then(serde_json::Value::as_bool);
    assert!(valid.is_some(), "no `valid` in {v}");
    // Settings that validate must also be usable by `validate`.
    if valid == Some(true) {
        let settings = String::from_utf8_lossy(data);
        let settings = if settings.trim().is_empty() { "null" } else { settings.trim() };
        let payload = format!(
            r#"{{"request":{{"uid":"1","kind":{{"group":"","version":"v1","kind":"Secret"}},"operation":"CREATE","namespace":"prod-obs","name":"s","object":{{"kind":"Secret","metadata":{{"name":"s","labels":{{"app.kubernetes.io/part-of":"tempo"}}}},"data":{{"bucket":"dGVtcG8=","endpoint":"aHR0cHM6Ly9zMy5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbQ==","access_key_id":"QUtJQUlPU0ZPRE5ON0VYQU1QTEU=","access_key_secret":"c3VwZXJzZWNyZXQ="}}}}}},"settings":{settings}}}"#
        );
        let _ = tempo_policy::validate_with(payload.as_bytes(), &tempo_policy::cluster::NoCluster);
    }
});
