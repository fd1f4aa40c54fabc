//! Where a `validate` call's time goes, natively: each step of the bench's requests timed on its
//! own (`cargo bench --bench steps`), and a driver for a profiler
//! (`valgrind --tool=callgrind target/release/deps/steps-* --profile <request> 2000`).
//!
//! Steps: reading the payload (`request::parse`), reading the look-up answers (each recorded
//! answer read as the policy reads it: Secrets as k8s-openapi `Secret`s, lists as the CR views),
//! and the whole `validate_with` (payload, look-ups through the replayed answers, rules,
//! response). The rules' own share is the whole minus the two readings. Native code is 2.5 to 4
//! times faster than the same code in wasm (docs/performance.md), the shares are alike.
//!
//! A second table bounds what typed views of a TempoStack or TempoMonolithic would save: the
//! request's object read whole as a `serde_json::Value` tree, read as the policy reads it (the
//! tree without `metadata.managedFields` and `status`, `objects::pruned`), and read into
//! [`typed_view::Cr`], serde structs of the fields the rules read and nothing else; each then
//! dropped. The structs are the cheapest such view (strict types, unknown fields skipped), so
//! their difference to the policy's reading is the most typed views could take off a request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../tests/support/native_cluster.rs"]
mod native_cluster;

use native_cluster::NativeCluster;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempo_policy::cluster::{JsonCluster, Resource};
use tempo_policy::objects::CrKind;
use tempo_policy_lookups::{HostCapabilities, KubernetesRequest, RecordedResponse, Replay};

/// The bench's requests that come from test-data (cli/src/bench.rs, `cases`).
const REQUESTS: &[&str] = &[
    "tempostack-minio",
    "tempostack-minio-applied",
    "tempostack-extraconfig-operator-example",
    "tempomonolithic-aws-s3",
    "tempomonolithic-pv",
    "secret-aws-static-unused",
    "secret-update-minio-rotated",
    "secret-update-minio-rotated-10cr",
    "secret-update-minio-rotated-100cr",
    "secret-update-minio-rotated-applied",
    "secret-delete-unused",
    "secret-delete-unused-10cr",
    "secret-delete-unused-100cr",
    "pod-ignored",
];

/// Every look-up answered with its recorded response, however often asked (found by the
/// request's text, so that finding it costs next to nothing).
struct Answers(Vec<(KubernetesRequest, RecordedResponse)>, std::collections::HashMap<String, RecordedResponse>);

impl HostCapabilities for Answers {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        match self.1.get(&request.to_string()) {
            Some(RecordedResponse::Success(json)) => Ok(json.clone().into_bytes()),
            Some(RecordedResponse::Error(message)) => Err(message.clone()),
            None => Err(format!("no recorded answer for {request}")),
        }
    }
}

struct Request {
    name: String,
    payload: Vec<u8>,
    answers: Answers,
}

fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data")
}

fn load(name: &str) -> Request {
    let request: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(test_data().join(format!("requests/{name}.json"))).unwrap())
            .unwrap();
    let payload = serde_json::to_vec(&serde_json::json!({"request": request, "settings": {}})).unwrap();
    let replay = test_data().join(format!("replay/{name}.yml"));
    let answers = if replay.exists() { Replay::load(&replay).unwrap().kubernetes_answers() } else { Vec::new() };
    let index =
        answers.iter().map(|(r, a): &(KubernetesRequest, RecordedResponse)| (r.to_string(), a.clone())).collect();
    Request { name: name.to_string(), payload, answers: Answers(answers, index) }
}

/// Reads every recorded answer as the policy does.
fn read_answers(request: &Request) -> usize {
    let cluster = NativeCluster(&request.answers);
    let mut read = 0;
    for (asked, _) in &request.answers.0 {
        match asked {
            KubernetesRequest::GetResource(get) if get.kind == "Secret" => {
                let ns = get.namespace.as_deref().unwrap_or("");
                read += tempo_policy::cluster::Cluster::secret(&cluster, ns, &get.name).is_ok() as usize;
            }
            KubernetesRequest::ListResourcesByNamespace(list) => {
                let kind = if list.kind == "TempoStack" { CrKind::TempoStack } else { CrKind::TempoMonolithic };
                let json = cluster
                    .list_json(Resource::of_cr(kind), &list.namespace, tempo_policy::objects::listed::CR_FIELD_MASKS)
                    .unwrap();
                read += tempo_policy::objects::listed::from_list_json(kind, &json).map_or(0, |l| l.len());
            }
            _ => {}
        }
    }
    read
}

fn validate(request: &Request) -> usize {
    tempo_policy::validate_with(&request.payload, &NativeCluster(&request.answers)).unwrap().len()
}

fn median(mut f: impl FnMut() -> usize, iterations: usize) -> f64 {
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2].as_secs_f64() * 1e6
}

/// The fields of a Tempo CR the rules read, as plain serde structs: the cheapest typed view.
mod typed_view {
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Cr {
        pub metadata: Metadata,
        #[serde(default)]
        pub spec: Spec,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Metadata {
        pub name: Option<String>,
        pub namespace: Option<String>,
        #[serde(default)]
        pub labels: BTreeMap<String, String>,
        #[serde(default)]
        pub annotations: BTreeMap<String, String>,
        pub deletion_timestamp: Option<String>,
    }

    #[derive(Deserialize, Default)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Spec {
        pub storage: Option<Storage>,
        pub storage_size: Option<String>,
        pub size: Option<String>,
        pub resources: Option<Resources>,
        pub template: Option<BTreeMap<String, Component>>,
        pub extra_config: Option<Box<serde_json::value::RawValue>>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Storage {
        pub secret: Option<SecretRef>,
        pub tls: Option<Tls>,
        pub traces: Option<Traces>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct SecretRef {
        pub name: Option<String>,
        #[serde(rename = "type")]
        pub backend: Option<String>,
        pub credential_mode: Option<String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Tls {
        pub enabled: Option<bool>,
        pub ca_name: Option<String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Traces {
        pub backend: Option<String>,
        pub size: Option<String>,
        pub s3: Option<Backend>,
        pub azure: Option<Backend>,
        pub gcs: Option<Backend>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Backend {
        pub secret: Option<String>,
        pub credential_mode: Option<String>,
        pub tls: Option<Tls>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Resources {
        pub total: Option<Box<Resources>>,
        #[serde(default)]
        pub limits: BTreeMap<String, String>,
        #[serde(default)]
        pub requests: BTreeMap<String, String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    pub struct Component {
        pub resources: Option<Resources>,
        pub enabled: Option<bool>,
        pub jaeger_query: Option<Toggle>,
        pub tempo: Option<Box<Component>>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Toggle {
        pub enabled: Option<bool>,
    }
}

/// The request's object as text, when it is a Tempo CR.
fn cr_object(request: &Request) -> Option<String> {
    let payload: serde_json::Value = serde_json::from_slice(&request.payload).unwrap();
    let object = &payload["request"]["object"];
    object["apiVersion"].as_str()?.starts_with("tempo.grafana.com/").then(|| object.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    // `--profile <request> <n>`: only `validate_with`, n times, for a profiler.
    if let [flag, name, n] = args.as_slice()
        && flag == "--profile"
    {
        let request = load(name);
        let total: usize = (0..n.parse::<usize>().unwrap()).map(|_| validate(&request)).sum();
        println!("{total} bytes answered");
        return;
    }
    let iterations = 2000;
    println!("| request | payload | read payload µs | read answers µs | validate_with µs | rules and response µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    for name in REQUESTS.iter().filter(|n| args.is_empty() || args.iter().any(|a| n.contains(a.as_str()))) {
        let request = load(name);
        let parse =
            median(|| tempo_policy::request::parse(&request.payload).map_or(0, |p| p.request.name.len()), iterations);
        let answers = median(|| read_answers(&request), iterations);
        let whole = median(|| validate(&request), iterations);
        println!(
            "| `{}` | {} B | {parse:.1} | {answers:.1} | {whole:.1} | {:.1} |",
            request.name,
            request.payload.len(),
            whole - parse - answers
        );
    }
    println!();
    println!(
        "| request | object | whole, as a Value tree µs | as the policy reads it µs | as a typed view µs | a typed view would save µs | share of validate_with |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for name in REQUESTS.iter().filter(|n| args.is_empty() || args.iter().any(|a| n.contains(a.as_str()))) {
        let request = load(name);
        let Some(object) = cr_object(&request) else { continue };
        let tree = median(
            || serde_json::from_str::<serde_json::Value>(&object).map_or(0, |v| v.as_object().map_or(0, |o| o.len())),
            iterations,
        );
        let policy = median(
            || match tempo_policy::objects::pruned::parse(&object) {
                Ok(tempo_policy::objects::pruned::Parsed::Object(cr)) => cr.tree.as_object().map_or(0, |o| o.len()),
                _ => 0,
            },
            iterations,
        );
        let typed = median(
            || serde_json::from_str::<typed_view::Cr>(&object).map_or(0, |c| c.metadata.labels.len() + 1),
            iterations,
        );
        let whole = median(|| validate(&request), iterations);
        println!(
            "| `{}` | {} B | {tree:.2} | {policy:.2} | {typed:.2} | {:.2} | {:.0} % |",
            request.name,
            object.len(),
            policy - typed,
            100.0 * (policy - typed) / whole
        );
    }
}
