//! The README must describe the code as it is: the rule table and the settings reference.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use tempo_policy::settings::Settings;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("README lacks {start}")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("README lacks {end}")) + from;
    text[from..to].trim()
}

#[test]
fn rule_table_matches_the_registry() {
    let readme = readme();
    let table = between(&readme, "<!-- rules:start -->", "<!-- rules:end -->");
    let expected = tempo_policy::rules::markdown_table();
    if std::env::var_os("UPDATE_README").is_some() && table != expected.trim() {
        let updated = readme.replace(table, expected.trim());
        let updated = if table.is_empty() {
            readme.replace("<!-- rules:start -->\n", &format!("<!-- rules:start -->\n{expected}"))
        } else {
            updated
        };
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"), updated).unwrap();
        return;
    }
    assert_eq!(table, expected.trim(), "README rule table is stale (run `make readme`); expected:\n{expected}");
}

#[test]
fn settings_reference_parses_and_covers_every_setting() {
    let readme = readme();
    let block = between(&readme, "<!-- settings:start -->", "<!-- settings:end -->");
    let yaml = block.trim_start_matches("```yaml").trim_end_matches("```");
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let json = serde_json::to_vec(&value).unwrap();
    // deny_unknown_fields: every documented setting exists.
    let settings = tempo_policy::parse_settings(&json).unwrap();
    assert_eq!(settings.validate(), Ok(()));
    // ...and every setting is documented.
    fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let serde_json::Value::Object(m) = v {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if matches!(v, serde_json::Value::Object(inner) if !inner.is_empty())
                    && !p.ends_with("Labels")
                    && !p.ends_with("Regions")
                {
                    paths(v, &p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut documented = Vec::new();
    paths(&serde_json::to_value(&value).unwrap(), "", &mut documented);
    let mut all = Vec::new();
    let mut full = serde_json::to_value(Settings::default()).unwrap();
    full["storageSecretSelector"] = serde_json::json!({"matchLabels": {}});
    full["resources"]["maxLimits"] = serde_json::json!({"cpu": 1, "memory": 1});
    full["resources"]["defaultLimits"] = serde_json::json!({"cpu": 1, "memory": 1});
    full["storageSize"] = serde_json::json!({"default": 1, "min": 1, "max": 1});
    full["storage"]["bucketNamePattern"] = serde_json::json!("x");
    paths(&full, "", &mut all);
    for p in all {
        assert!(
            documented.iter().any(|d| d == &p || p.starts_with(&format!("{d}."))),
            "setting {p} is missing from the README's settings reference"
        );
    }
}
