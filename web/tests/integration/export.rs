//! The exported entry, `check`, called as the plain Rust function it is: the report the page
//! renders, for the shipped examples, bad input and a large paste. The same function compiled to
//! wasm runs in headless Chromium in `page.rs` (a shared link, a diff, garbage that must not
//! trap, every example compared with `tempo-policy check`).

use serde_json::Value;

const LOKI_SECRET: &str = include_str!("../../../examples/broken/loki-secret-reused.yaml");
const OBSERVABILITY: &str = include_str!("../../../examples/observability/tempo.yaml");
const SETTINGS: &str = include_str!("../../../examples/settings.yml");
const MANIFESTS: &str = tempo_policy_web::MANIFESTS_FILE;

fn check(manifests: &str, settings: &str, options: &str) -> Value {
    serde_json::from_str(&tempo_policy_web::check(manifests, settings, options)).unwrap()
}

fn result<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("no result for {kind} {name} in {report:#}"))
}

fn rules(result: &Value) -> Vec<&str> {
    result["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect()
}

#[test]
fn loki_secret_is_refused_with_did_you_mean_hints() {
    let report = check(LOKI_SECRET, SETTINGS, "{}");
    let stack = result(&report, "TempoStack", "tracing");
    assert_eq!(stack["verdict"], "rejected");
    let keys = stack["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "secret-keys").unwrap();
    let message = keys["message"].as_str().unwrap();
    assert!(message.contains("did you mean \"bucketnames\" → \"bucket\"?"), "{message}");
    assert_eq!(keys["severity"], "error");
    assert_eq!(report["summary"]["exitCode"], 1);
}

#[test]
fn defaults_are_filled_in_with_the_object_for_the_diff() {
    let report = check(OBSERVABILITY, SETTINGS, "{}");
    let monolithic = result(&report, "TempoMonolithic", "aws-s3");
    assert_eq!(monolithic["allowed"], true);
    let patch = monolithic["patch"].as_array().unwrap();
    assert!(patch.iter().any(|op| op["path"] == "/spec/storage/traces/size"), "{patch:?}");
    assert_eq!(monolithic["object"]["metadata"]["name"], "aws-s3");
    // Secrets are never mutated, so their content never comes back as an `object`.
    for r in report["results"].as_array().unwrap() {
        if r["kind"] == "Secret" {
            assert!(r.get("object").is_none());
        }
    }
}

#[test]
fn yaml_errors_name_their_line() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata: [\n";
    let report = check(text, "", "{}");
    let errors = report["inputErrors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "manifests.yaml");
    assert!(errors[0]["line"].as_u64().unwrap() >= 8, "{errors:?}");
    assert!(errors[0]["message"].as_str().unwrap().starts_with("not valid YAML"));
    assert_eq!(report["summary"]["exitCode"], 2);
}

#[test]
fn production_namespace_refuses_static_keys() {
    let report = check(include_str!("../../../examples/broken/production.yaml"), SETTINGS, "{}");
    let all: Vec<&str> = report["results"].as_array().unwrap().iter().flat_map(rules).collect();
    assert!(all.contains(&"static-credentials"), "{all:?}");
    // Without the settings nothing is production.
    let report = check(include_str!("../../../examples/broken/production.yaml"), "", "{}");
    let all: Vec<&str> = report["results"].as_array().unwrap().iter().flat_map(rules).collect();
    assert!(!all.contains(&"static-credentials"), "{all:?}");
}

#[test]
fn bad_settings_and_options_are_input_errors() {
    let report = check(LOKI_SECRET, "storage:\n  allowedRegions: 5\n", "{}");
    let message = report["inputErrors"][0]["message"].as_str().unwrap();
    assert!(message.contains("storage.allowedRegions"), "{message}");
    assert_eq!(report["results"].as_array().unwrap().len(), 0);
    let report = check(LOKI_SECRET, "", "{\"namespaces\": \"x\"}");
    assert!(report["inputErrors"][0]["message"].as_str().unwrap().contains("unknown option"));
    // Valid settings with advice: checked, and the advice shown.
    let report = check(LOKI_SECRET, "storage:\n  allowedEndpoints: ['amazonaws\\.com']\n", "{}");
    assert!(!report["results"].as_array().unwrap().is_empty());
    let warning = report["settingsWarnings"][0].as_str().unwrap();
    assert!(warning.contains("is not anchored"), "{warning}");
    // Strict: warnings fail.
    let report = check(OBSERVABILITY, SETTINGS, "{\"strict\": true}");
    assert_eq!(report["summary"]["strict"], true);
}

#[test]
fn a_large_paste_is_checked_whole() {
    // 400 objects, about 120 KB: every Secret judged, none lost, nothing trapped.
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s{i}\n  namespace: ns{i}\ntype: Opaque\nstringData:\n  bucket: b{i}\n  endpoint: https://s3.eu-west-1.amazonaws.com\n  access_key_id: k\n  access_key_secret: v\n  {}: x\n---\n",
            "padding".repeat(20)
        ));
    }
    let report = check(&text, "", "{}");
    assert_eq!(report["summary"]["checked"], 400);
    assert_eq!(report["summary"]["inputErrors"], 0);
}

/// Garbage as manifests and as settings: each gets the report it should, never a trap or an
/// empty answer (page.rs pastes garbage into the module in Chromium too).
#[test]
fn garbage_gets_input_errors_not_a_trap() {
    // (text, as manifests: exit code and the line of the YAML error; as settings for the Loki
    // example: exit code, 1 for its rejection when the settings are valid)
    let rows: [(&str, i64, Option<u64>, i64); 6] = [
        ("", 0, None, 1),
        ("\u{0}", 2, Some(1), 2),
        ("{", 2, Some(2), 2),
        ("[[[[[[[[[[", 2, Some(2), 2),
        // A Secret without a name nor type: an Opaque Secret no CR uses, accepted.
        ("kind: Secret\napiVersion: v1\ndata: {a: '%%%'}\n", 0, None, 2),
        // A list is no object: skipped.
        ("- - - -", 0, None, 2),
    ];
    for (text, manifests_exit, yaml_line, settings_exit) in rows {
        let report = check(text, "", "{}");
        assert_eq!(report["summary"]["exitCode"], manifests_exit, "{text:?} as manifests: {report}");
        let errors = report["inputErrors"].as_array().unwrap();
        match yaml_line {
            Some(line) => {
                assert_eq!(errors.len(), 1, "{text:?}: {errors:?}");
                assert_eq!(errors[0]["file"], MANIFESTS, "{text:?}");
                assert_eq!(errors[0]["line"], line, "{text:?}");
                assert!(errors[0]["message"].as_str().unwrap().starts_with("not valid YAML: "), "{text:?}");
            }
            None => assert!(errors.is_empty(), "{text:?}: {errors:?}"),
        }
        let report = check(LOKI_SECRET, text, "{}");
        assert_eq!(report["summary"]["exitCode"], settings_exit, "{text:?} as settings: {report}");
        if settings_exit == 2 {
            assert_eq!(report["inputErrors"][0]["file"], "settings.yaml", "{text:?}");
            assert_eq!(report["results"].as_array().unwrap().len(), 0, "{text:?}: nothing judged on bad settings");
        }
    }
}

/// Issue 20: a shared link leaves credential values out, with placeholders the policy judges the
/// same: for every shipped example and manifest set, the report of the redacted text equals the
/// report of the original (findings, lines, verdicts, patches), and none of the original's
/// credential values is left in it.
#[test]
fn share_links_keep_every_verdict_and_no_credential() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["examples/broken", "examples/observability", "test-data/manifests", "test-data/manifests/seeds"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    let mut redacted_any = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shared = tempo_policy_web::share::redact(&text);
        let before = check(&text, SETTINGS, "{}");
        let after = check(&shared.manifests, SETTINGS, "{}");
        assert_eq!(after["results"], before["results"], "{}", file.display());
        assert_eq!(after["inputErrors"], before["inputErrors"], "{}", file.display());
        for value in credential_values(&text) {
            assert!(!shared.manifests.contains(&value), "{}: {value:?} is in the link", file.display());
        }
        redacted_any += usize::from(!shared.left_out.is_empty());
    }
    assert!(redacted_any >= 5, "the sets hold credentials to leave out: {redacted_any}");
}

/// Every credential value of every Secret in `text` (not the values the policy quotes, and not
/// ones so short they would match by accident), decoded where it is base64.
fn credential_values(text: &str) -> Vec<String> {
    use base64::Engine as _;
    let public = ["bucket", "bucketname", "bucketnames", "container", "region", "account_name", "endpoint"];
    let mut out = Vec::new();
    let mut public_values = Vec::new();
    for doc in text.split("\n---") {
        let Ok(v) = tempo_policy_check::yaml::parse_document(doc) else { continue };
        let objects = match v.get("items").and_then(Value::as_array) {
            Some(items) => items.clone(),
            None => vec![v],
        };
        for o in objects.iter().filter(|o| o["kind"] == "Secret") {
            for (section, encoded) in [("data", true), ("stringData", false)] {
                let Some(map) = o.get(section).and_then(Value::as_object) else { continue };
                for (key, value) in map {
                    let Some(s) = value.as_str() else { continue };
                    if public.contains(&key.as_str()) {
                        public_values.push(s.to_owned());
                        continue;
                    }
                    let plain = if encoded {
                        base64::engine::general_purpose::STANDARD
                            .decode(s)
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok())
                            .unwrap_or_default()
                    } else {
                        s.to_owned()
                    };
                    if key == "key.json" {
                        let json: Value = serde_json::from_str(&plain).unwrap_or(Value::Null);
                        out.extend(json.get("private_key").and_then(Value::as_str).map(str::to_owned));
                        continue;
                    }
                    out.push(plain.trim().to_owned());
                    if encoded {
                        out.push(s.to_owned());
                    }
                }
            }
        }
    }
    // A credential equal to a value the policy quotes (a bucket named like the access key) is
    // in the text anyway, as that value.
    out.retain(|v| v.len() >= 6 && !public_values.contains(v));
    out
}
