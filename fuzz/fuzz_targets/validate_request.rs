//! Structure-aware admission requests into `validate`, with a cluster that answers look-ups from
//! the fuzzer's data, and a leak oracle.
//!
//! Each input builds one payload: a kind (TempoStack, TempoMonolithic, Secret, something else),
//! an operation, an object and an old object assembled from the test-data objects with values
//! replaced, deleted, re-typed, grafted from other objects, base64-encoded or not, nested deeply;
//! settings from a pool, mutated the same way. Every `get` is answered with a found object (a
//! mutated test-data object or malformed JSON), not found, not granted, or failed; every `list`
//! with mutated CRs or an error.
//!
//! Oracles: `validate` never panics; its answer is `Ok` with a well-formed ValidationResponse, or
//! a clean `Err`; a rejection has a message and no mutated object; and no decoded value of 8 or
//! more characters of a Secret in the request or in a look-up answer (nor the user-info of an
//! endpoint) appears in the message, the warnings, the mutated object or the error, unless the
//! same text is also public somewhere in the input (a name, a key, a bucket, a label, ...).

#![no_main]

use arbitrary::Unstructured;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::sync::OnceLock;
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource};

/// How an oracle reports a failure: libFuzzer sees one only as a panic (the one place a fuzz
/// target may panic; the lints deny it everywhere else).
#[allow(clippy::panic)]
fn failed(what: String) -> ! {
    panic!("{what}")
}

/// Adds a member to a JSON object (indexing would panic on anything else).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(members) = object.as_object_mut() {
        members.insert(key.to_string(), value);
    }
}

/// Keys whose values are not secret: the policy may quote them.
const PUBLIC_KEYS: &[&str] = &["bucket", "bucketname", "bucketnames", "container", "region", "account_name"];

const SECRET_KEYS: &[&str] = &[
    "bucket",
    "bucketname",
    "bucketnames",
    "container",
    "endpoint",
    "region",
    "access_key_id",
    "access_key_secret",
    "secret_access_key",
    "access-key-id",
    "secret-access-key",
    "role_arn",
    "account_name",
    "account_key",
    "client_id",
    "tenant_id",
    "audience",
    "key.json",
    "sts_endpoint",
    "forcepathstyle",
    "sse_type",
    "insecure",
    "session_token",
    "service_account",
    "",
];

const FIELD_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "deletionTimestamp",
    // Read apart from the rest of a CR (objects/pruned.rs) and put back into a mutated one.
    "managedFields",
    "status",
    "spec",
    "storage",
    "secret",
    "type",
    "tls",
    "enabled",
    "caName",
    "credentialMode",
    "traces",
    "backend",
    "s3",
    "azure",
    "gcs",
    "size",
    "storageSize",
    "resources",
    "total",
    "limits",
    "requests",
    "cpu",
    "memory",
    "data",
    "stringData",
    "template",
    "compactor",
    "distributor",
    "ingester",
    "querier",
    "queryFrontend",
    "gateway",
    "extraConfig",
    "tempo",
    "pv",
    "replicationFactor",
    "managementState",
    "minTLSVersion",
    "cert",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "s3",
    "azure",
    "gcs",
    "memory",
    "pv",
    "S3",
    "static",
    "token",
    "token-cco",
    "Token",
    "Opaque",
    "kubernetes.io/tls",
    "helm.sh/release.v1",
    "true",
    "false",
    "yes",
    "null",
    "10Gi",
    "1Gi",
    "500Gi",
    "0",
    "-1Gi",
    "1e3",
    "0.5",
    "1m",
    "100Ei",
    "99999999999999999999999999Ki",
    "2",
    "4Gi",
    "32Gi",
    "1.5Gi",
    "1E",
    "https://s3.eu-west-1.amazonaws.com",
    "https://s3.amazonaws.com",
    "http://minio:9000",
    "minio:9000",
    "https://tempo.s3.us-east-2.amazonaws.com",
    "https://s3.cn-north-1.amazonaws.com.cn",
    "https://s3.dualstack.us-gov-west-1.amazonaws.com",
    "https://s3-fips.us-east-1.amazonaws.com",
    "https://s3.us-east.cloud-object-storage.appdomain.cloud",
    "https://s3.private.eu-de.cloud-object-storage.appdomain.cloud",
    "http://user:pass@minio:9000",
    "https://AKIAEXAMPLEKEY:supersecretvalue@s3.amazonaws.com/bucket?x=1#f",
    "https://bücher.example:443/",
    "http://[::1]:9000",
    "http://1.2.3.4:80",
    "https://%zz",
    "https://:0",
    "ftp://minio",
    "https:/minio",
    "https://a..b",
    "https://xn--nxasmq6b.example",
    "http://minio:99999",
    "https://s3.eu-west-1.amazonaws.com/",
    "https://s3.eu-west-1.amazonaws.com:443",
    "eu-west-1",
    "us-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "eu-de",
    "us-south",
    "moon-1",
    "EU-WEST-1",
    "tempo",
    "tempo-traces-prod",
    "Tempo_Bucket",
    "a",
    "xn--bucket",
    "bucket-s3alias",
    "192.168.1.1",
    "tempo..x",
    "observability",
    "prod-obs",
    "arn:aws:iam::123456789012:role/tempo",
    "api://AzureADTokenExchange",
    "tempoaccount",
    "tempo-s3",
    "minio",
    "service-ca",
    "/var/run/secrets/storage/serviceaccount/token",
    "external_account",
    "service_account",
    "2026-01-01T00:00:00Z",
    "tempo-policy.kubewarden.io/allow-storage-change",
    "app.kubernetes.io/part-of",
    "environment",
    "production",
    "^prod-",
    "(",
    "[",
    "\\d+",
    "^tempo-",
    ".*",
    "\u{0}",
    "\u{feff}",
    "é",
    "\t\n",
];

/// Realistic secret values, so that the leak oracle has something to look for.
const SECRET_STRINGS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "supersecretvalue",
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
    "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq\\n\", \"client_email\": \"tempo@p.iam.gserviceaccount.com\", \"private_key_id\": \"0123456789abcdef\"}",
    "{\"type\": \"external_account\", \"audience\": \"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q\", \"credential_source\": {\"file\": \"/var/run/secrets/storage/serviceaccount/token\"}}",
    "{\"type\": \"external_account\", \"credential_source\": {\"file\": \"/var/run/secrets/tokens/gcp-ksa/token\"}}",
];

struct Pools {
    /// Objects by kind, from test-data/requests and the replay answers.
    objects: Vec<(String, Value)>,
    settings: Vec<Value>,
    strings: Vec<String>,
    /// The policy's own source text: words a message prints whatever the input (key names,
    /// setting names, message text) are not leaks even when a Secret value happens to equal one.
    vocabulary: String,
}

/// serde's own error texts, which settings errors quote.
const SERDE_WORDS: &str = "unknown field, expected one of, invalid type, invalid value, missing field, duplicate field, unknown variant, a sequence, a string, a map, a boolean, an integer, struct, floating point, integer, newtype struct, unit value, recursion limit exceeded, trailing characters, EOF while parsing";

fn read_tree(dir: &std::path::Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            read_tree(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

fn pools() -> &'static Pools {
    static POOLS: OnceLock<Pools> = OnceLock::new();
    POOLS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-data");
        let mut objects = Vec::new();
        let mut strings: Vec<String> = STRINGS.iter().map(|s| s.to_string()).collect();
        let mut add = |v: Value, objects: &mut Vec<(String, Value)>| {
            let kind = v.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
            collect_strings(&v, &mut strings);
            objects.push((kind, v));
        };
        for entry in std::fs::read_dir(root.join("requests")).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let Ok(req) = serde_json::from_str::<Value>(&text) else { continue };
            for k in ["object", "oldObject"] {
                if let Some(o) = req.get(k).filter(|o| o.is_object()) {
                    add(o.clone(), &mut objects);
                }
            }
        }
        // Look-up answers of the replay sessions: single-quoted YAML scalars on one line.
        for entry in std::fs::read_dir(root.join("replay")).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            for line in text.lines() {
                let Some(rest) = line.trim().strip_prefix("payload: '") else { continue };
                let Some(body) = rest.strip_suffix('\'') else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&body.replace("''", "'")) else { continue };
                match v.get("items").and_then(Value::as_array) {
                    Some(items) => items.iter().for_each(|i| add(i.clone(), &mut objects)),
                    None => add(v, &mut objects),
                }
            }
        }
        add(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "service-ca", "namespace": "observability"},
                   "data": {"service-ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}),
            &mut objects,
        );
        add(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod-obs", "labels": {"environment": "production"}}}),
            &mut objects,
        );
        let mut settings = vec![
            json!({}),
            json!({"storage": {"requireSecret": true}}),
            json!({"storageSecretSelector": {"matchLabels": {"app.kubernetes.io/part-of": "tempo"}}}),
            json!({
                "production": {"namespaces": ["^prod-", "-prod$"], "namespaceLabels": {"environment": "production"},
                               "staticCredentialsAllowedFor": ["^http://minio\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?(:\\d+)?$"],
                               "allowInsecureEndpoints": false},
                "storage": {"allowedRegions": ["eu-west-1", "eu-central-1"], "bucketRegions": {"tempo-traces-prod": "eu-west-1"},
                            "allowedEndpoints": [], "bucketNamePattern": "^tempo-", "requireSecret": false, "protectSecrets": true},
                "storageSecretSelector": {"matchLabels": {"app.kubernetes.io/part-of": "tempo"}},
                "resources": {"requireLimits": true, "maxLimits": {"cpu": "8", "memory": "32Gi"}, "defaultLimits": {"cpu": "2", "memory": "4Gi"}},
                "storageSize": {"default": "10Gi", "min": "1Gi", "max": "500Gi"}
            }),
            json!({"production": {"namespaces": [".*"]}, "storage": {"allowedEndpoints": ["^https://s3\\.eu-west-1\\.amazonaws\\.com/?$"], "protectSecrets": false}}),
            json!({"storageSecretSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["tempo"]}]}}),
        ];
        for entry in std::fs::read_dir(root.join("settings")).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(entry.path())
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                settings.push(v);
            }
        }
        for s in &settings {
            collect_strings(s, &mut strings);
        }
        strings.sort();
        strings.dedup();
        let mut vocabulary = SERDE_WORDS.to_string();
        read_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src"), &mut vocabulary);
        Pools { objects, settings, strings, vocabulary }
    })
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                collect_strings(x, out);
            }
        }
        _ => {}
    }
}

// --- generation ------------------------------------------------------------------------------

fn pick<'a, T>(u: &mut Unstructured, items: &'a [T]) -> Option<&'a T> {
    u.choose(items).ok()
}

fn pick_str(u: &mut Unstructured) -> String {
    let p = pools();
    match u.int_in_range(0..=9u8).unwrap_or(0) {
        0..=5 => pick(u, &p.strings).cloned().unwrap_or_default(),
        6 => pick(u, SECRET_STRINGS).map(|s| s.to_string()).unwrap_or_default(),
        7 => pick(u, SECRET_KEYS).map(|s| s.to_string()).unwrap_or_default(),
        _ => u.arbitrary::<String>().unwrap_or_default(),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A value of any JSON type, small.
fn any_value(u: &mut Unstructured, depth: u32) -> Value {
    match u.int_in_range(0..=11u8).unwrap_or(0) {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary().unwrap_or(false)),
        2 => json!(u.arbitrary::<i64>().unwrap_or(0)),
        3 => {
            serde_json::Number::from_f64(u.arbitrary::<f64>().unwrap_or(0.0)).map(Value::Number).unwrap_or(Value::Null)
        }
        4 => json!(u.arbitrary::<u64>().unwrap_or(0)),
        5 if depth < 4 => {
            let n = u.int_in_range(0..=3u8).unwrap_or(0);
            Value::Array((0..n).map(|_| any_value(u, depth + 1)).collect())
        }
        6 if depth < 4 => {
            let n = u.int_in_range(0..=3u8).unwrap_or(0);
            let mut m = Map::new();
            for _ in 0..n {
                let k = pick_key(u);
                m.insert(k, any_value(u, depth + 1));
            }
            Value::Object(m)
        }
        7 => Value::String(b64(pick_str(u).as_bytes())),
        8 => Value::String(b64(u.arbitrary::<&[u8]>().unwrap_or_default())),
        9 => graft(u).unwrap_or(Value::Null),
        _ => Value::String(pick_str(u)),
    }
}

/// `{key: value}` without going through serde (`json!` serialises its arguments).
fn single(key: String, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key, value);
    Value::Object(m)
}

fn pick_key(u: &mut Unstructured) -> String {
    match u.int_in_range(0..=5u8).unwrap_or(0) {
        0..=2 => pick(u, FIELD_KEYS).map(|s| s.to_string()).unwrap_or_default(),
        3 | 4 => pick(u, SECRET_KEYS).map(|s| s.to_string()).unwrap_or_default(),
        _ => pick_str(u),
    }
}

/// A random node of a random pool object.
fn graft(u: &mut Unstructured) -> Option<Value> {
    let (_, obj) = pick(u, &pools().objects)?;
    let paths = node_paths(obj);
    let path = pick(u, &paths)?;
    obj.pointer(path).cloned()
}

fn node_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, here: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    walk(x, format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{here}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(here);
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

/// One edit at a random node of `v`.
fn mutate(u: &mut Unstructured, v: &mut Value) {
    let paths = node_paths(v);
    let Some(path) = pick(u, &paths).cloned() else { return };
    let op = u.int_in_range(0..=12u8).unwrap_or(0);
    // Deleting works on the parent.
    if op == 0 && !path.is_empty() {
        let (parent, last) = path.rsplit_once('/').unwrap_or(("", ""));
        let last = last.replace("~1", "/").replace("~0", "~");
        match v.pointer_mut(parent) {
            Some(Value::Object(m)) => {
                m.remove(&last);
            }
            Some(Value::Array(a)) => {
                if let Ok(i) = last.parse::<usize>()
                    && i < a.len()
                {
                    a.remove(i);
                }
            }
            _ => {}
        }
        return;
    }
    let Some(node) = v.pointer_mut(&path) else { return };
    match op {
        1 | 2 => *node = any_value(u, 0),
        3 => *node = Value::String(pick_str(u)),
        4 | 5 => {
            // A new key: in the node when it is an object, else replace the node by an object.
            let key = pick_key(u);
            let value = any_value(u, 1);
            match node {
                Value::Object(m) => {
                    m.insert(key, value);
                }
                _ => *node = single(key, value),
            }
        }
        6 => {
            if let Some(g) = graft(u) {
                *node = g;
            }
        }
        7 => {
            // Re-encode: base64 of the text, or decode base64 text to raw text.
            if let Value::String(s) = node {
                *s = match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
                    Ok(bytes) if u.arbitrary().unwrap_or(false) => String::from_utf8_lossy(&bytes).into_owned(),
                    _ => b64(s.as_bytes()),
                };
            }
        }
        8 => {
            // Deep nesting around the node: sometimes past serde_json's recursion limit (128).
            let depth = u.int_in_range(1..=300u32).unwrap_or(1);
            let array = u.arbitrary().unwrap_or(false);
            let mut inner = std::mem::take(node);
            for _ in 0..depth {
                inner = if array { Value::Array(vec![inner]) } else { single("a".into(), inner) };
            }
            *node = inner;
        }
        9 => {
            // A long string.
            let s = pick_str(u);
            let n = u.int_in_range(1..=2000usize).unwrap_or(1).min(20_000 / s.len().max(1));
            *node = Value::String(s.repeat(n.max(1)));
        }
        10 => *node = Value::Array(vec![std::mem::take(node)]),
        11 => *node = Value::Object(Map::new()),
        _ => *node = Value::Null,
    }
}

/// Secret data with values in every encoding: base64 of text, of arbitrary bytes, plain text.
fn mutate_secret_data(u: &mut Unstructured, v: &mut Value) {
    let Value::Object(obj) = v else { return };
    let section = if u.int_in_range(0..=3u8).unwrap_or(0) == 0 { "stringData" } else { "data" };
    let key = pick(u, SECRET_KEYS).map(|s| s.to_string()).unwrap_or_default();
    let text = pick_str(u);
    let value = match (section, u.int_in_range(0..=5u8).unwrap_or(0)) {
        ("data", 0..=2) => Value::String(b64(text.as_bytes())),
        ("data", 3) => Value::String(b64(u.arbitrary::<&[u8]>().unwrap_or_default())),
        ("data", 4) => {
            // base64 with line breaks, as some tools write it.
            let mut s = b64(text.as_bytes());
            if s.len() > 4 {
                s.insert(4, '\n');
            }
            Value::String(s)
        }
        _ => Value::String(text),
    };
    match obj.get_mut(section) {
        Some(Value::Object(m)) => {
            m.insert(key, value);
        }
        _ => {
            obj.insert(section.to_string(), single(key, value));
        }
    }
}

fn object_of_kind(u: &mut Unstructured, kinds: &[&str]) -> Value {
    let p = pools();
    let matching: Vec<&Value> = p.objects.iter().filter(|(k, _)| kinds.contains(&k.as_str())).map(|(_, v)| v).collect();
    // Mostly of the kind asked for, sometimes anything.
    let base = if !matching.is_empty() && u.int_in_range(0..=7u8).unwrap_or(0) != 0 {
        pick(u, &matching).map(|v| (*v).clone())
    } else {
        pick(u, &p.objects).map(|(_, v)| v.clone())
    };
    let mut obj = base.unwrap_or_else(|| json!({}));
    let edits = u.int_in_range(0..=6u8).unwrap_or(0);
    for _ in 0..edits {
        if obj.get("kind").and_then(Value::as_str) == Some("Secret") && u.arbitrary().unwrap_or(false) {
            mutate_secret_data(u, &mut obj);
        } else {
            mutate(u, &mut obj);
        }
    }
    obj
}

// --- the cluster -----------------------------------------------------------------------------

struct FuzzCluster<'a, 'b> {
    u: RefCell<&'b mut Unstructured<'a>>,
    /// Every answer, for the oracle: (answer to a Secret look-up, the object).
    answers: RefCell<Vec<(bool, Value)>>,
    errors: RefCell<Vec<String>>,
}

impl FuzzCluster<'_, '_> {
    fn error(&self, u: &mut Unstructured) -> LookupError {
        let message = match u.int_in_range(0..=3u8).unwrap_or(0) {
            0 => "Policy has not been granted access to Kubernetes v1/Secret resources".to_string(),
            1 => "error trying to reach service: connection refused".to_string(),
            _ => pick_str(u),
        };
        self.errors.borrow_mut().push(message.clone());
        if u.arbitrary().unwrap_or(false) { LookupError::NotGranted(message) } else { LookupError::Failed(message) }
    }
}

impl JsonCluster for FuzzCluster<'_, '_> {
    fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
        let mut guard = self.u.borrow_mut();
        let u: &mut Unstructured = &mut guard;
        match u.int_in_range(0..=9u8).unwrap_or(0) {
            0 => Ok(None),
            1 => Err(self.error(u)),
            2 => {
                // Not JSON, or not an object.
                let text = pick_str(u);
                self.answers.borrow_mut().push((resource == Resource::Secret, Value::String(text.clone())));
                Ok(Some(text))
            }
            _ => {
                let mut obj = object_of_kind(u, &[resource.kind()]);
                if u.arbitrary().unwrap_or(false)
                    && let Some(m) = obj.pointer_mut("/metadata").and_then(Value::as_object_mut)
                {
                    m.insert("name".into(), Value::String(name.to_string()));
                }
                let text = obj.to_string();
                self.answers.borrow_mut().push((resource == Resource::Secret, obj));
                Ok(Some(text))
            }
        }
    }

    fn list_json(&self, resource: Resource, namespace: &str, _: &[&str]) -> Result<String, LookupError> {
        let kinds: &[&str] = &[resource.kind()];
        let mut guard = self.u.borrow_mut();
        let u: &mut Unstructured = &mut guard;
        match u.int_in_range(0..=5u8).unwrap_or(0) {
            0 => Ok(json!({"items": []}).to_string()),
            1 => Err(self.error(u)),
            _ => {
                let n = u.int_in_range(1..=3u8).unwrap_or(1);
                let mut items = Vec::new();
                for _ in 0..n {
                    let mut obj = object_of_kind(u, kinds);
                    if u.arbitrary().unwrap_or(false)
                        && let Some(m) = obj.pointer_mut("/metadata").and_then(Value::as_object_mut)
                    {
                        m.insert("namespace".into(), Value::String(namespace.to_string()));
                    }
                    self.answers.borrow_mut().push((false, obj.clone()));
                    items.push(obj);
                }
                Ok(json!({ "kind": format!("{}List", resource.kind()), "items": items }).to_string())
            }
        }
    }
}

// --- the leak oracle -------------------------------------------------------------------------

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    let e = base64::engine::general_purpose::STANDARD;
    e.decode(s).ok().or_else(|| e.decode(s.replace(['\n', '\r'], "")).ok())
}

/// The authority's user-info of an URL-ish text, and the text without it.
fn split_userinfo(s: &str) -> (Option<&str>, String) {
    let Some((scheme, rest)) = s.split_once("://") else { return (None, s.to_string()) };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => (Some(userinfo), format!("{scheme}://{host}{tail}")),
        None => (None, s.to_string()),
    }
}

/// Splits a Secret's strings into secret values and public text.
fn secret_doc(v: &Value, secrets: &mut Vec<String>, public: &mut Vec<String>) {
    let Value::Object(m) = v else {
        collect_strings(v, public);
        return;
    };
    for (k, x) in m {
        public.push(k.clone());
        let b64 = match k.as_str() {
            "data" => true,
            "stringData" => false,
            _ => {
                collect_strings(x, public);
                continue;
            }
        };
        let Value::Object(entries) = x else {
            // Not a map: the policy reads none of it, but printing it would still be a leak.
            match x {
                Value::String(text) => secrets.push(text.clone()),
                other => collect_strings(other, public),
            }
            continue;
        };
        for (key, value) in entries {
            public.push(key.clone());
            let Some(raw) = value.as_str() else {
                collect_strings(value, public);
                continue;
            };
            let decoded = if b64 {
                decode_b64(raw).map(|b| String::from_utf8_lossy(&b).into_owned())
            } else {
                Some(raw.to_string())
            };
            if PUBLIC_KEYS.contains(&key.as_str()) {
                public.push(raw.to_string());
                public.extend(decoded);
                continue;
            }
            if key == "endpoint" {
                for text in [Some(raw.to_string()), decoded].into_iter().flatten() {
                    let (userinfo, rest) = split_userinfo(&text);
                    if let Some(ui) = userinfo {
                        secrets.extend(ui.split(':').map(str::to_string));
                        secrets.push(ui.to_string());
                    }
                    public.push(rest);
                }
                continue;
            }
            if b64 {
                secrets.push(raw.to_string());
            }
            if let Some(d) = decoded {
                // key.json: the parts the policy may name (type, token file) are not the secret ones.
                if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(&d) {
                    for (field, fv) in &doc {
                        match (field.as_str(), fv) {
                            (
                                "private_key" | "private_key_id" | "client_secret" | "refresh_token",
                                Value::String(s),
                            ) => {
                                secrets.push(s.clone());
                            }
                            _ => {
                                public.push(field.clone());
                                collect_strings(fv, public);
                            }
                        }
                    }
                }
                secrets.push(d);
            }
        }
    }
}

fn response_strings(response: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = response.get("message").and_then(Value::as_str) {
        out.push(m.to_string());
    }
    if let Some(ws) = response.get("warnings").and_then(Value::as_array) {
        out.extend(ws.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if let Some(m) = response.get("mutated_object") {
        collect_strings(m, &mut out);
    }
    out
}

/// Messages quote values as Rust strings (`{:?}`): the text inside the quotes.
fn escaped(s: &str) -> String {
    let q = format!("{s:?}");
    q.get(1..q.len() - 1).unwrap_or("").to_string()
}

fn check_no_leak(said: &[String], secrets: &[String], public: &[String]) {
    for s in secrets {
        if s.chars().count() < 8 {
            continue;
        }
        // A value is found as written or as a message quotes it.
        let forms = [s.clone(), escaped(s)];
        let Some((form, text)) =
            forms.iter().find_map(|f| said.iter().find(|t| t.contains(f.as_str())).map(|t| (f, t)))
        else {
            continue;
        };
        // The same text may come from something public, as written or quoted.
        if public.iter().any(|p| p.contains(form.as_str()) || escaped(p).contains(form.as_str()))
            || pools().vocabulary.contains(form.as_str())
        {
            continue;
        }
        failed(format!("a Secret value leaked: {s:?} in {text:?}"));
    }
}

/// `<rule-id>: ...`, with a rule id of the registry.
fn starts_with_rule_id(finding: &str) -> bool {
    finding.split_once(": ").is_some_and(|(id, _)| tempo_policy::rules::Rule::ALL.iter().any(|r| r.id() == id))
}

// --- the target ------------------------------------------------------------------------------

const KINDS: &[(&str, &str, &str, &str)] = &[
    ("tempo.grafana.com", "v1alpha1", "TempoStack", "tempostacks"),
    ("tempo.grafana.com", "v1alpha1", "TempoMonolithic", "tempomonolithics"),
    ("", "v1", "Secret", "secrets"),
    ("", "v1", "Pod", "pods"),
    ("", "v1", "ConfigMap", "configmaps"),
    ("tempo.grafana.com", "v1alpha1", "TempoOther", "tempoothers"),
    ("apps", "v1", "Secret", "secrets"),
];

const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "CONNECT", "create", ""];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Some(&(group, version, kind, resource)) = pick(&mut u, KINDS).or(KINDS.first()) else { return };
    let operation = pick(&mut u, OPERATIONS).copied().unwrap_or("CREATE");
    let kinds: &[&str] = &[kind];
    let object = (operation != "DELETE" || u.arbitrary().unwrap_or(false)).then(|| object_of_kind(&mut u, kinds));
    let old_object =
        matches!(operation, "UPDATE" | "DELETE").then(|| match (&object, u.int_in_range(0..=2u8).unwrap_or(0)) {
            (Some(o), 0) => {
                let mut old = o.clone();
                mutate(&mut u, &mut old);
                old
            }
            _ => object_of_kind(&mut u, kinds),
        });
    let namespace = match u.int_in_range(0..=4u8).unwrap_or(0) {
        0 => None,
        1 => Some(pick_str(&mut u)),
        2 => Some("prod-obs".to_string()),
        _ => Some("observability".to_string()),
    };
    let reference = object.as_ref().or(old_object.as_ref());
    let name = reference.and_then(|o| o.pointer("/metadata/name")).and_then(Value::as_str).unwrap_or("").to_string();
    let mut request = json!({
        "uid": "fuzz-0000",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        "operation": operation,
        "userInfo": {"username": "fuzz", "groups": ["system:authenticated"]},
        "name": name,
        "dryRun": false,
    });
    if let Some(ns) = &namespace {
        set(&mut request, "namespace", Value::String(ns.clone()));
    }
    if let Some(o) = &object {
        set(&mut request, "object", o.clone());
    }
    if let Some(o) = &old_object {
        set(&mut request, "oldObject", o.clone());
    }
    // Rarely, the envelope itself is malformed.
    if u.int_in_range(0..=15u8).unwrap_or(1) == 0 {
        mutate(&mut u, &mut request);
    }
    let mut settings = pick(&mut u, &pools().settings).cloned().unwrap_or_else(|| json!({}));
    for _ in 0..u.int_in_range(0..=2u8).unwrap_or(0) {
        let before = settings.clone();
        mutate(&mut u, &mut settings);
        // Settings are the administrator's, compiled per request: a 20 KB regex only measures
        // regex-lite's cache allocation (half the run time), not the policy.
        if settings.to_string().len() > 2048 {
            settings = before;
        }
    }
    let mut payload = single("request".into(), request);
    if u.int_in_range(0..=7u8).unwrap_or(1) != 0 {
        set(&mut payload, "settings", settings);
    }
    let bytes = payload.to_string().into_bytes();

    let cluster = FuzzCluster { u: RefCell::new(&mut u), answers: RefCell::default(), errors: RefCell::default() };
    let result = tempo_policy::validate_with(&bytes, &cluster);

    // The oracle's view of the input: Secret values, and everything public.
    let mut secrets = Vec::new();
    let mut public = Vec::new();
    let secret_request = kind == "Secret";
    for o in [&object, &old_object].into_iter().flatten() {
        if secret_request { secret_doc(o, &mut secrets, &mut public) } else { collect_strings(o, &mut public) }
    }
    // The request as sent (envelope mutations included) and the settings are public, except
    // for the Secrets' values already collected.
    let mut sent = payload.clone();
    if secret_request && let Some(r) = sent.get_mut("request").and_then(Value::as_object_mut) {
        r.remove("object");
        r.remove("oldObject");
    }
    collect_strings(&sent, &mut public);
    for (is_secret, answer) in cluster.answers.borrow().iter() {
        if *is_secret { secret_doc(answer, &mut secrets, &mut public) } else { collect_strings(answer, &mut public) }
    }
    public.extend(cluster.errors.borrow().iter().cloned());
    // Key and field names: messages name them whether or not the input has them.
    public.extend(SECRET_KEYS.iter().chain(FIELD_KEYS).map(|k| k.to_string()));

    let said = match result {
        Ok(out) => {
            let response: Value =
                serde_json::from_slice(&out).unwrap_or_else(|e| failed(format!("the response is not JSON: {e}")));
            let accepted = response.get("accepted").and_then(Value::as_bool);
            assert!(accepted.is_some(), "no `accepted` in {response}");
            let message = response.get("message").and_then(Value::as_str).unwrap_or("");
            if accepted == Some(false) {
                assert!(!message.is_empty(), "a rejection without a message: {response}");
                assert!(response.get("mutated_object").is_none_or(Value::is_null), "a rejection with a mutated object");
                // Findings are joined by "; ": every part must be one whole finding.
                for part in message.split("; ") {
                    assert!(starts_with_rule_id(part), "a rejection message part without a rule id: {part:?}");
                }
            }
            for w in response.get("warnings").and_then(Value::as_array).into_iter().flatten() {
                let w = w.as_str().unwrap_or_else(|| failed(format!("a warning that is not a string: {w}")));
                assert!(starts_with_rule_id(w) && !w.contains("; "), "a malformed warning: {w:?}");
            }
            response_strings(&response)
        }
        Err(e) => vec![e.to_string()],
    };
    check_no_leak(&said, &secrets, &public);
});
