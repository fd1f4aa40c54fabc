//! Test objects and shipped manifests are real objects: valid against the upstream CRDs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use support::crd;

/// Objects that are broken on purpose say so in their first line.
const INVALID_MARKER: &str = "Not valid against the CRD on purpose";

fn yaml_docs(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde_json::to_value(<serde_yaml_ng::Value as serde::Deserialize>::deserialize(d).unwrap()).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn test_objects_are_valid_against_the_tempo_crds() {
    let dir = support::scenarios::test_data().join("objects");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let meant_invalid = text.lines().next().is_some_and(|l| l.contains(INVALID_MARKER));
        for doc in yaml_docs(&path) {
            match (crd::validate(&doc), meant_invalid) {
                (Ok(true), false) => checked += 1,
                (Ok(true), true) => failures.push(format!("{}: marked invalid but validates", path.display())),
                (Err(e), false) => failures.push(format!("{}: {e}", path.display())),
                (Err(_), true) | (Ok(false), _) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} CR objects checked");
}

#[test]
fn shipped_policies_are_valid_cluster_admission_policies() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        for doc in yaml_docs(&path) {
            assert_eq!(crd::validate(&doc), Ok(true), "{}", path.display());
            names.push(doc["metadata"]["name"].as_str().unwrap().to_string());
            // The settings they carry are valid settings.
            let settings = serde_json::to_vec(&doc["spec"]["settings"]).unwrap();
            let parsed = tempo_policy::parse_settings(&settings).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(parsed.validate(), Ok(()), "{}", path.display());
        }
    }
    names.sort();
    assert_eq!(names, ["tempo-storage-baseline", "tempo-storage-monitor", "tempo-storage-production"]);
}

#[test]
fn a_broken_object_is_caught() {
    let obj = serde_json::json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack", "metadata": {"name": "x"},
        "spec": {"storage": {"secret": {"name": "s", "type": "minio"}}}});
    assert!(crd::validate(&obj).is_err());
}
