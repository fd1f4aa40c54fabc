//! `tempo-policy`: run, annotate and inspect the tempo-policy Kubewarden
//! policy the way policy-server and kwctl do. All logic lives in the library.

use std::process::ExitCode;

use clap::Parser;
use tempo_policy_cli::commands::{Cli, execute};

fn main() -> ExitCode {
    match execute(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
