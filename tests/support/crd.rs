//! Validation against the upstream CRD schemas in ../shared/crds (Tempo Operator, Kubewarden).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use std::path::PathBuf;

pub fn crds_dir() -> PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .map(|p| p.join("../shared/crds"))
        .chain(root.ancestors().map(|p| p.join("shared/crds")))
        .find(|p| p.exists())
        .expect("the upstream CRDs (../shared/crds) are beside the checkout")
}

/// The CRD file holding `kind`, if the project has one.
fn crd_file(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "TempoStack" => "tempo.grafana.com_tempostacks.yaml",
        "TempoMonolithic" => "tempo.grafana.com_tempomonolithics.yaml",
        "ClusterAdmissionPolicy" => "policies.kubewarden.io_clusteradmissionpolicies.yaml",
        "AdmissionPolicy" => "policies.kubewarden.io_admissionpolicies.yaml",
        _ => return None,
    })
}

/// Validates `obj` against the schema of its kind and version; `Ok(false)` when there is no CRD
/// for the kind (core kinds).
pub fn validate(obj: &Value) -> Result<bool, String> {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let Some(file) = crd_file(kind) else { return Ok(false) };
    let version = obj["apiVersion"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string();
    let text = std::fs::read_to_string(crds_dir().join(file)).unwrap();
    let crd: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let crd = serde_json::to_value(crd).unwrap();
    let schema = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version.as_str())
        .unwrap_or_else(|| panic!("{file} has no version {version}"))["schema"]["openAPIV3Schema"]
        .clone();
    let validator = jsonschema::validator_for(&schema).map_err(|e| format!("schema of {file}: {e}"))?;
    let errors: Vec<String> = validator.iter_errors(obj).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if errors.is_empty() { Ok(true) } else { Err(errors.join("\n")) }
}
