//! Validation against the upstream CRD schemas (Tempo Operator, Kubewarden), pinned with their
//! checksums in crds.lock and put into a cache outside the repository by `make crds`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where `make crds` (scripts/crds.sh) puts the CRDs: `$TEMPO_POLICY_CRDS_CACHE`, or
/// `${XDG_CACHE_HOME:-$HOME/.cache}/tempo-policy/crds`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TEMPO_POLICY_CRDS_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .expect("neither TEMPO_POLICY_CRDS_CACHE, XDG_CACHE_HOME nor HOME is set: cannot find the CRD cache");
    base.join("tempo-policy/crds")
}

/// `dir/file`, or a message saying how to get the CRDs when it is not there.
pub fn crd_path_in(dir: &Path, file: &str) -> Result<PathBuf, String> {
    let path = dir.join(file);
    if path.is_file() {
        return Ok(path);
    }
    Err(format!(
        "the upstream CRD {file} is not in {}: run `make crds` to fetch the versions pinned in crds.lock \
         (without network, first set TEMPO_POLICY_CRDS_DIR to a folder holding the CRD files; CI sets it to \
         ../shared/crds)",
        dir.display()
    ))
}

/// The CRD file holding `kind`, if the project has one.
pub fn crd_file(kind: &str) -> Option<&'static str> {
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
    let path = crd_path_in(&cache_dir(), file).unwrap_or_else(|message| panic!("{message}"));
    let text = std::fs::read_to_string(&path).unwrap();
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
