//! `tempo-policy annotate` / `inspect` and the protocol-version requirement.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::*;
use std::process::Command;
use tempo_policy_cli::wasm::{METADATA_SECTION, read_custom_section, sections};

fn metadata_sections(bytes: &[u8]) -> usize {
    sections(bytes).unwrap().iter().filter(|s| s.name.as_deref() == Some(METADATA_SECTION)).count()
}

#[test]
fn annotate_round_trip_and_reannotate_replaces() {
    let dir = scratch("annotate_round_trip");
    let meta = dir.join("metadata.yml");
    std::fs::write(&meta, METADATA).unwrap();
    let readme = dir.join("README.md");
    std::fs::write(&readme, "# Baseline\nDoes nothing.\n").unwrap();
    let once = dir.join("once.wasm");
    let o = Command::new(bin())
        .args(["annotate", "-m"])
        .arg(&meta)
        .arg("-u")
        .arg(&readme)
        .arg("-o")
        .arg(&once)
        .arg(baseline_wasm())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));

    let bytes = std::fs::read(&once).unwrap();
    assert_eq!(metadata_sections(&bytes), 1);
    let json: serde_json::Value =
        serde_json::from_slice(read_custom_section(&bytes, METADATA_SECTION).unwrap().unwrap()).unwrap();
    assert_eq!(json["protocolVersion"], "v1");
    assert_eq!(json["mutating"], true);
    assert_eq!(json["backgroundAudit"], true);
    assert_eq!(json["executionMode"], "kubewarden-wapc");
    assert_eq!(json["policyType"], "kubernetes");
    assert_eq!(json["contextAwareResources"], serde_json::json!([{"apiVersion": "v1", "kind": "Secret"}]));
    assert_eq!(json["annotations"]["io.kubewarden.policy.usage"], "# Baseline\nDoes nothing.\n");
    assert!(json["annotations"]["io.kubewarden.kwctl"].as_str().unwrap().starts_with("tempo-policy "));
    assert!(json.get("hostCapabilities").is_none());

    // Re-annotating the annotated module replaces the section.
    let meta2 = dir.join("metadata2.yml");
    std::fs::write(&meta2, METADATA.replace("mutating: true", "mutating: false")).unwrap();
    let twice = dir.join("twice.wasm");
    let o = Command::new(bin()).args(["annotate", "-m"]).arg(&meta2).arg("-o").arg(&twice).arg(&once).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes2 = std::fs::read(&twice).unwrap();
    assert_eq!(metadata_sections(&bytes2), 1);
    let json2: serde_json::Value =
        serde_json::from_slice(read_custom_section(&bytes2, METADATA_SECTION).unwrap().unwrap()).unwrap();
    assert_eq!(json2["mutating"], false);
    assert!(json2["annotations"].get("io.kubewarden.policy.usage").is_none());
    assert!(bytes2.len() < bytes.len());

    // inspect prints the same metadata.
    let o = run(&["inspect", twice.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let inspected: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(inspected, json2);
}

#[test]
fn annotate_rejects_bad_rules() {
    let dir = scratch("annotate_bad_rules");
    let meta = dir.join("metadata.yml");
    std::fs::write(&meta, METADATA.replace(r#"["CREATE", "UPDATE", "DELETE"]"#, r#"["*", "DELETE"]"#)).unwrap();
    let o = Command::new(bin())
        .args(["annotate", "-m"])
        .arg(&meta)
        .arg("-o")
        .arg(dir.join("out.wasm"))
        .arg(baseline_wasm())
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("rules[0].operations: \"*\" must be the only element"), "{err}");
    assert!(!dir.join("out.wasm").exists());
}

#[test]
fn unannotated_policy_is_refused_like_policy_server() {
    let o = run(
        &["run", "-r", "-", baseline_wasm().to_str().unwrap()],
        Some(&request_json("CREATE", serde_json::json!({}))),
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.starts_with("error: Policy is missing protocol version"), "{err}");
    assert!(!err.contains("Backtrace") && !err.contains("panicked"), "{err}");
    assert!(stdout(&o).is_empty());

    let o = run(&["inspect", baseline_wasm().to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not annotated"), "{}", stderr(&o));
}
