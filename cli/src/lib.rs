//! Native waPC host for the tempo-policy Kubewarden policy.
//!
//! It runs a policy's `.wasm` the way Kubewarden's policy-server does
//! (precompiled module, fresh instance per request, epoch timeout, host
//! callback with `contextAwareResources` grants) and builds the same
//! AdmissionResponse. The `tempo-policy` binary is a thin layer over it;
//! tests, benchmarks and the `check` command use it directly.
//!
//! Typical use:
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use tempo_policy_cli::{AdmissionRequest, EvaluationOptions, Evaluator, Runtime, Settings};
//! let runtime = Runtime::new()?;
//! let policy = runtime.load_policy_file("annotated-policy.wasm".as_ref())?;
//! let evaluator = Evaluator::new(policy, Settings::default(), EvaluationOptions::default());
//! anyhow::ensure!(evaluator.validate_settings()?.valid);
//! let request = AdmissionRequest::load("test-data/request.json")?;
//! println!("{}", evaluator.validate(&request).to_json_line());
//! # Ok(()) }
//! ```

pub mod annotate;
pub mod annotation;
pub mod bench;
pub mod callback;
/// The look-up requests, the `HostCapabilities` contract and the replay (crate `tempo-policy-lookups`).
pub use tempo_policy_lookups as capabilities;
pub mod check;
pub mod commands;
pub mod embedded;
pub mod host;
pub mod metadata;
pub mod module_cache;
pub mod request;
pub mod response;
pub mod wasm;

pub use callback::{HostCallHandler, PolicyLog, grant_denied_message};
pub use capabilities::{
    GetResourceRequest, HostCapabilities, KubernetesRequest, ListResourcesAllRequest, ListResourcesByNamespaceRequest,
    NoCluster, Replay,
};
pub use host::{EvaluationOptions, Evaluator, HostError, Policy, Runtime, WarmInstance};
pub use metadata::{ContextAwareResource, PolicyMetadata, Rule};
pub use module_cache::{CacheOutcome, ModuleCache};
pub use request::{AdmissionRequest, InputError, Settings};
pub use response::{AdmissionResponse, Constraints, PolicyMode, SettingsValidationResponse, ValidationResponse};
