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
//! wasm host (replayed answers, through tests/support/native_cluster.rs), with
//! the policy's own error classification, so the only difference is the waPC
//! boundary and the WebAssembly code itself.

use std::process::ExitCode;

use clap::Parser;
use tempo_policy_cli::HostCapabilities;
use tempo_policy_cli::bench::{self, BenchArgs, NativeRules};

#[path = "../../tests/support/native_cluster.rs"]
mod native_cluster;
use native_cluster::NativeCluster;

/// Flags as `tempo-policy bench`.
#[derive(Debug, Parser)]
#[command(name = "bench", about = "tempo-policy bench, plus the rules compiled natively")]
struct Cli {
    #[command(flatten)]
    args: BenchArgs,
}

struct Native;

impl NativeRules for Native {
    fn validate(&self, payload: &[u8], capabilities: &dyn HostCapabilities) -> Result<Vec<u8>, String> {
        tempo_policy::validate_with(payload, &NativeCluster(capabilities)).map_err(|e| e.to_string())
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
