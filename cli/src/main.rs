//! `tempo-policy`: run, annotate and inspect the tempo-policy Kubewarden
//! policy the way policy-server and kwctl do. All logic lives in the library.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tempo_policy_cli::commands::{Cli, execute};
use tempo_policy_cli::embedded;

fn main() -> ExitCode {
    // clap keeps the version text for the life of the program.
    let version: &'static str = Box::leak(embedded::version_text().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match execute(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
