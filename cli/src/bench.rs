//! `tempo-policy bench`: what the policy costs on top of the host.
//!
//! For a representative request set it measures, in one run and per request:
//!
//! * **warm**: `validate` on one reused instance ([`Evaluator::warm`], what
//!   `kwctl bench` measures);
//! * **fresh**: a fresh instance per request ([`Evaluator::validate`], what
//!   policy-server does);
//! * the same two for a do-nothing **baseline** policy through the same host,
//!   and for the **look-up floor** (the baseline module with
//!   `{"lookupFloor": true}`: the same host look-ups as the policy, answers
//!   ignored), interleaved call by call with the policy's so that machine
//!   noise hits all three alike; every figure is reported as a ratio to the
//!   baseline and to the floor;
//! * optionally the same rules compiled **natively** (a [`NativeRules`]
//!   implementation; the `tempo-policy` binary does not link the policy, the
//!   `bench` example of this crate does).
//!
//! It also reports the module sizes, compile times, and the host calls
//! (look-ups, `tracing/log`) each request makes. Look-ups are answered from
//! kwctl replay files: an untimed first pass consumes them in order (which
//! checks that the policy makes exactly the recorded calls), the timed passes
//! answer each call with its recorded response.

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::{Value, json};

use crate::annotate::annotate;
use crate::callback::PolicyLog;
use crate::capabilities::{
    HostCapabilities, Interaction, KubernetesRequest, RecordedRequest, RecordedResponse, Replay,
};
use crate::host::{DEFAULT_TIMEOUT_SECONDS, EvaluationOptions, Evaluator, Policy, Runtime, policy_path, read_policy};
use crate::request::{AdmissionRequest, Settings, validate_payload};
use crate::wasm::{self, METADATA_SECTION};

mod thread_usage;
pub use thread_usage::CpuPerCall;
use thread_usage::{Snapshot, Tally};

/// Metadata the baseline is annotated with, in memory (the host requires
/// `protocolVersion: v1`, which only annotation records). It is granted the
/// policy's `contextAwareResources`, for its look-up floor mode; the
/// do-nothing mode makes no host call.
pub const BASELINE_METADATA: &str = r#"rules:
  - apiGroups: ["*"]
    apiVersions: ["*"]
    resources: ["*"]
    operations: ["*"]
mutating: false
contextAware: true
contextAwareResources:
  - apiVersion: v1
    kind: Secret
  - apiVersion: v1
    kind: ConfigMap
  - apiVersion: v1
    kind: Namespace
  - apiVersion: tempo.grafana.com/v1alpha1
    kind: TempoStack
  - apiVersion: tempo.grafana.com/v1alpha1
    kind: TempoMonolithic
executionMode: kubewarden-wapc
"#;

/// Target of issue 23: the policy's cost over the look-ups it must make.
pub const TARGET_FLOOR: f64 = 1.1;

/// The look-up floor's settings (baseline/src/floor.rs).
pub const FLOOR_SETTINGS: &str = r#"{"lookupFloor":true}"#;

/// Targets of issue 7.
pub const TARGET_WARM: f64 = 1.2;
pub const TARGET_FRESH: f64 = 1.3;
pub const TARGET_LARGE_SECRET: f64 = 1.1;
pub const TARGET_SIZE_BYTES: usize = 500_000;
pub const TARGET_COMPILE_SECONDS: f64 = 0.3;

/// Name of the generated 1 MB Helm release Secret case (its own target).
pub const HELM_CASE: &str = "helm-release-1mb";

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// `tempo-policy bench` flags.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Timed iterations per figure and request.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub iterations: usize,
    /// Untimed warm-up iterations before each figure (default: a tenth of
    /// --iterations, at least 3).
    #[arg(long, value_name = "N")]
    pub warmup: Option<usize>,
    /// How many times each module is compiled to time compilation.
    #[arg(long = "compile-iterations", value_name = "N", default_value_t = 3)]
    pub compile_iterations: usize,
    /// The policy: annotated, or annotated in memory with --metadata.
    #[arg(long, value_name = "PATH", default_value = "annotated-policy.wasm")]
    pub policy: String,
    /// metadata.yml for a --policy that is not annotated yet.
    #[arg(long, value_name = "FILE", default_value = "metadata.yml")]
    pub metadata: PathBuf,
    /// The do-nothing baseline policy (annotated in memory).
    #[arg(long, value_name = "PATH", default_value = "target/wasm32-wasip1/release/baseline_policy.wasm")]
    pub baseline: String,
    /// Where requests/ and replay/ are.
    #[arg(long = "test-data", value_name = "DIR", default_value = "test-data")]
    pub test_data: PathBuf,
    /// Only the requests whose name contains one of these texts.
    #[arg(long, value_name = "TEXT")]
    pub only: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    /// Compile timings never use the cache; with it, loading from the cache is timed too.
    #[command(flatten)]
    pub cache: crate::commands::CacheArgs,
    /// Instead of the report: call only this request (by name), --iterations times on fresh
    /// instances of --profile-module, and print the time and CPU per call. A run to put under
    /// `perf record` or `/usr/bin/time`.
    #[arg(long, value_name = "REQUEST")]
    pub profile: Option<String>,
    /// The module --profile calls.
    #[arg(long = "profile-module", value_enum, default_value = "policy", requires = "profile")]
    pub profile_module: ProfileModule,
}

/// `--profile-module`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileModule {
    Policy,
    /// The look-up floor.
    Floor,
    /// The do-nothing baseline.
    Baseline,
}

impl ProfileModule {
    fn label(self) -> &'static str {
        match self {
            ProfileModule::Policy => "policy",
            ProfileModule::Floor => "look-up floor",
            ProfileModule::Baseline => "do-nothing baseline",
        }
    }
}

/// The look-up floor's settings, parsed.
fn floor_settings() -> anyhow::Result<Settings> {
    Ok(Settings::from_text(FLOOR_SETTINGS, "the look-up floor's settings")?)
}

impl Default for BenchArgs {
    fn default() -> Self {
        Self {
            iterations: 200,
            warmup: None,
            compile_iterations: 3,
            policy: "annotated-policy.wasm".to_owned(),
            metadata: PathBuf::from("metadata.yml"),
            baseline: "target/wasm32-wasip1/release/baseline_policy.wasm".to_owned(),
            test_data: PathBuf::from("test-data"),
            only: Vec::new(),
            format: Format::Markdown,
            cache: crate::commands::CacheArgs::default(),
            profile: None,
            profile_module: ProfileModule::Policy,
        }
    }
}

/// The policy's rules compiled natively: the `validate` payload in, the raw
/// ValidationResponse JSON out, look-ups answered by `capabilities`.
pub trait NativeRules {
    fn validate(&self, payload: &[u8], capabilities: &dyn HostCapabilities) -> Result<Vec<u8>, String>;
}

/// Median, 95th percentile and minimum of a series, in microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Stats {
    pub median_us: f64,
    pub p95_us: f64,
    pub min_us: f64,
}

impl Stats {
    /// Nearest-rank median and p95.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let n = samples.len();
        if n == 0 {
            return Self::default();
        }
        let at = |rank: usize| samples.get(rank.min(n - 1)).map_or(0.0, |d| d.as_secs_f64() * 1e6);
        let p95_rank = (n * 95).div_ceil(100).saturating_sub(1);
        Self { median_us: at((n - 1) / 2), p95_us: at(p95_rank), min_us: at(0) }
    }
}

/// Policy against the baseline and the look-up floor for one mode.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub policy: Stats,
    pub baseline: Stats,
    /// The look-up floor on the same request.
    pub floor: Stats,
    /// policy median / baseline median.
    pub ratio: f64,
    /// policy p95 / baseline p95.
    pub ratio_p95: f64,
    pub target: f64,
    /// policy median / floor median.
    pub ratio_to_floor: f64,
    /// policy p95 / floor p95.
    pub ratio_to_floor_p95: f64,
    /// User and system CPU and minor page faults per call, of the thread that ran it (`None`
    /// where the system does not say). The faults are exact; user and system time are sampled
    /// by the kernel's tick, so they mean something over many calls only.
    pub cpu: Option<CpuSplit>,
}

/// [`CpuPerCall`] of the three modules on one request, in one mode.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct CpuSplit {
    pub policy: CpuPerCall,
    pub floor: CpuPerCall,
    pub baseline: CpuPerCall,
}

impl Pair {
    fn new(policy: Stats, baseline: Stats, floor: Stats, target: f64) -> Self {
        Self {
            cpu: None,
            ratio: ratio(policy.median_us, baseline.median_us),
            ratio_p95: ratio(policy.p95_us, baseline.p95_us),
            ratio_to_floor: ratio(policy.median_us, floor.median_us),
            ratio_to_floor_p95: ratio(policy.p95_us, floor.p95_us),
            policy,
            baseline,
            floor,
            target,
        }
    }

    pub fn met(&self) -> bool {
        self.ratio <= self.target
    }

    pub fn floor_met(&self) -> bool {
        self.ratio_to_floor <= TARGET_FLOOR
    }

    /// What the policy adds to the floor, in µs (median against median).
    pub fn over_floor_us(&self) -> f64 {
        self.policy.median_us - self.floor.median_us
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The natively compiled rules on one request.
#[derive(Debug, Clone, Serialize)]
pub struct NativeFigure {
    pub stats: Stats,
    /// native median / baseline warm median.
    pub ratio_to_baseline_warm: f64,
    /// Same reply bytes as the wasm's `validate` on the same payload.
    pub same_reply: bool,
}

/// One request's results.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: String,
    pub what: String,
    /// TempoStacks in the namespace the look-ups list (`None`: no list).
    pub crs_in_namespace: Option<usize>,
    /// Size of the `validate` payload the host sends.
    pub payload_bytes: usize,
    pub allowed: bool,
    pub warnings: usize,
    /// Kubernetes look-ups made (all answered from the replay, in order).
    pub lookups: usize,
    /// `tracing/log` host calls made.
    pub log_calls: usize,
    pub warm: Pair,
    pub fresh: Pair,
    pub native: Option<NativeFigure>,
}

/// A module's size and compile time.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub path: String,
    pub file_bytes: usize,
    /// Without the `io.kubewarden.metadata` section (i.e. `policy.wasm`).
    pub code_bytes: usize,
    /// `Runtime::load_policy_bytes` without the module cache: compile, as policy-server does.
    pub compile: Stats,
    /// The same from the compiled-module cache (`None` with `--no-cache`).
    pub cached_load: Option<Stats>,
}

/// Where it ran.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu_model: String,
    pub nproc: usize,
    pub kernel: String,
    pub loadavg_before: String,
    pub loadavg_after: String,
}

/// One target of the issue, checked.
#[derive(Debug, Clone, Serialize)]
pub struct TargetCheck {
    pub target: String,
    pub measured: String,
    pub met: bool,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: String,
    pub machine: Machine,
    pub iterations: usize,
    pub warmup: usize,
    pub policy: ModuleReport,
    pub baseline: ModuleReport,
    pub native: bool,
    pub requests: Vec<CaseReport>,
    pub targets: Vec<TargetCheck>,
}

/// One request of the set.
pub struct Case {
    pub name: String,
    pub what: String,
    pub request: AdmissionRequest,
    pub interactions: Vec<Interaction>,
    /// TempoStacks in the namespace the look-ups list (`None`: no list).
    pub crs: Option<usize>,
}

/// Answers each look-up with the response recorded for an equal request,
/// however many times it is asked (for the timed, repeated calls).
pub struct Answers {
    interactions: Vec<Interaction>,
}

impl Answers {
    pub fn new(interactions: Vec<Interaction>) -> Self {
        Self { interactions }
    }
}

impl HostCapabilities for Answers {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        for interaction in &self.interactions {
            if matches!(&interaction.request, RecordedRequest::Kubernetes(k) if k == request) {
                return match &interaction.response {
                    RecordedResponse::Success(payload) => Ok(payload.clone().into_bytes()),
                    RecordedResponse::Error(message) => Err(message.clone()),
                };
            }
        }
        Err(format!("bench: no recorded answer for {request}"))
    }
}

/// Counts look-ups and keeps the replay's own errors (unexpected or missing
/// interactions), which would otherwise only show as a policy warning.
struct Recorder {
    inner: Arc<Replay>,
    calls: AtomicUsize,
    made: Mutex<Vec<String>>,
    replay_errors: Mutex<Vec<String>>,
}

impl Recorder {
    fn new(inner: Arc<Replay>) -> Self {
        Self { inner, calls: AtomicUsize::new(0), made: Mutex::new(Vec::new()), replay_errors: Mutex::new(Vec::new()) }
    }

    fn made(&self) -> Vec<String> {
        self.made.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl HostCapabilities for Recorder {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut made) = self.made.lock() {
            made.push(request.to_string());
        }
        let answer = self.inner.kubernetes(request);
        if let Err(message) = &answer
            && (message.starts_with("Replay error") || message.starts_with("the list of recorded responses is empty"))
            && let Ok(mut errors) = self.replay_errors.lock()
        {
            errors.push(message.clone());
        }
        answer
    }
}

/// Deterministic filler: `len` pseudo-random bytes, base64-encoded (so that
/// compression or repetition tricks do not flatter anything).
fn filler_base64(len: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A Secret CREATE request in namespace `observability`.
fn secret_create(name: &str, secret_type: &str, labels: Value, data: Value) -> anyhow::Result<AdmissionRequest> {
    let value = json!({
        "uid": format!("bench-{name}"),
        "kind": {"group": "", "version": "v1", "kind": "Secret"},
        "resource": {"group": "", "version": "v1", "resource": "secrets"},
        "requestKind": {"group": "", "version": "v1", "kind": "Secret"},
        "requestResource": {"group": "", "version": "v1", "resource": "secrets"},
        "name": name,
        "namespace": "observability",
        "operation": "CREATE",
        "userInfo": {
            "username": "system:serviceaccount:kube-system:helm",
            "groups": ["system:serviceaccounts", "system:authenticated"]
        },
        "object": {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": "observability", "labels": labels},
            "type": secret_type,
            "data": data
        },
        "oldObject": null,
        "dryRun": false,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
    });
    AdmissionRequest::from_value(value).map_err(Into::into)
}

/// Size of the generated Secret data: 768 KiB of bytes, 1 MiB of base64.
const LARGE_DATA_BYTES: usize = 768 * 1024;

/// The request set: test-data requests with their replay files, plus two
/// generated 1 MB Secrets. The Secret UPDATE and DELETE rows come in three
/// namespace sizes (1, 10 and 100 TempoStacks listed), to show how the cost of
/// reading the lists scales.
pub fn cases(test_data: &Path) -> anyhow::Result<Vec<Case>> {
    let from_files = |name: &str, what: &str, replay: bool, crs: Option<usize>| -> anyhow::Result<Case> {
        let request_path = test_data.join("requests").join(format!("{name}.json"));
        let request = AdmissionRequest::load(&request_path.display().to_string())?;
        let interactions = match replay {
            true => Replay::load(&test_data.join("replay").join(format!("{name}.yml")))?.remaining(),
            false => Vec::new(),
        };
        Ok(Case { name: name.to_owned(), what: what.to_owned(), request, interactions, crs })
    };
    let secret_lists = Replay::load(&test_data.join("replay").join("secret-app-config.yml"))?.remaining();
    let mut all = vec![
        from_files("tempostack-minio", "TempoStack CREATE, 1 Secret get", true, None)?,
        from_files(
            "tempostack-minio-applied",
            "the same TempoStack as Argo CD applies it (last-applied annotation, managedFields), 1 Secret get",
            true,
            None,
        )?,
        from_files(
            "tempostack-extraconfig-operator-example",
            "the same TempoStack with the operator's spec.extraConfig.tempo example, 1 Secret get",
            true,
            None,
        )?,
        from_files("tempomonolithic-aws-s3", "TempoMonolithic CREATE, 1 Secret get", true, None)?,
        from_files("tempomonolithic-pv", "TempoMonolithic CREATE on a PV, no look-up", false, None)?,
        from_files("secret-aws-static-unused", "storage Secret CREATE, used by no CR, 2 lists", true, Some(1))?,
    ];
    for (crs, suffix) in [(1, ""), (10, "-10cr"), (100, "-100cr")] {
        all.push(from_files(
            &format!("secret-update-minio-rotated{suffix}"),
            "Secret UPDATE of a Secret in use, 2 lists",
            true,
            Some(crs),
        )?);
    }
    all.push(from_files(
        "secret-update-minio-rotated-applied",
        "the same Secret UPDATE as kubectl apply sends it (last-applied annotation, managedFields), 2 lists",
        true,
        Some(1),
    )?);
    for (crs, suffix) in [(1, ""), (10, "-10cr"), (100, "-100cr")] {
        all.push(from_files(
            &format!("secret-delete-unused{suffix}"),
            "Secret DELETE, unreferenced, 2 lists",
            true,
            Some(crs),
        )?);
    }
    all.push(from_files("pod-ignored", "Pod CREATE, not the policy's kind", false, None)?);
    all.push(Case {
        name: HELM_CASE.to_owned(),
        what: "1 MB helm.sh/release.v1 Secret CREATE (generated), no look-up".to_owned(),
        request: secret_create(
            "sh.helm.release.v1.tempo.v1",
            "helm.sh/release.v1",
            json!({"name": "tempo", "owner": "helm", "status": "deployed", "version": "1"}),
            json!({"release": filler_base64(LARGE_DATA_BYTES)}),
        )?,
        interactions: Vec::new(),
        crs: None,
    });
    all.push(Case {
        name: "opaque-1mb".to_owned(),
        what: "1 MB Opaque Secret CREATE (generated), used by no CR, 2 lists".to_owned(),
        request: secret_create(
            "app-bundle",
            "Opaque",
            json!({"app": "shop"}),
            json!({"bundle.tar.gz": filler_base64(LARGE_DATA_BYTES), "config.yaml": filler_base64(64)}),
        )?,
        interactions: secret_lists,
        crs: Some(1),
    });
    Ok(all)
}

/// Read and, when needed, annotate a module; compile it `compile_iterations` times for timing
/// (none: only loaded, from the module cache when there is one).
fn load_module(
    runtime: &Runtime,
    arg: &str,
    metadata: Option<&Path>,
    compile_iterations: usize,
) -> anyhow::Result<(Policy, ModuleReport)> {
    let path = policy_path(arg)?;
    let raw = read_policy(&path)?;
    let origin = path.display().to_string();
    let code = wasm::remove_custom_section(&raw, METADATA_SECTION)
        .with_context(|| format!("{origin} is not a WebAssembly module"))?;
    let annotated = if wasm::read_custom_section(&raw, METADATA_SECTION)?.is_some() {
        raw.clone()
    } else {
        let (yaml, yaml_origin) = match metadata {
            Some(file) => (
                std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?,
                file.display().to_string(),
            ),
            None => (BASELINE_METADATA.to_owned(), "built-in baseline metadata".to_owned()),
        };
        annotate(runtime, &raw, &origin, &yaml, &yaml_origin, None)?
    };
    let mut samples = Vec::with_capacity(compile_iterations);
    let mut policy = None;
    let uncached = runtime.clone().with_cache(None);
    for _ in 0..compile_iterations {
        let start = Instant::now();
        let loaded = uncached.load_policy_bytes(&annotated, &origin)?;
        samples.push(start.elapsed());
        policy = Some(loaded);
    }
    let mut cached_load = None;
    if runtime.cache().is_some() {
        // The first load stores the entry (or finds it); the timed ones read it.
        let first = runtime.load_policy_bytes(&annotated, &origin)?;
        first.print_cache_note();
        policy = Some(first);
        let mut loads = Vec::with_capacity(compile_iterations);
        for _ in 0..compile_iterations {
            let start = Instant::now();
            let loaded = runtime.load_policy_bytes(&annotated, &origin)?;
            loads.push(start.elapsed());
            policy = Some(loaded);
        }
        cached_load = Some(Stats::of(loads));
    }
    let policy = match policy {
        Some(policy) => policy,
        None => runtime.load_policy_bytes(&annotated, &origin)?,
    };
    let report = ModuleReport {
        path: origin,
        file_bytes: raw.len(),
        code_bytes: code.len(),
        compile: Stats::of(samples),
        cached_load,
    };
    Ok((policy, report))
}

fn options(capabilities: Arc<dyn HostCapabilities>, log: PolicyLog) -> EvaluationOptions {
    EvaluationOptions {
        allow_context_aware: true,
        capabilities,
        log,
        timeout_seconds: Some(DEFAULT_TIMEOUT_SECONDS),
        ..EvaluationOptions::default()
    }
}

/// Time the calls in turn, call by call, so that machine noise hits all alike; with each call's
/// thread usage, read outside the timed span.
fn interleaved<const N: usize>(
    iterations: usize,
    warmup: usize,
    mut calls: [&mut dyn FnMut() -> bool; N],
) -> anyhow::Result<([Stats; N], [Option<CpuPerCall>; N])> {
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(iterations));
    let mut usage = [Tally::default(); N];
    for i in 0..warmup + iterations {
        for ((call, series), tally) in calls.iter_mut().zip(samples.iter_mut()).zip(usage.iter_mut()) {
            let before = Snapshot::now();
            let start = Instant::now();
            let ok = black_box(call());
            let elapsed = start.elapsed();
            let after = Snapshot::now();
            if !ok {
                bail!("a timed call did not give the verdict of the first pass (iteration {i})");
            }
            if i >= warmup {
                series.push(elapsed);
                tally.add(before, after);
            }
        }
    }
    Ok((samples.map(Stats::of), usage.map(|t| t.per_call())))
}

/// The three modules' usage, when each was read.
fn cpu_split([policy, floor, baseline]: [Option<CpuPerCall>; 3]) -> Option<CpuSplit> {
    Some(CpuSplit { policy: policy?, floor: floor?, baseline: baseline? })
}

fn timed(iterations: usize, warmup: usize, mut f: impl FnMut() -> bool) -> anyhow::Result<Stats> {
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..warmup + iterations {
        let start = Instant::now();
        let ok = black_box(f());
        let d = start.elapsed();
        if !ok {
            bail!("a timed call did not give the result of the first pass (iteration {i})");
        }
        if i >= warmup {
            samples.push(d);
        }
    }
    Ok(Stats::of(samples))
}

fn progress(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "bench: {message}");
}

/// The three modules a request is timed on.
struct Modules<'a> {
    policy: &'a Policy,
    baseline: &'a Policy,
    floor_settings: &'a Settings,
}

fn bench_case(
    case: &Case,
    modules: &Modules,
    settings: &Settings,
    native: Option<&dyn NativeRules>,
    iterations: usize,
    warmup: usize,
) -> anyhow::Result<CaseReport> {
    let payload = validate_payload(&case.request, settings);

    // Untimed first pass: FIFO replay, captured logs, counted look-ups.
    let replay = Arc::new(Replay::new(case.interactions.clone()));
    let recorder = Arc::new(Recorder::new(replay.clone()));
    let logs = Arc::new(Mutex::new(Vec::new()));
    let checker = Evaluator::new(
        modules.policy.clone(),
        settings.clone(),
        options(recorder.clone(), PolicyLog::Capture(logs.clone())),
    );
    let settings_answer = checker.validate_settings()?;
    if !settings_answer.valid {
        bail!("the policy refuses the bench settings: {}", settings_answer.message.unwrap_or_default());
    }
    let reply = checker.call_fresh("validate", &payload).map_err(|e| anyhow::anyhow!("{}: {e}", case.name))?;
    let first = checker.response(&case.request, Ok(reply.clone()));
    let replay_errors = recorder.replay_errors.lock().map(|e| e.clone()).unwrap_or_default();
    if !replay_errors.is_empty() {
        bail!("{}: the policy's look-ups do not follow the replay: {}", case.name, replay_errors.join("; "));
    }
    let unused = replay.finish();
    if !unused.is_empty() {
        bail!("{}: {}", case.name, unused.join("; "));
    }
    let lookups = recorder.calls.load(Ordering::Relaxed);
    let log_calls = logs.lock().map(|l| l.len()).unwrap_or_default();
    let allowed = first.allowed;
    let warnings = first.warnings.as_ref().map_or(0, Vec::len);

    // The floor must make the policy's look-ups, or the ratio to it means nothing.
    replay.rewind();
    let floor_recorder = Arc::new(Recorder::new(replay.clone()));
    let floor_check = Evaluator::new(
        modules.baseline.clone(),
        modules.floor_settings.clone(),
        options(floor_recorder.clone(), PolicyLog::Discard),
    );
    if !floor_check.validate(&case.request).allowed {
        bail!("{}: the look-up floor did not accept", case.name);
    }
    if floor_recorder.made() != recorder.made() {
        bail!(
            "{}: the look-up floor made [{}], the policy [{}]",
            case.name,
            floor_recorder.made().join(", "),
            recorder.made().join(", ")
        );
    }

    let same_reply = match native {
        Some(rules) => {
            replay.rewind();
            let native_reply =
                rules.validate(&payload, replay.as_ref()).map_err(|e| anyhow::anyhow!("{}: native: {e}", case.name))?;
            Some(native_reply == reply)
        }
        None => None,
    };

    // Timed passes: every look-up answered with its recorded response.
    let answers: Arc<dyn HostCapabilities> = Arc::new(Answers::new(case.interactions.clone()));
    let pe = Evaluator::new(modules.policy.clone(), settings.clone(), options(answers.clone(), PolicyLog::Discard));
    let be = Evaluator::new(modules.baseline.clone(), settings.clone(), options(answers.clone(), PolicyLog::Discard));
    let fe = Evaluator::new(
        modules.baseline.clone(),
        modules.floor_settings.clone(),
        options(answers.clone(), PolicyLog::Discard),
    );
    let request = &case.request;

    progress(&format!("{}: warm", case.name));
    let ([pw, fw, bw], warm_cpu) = {
        let mut p = pe.warm()?;
        let mut f = fe.warm()?;
        let mut b = be.warm()?;
        interleaved(
            iterations,
            warmup,
            [&mut || p.validate(request).allowed == allowed, &mut || f.validate(request).allowed, &mut || {
                b.validate(request).allowed
            }],
        )?
    };
    progress(&format!("{}: fresh", case.name));
    let ([pf, ff, bf], fresh_cpu) = interleaved(
        iterations,
        warmup,
        [&mut || pe.validate(request).allowed == allowed, &mut || fe.validate(request).allowed, &mut || {
            be.validate(request).allowed
        }],
    )?;
    let target = |default: f64| if case.name == HELM_CASE { TARGET_LARGE_SECRET } else { default };
    let warm = Pair { cpu: cpu_split(warm_cpu), ..Pair::new(pw, bw, fw, target(TARGET_WARM)) };
    let fresh = Pair { cpu: cpu_split(fresh_cpu), ..Pair::new(pf, bf, ff, target(TARGET_FRESH)) };

    let native = match (native, same_reply) {
        (Some(rules), Some(same_reply)) => {
            progress(&format!("{}: native", case.name));
            let stats = timed(iterations, warmup, || rules.validate(&payload, answers.as_ref()).is_ok())?;
            Some(NativeFigure { ratio_to_baseline_warm: ratio(stats.median_us, bw.median_us), stats, same_reply })
        }
        _ => None,
    };

    Ok(CaseReport {
        name: case.name.clone(),
        what: case.what.clone(),
        crs_in_namespace: case.crs,
        payload_bytes: payload.len(),
        allowed,
        warnings,
        lookups,
        log_calls,
        warm,
        fresh,
        native,
    })
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path).map(|s| s.trim().to_owned()).unwrap_or_else(|_| "unknown".to_owned())
}

fn loadavg() -> String {
    read_trimmed("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn machine_before() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    Machine {
        cpu_model,
        nproc: std::thread::available_parallelism().map_or(0, usize::from),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        loadavg_before: loadavg(),
        loadavg_after: String::new(),
    }
}

/// The command line this process was started with, for the report.
pub fn invocation(program: &str, skip: usize) -> String {
    let mut line = program.to_owned();
    for arg in std::env::args().skip(skip) {
        line.push(' ');
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?".contains(c)) {
            line.push('\'');
            line.push_str(&arg.replace('\'', r"'\''"));
            line.push('\'');
        } else {
            line.push_str(&arg);
        }
    }
    line
}

fn check_targets(report: &Report) -> Vec<TargetCheck> {
    let mut checks = Vec::new();
    for (label, pick) in [
        ("fresh instance", (|c| &c.fresh) as fn(&CaseReport) -> &Pair),
        ("warm validate", (|c| &c.warm) as fn(&CaseReport) -> &Pair),
    ] {
        let worst = report
            .requests
            .iter()
            .map(|c| (pick(c).ratio_to_floor, c.name.as_str()))
            .fold((f64::MIN, ""), |a, b| if b.0 > a.0 { b } else { a });
        checks.push(TargetCheck {
            target: format!("{label}, every request ≤ {TARGET_FLOOR}× the look-up floor"),
            measured: format!("worst {:.2}× ({})", worst.0, worst.1),
            met: report.requests.iter().all(|c| pick(c).floor_met()),
        });
    }
    let mut pair_check = |label: &str, pick: fn(&CaseReport) -> &Pair, helm: bool| {
        let chosen: Vec<&CaseReport> = report.requests.iter().filter(|c| (c.name == HELM_CASE) == helm).collect();
        if chosen.is_empty() {
            return;
        }
        let worst = chosen
            .iter()
            .map(|c| (pick(c).ratio, c.name.as_str()))
            .fold((f64::MIN, ""), |a, b| if b.0 > a.0 { b } else { a });
        let target = chosen.first().map_or(0.0, |c| pick(c).target);
        checks.push(TargetCheck {
            target: format!("{label} ≤ {target}× baseline"),
            measured: format!("worst {:.2}× ({})", worst.0, worst.1),
            met: chosen.iter().all(|c| pick(c).met()),
        });
    };
    pair_check("warm validate, every request kind", |c| &c.warm, false);
    pair_check("fresh instance, every request kind", |c| &c.fresh, false);
    pair_check("1 MB Helm Secret, warm", |c| &c.warm, true);
    pair_check("1 MB Helm Secret, fresh", |c| &c.fresh, true);
    checks.push(TargetCheck {
        target: format!("policy.wasm ≤ {} KB", TARGET_SIZE_BYTES / 1000),
        measured: format!("{} bytes ({:.0} KB)", report.policy.code_bytes, report.policy.code_bytes as f64 / 1000.0),
        met: report.policy.code_bytes <= TARGET_SIZE_BYTES,
    });
    checks.push(TargetCheck {
        target: format!("module compile ≤ {TARGET_COMPILE_SECONDS} s"),
        measured: format!("{:.3} s (median)", report.policy.compile.median_us / 1e6),
        met: report.policy.compile.median_us / 1e6 <= TARGET_COMPILE_SECONDS,
    });
    let accepted: Vec<&CaseReport> = report.requests.iter().filter(|c| c.allowed).collect();
    let logs: usize = accepted.iter().map(|c| c.log_calls).sum();
    checks.push(TargetCheck {
        target: "no host log calls on the accept path".to_owned(),
        measured: format!("{logs} log calls over {} accepted requests", accepted.len()),
        met: logs == 0,
    });
    checks
}

/// Run the benchmark.
pub fn run(args: &BenchArgs, native: Option<&dyn NativeRules>, command: &str) -> anyhow::Result<Report> {
    if args.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let warmup = args.warmup.unwrap_or((args.iterations / 10).max(3));
    let mut machine = machine_before();
    let runtime = args.cache.runtime()?;
    progress("compiling the policy and the baseline");
    let compile_iterations = args.compile_iterations.max(1);
    let (policy, policy_report) = load_module(&runtime, &args.policy, Some(&args.metadata), compile_iterations)?;
    let (baseline, baseline_report) = load_module(&runtime, &args.baseline, None, compile_iterations)?;
    let settings = Settings::default();
    let floor_settings = floor_settings()?;
    let modules = Modules { policy: &policy, baseline: &baseline, floor_settings: &floor_settings };
    let mut requests = Vec::new();
    for case in cases(&args.test_data)? {
        if !args.only.is_empty() && !args.only.iter().any(|o| case.name.contains(o.as_str())) {
            continue;
        }
        requests.push(bench_case(&case, &modules, &settings, native, args.iterations, warmup)?);
    }
    if requests.is_empty() {
        bail!("--only matched no request");
    }
    machine.loadavg_after = loadavg();
    let mut report = Report {
        command: command.to_owned(),
        machine,
        iterations: args.iterations,
        warmup,
        policy: policy_report,
        baseline: baseline_report,
        native: native.is_some(),
        requests,
        targets: Vec::new(),
    };
    report.targets = check_targets(&report);
    Ok(report)
}

/// `--profile`: one request, fresh instances of one module, nothing else timed, checked or
/// compiled more than once; the line it prints.
pub fn profile(args: &BenchArgs, name: &str) -> anyhow::Result<String> {
    let case = cases(&args.test_data)?
        .into_iter()
        .find(|c| c.name == name)
        .with_context(|| format!("--profile {name}: no such request in the bench's set"))?;
    let runtime = args.cache.runtime()?;
    // The floor and the do-nothing baseline are the same module with other settings.
    let (module, settings) = match args.profile_module {
        ProfileModule::Policy => (load_module(&runtime, &args.policy, Some(&args.metadata), 0)?.0, Settings::default()),
        ProfileModule::Floor => (load_module(&runtime, &args.baseline, None, 0)?.0, floor_settings()?),
        ProfileModule::Baseline => (load_module(&runtime, &args.baseline, None, 0)?.0, Settings::default()),
    };
    let answers: Arc<dyn HostCapabilities> = Arc::new(Answers::new(case.interactions.clone()));
    let evaluator = Evaluator::new(module, settings, options(answers, PolicyLog::Discard));
    let allowed = evaluator.validate(&case.request).allowed;
    let ([stats], [cpu]) =
        interleaved(args.iterations, 0, [&mut || evaluator.validate(&case.request).allowed == allowed])?;
    let cpu = cpu.map_or_else(String::new, |c| {
        format!(
            "; per call {} µs user, {} µs system, {:.1} minor page faults",
            us(c.user_us),
            us(c.system_us),
            c.minor_faults
        )
    });
    Ok(format!(
        "{name} on the {}: {} fresh calls, median {} µs (p95 {}){cpu}",
        args.profile_module.label(),
        args.iterations,
        us(stats.median_us),
        us(stats.p95_us)
    ))
}

fn us(x: f64) -> String {
    if x >= 100.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

fn yes_no(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// How policy / floor (fresh) grows with the TempoStacks listed, per kind of request that lists
/// them: one sentence per request kind measured at more than one namespace size.
pub fn scaling(report: &Report) -> Vec<String> {
    let mut kinds: Vec<&str> = Vec::new();
    for c in &report.requests {
        if c.crs_in_namespace.is_some() && !kinds.contains(&c.what.as_str()) {
            kinds.push(&c.what);
        }
    }
    kinds
        .into_iter()
        .filter_map(|what| {
            let mut points: Vec<(usize, &Pair)> = report
                .requests
                .iter()
                .filter(|c| c.what == what)
                .filter_map(|c| c.crs_in_namespace.map(|n| (n, &c.fresh)))
                .collect();
            points.sort_by_key(|(n, _)| *n);
            if points.len() < 2 {
                return None;
            }
            let steps: Vec<String> = points
                .iter()
                .map(|(n, p)| {
                    format!("{:.2}× ({} µs over the floor) with {n}", p.ratio_to_floor, us(p.over_floor_us()))
                })
                .collect();
            Some(format!("{what}: policy / floor {} TempoStacks listed.", steps.join(", ")))
        })
        .collect()
}

/// The report as markdown.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(out, "### tempo-policy bench\n");
    let _ = writeln!(out, "- Command: `{}`", report.command);
    let _ = writeln!(
        out,
        "- Machine: {} ({} CPUs by nproc), Linux {}; load average {} before, {} after",
        m.cpu_model, m.nproc, m.kernel, m.loadavg_before, m.loadavg_after
    );
    let _ = writeln!(
        out,
        "- {} timed iterations per figure after {} warm-up ones; policy, look-up floor and baseline calls interleaved; times in µs",
        report.iterations, report.warmup
    );
    for (label, module) in [("Policy", &report.policy), ("Baseline", &report.baseline)] {
        let cached = module
            .cached_load
            .as_ref()
            .map(|s| format!(", from the module cache {:.3} s median", s.median_us / 1e6))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- {label}: `{}`, {} bytes ({} without the metadata section), compile {:.3} s median (p95 {:.3} s){cached}",
            module.path,
            module.file_bytes,
            module.code_bytes,
            module.compile.median_us / 1e6,
            module.compile.p95_us / 1e6
        );
    }
    let _ = writeln!(out, "\n| request | payload | verdict | look-ups | log calls | native reply = wasm reply |");
    let _ = writeln!(out, "|---|---:|---|---:|---:|---|");
    for c in &report.requests {
        let verdict = match (c.allowed, c.warnings) {
            (true, 0) => "allowed".to_owned(),
            (true, w) => format!("allowed, {w} warning(s)"),
            (false, _) => "rejected".to_owned(),
        };
        let same = match &c.native {
            Some(n) if n.same_reply => "yes",
            Some(_) => "**no**",
            None => "-",
        };
        let _ = writeln!(
            out,
            "| `{}`: {} | {} B | {verdict} | {} | {} | {same} |",
            c.name, c.what, c.payload_bytes, c.lookups, c.log_calls
        );
    }
    let _ = writeln!(
        out,
        "\n#### Policy / look-up floor\n\nThe floor makes the same host look-ups and ignores their answers; medians in µs, fresh instance per request (as policy-server) and warm instance.\n"
    );
    let _ = writeln!(
        out,
        "| request | look-ups | TempoStacks listed | policy | look-up floor | do-nothing | policy / floor | policy − floor | warm: policy / floor | warm: policy − floor |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in &report.requests {
        let _ = writeln!(
            out,
            "| `{}`: {} | {} | {} | {} | {} | {} | {:.2}× | {} | {:.2}× | {} |",
            c.name,
            c.what,
            c.lookups,
            c.crs_in_namespace.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            us(c.fresh.policy.median_us),
            us(c.fresh.floor.median_us),
            us(c.fresh.baseline.median_us),
            c.fresh.ratio_to_floor,
            us(c.fresh.over_floor_us()),
            c.warm.ratio_to_floor,
            us(c.warm.over_floor_us()),
        );
    }
    for line in scaling(report) {
        let _ = writeln!(out, "\n{line}");
    }
    cpu_table(&mut out, report);
    let _ = writeln!(
        out,
        "\n#### All figures\n\n| request | mode | policy median | policy p95 | floor median | floor p95 | baseline median | baseline p95 | ratio to baseline (median) | ratio (p95) | target |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for c in &report.requests {
        for (mode, pair) in [("warm", &c.warm), ("fresh", &c.fresh)] {
            let _ = writeln!(
                out,
                "| `{}` | {mode} | {} | {} | {} | {} | {} | {} | {:.2}× | {:.2}× | ≤ {}×: {} |",
                c.name,
                us(pair.policy.median_us),
                us(pair.policy.p95_us),
                us(pair.floor.median_us),
                us(pair.floor.p95_us),
                us(pair.baseline.median_us),
                us(pair.baseline.p95_us),
                pair.ratio,
                pair.ratio_p95,
                pair.target,
                yes_no(pair.met())
            );
        }
        if let Some(n) = &c.native {
            let _ = writeln!(
                out,
                "| `{}` | native | {} | {} | | | {} | {} | {:.2}× | {:.2}× | (vs baseline warm) |",
                c.name,
                us(n.stats.median_us),
                us(n.stats.p95_us),
                us(c.warm.baseline.median_us),
                us(c.warm.baseline.p95_us),
                n.ratio_to_baseline_warm,
                ratio(n.stats.p95_us, c.warm.baseline.p95_us),
            );
        }
    }
    if !report.native {
        let _ = writeln!(
            out,
            "\n(native figures: `cargo run --release -p tempo-policy-cli --example bench`, which links the policy crate; the `tempo-policy` binary does not)"
        );
    }
    let _ = writeln!(out, "\n| target | measured | |");
    let _ = writeln!(out, "|---|---|---|");
    for t in &report.targets {
        let _ = writeln!(out, "| {} | {} | {} |", t.target, t.measured, yes_no(t.met));
    }
    out
}

/// The pages a fresh call touches for the first time (minor page faults, exact): the kernel's
/// share of a fresh instance grows with them. User and system time are in the JSON only: Linux
/// accounts them by ticks (every 4 ms at HZ=250), so a few hundred calls of 100 µs split them by
/// chance; `--profile` with tens of thousands of calls splits them well.
fn cpu_table(out: &mut String, report: &Report) {
    let rows: Vec<(&CaseReport, &CpuSplit)> =
        report.requests.iter().filter_map(|c| c.fresh.cpu.as_ref().map(|cpu| (c, cpu))).collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n#### Fresh instance: pages touched per call\n\nMinor page faults of the thread that ran the call, per fresh call (getrusage): each is a page of the new instance's memory, or a run of its memory image, mapped on first touch and unmapped when the instance goes.\n"
    );
    let _ = writeln!(out, "| request | policy | look-up floor | do-nothing | policy − floor |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for (c, cpu) in rows {
        let _ = writeln!(
            out,
            "| `{}` | {:.1} | {:.1} | {:.1} | {:.1} |",
            c.name,
            cpu.policy.minor_faults,
            cpu.floor.minor_faults,
            cpu.baseline.minor_faults,
            cpu.policy.minor_faults - cpu.floor.minor_faults,
        );
    }
}

/// Run and print; the exit code is 0 whether or not targets are met (the
/// benchmark reports, it does not assert).
pub fn execute(args: &BenchArgs, native: Option<&dyn NativeRules>, command: &str) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.profile {
        let line = profile(args, name)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}").context("cannot write to stdout")?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = run(args, native, command)?;
    let text = match args.format {
        Format::Markdown => markdown(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn stats_nearest_rank() {
        let s = Stats::of((1..=100).map(Duration::from_micros).collect());
        assert_eq!((s.median_us, s.p95_us, s.min_us), (50.0, 95.0, 1.0));
        let s = Stats::of(vec![Duration::from_micros(7)]);
        assert_eq!((s.median_us, s.p95_us), (7.0, 7.0));
        assert_eq!(Stats::of(Vec::new()), Stats::default());
    }

    #[test]
    fn generated_secrets_are_about_a_megabyte() {
        let all = cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-data")).unwrap();
        let helm = all.iter().find(|c| c.name == HELM_CASE).unwrap();
        let size = validate_payload(&helm.request, &Settings::default()).len();
        assert!((1_048_576..1_060_000).contains(&size), "{size}");
        assert_eq!(filler_base64(4), filler_base64(4));
    }

    #[test]
    fn scaling_is_told_per_kind_of_request_that_lists() {
        let stats = |median_us| Stats { median_us, p95_us: median_us, min_us: median_us };
        let case = |name: &str, what: &str, crs: Option<usize>, policy: f64| CaseReport {
            name: name.into(),
            what: what.into(),
            crs_in_namespace: crs,
            payload_bytes: 1,
            allowed: true,
            warnings: 0,
            lookups: 2,
            log_calls: 0,
            warm: Pair::new(stats(policy), stats(50.0), stats(100.0), TARGET_WARM),
            fresh: Pair::new(stats(policy), stats(50.0), stats(100.0), TARGET_FRESH),
            native: None,
        };
        let report = Report {
            command: String::new(),
            machine: machine_before(),
            iterations: 1,
            warmup: 0,
            policy: ModuleReport {
                path: String::new(),
                file_bytes: 1,
                code_bytes: 1,
                compile: stats(1.0),
                cached_load: None,
            },
            baseline: ModuleReport {
                path: String::new(),
                file_bytes: 1,
                code_bytes: 1,
                compile: stats(1.0),
                cached_load: None,
            },
            native: false,
            requests: vec![
                case("delete-100", "DELETE", Some(100), 150.0),
                case("delete", "DELETE", Some(1), 105.0),
                case("create", "CREATE", Some(1), 108.0),
                case("pod", "Pod", None, 101.0),
            ],
            targets: Vec::new(),
        };
        assert_eq!(
            scaling(&report),
            vec![
                "DELETE: policy / floor 1.05× (5.0 µs over the floor) with 1, 1.50× (50.0 µs over the floor) with 100 TempoStacks listed."
            ]
        );
        let floor = check_targets(&report);
        assert_eq!(floor[0].measured, "worst 1.50× (delete-100)");
        assert!(!floor[0].met);
        assert!(case("x", "x", None, 110.0).fresh.floor_met());
        assert!(!case("x", "x", None, 110.1).fresh.floor_met());
    }

    #[test]
    fn answers_repeat_the_recorded_response() {
        let replay =
            Replay::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-data/replay/tempostack-minio.yml"))
                .unwrap();
        let answers = Answers::new(replay.remaining());
        let RecordedRequest::Kubernetes(request) = &replay.remaining()[0].request else { panic!() };
        for _ in 0..3 {
            assert!(answers.kubernetes(request).unwrap().starts_with(b"{\"apiVersion\""));
        }
    }
}
