//! `tempo-policy bench` with one more figure: the same rules compiled natively.
//!
//! The `tempo-policy` binary evaluates only the compiled `.wasm` and never links
//! the policy crate; this example links it (a dev-dependency) so that one run
//! reports warm, fresh, baseline and native figures side by side. `make bench`
//! runs it:
//!
//! ```text
//! cargo run --release -p tempo-policy-cli --example bench -- --iterations 200
//! ```
//!
//! The native side answers look-ups through the same capabilities object as the
//! wasm host (replayed answers), with the policy's own error classification, so
//! the only difference is the waPC boundary and the WebAssembly code itself.

use std::process::ExitCode;

use clap::Parser;
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource, classify_host_error};
use tempo_policy_cli::bench::{self, BenchArgs, NativeRules};
use tempo_policy_cli::{GetResourceRequest, HostCapabilities, KubernetesRequest, ListResourcesByNamespaceRequest};

/// Flags as `tempo-policy bench`.
#[derive(Debug, Parser)]
#[command(name = "bench", about = "tempo-policy bench, plus the rules compiled natively")]
struct Cli {
    #[command(flatten)]
    args: BenchArgs,
}

/// The look-up contract answered by host capabilities, natively: what
/// `tempo_policy::host_cluster::HostCluster` does through waPC, down to the
/// callback's "Callback evaluation failure" wrapping of failed look-ups.
struct CapabilitiesCluster<'a>(&'a dyn HostCapabilities);

impl CapabilitiesCluster<'_> {
    fn ask(&self, request: KubernetesRequest, resource: Resource, name: &str) -> Lookup<String> {
        match self.0.kubernetes(&request) {
            Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
                LookupError::Failed(format!("the host answered a {resource} look-up with non-UTF-8 data"))
            }),
            Err(message) => {
                classify_host_error(&format!("Host error: Callback evaluation failure: {message}"), resource, name)
                    .map(|()| None)
            }
        }
    }
}

impl JsonCluster for CapabilitiesCluster<'_> {
    fn get_json(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<String> {
        let request = KubernetesRequest::GetResource(GetResourceRequest {
            api_version: resource.api_version().to_owned(),
            kind: resource.kind().to_owned(),
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            disable_cache: false,
            field_masks: None,
        });
        self.ask(request, resource, name)
    }

    fn list_json(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<String, LookupError> {
        let request = KubernetesRequest::ListResourcesByNamespace(ListResourcesByNamespaceRequest {
            api_version: resource.api_version().to_owned(),
            kind: resource.kind().to_owned(),
            namespace: namespace.to_owned(),
            label_selector: None,
            field_selector: None,
            field_masks: (!field_masks.is_empty()).then(|| field_masks.iter().map(|m| (*m).to_owned()).collect()),
        });
        Ok(self.ask(request, resource, "")?.unwrap_or_else(|| r#"{"items":[]}"#.to_owned()))
    }
}

struct Native;

impl NativeRules for Native {
    fn validate(&self, payload: &[u8], capabilities: &dyn HostCapabilities) -> Result<Vec<u8>, String> {
        tempo_policy::validate_with(payload, &CapabilitiesCluster(capabilities)).map_err(|e| e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = bench::invocation("cargo run --release -p tempo-policy-cli --example bench --", 1);
    match bench::execute(&cli.args, Some(&Native), &command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
