//! Loading and running a policy the way policy-server does (policy-evaluator
//! `runtimes/wapc`, policy-server `evaluation/precompiled_policy.rs`).
//!
//! * one [`Runtime`]: a wasmtime `Engine` with epoch interruption, plus a
//!   thread that increments the epoch every second, and optionally a
//!   [`ModuleCache`] of compiled modules;
//! * [`Policy`]: a compiled module, its metadata and an `InstancePre`;
//! * [`Evaluator`]: a policy with its settings and run options; each
//!   [`Evaluator::validate`] uses a fresh instance, like policy-server's
//!   on-demand evaluators; [`Evaluator::warm`] gives one reused instance.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use wapc::WapcHost;
use wasmtime_provider::wasmtime::{Config, Engine, Module};
use wasmtime_provider::{EpochDeadlines, WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

use crate::callback::{HostCallHandler, PolicyLog};
use crate::capabilities::{HostCapabilities, NoCluster};
use crate::metadata::{ContextAwareResource, EXECUTION_MODE_WAPC, MetadataError, PROTOCOL_V1, PolicyMetadata};
use crate::module_cache::{CacheOutcome, ModuleCache};
use crate::request::{AdmissionRequest, Settings, validate_payload};
use crate::response::{AdmissionResponse, Constraints, SettingsValidationResponse, ValidationResponse};
use crate::wasm::{self, METADATA_SECTION, WasmError};

/// policy-server's default evaluation timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 2;

/// Epoch tick period (policy-server: one second).
pub const EPOCH_TICK: Duration = Duration::from_secs(1);

/// What wasmtime-provider reports when an epoch deadline interrupts a call;
/// policy-evaluator recognises timeouts by this text.
pub const EPOCH_INTERRUPTION_MESSAGE: &str = "guest code interrupted, execution deadline exceeded";

/// Deadline used when the timeout is disabled: about 35,000 years of ticks.
const NO_DEADLINE_TICKS: u64 = 1 << 40;

/// Errors below the CLI boundary.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("cannot create the WebAssembly runtime: {0}")]
    Runtime(String),
    #[error("cannot retrieve path from uri {uri}: {reason}")]
    PolicyUri { uri: String, reason: &'static str },
    #[error("cannot read policy {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{origin} is not a usable policy module: {source}")]
    Wasm { origin: String, source: WasmError },
    #[error("{origin}: the {METADATA_SECTION} section is not valid: {source}")]
    Metadata { origin: String, source: MetadataError },
    #[error("cannot compile {origin}: {message}")]
    Compile { origin: String, message: String },
    #[error(
        "Policy is missing protocol version: {origin} has no protocolVersion in an {METADATA_SECTION} section. \
         Annotate it first: tempo-policy annotate -m metadata.yml -o annotated-policy.wasm {origin}"
    )]
    MissingProtocolVersion { origin: String },
    #[error("{origin}: unsupported policy protocol version {found:?} (only \"v1\" is known)")]
    UnsupportedProtocolVersion { origin: String, found: String },
    #[error("{origin}: execution mode {mode:?} is not supported, this host runs only kubewarden-wapc policies")]
    UnsupportedExecutionMode { origin: String, mode: String },
    #[error("cannot instantiate {origin}: {message}")]
    Instantiate { origin: String, message: String },
    #[error("{origin}: waPC call `{operation}` failed: {message}")]
    Call { origin: String, operation: String, message: String },
    #[error("{origin}: unexpected reply to `{operation}`: {message}")]
    BadReply { origin: String, operation: String, message: String },
}

/// Resolve the POLICY argument of `run`: a plain path or `file:///abs/path`.
pub fn policy_path(arg: &str) -> Result<PathBuf, HostError> {
    if let Some(rest) = arg.strip_prefix("file://") {
        if !rest.starts_with('/') {
            return Err(HostError::PolicyUri {
                uri: arg.to_owned(),
                reason: "file:// URIs need an absolute path, e.g. file:///abs/path/policy.wasm",
            });
        }
        return Ok(PathBuf::from(rest));
    }
    if let Some((scheme, _)) = arg.split_once("://")
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
    {
        return Err(HostError::PolicyUri {
            uri: arg.to_owned(),
            reason: "only local files are supported (a path or file:///abs/path.wasm); \
                     fetch remote policies with `kwctl pull` first",
        });
    }
    Ok(PathBuf::from(arg))
}

struct EpochTicker {
    stop: Mutex<Option<mpsc::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl EpochTicker {
    fn start(engine: Engine, period: Duration) -> Result<Self, HostError> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("epoch-ticker".to_owned())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    engine.increment_epoch();
                }
            })
            .map_err(|e| HostError::Runtime(format!("cannot start the epoch ticker thread: {e}")))?;
        Ok(Self { stop: Mutex::new(Some(stop)), thread: Mutex::new(Some(thread)) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread up at once.
        if let Ok(mut stop) = self.stop.lock() {
            stop.take();
        }
        if let Ok(mut thread) = self.thread.lock()
            && let Some(handle) = thread.take()
        {
            let _ = handle.join();
        }
    }
}

/// One wasmtime engine with epoch interruption and its ticker thread, and optionally a cache of
/// compiled modules. Cheap to clone; the ticker stops when the last clone is dropped.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    cache: Option<ModuleCache>,
    _ticker: Arc<EpochTicker>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

impl Runtime {
    /// `Config::default()` + function references + epoch interruption, as
    /// policy-server configures it.
    pub fn new() -> Result<Self, HostError> {
        let mut config = Config::default();
        config.wasm_function_references(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| HostError::Runtime(format!("{e:#}")))?;
        let ticker = EpochTicker::start(engine.clone(), EPOCH_TICK)?;
        Ok(Self { engine, cache: None, _ticker: Arc::new(ticker) })
    }

    /// The same runtime, compiling through `cache` (`None`: compile every time).
    pub fn with_cache(mut self, cache: Option<ModuleCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The compiled-module cache, if any.
    pub fn cache(&self) -> Option<&ModuleCache> {
        self.cache.as_ref()
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Load a module without requiring it to be annotated (what `annotate`
    /// needs to call `protocol_version`).
    pub fn load_module(&self, bytes: &[u8], origin: &str) -> Result<Policy, HostError> {
        let metadata = match wasm::read_custom_section(bytes, METADATA_SECTION)
            .map_err(|source| HostError::Wasm { origin: origin.to_owned(), source })?
        {
            Some(json) => Some(
                PolicyMetadata::from_json(json)
                    .map_err(|source| HostError::Metadata { origin: origin.to_owned(), source })?,
            ),
            None => None,
        };
        let compile_err =
            |e: &dyn std::fmt::Display| HostError::Compile { origin: origin.to_owned(), message: e.to_string() };
        let (module, cache) = match &self.cache {
            Some(cache) => {
                let (module, outcome) =
                    cache.load_or_compile(&self.engine, bytes).map_err(|e| compile_err(&format_args!("{e:#}")))?;
                (module, Some(outcome))
            }
            None => (Module::new(&self.engine, bytes).map_err(|e| compile_err(&format_args!("{e:#}")))?, None),
        };
        let pre = WasmtimeEngineProviderBuilder::new()
            .engine(self.engine.clone())
            .module(module)
            .build_pre()
            .map_err(|e| HostError::Instantiate { origin: origin.to_owned(), message: e.to_string() })?;
        Ok(Policy { origin: origin.to_owned(), metadata, cache, pre })
    }

    /// Load an annotated `kubewarden-wapc` policy with `protocolVersion: v1`
    /// (what policy-server accepts).
    pub fn load_policy_bytes(&self, bytes: &[u8], origin: &str) -> Result<Policy, HostError> {
        let policy = self.load_module(bytes, origin)?;
        policy.require_protocol_v1()?;
        Ok(policy)
    }

    /// [`Runtime::load_policy_bytes`] from a file.
    pub fn load_policy_file(&self, path: &Path) -> Result<Policy, HostError> {
        let bytes = read_policy(path)?;
        self.load_policy_bytes(&bytes, &path.display().to_string())
    }
}

/// Read a policy file.
pub fn read_policy(path: &Path) -> Result<Vec<u8>, HostError> {
    std::fs::read(path).map_err(|source| HostError::Read { path: path.display().to_string(), source })
}

/// A compiled policy, ready to be instantiated any number of times.
#[derive(Clone)]
pub struct Policy {
    origin: String,
    metadata: Option<PolicyMetadata>,
    cache: Option<CacheOutcome>,
    pre: WasmtimeEngineProviderPre,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("origin", &self.origin).field("metadata", &self.metadata).finish_non_exhaustive()
    }
}

fn deadline_ticks(timeout_seconds: Option<u64>) -> u64 {
    match timeout_seconds {
        Some(0) | None => NO_DEADLINE_TICKS,
        Some(s) => s,
    }
}

impl Policy {
    /// Where the policy was loaded from (used in messages).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The `io.kubewarden.metadata` section, if the module is annotated.
    pub fn metadata(&self) -> Option<&PolicyMetadata> {
        self.metadata.as_ref()
    }

    /// What the compiled-module cache did when the policy was loaded (`None`: no cache).
    pub fn cache_outcome(&self) -> Option<&CacheOutcome> {
        self.cache.as_ref()
    }

    /// Prints the cache's one-line note on stderr, when the user should know (a cache directory
    /// or key that was not safe to use).
    pub fn print_cache_note(&self) {
        if let Some(note) = self.cache.as_ref().and_then(CacheOutcome::note) {
            eprintln!("{note}");
        }
    }

    /// policy-server's check: annotated, `protocolVersion: v1`, waPC mode.
    pub fn require_protocol_v1(&self) -> Result<(), HostError> {
        let origin = self.origin.clone();
        let metadata =
            self.metadata.as_ref().ok_or_else(|| HostError::MissingProtocolVersion { origin: origin.clone() })?;
        match metadata.protocol_version.as_deref() {
            None => return Err(HostError::MissingProtocolVersion { origin }),
            Some(PROTOCOL_V1) => {}
            Some(other) => {
                return Err(HostError::UnsupportedProtocolVersion { origin, found: other.to_owned() });
            }
        }
        if metadata.execution_mode != EXECUTION_MODE_WAPC {
            return Err(HostError::UnsupportedExecutionMode { origin, mode: metadata.execution_mode.clone() });
        }
        Ok(())
    }

    /// A fresh instance (`rehydrate` + `WapcHost::new`, which runs `wapc_init`).
    pub fn instantiate(&self, timeout_seconds: Option<u64>, handler: HostCallHandler) -> Result<WapcHost, HostError> {
        let ticks = deadline_ticks(timeout_seconds);
        let provider = self
            .pre
            .rehydrate(Some(EpochDeadlines { wapc_init: ticks, wapc_func: ticks }))
            .map_err(|e| HostError::Instantiate { origin: self.origin.clone(), message: e.to_string() })?;
        let callback = move |_id: u64, binding: &str, namespace: &str, operation: &str, payload: &[u8]| {
            handler.handle(binding, namespace, operation, payload).map_err(Into::into)
        };
        WapcHost::new(Box::new(provider), Some(Box::new(callback)))
            .map_err(|e| HostError::Instantiate { origin: self.origin.clone(), message: e.to_string() })
    }

    /// Call `protocol_version` on a fresh instance; returns e.g. `"v1"`.
    pub fn protocol_version(&self) -> Result<String, HostError> {
        let handler = HostCallHandler {
            granted: Arc::from(Vec::new()),
            capabilities: Arc::new(NoCluster),
            log: PolicyLog::Stderr,
        };
        let host = self.instantiate(Some(DEFAULT_TIMEOUT_SECONDS), handler)?;
        let reply = host.call("protocol_version", &[]).map_err(|e| HostError::Call {
            origin: self.origin.clone(),
            operation: "protocol_version".to_owned(),
            message: e.to_string(),
        })?;
        serde_json::from_slice::<String>(&reply).map_err(|e| HostError::BadReply {
            origin: self.origin.clone(),
            operation: "protocol_version".to_owned(),
            message: format!("{e} (got {:?})", String::from_utf8_lossy(&reply)),
        })
    }
}

/// How a policy is run: what `kwctl run`'s flags (or a policy CR) set.
#[derive(Clone)]
pub struct EvaluationOptions {
    /// Policy id, mode, `mutating`, custom rejection message.
    pub constraints: Constraints,
    /// Evaluation timeout; `None` or `Some(0)` disables it.
    pub timeout_seconds: Option<u64>,
    /// Grant the metadata's `contextAwareResources` (`--allow-context-aware`).
    pub allow_context_aware: bool,
    /// Who answers granted Kubernetes look-ups.
    pub capabilities: Arc<dyn HostCapabilities>,
    /// Where policy log records go.
    pub log: PolicyLog,
}

impl Default for EvaluationOptions {
    fn default() -> Self {
        Self {
            constraints: Constraints::default(),
            timeout_seconds: Some(DEFAULT_TIMEOUT_SECONDS),
            allow_context_aware: false,
            capabilities: Arc::new(NoCluster),
            log: PolicyLog::Stderr,
        }
    }
}

/// A policy with its settings and options.
pub struct Evaluator {
    policy: Policy,
    settings: Settings,
    options: EvaluationOptions,
    granted: Arc<[ContextAwareResource]>,
}

impl Evaluator {
    /// Granted resources: the metadata's `contextAwareResources` when
    /// `allow_context_aware`, else none.
    pub fn new(policy: Policy, settings: Settings, options: EvaluationOptions) -> Self {
        let granted: Vec<ContextAwareResource> = if options.allow_context_aware {
            policy.metadata().map(|m| m.context_aware_resources.clone()).unwrap_or_default()
        } else {
            Vec::new()
        };
        Self { policy, settings, options, granted: Arc::from(granted) }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The settings sent to the policy.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The options.
    pub fn options(&self) -> &EvaluationOptions {
        &self.options
    }

    /// The resources look-ups are granted for.
    pub fn granted(&self) -> &[ContextAwareResource] {
        &self.granted
    }

    fn handler(&self, capabilities: &Arc<dyn HostCapabilities>) -> HostCallHandler {
        HostCallHandler {
            granted: self.granted.clone(),
            capabilities: capabilities.clone(),
            log: self.options.log.clone(),
        }
    }

    /// A fresh instance using the evaluator's capabilities.
    pub fn instantiate(&self) -> Result<WapcHost, HostError> {
        self.policy.instantiate(self.options.timeout_seconds, self.handler(&self.options.capabilities))
    }

    /// `validate_settings` on a fresh instance. A failing call or an
    /// unreadable reply is an invalid-settings answer, as in policy-evaluator;
    /// `Err` only when the policy cannot be instantiated.
    pub fn validate_settings(&self) -> Result<SettingsValidationResponse, HostError> {
        let host = self.instantiate()?;
        Ok(match host.call("validate_settings", &self.settings.to_payload()) {
            Ok(reply) => serde_json::from_slice(&reply).unwrap_or_else(|e| SettingsValidationResponse {
                valid: false,
                message: Some(format!("cannot decode the policy's settings validation reply: {e}")),
            }),
            Err(e) => SettingsValidationResponse {
                valid: false,
                message: Some(format!("Error invoking settings validation callback: {e}")),
            },
        })
    }

    /// Evaluate one request on a fresh instance, like policy-server.
    pub fn validate(&self, request: &AdmissionRequest) -> AdmissionResponse {
        self.validate_with(request, &self.options.capabilities)
    }

    /// [`Evaluator::validate`] with other capabilities for this one request
    /// (e.g. per-request look-up answers).
    pub fn validate_with(
        &self,
        request: &AdmissionRequest,
        capabilities: &Arc<dyn HostCapabilities>,
    ) -> AdmissionResponse {
        let payload = validate_payload(request, &self.settings);
        let result = self
            .policy
            .instantiate(self.options.timeout_seconds, self.handler(capabilities))
            .map_err(|e| match e {
                HostError::Instantiate { message, .. } => message,
                other => other.to_string(),
            })
            .and_then(|host| host.call("validate", &payload).map_err(|e| e.to_string()));
        self.response(request, result)
    }

    /// Raw waPC call of `operation` on a fresh instance (benchmarks).
    pub fn call_fresh(&self, operation: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        let host = self.instantiate().map_err(|e| e.to_string())?;
        host.call(operation, payload).map_err(|e| e.to_string())
    }

    /// Build the constrained AdmissionResponse from a raw `validate` result.
    pub fn response(&self, request: &AdmissionRequest, result: Result<Vec<u8>, String>) -> AdmissionResponse {
        let uid = request.uid();
        let response = match result {
            Ok(reply) => match serde_json::from_slice::<ValidationResponse>(&reply) {
                Ok(vr) => AdmissionResponse::from_validation_response(uid, request.object(), vr),
                Err(e) => AdmissionResponse::reject_internal_server_error(
                    uid,
                    &format!("cannot deserialize policy validation response: {e}"),
                ),
            },
            Err(message) => AdmissionResponse::reject_internal_server_error(uid, &message),
        };
        self.options.constraints.apply(response)
    }

    /// One instance reused for many calls (what `kwctl bench` measures).
    pub fn warm(&self) -> Result<WarmInstance<'_>, HostError> {
        Ok(WarmInstance { host: self.instantiate()?, evaluator: self })
    }

    /// Warnings of the capabilities once evaluation is over.
    pub fn finish(&self) -> Vec<String> {
        self.options.capabilities.finish()
    }
}

/// One instance reused across calls; re-created after a timeout, as
/// policy-evaluator resets its waPC stack.
pub struct WarmInstance<'a> {
    evaluator: &'a Evaluator,
    host: WapcHost,
}

impl WarmInstance<'_> {
    /// Raw waPC call on this instance.
    pub fn call(&mut self, operation: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        let result = self.host.call(operation, payload).map_err(|e| e.to_string());
        if let Err(message) = &result
            && message.contains(EPOCH_INTERRUPTION_MESSAGE)
            && let Ok(fresh) = self.evaluator.instantiate()
        {
            self.host = fresh;
        }
        result
    }

    /// Evaluate one request on this instance.
    pub fn validate(&mut self, request: &AdmissionRequest) -> AdmissionResponse {
        let payload = validate_payload(request, &self.evaluator.settings);
        let result = self.call("validate", &payload);
        self.evaluator.response(request, result)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn policy_uris() {
        assert_eq!(policy_path("p.wasm").unwrap(), PathBuf::from("p.wasm"));
        assert_eq!(policy_path("file:///a/p.wasm").unwrap(), PathBuf::from("/a/p.wasm"));
        let err = policy_path("file://p.wasm").unwrap_err().to_string();
        assert!(err.starts_with("cannot retrieve path from uri file://p.wasm"), "{err}");
        assert!(policy_path("registry://ghcr.io/x:v1").is_err());
    }

    #[test]
    fn rejects_non_wasm() {
        let rt = Runtime::new().unwrap();
        let err = rt.load_module(b"hello", "x.wasm").unwrap_err().to_string();
        assert!(err.contains("x.wasm is not a usable policy module"), "{err}");
    }
}
