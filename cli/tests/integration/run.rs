//! `tempo-policy run`, end to end through the binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use base64::Engine as _;
use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn baseline(dir: &std::path::Path) -> PathBuf {
    annotate_into(dir, "baseline", &std::fs::read(baseline_wasm()).unwrap(), METADATA)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn baseline_accepts_with_kwctl_shape() {
    let dir = scratch("baseline_accepts");
    let policy = baseline(&dir);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({"metadata": {"name": "s"}})));
    let o = run(&["run", "-r", &req, policy.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"uid\":\"req-1\",\"allowed\":true,\"auditAnnotations\":null,\"warnings\":null}\n");
    // file:///abs/path works too; file://relative does not.
    let uri = format!("file://{}", policy.to_str().unwrap());
    assert_eq!(response(&run(&["run", "-r", &req, &uri], None))["allowed"], true);
    let o = run(&["run", "-r", &req, "file://baseline.wasm"], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot retrieve path from uri"), "{}", stderr(&o));
}

#[test]
fn admission_review_yaml_on_stdin() {
    let dir = scratch("admission_review");
    let policy = baseline(&dir);
    let review = format!(
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest: {}\n",
        request_json("UPDATE", json!({"metadata": {"name": "s"}}))
    );
    let r = response(&run(&["run", policy.to_str().unwrap()], Some(&review)));
    assert_eq!(r["uid"], "req-1");
    assert_eq!(r["allowed"], true);
}

#[test]
fn strict_request_fields() {
    let dir = scratch("strict_request");
    let policy = baseline(&dir);
    let mut req: serde_json::Value = serde_json::from_str(&request_json("CREATE", json!({}))).unwrap();
    req["kind"].as_object_mut().unwrap().remove("version");
    let o = run(&["run", "-r", "-", policy.to_str().unwrap()], Some(&req.to_string()));
    assert!(!o.status.success());
    assert_eq!(stderr(&o), "error: cannot build AdmissionRequest object from given input: missing kind.version\n");
    let o = run(&["run", "-r", "/nonexistent/req.json", policy.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("error: cannot read admission request from /nonexistent/req.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn invalid_settings_exit_non_zero() {
    let dir = scratch("invalid_settings");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({})));
    let o = run(
        &[
            "run",
            "-r",
            &req,
            "--settings-json",
            r#"{"valid":false,"message":"storageSize.min is not a quantity"}"#,
            policy.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert_eq!(stderr(&o), "error: Provided settings are not valid: storageSize.min is not a quantity\n");
    assert!(stdout(&o).is_empty());

    let settings = write(&dir, "settings.yml", "valid: true\nmessage: null\n");
    let o = run(&["run", "-r", &req, "-s", &settings, policy.to_str().unwrap()], None);
    // settings are valid; validate then fails on the look-up (no grant)
    assert_eq!(response(&o)["allowed"], false);
}

#[test]
fn grant_denied_reaches_the_policy_as_host_error() {
    let dir = scratch("grant_denied");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({})));
    let replay = write(&dir, "replay.yml", &replay_success(&json!({"accepted": true})));
    // Not granted: no --allow-context-aware, even with a replay file.
    let r = response(&run(
        &["run", "-r", &req, "--replay-host-capabilities-interactions", &replay, policy.to_str().unwrap()],
        None,
    ));
    assert_eq!(
        r,
        json!({
            "uid": "req-1",
            "allowed": false,
            "status": {
                "message": "internal server error: Guest call failure: Policy has not been granted access to Kubernetes v1/Secret resources. The violation has been reported.",
                "code": 500
            },
            "auditAnnotations": null,
            "warnings": null
        })
    );
    // Granted by the metadata but the module lists another kind.
    let other = annotate_into(&dir, "relay-cm", &relay_guest(), &METADATA.replace("kind: Secret", "kind: ConfigMap"));
    let r = response(&run(
        &[
            "run",
            "-r",
            &req,
            "--allow-context-aware",
            "--replay-host-capabilities-interactions",
            &replay,
            other.to_str().unwrap(),
        ],
        None,
    ));
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("Policy has not been granted access to Kubernetes v1/Secret resources.")
    );
    // Granted, no replay file, no cluster.
    let r = response(&run(&["run", "-r", &req, "--allow-context-aware", policy.to_str().unwrap()], None));
    assert!(r["status"]["message"].as_str().unwrap().contains("failed to infer config"), "{r}");
}

#[test]
fn replay_drives_mutation_patch() {
    let dir = scratch("replay_mutation");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let object = json!({"metadata": {"name": "s"}, "data": {"bucket": "dA=="}});
    let req = write(&dir, "req.json", &request_json("CREATE", object.clone()));
    let mut mutated = object.clone();
    mutated["metadata"]["labels"] = json!({"tempo": "yes"});
    let replay = write(
        &dir,
        "replay.yml",
        &replay_success(&json!({
            "accepted": true, "message": null, "code": null, "mutated_object": mutated,
            "audit_annotations": {"k": "v"}, "warnings": ["careful"]
        })),
    );
    let args = ["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &replay];
    let r = response(&run(&[&args[..], &[policy.to_str().unwrap()]].concat(), None));
    assert_eq!(r["allowed"], true);
    assert_eq!(r["patchType"], "JSONPatch");
    let patch = base64::engine::general_purpose::STANDARD.decode(r["patch"].as_str().unwrap()).unwrap();
    let patch: serde_json::Value = serde_json::from_slice(&patch).unwrap();
    assert_eq!(patch, json!([{"op": "add", "path": "/metadata/labels", "value": {"tempo": "yes"}}]));
    assert_eq!(r["auditAnnotations"], json!({"k": "v"}));
    assert_eq!(r["warnings"], json!(["careful"]));
    assert!(r.get("status").is_none());

    // Monitor mode: allowed, no patch, no status.
    let r = response(&run(&[&args[..], &["--mode", "monitor", policy.to_str().unwrap()]].concat(), None));
    assert_eq!(r, json!({"uid": "req-1", "allowed": true, "auditAnnotations": {"k": "v"}, "warnings": ["careful"]}));
}

#[test]
fn replay_rejection_and_monitor() {
    let dir = scratch("replay_rejection");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({})));
    let replay = write(
        &dir,
        "replay.yml",
        &replay_success(&json!({"accepted": false, "message": "secret-keys: bucket is missing", "code": 400})),
    );
    let base = ["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &replay];
    let r = response(&run(&[&base[..], &[policy.to_str().unwrap()]].concat(), None));
    assert_eq!(
        r,
        json!({"uid": "req-1", "allowed": false, "status": {"message": "secret-keys: bucket is missing", "code": 400}, "auditAnnotations": null, "warnings": null})
    );
    let r = response(&run(&[&base[..], &["--mode", "monitor", policy.to_str().unwrap()]].concat(), None));
    assert_eq!(r, json!({"uid": "req-1", "allowed": true, "auditAnnotations": null, "warnings": null}));
}

#[test]
fn delete_mutation_is_rejected() {
    let dir = scratch("delete_mutation");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("DELETE", serde_json::Value::Null));
    let replay = write(&dir, "replay.yml", &replay_success(&json!({"accepted": true, "mutated_object": {"a": 1}})));
    let r = response(&run(
        &[
            "run",
            "-r",
            &req,
            "--allow-context-aware",
            "--replay-host-capabilities-interactions",
            &replay,
            policy.to_str().unwrap(),
        ],
        None,
    ));
    assert_eq!(r["allowed"], false);
    assert_eq!(
        r["status"],
        json!({"message": "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed"})
    );
}

#[test]
fn replay_mismatch_exhausted_and_leftovers() {
    let dir = scratch("replay_errors");
    let policy = annotate_into(&dir, "relay", &relay_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({})));
    let p = policy.to_str().unwrap();

    // Mismatch: the recorded request names another Secret.
    let mismatch =
        write(&dir, "mismatch.yml", &replay_success(&json!({"accepted": true})).replace("name: relay", "name: other"));
    let r = response(&run(
        &["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &mismatch, p],
        None,
    ));
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("internal server error: Guest call failure: Callback evaluation failure: Replay error: unexpected request. Was expecting !KubernetesGetResource {\"api_version\":\"v1\",\"kind\":\"Secret\",\"name\":\"other\""),
        "{msg}"
    );
    assert!(
        msg.ends_with(
            "\"name\":\"relay\",\"namespace\":\"default\",\"disable_cache\":false,\"field_masks\":null} instead"
        ),
        "{msg}"
    );
    assert_eq!(r["status"]["code"], 500);

    // Exhausted.
    let empty = write(&dir, "empty.yml", "[]\n");
    let r = response(&run(
        &["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &empty, p],
        None,
    ));
    assert_eq!(
        r["status"]["message"],
        "internal server error: Guest call failure: Callback evaluation failure: the list of recorded responses is empty"
    );

    // Recorded error response becomes the host-call error.
    let error = write(
        &dir,
        "error.yml",
        &format!(
            "- type: Exchange\n  request: |\n{}  response:\n    type: Error\n    message: Cannot find v1/Secret relay\n",
            RELAY_RECORDED.lines().map(|l| format!("    {l}\n")).collect::<String>()
        ),
    );
    let r = response(&run(
        &["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &error, p],
        None,
    ));
    assert_eq!(
        r["status"]["message"],
        "internal server error: Guest call failure: Callback evaluation failure: Cannot find v1/Secret relay"
    );

    // Leftovers only warn.
    let two: serde_json::Value = serde_yaml_ng::from_str(&replay_success(&json!({"accepted": true}))).unwrap();
    let two = serde_json::Value::Array(vec![two[0].clone(), two[0].clone()]);
    let two = write(&dir, "two.yml", &serde_yaml_ng::to_string(&two).unwrap());
    let o =
        run(&["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &two, p], None);
    assert_eq!(response(&o)["allowed"], true);
    assert!(
        stderr(&o)
            .contains("warning: recorded host-capability interaction not used by the policy: !KubernetesGetResource"),
        "{}",
        stderr(&o)
    );

    // A malformed replay file is a real error.
    let bad = write(
        &dir,
        "bad.yml",
        "- type: Exchange\n  request: 'api_version: v1'\n  response: {type: Error, message: m}\n",
    );
    let o =
        run(&["run", "-r", &req, "--allow-context-aware", "--replay-host-capabilities-interactions", &bad, p], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("entry #0: request must be a tagged YAML value"), "{}", stderr(&o));
}

#[test]
fn runaway_policy_is_interrupted() {
    let dir = scratch("timeout");
    let policy = annotate_into(&dir, "spin", &spin_guest(), METADATA);
    let req = write(&dir, "req.json", &request_json("CREATE", json!({})));
    let start = Instant::now();
    let r = response(&run(&["run", "-r", &req, "--timeout-eval-seconds", "1", policy.to_str().unwrap()], None));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(r["allowed"], false);
    assert_eq!(r["status"]["code"], 500);
    assert_eq!(
        r["status"]["message"],
        "internal server error: Guest call failure: guest code interrupted, execution deadline exceeded"
    );
}

/// Issue 19 through the binary, as `kwctl run` takes them: the operator's finalizer write of a
/// TempoStack over `storageSize.max` passes with the ratcheted warning, its status update passes
/// untouched, and the namespace controller's DELETE of a Secret in use passes while the
/// namespace is Terminating.
#[test]
fn the_operators_and_kubernetes_writes_pass_through_the_compiled_policy() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-data");
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../annotated-policy.wasm");
    let scenario = |name: &str, settings: Option<&str>| {
        let req = data.join(format!("requests/{name}.json"));
        let mut args = vec!["run".to_string(), "-r".to_string(), req.to_str().unwrap().to_string()];
        let replay = data.join(format!("replay/{name}.yml"));
        if replay.exists() {
            args.extend(["--allow-context-aware".into(), "--replay-host-capabilities-interactions".into()]);
            args.push(replay.to_str().unwrap().to_string());
        }
        if let Some(s) = settings {
            args.extend(["-s".into(), data.join("settings").join(s).to_str().unwrap().to_string()]);
        }
        args.push(policy.to_str().unwrap().to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        response(&run(&args, None))
    };
    let r = scenario("ratchet-tempostack-finalizer-over-max", Some("storage-bounds.yml"));
    assert_eq!(r["allowed"], true, "{r}");
    let warning = r["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("storage-size: spec.storageSize 600Gi is above storageSize.max 500Gi"), "{r}");
    assert!(warning.ends_with("(already so before this update, so not refused: updates.ratchet)"), "{r}");
    let r = scenario("ratchet-off-tempostack-finalizer-over-max", Some("storage-bounds-no-ratchet.yml"));
    assert_eq!(r["allowed"], false, "{r}");
    let r = scenario("status-update-of-tempostack-over-max", Some("platform.yml"));
    assert_eq!(r, json!({"uid": r["uid"], "allowed": true, "auditAnnotations": null, "warnings": null}));
    let r = scenario("secret-delete-namespace-terminating", None);
    assert_eq!(r["allowed"], true, "{r}");
    assert!(r["warnings"][0].as_str().unwrap().contains("is being deleted (Terminating)"), "{r}");
}
