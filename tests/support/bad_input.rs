//! Bad input built in code: payloads that are not admission requests at all, deeply nested JSON,
//! 10 MB objects. Shared by the native test (tests/integration/bad_input.rs) and the wasm tests; the
//! malformed objects that fit in YAML are scenarios in test-data/scenarios.yml instead.
//!
//! What the policy answers:
//! - a payload that is not a `validate` payload (not UTF-8, not JSON, not the shape
//!   `{"request": ..., "settings": ...}`) is an error of `validate`, which the host turns into a
//!   rejection with code 500 and the error as message; the message says where the payload broke
//!   and never quotes it;
//! - JSON nested deeper than the policy reads: a TempoStack or TempoMonolithic that does not
//!   parse because of its depth is rejected (`storage-spec`, "nests JSON more than 126 levels
//!   deep") rather than waved through unchecked (126: a mutated object goes back one level
//!   deeper, inside the response, and the host parses that with serde_json's limit too); depth in fields the policy only skips (the
//!   envelope, unknown fields of a Secret, a CR's managedFields and status) costs nothing and
//!   changes nothing;
//! - 10 MB objects get the same verdict as small ones.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{Value, json};

/// Ten mebibytes: the size of the large objects.
pub const TEN_MB: usize = 10 * 1024 * 1024;

/// How deep the deeply nested cases go.
pub const DEEP: usize = 2000;

#[derive(Debug, Clone)]
pub enum Expect {
    /// `validate` returns an error containing this text (the host answers 500 with it).
    Error(&'static str),
    Verdict {
        allowed: bool,
        rejects: &'static [&'static str],
        warns: &'static [&'static str],
        message_contains: &'static [&'static str],
    },
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub description: &'static str,
    /// The whole `validate` payload, as bytes (some are not JSON).
    pub payload: Vec<u8>,
    /// The cluster: a `get` answers the object of that kind and name (else "not found"), a
    /// `list` every object of that kind in the namespace.
    pub cluster: Vec<Value>,
    pub expect: Expect,
}

const fn accepted() -> Expect {
    Expect::Verdict { allowed: true, rejects: &[], warns: &[], message_contains: &[] }
}

/// The MinIO seed is accepted with a warning: its endpoint is plain http://.
const fn accepted_minio() -> Expect {
    Expect::Verdict { allowed: true, rejects: &[], warns: &["insecure-endpoint"], message_contains: &[] }
}

/// A `validate` payload around an object given as JSON text (so that it can be deeper than
/// serde_json would build), with empty settings.
pub fn payload(group: &str, kind: &str, operation: &str, name: &str, object: &str) -> Vec<u8> {
    let version = if group.is_empty() { "v1" } else { "v1alpha1" };
    let resource = format!("{}s", kind.to_ascii_lowercase());
    format!(
        r#"{{"request":{{"uid":"bad-input-0000","kind":{{"group":"{group}","version":"{version}","kind":"{kind}"}},"resource":{{"group":"{group}","version":"{version}","resource":"{resource}"}},"requestKind":{{"group":"{group}","version":"{version}","kind":"{kind}"}},"requestResource":{{"group":"{group}","version":"{version}","resource":"{resource}"}},"name":"{name}","namespace":"observability","operation":"{operation}","userInfo":{{"username":"kubernetes-admin","groups":["system:masters","system:authenticated"]}},"dryRun":false,"object":{object}}},"settings":{{}}}}"#
    )
    .into_bytes()
}

/// `{"a":{"a":...{"a":null}...}}` or `[[...[]...]]`, `depth` levels.
pub fn nested(depth: usize, arrays: bool) -> String {
    if arrays {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    } else {
        format!("{}null{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
    }
}

/// The MinIO seed TempoStack, with `extra` spliced into its spec as
/// `extraConfig.tempo.distributor.receivers.x`: under Tempo's receivers, an open map whose
/// content the policy does not judge (`extra-config`), so that only its size and depth matter.
pub fn tempostack_minio(extra: &str, annotation: &str) -> String {
    format!(
        r#"{{"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStack","metadata":{{"name":"simplest","namespace":"observability","annotations":{{"note":"{annotation}"}}}},"spec":{{"storage":{{"secret":{{"name":"minio","type":"s3"}}}},"extraConfig":{{"tempo":{{"distributor":{{"receivers":{{"x":{extra}}}}}}}}}}}}}"#
    )
}

pub fn secret_minio() -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "minio", "namespace": "observability"}, "type": "Opaque",
           "data": {"endpoint": "aHR0cDovL21pbmlvOjkwMDA=", "bucket": "dGVtcG8=", "access_key_id": "dGVtcG8=", "access_key_secret": "c3VwZXJzZWNyZXQ="}})
}

pub fn tempostack_minio_value() -> Value {
    serde_json::from_str(&tempostack_minio("null", "")).unwrap()
}

/// A Secret object as JSON text with `data` and a raw top-level field spliced in.
fn secret_text(name: &str, secret_type: &str, data: &str, extra: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"{name}","namespace":"observability"}},"type":"{secret_type}","data":{data},"x":{extra}}}"#
    )
}

/// Base64 text of about `n` bytes (not a valid-looking key of any backend).
fn big_base64(n: usize) -> String {
    "QUFB".repeat(n / 4)
}

/// `data` (a JSON object) with `n` more keys `k000000`, ... of one byte each.
fn many_keys(data: &str, n: usize) -> String {
    let mut out = data.trim_end_matches('}').to_string();
    for i in 0..n {
        out.push_str(&format!(r#","k{i:06}":"eA==""#));
    }
    out.push('}');
    out
}

pub fn cases() -> Vec<Case> {
    let good_tempostack =
        payload("tempo.grafana.com", "TempoStack", "CREATE", "simplest", &tempostack_minio("null", ""));
    let minio_data = r#"{"endpoint":"aHR0cDovL21pbmlvOjkwMDA=","bucket":"dGVtcG8=","access_key_id":"dGVtcG8=","access_key_secret":"c3VwZXJzZWNyZXQ="}"#;
    let in_cluster = vec![secret_minio(), tempostack_minio_value()];
    let mut cases = vec![
        Case {
            name: "payload-empty",
            description: "An empty payload",
            payload: Vec::new(),
            cluster: vec![],
            expect: Expect::Error("the validate payload is not valid JSON"),
        },
        Case {
            name: "payload-not-utf8",
            description: "A payload that is not UTF-8",
            payload: b"{\"request\":\xff\xfe}".to_vec(),
            cluster: vec![],
            expect: Expect::Error("the validate payload is not UTF-8"),
        },
        Case {
            name: "payload-truncated",
            description: "A payload cut in the middle",
            payload: good_tempostack[..good_tempostack.len() / 2].to_vec(),
            cluster: vec![],
            expect: Expect::Error("the validate payload is not valid JSON"),
        },
        Case {
            name: "payload-null",
            description: "The payload is JSON null",
            payload: b"null".to_vec(),
            cluster: vec![],
            expect: Expect::Error("does not have the shape"),
        },
        Case {
            name: "payload-request-string",
            description: "request is a string",
            payload: br#"{"request":"CREATE","settings":{}}"#.to_vec(),
            cluster: vec![],
            expect: Expect::Error("does not have the shape"),
        },
        Case {
            name: "payload-settings-malformed",
            description: "Settings of the wrong type (policy-server refuses them at load time)",
            payload: String::from_utf8(good_tempostack.clone())
                .unwrap()
                .replace(r#""settings":{}"#, r#""settings":{"storage":{"allowedRegions":"eu-west-1"}}"#)
                .into_bytes(),
            cluster: vec![],
            expect: Expect::Error("storage.allowedRegions"),
        },
        Case {
            name: "tempostack-deeply-nested-objects",
            description: "2000 levels of objects in spec.extraConfig",
            payload: payload(
                "tempo.grafana.com",
                "TempoStack",
                "CREATE",
                "simplest",
                &tempostack_minio(&nested(DEEP, false), ""),
            ),
            cluster: in_cluster.clone(),
            expect: Expect::Verdict {
                allowed: false,
                rejects: &["storage-spec"],
                warns: &[],
                message_contains: &["nests JSON more than 126 levels deep"],
            },
        },
        Case {
            name: "tempostack-deeply-nested-managed-fields-and-status",
            description: "2000 levels of objects in metadata.managedFields and of arrays in status, which no rule reads",
            payload: payload(
                "tempo.grafana.com",
                "TempoStack",
                "CREATE",
                "simplest",
                &tempostack_minio("null", "").replacen(
                    r#""metadata":{"#,
                    &format!(
                        r#""status":{},"metadata":{{"managedFields":{},"#,
                        nested(DEEP, true),
                        nested(DEEP, false)
                    ),
                    1,
                ),
            ),
            cluster: in_cluster.clone(),
            expect: accepted_minio(),
        },
        Case {
            name: "tempomonolithic-deeply-nested-arrays",
            description: "2000 levels of arrays in an unknown field of a TempoMonolithic",
            payload: payload(
                "tempo.grafana.com",
                "TempoMonolithic",
                "CREATE",
                "simplest",
                &format!(
                    r#"{{"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoMonolithic","metadata":{{"name":"simplest"}},"spec":{{"unknown":{}}}}}"#,
                    nested(DEEP, true)
                ),
            ),
            cluster: vec![],
            expect: Expect::Verdict {
                allowed: false,
                rejects: &["storage-spec"],
                warns: &[],
                message_contains: &["nests JSON more than 126 levels deep"],
            },
        },
        Case {
            name: "tempostack-nested-127-levels",
            description: "127 levels: parses, but a mutated copy inside the response would not parse in the host",
            payload: payload(
                "tempo.grafana.com",
                "TempoStack",
                "CREATE",
                "simplest",
                &tempostack_minio(&nested(121, true), ""),
            ),
            cluster: in_cluster.clone(),
            expect: Expect::Verdict {
                allowed: false,
                rejects: &["storage-spec"],
                warns: &[],
                message_contains: &["nests JSON more than 126 levels deep"],
            },
        },
        Case {
            name: "tempostack-nested-within-limit",
            description: "126 levels in all (120 in spec.extraConfig.tempo.distributor.receivers.x): read as usual",
            // The object, spec, extraConfig, tempo, distributor and receivers are 6 levels.
            payload: payload(
                "tempo.grafana.com",
                "TempoStack",
                "CREATE",
                "simplest",
                &tempostack_minio(&nested(120, true), ""),
            ),
            cluster: in_cluster.clone(),
            expect: accepted_minio(),
        },
        Case {
            name: "secret-deeply-nested-unknown-field",
            description: "A storage Secret in use with 2000 levels in a field the policy skips",
            payload: payload(
                "",
                "Secret",
                "CREATE",
                "minio",
                &secret_text("minio", "Opaque", minio_data, &nested(DEEP, true)),
            ),
            cluster: in_cluster.clone(),
            expect: accepted_minio(),
        },
        Case {
            name: "secret-deeply-nested-data-value",
            description: "A storage Secret in use whose data value is 2000 levels of arrays",
            payload: payload(
                "",
                "Secret",
                "CREATE",
                "minio",
                &secret_text("minio", "Opaque", &format!(r#"{{"endpoint":{}}}"#, nested(DEEP, true)), "null"),
            ),
            cluster: in_cluster.clone(),
            expect: Expect::Verdict {
                allowed: false,
                rejects: &["secret-keys"],
                warns: &[],
                message_contains: &["data must be a map of key to string value"],
            },
        },
        Case {
            name: "envelope-deeply-nested",
            description: "2000 levels in the request's userInfo.extra, on a Pod",
            payload: String::from_utf8(payload(
                "",
                "Pod",
                "CREATE",
                "web",
                r#"{"kind":"Pod","metadata":{"name":"web"}}"#,
            ))
            .unwrap()
            .replace(r#""dryRun":false"#, &format!(r#""dryRun":false,"extra":{}"#, nested(DEEP, false)))
            .into_bytes(),
            cluster: vec![],
            expect: accepted(),
        },
        Case {
            name: "settings-deeply-nested",
            description: "Settings 2000 levels deep",
            payload: String::from_utf8(good_tempostack.clone())
                .unwrap()
                .replace(r#""settings":{}"#, &format!(r#""settings":{{"storage":{}}}"#, nested(DEEP, false)))
                .into_bytes(),
            cluster: vec![],
            expect: Expect::Error("storage"),
        },
        Case {
            name: "secret-10mb-unused",
            description: "A 10 MB Opaque Secret no Tempo CR uses",
            payload: payload(
                "",
                "Secret",
                "CREATE",
                "app-config",
                &secret_text("app-config", "Opaque", &format!(r#"{{"blob":"{}"}}"#, big_base64(TEN_MB)), "null"),
            ),
            cluster: in_cluster.clone(),
            expect: accepted(),
        },
        Case {
            name: "secret-10mb-helm-release",
            description: "A 10 MB helm.sh/release.v1 Secret: accepted without reading its data",
            payload: payload(
                "",
                "Secret",
                "CREATE",
                "sh.helm.release.v1.tempo.v1",
                &secret_text(
                    "sh.helm.release.v1.tempo.v1",
                    "helm.sh/release.v1",
                    &format!(r#"{{"release":"{}"}}"#, big_base64(TEN_MB)),
                    "null",
                ),
            ),
            cluster: vec![],
            expect: accepted(),
        },
        Case {
            name: "secret-10mb-storage-in-use",
            description: "The MinIO Secret in use, with a 10 MB bucket name",
            payload: payload(
                "",
                "Secret",
                "UPDATE",
                "minio",
                &secret_text(
                    "minio",
                    "Opaque",
                    &minio_data.replace(r#""bucket":"dGVtcG8=""#, &format!(r#""bucket":"{}""#, big_base64(TEN_MB))),
                    "null",
                ),
            ),
            cluster: in_cluster.clone(),
            // A warning for MinIO; the message quotes the first 100 characters of the name only.
            expect: Expect::Verdict {
                allowed: true,
                rejects: &[],
                warns: &["bucket-name", "insecure-endpoint"],
                message_contains: &[],
            },
        },
        Case {
            name: "secret-100000-unknown-keys-in-use",
            description: "The MinIO Secret in use with 100,000 keys the operator ignores (about 1.5 MB): one unused-keys warning, not 100,000 (issue 10 item 15)",
            payload: payload(
                "",
                "Secret",
                "UPDATE",
                "minio",
                &secret_text("minio", "Opaque", &many_keys(minio_data, 100_000), "null"),
            ),
            cluster: in_cluster.clone(),
            expect: Expect::Verdict {
                allowed: true,
                rejects: &[],
                warns: &["insecure-endpoint", "unused-keys"],
                message_contains: &[],
            },
        },
        Case {
            name: "tempostack-10mb-annotation",
            description: "The MinIO seed TempoStack with a 10 MB annotation",
            payload: payload(
                "tempo.grafana.com",
                "TempoStack",
                "CREATE",
                "simplest",
                &tempostack_minio("null", &"x".repeat(TEN_MB)),
            ),
            cluster: in_cluster.clone(),
            expect: accepted_minio(),
        },
        Case {
            name: "secret-endpoint-non-ascii-host",
            description: "An endpoint host that is not ASCII: not a valid URL (idna's ASCII-only back end, see Cargo.toml)",
            payload: payload(
                "",
                "Secret",
                "CREATE",
                "minio",
                &secret_text(
                    "minio",
                    "Opaque",
                    &minio_data.replace("aHR0cDovL21pbmlvOjkwMDA=", "aHR0cHM6Ly9iw7xjaGVyLmV4YW1wbGU="),
                    "null",
                ),
            ),
            cluster: in_cluster.clone(),
            expect: Expect::Verdict { allowed: false, rejects: &["endpoint"], warns: &[], message_contains: &[] },
        },
        Case {
            name: "pod-10mb",
            description: "A 10 MB Pod: another kind, accepted untouched",
            payload: payload(
                "",
                "Pod",
                "CREATE",
                "web",
                &format!(
                    r#"{{"kind":"Pod","metadata":{{"name":"web","annotations":{{"a":"{}"}}}}}}"#,
                    "x".repeat(TEN_MB)
                ),
            ),
            cluster: vec![],
            expect: accepted(),
        },
    ];
    // Every case is named once.
    cases.sort_by_key(|c| c.name);
    cases
}
