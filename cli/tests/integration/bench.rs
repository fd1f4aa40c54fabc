//! `tempo-policy bench` runs end to end (a smoke test: three iterations, no
//! timing is asserted).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

#[test]
fn bench_runs_every_request_and_reports_json() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out = Command::new(bin())
        .current_dir(&root)
        .args(["bench", "--iterations", "3", "--warmup", "1", "--compile-iterations", "1", "--format", "json"])
        .arg("--policy")
        .arg(annotated_policy())
        .arg("--baseline")
        .arg(baseline_wasm())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = report["requests"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    for expected in [
        "tempostack-minio",
        "tempomonolithic-aws-s3",
        "tempomonolithic-pv",
        "secret-update-minio-rotated",
        "secret-update-minio-rotated-100cr",
        "secret-delete-unused-10cr",
        "pod-ignored",
        "helm-release-1mb",
        "opaque-1mb",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for r in report["requests"].as_array().unwrap() {
        assert!(r["allowed"].as_bool().unwrap(), "{r}");
        assert!(r["warm"]["policy"]["median_us"].as_f64().unwrap() > 0.0, "{r}");
        assert!(r["fresh"]["baseline"]["median_us"].as_f64().unwrap() > 0.0, "{r}");
        // The floor ran, and made the policy's look-ups (the bench stops when it does not).
        assert!(r["fresh"]["floor"]["median_us"].as_f64().unwrap() > 0.0, "{r}");
        assert!(r["warm"]["ratio_to_floor"].as_f64().unwrap() > 0.0, "{r}");
        // A fresh instance maps its memory on first touch: every module takes page faults.
        if cfg!(target_os = "linux") {
            for module in ["policy", "floor", "baseline"] {
                assert!(r["fresh"]["cpu"][module]["minor_faults"].as_f64().unwrap() >= 1.0, "{module}: {r}");
            }
        }
    }
    let crs = |name: &str| {
        report["requests"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["crs_in_namespace"].clone()
    };
    assert_eq!((crs("secret-delete-unused-10cr"), crs("tempostack-minio")), (10.into(), serde_json::Value::Null));
    assert_eq!(report["requests"][0]["lookups"], 1);
    assert!(report["policy"]["compile"]["median_us"].as_f64().unwrap() > 0.0);
    assert!(report["command"].as_str().unwrap().starts_with("tempo-policy bench --iterations 3"));
    assert!(!report["targets"].as_array().unwrap().is_empty());
}

#[test]
fn bench_markdown_and_unannotated_policy() {
    // An unannotated policy is annotated in memory with --metadata.
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let raw = root.join("policy.wasm");
    if !raw.exists() {
        return;
    }
    let out = Command::new(bin())
        .current_dir(&root)
        .args(["bench", "--iterations", "2", "--compile-iterations", "1", "--only", "pod-ignored"])
        .arg("--policy")
        .arg(&raw)
        .arg("--baseline")
        .arg(baseline_wasm())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| `pod-ignored` | warm |"), "{text}");
    assert!(text.contains("#### Policy / look-up floor"), "{text}");
    assert!(text.contains("fresh instance, every request ≤ 1.1× the look-up floor"), "{text}");
    assert!(text.contains("| target | measured | |"), "{text}");
    assert!(!text.contains("helm-release-1mb"), "{text}");
    if cfg!(target_os = "linux") {
        assert!(text.contains("#### Fresh instance: pages touched per call"), "{text}");
        assert!(text.lines().any(|l| l.starts_with("| `pod-ignored` | ") && l.matches('|').count() == 6), "{text}");
    }
}

/// `--profile` calls one request on one module and prints one line; nothing else is run.
#[test]
fn bench_profile_calls_one_request_on_one_module() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let run = |request: &str, module: &str| {
        Command::new(bin())
            .current_dir(&root)
            .args(["bench", "--profile", request, "--profile-module", module, "--iterations", "3"])
            .arg("--policy")
            .arg(annotated_policy())
            .arg("--baseline")
            .arg(baseline_wasm())
            .output()
            .unwrap()
    };
    for (module, name) in [("policy", "policy"), ("floor", "look-up floor"), ("baseline", "do-nothing baseline")] {
        let out = run("tempostack-minio", module);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with(&format!("tempostack-minio on the {name}: 3 fresh calls, median ")), "{text}");
        if cfg!(target_os = "linux") {
            assert!(text.contains(" µs system, "), "{text}");
        }
    }
    let out = run("no-such-request", "policy");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--profile no-such-request: no such request"), "{stderr}");
}
