//! `tempo-policy check`: judge plain manifests (files, directories, stdin) as the cluster
//! would. Each object the policy is registered for becomes the AdmissionRequest the API server
//! would send, evaluated through the compiled policy by the same host as `run` (compiled once,
//! a fresh instance per request, look-ups granted by `contextAwareResources`); the policy's
//! look-ups are answered from the manifests themselves.
//!
//! Reading, planning, look-up answers, lines and the JSON report are the `tempo-policy-check`
//! crate's (shared with the browser playground); this module evaluates and writes.

pub mod locate;
pub mod lookups;
pub mod report;

pub use tempo_policy_check::{fields, inputs, manifests, outcome, requests, rules, yaml};

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use tempo_policy_check::Prepared;

use self::inputs::{Inputs, read_paths};
use self::manifests::{ManifestLookups, ManifestSet};
use self::outcome::{EXIT_INPUT_ERROR, Outcome, PolicyInfo, Report};
use self::requests::admission_request;
use crate::callback::PolicyLog;
use crate::capabilities::HostCapabilities;
use crate::host::{DEFAULT_TIMEOUT_SECONDS, EvaluationOptions, Evaluator};
use crate::request::{AdmissionRequest, Settings};
use crate::response::AdmissionResponse;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Per object `file:line: Kind namespace/name: verdict`, then its findings.
    Text,
    /// One JSON document with a summary, the results and the input errors.
    Json,
    /// JUnit XML, one test case per object.
    Junit,
    /// SARIF 2.1.0, one result per finding.
    Sarif,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set or `TERM=dumb`.
    Auto,
    Always,
    Never,
}

/// `tempo-policy check` flags.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Manifest files and directories (searched recursively for *.yaml, *.yml, *.json); `-` reads stdin.
    #[arg(value_name = "PATHS", required = true)]
    pub paths: Vec<String>,
    /// The annotated policy; default: $TEMPO_POLICY_WASM, else the policy built into this binary.
    #[arg(short = 'p', long = "policy", value_name = "PATH")]
    pub policy: Option<String>,
    /// Policy settings, YAML or JSON (the `settings` of the ClusterAdmissionPolicy).
    #[arg(short = 's', long = "settings", value_name = "FILE")]
    pub settings: Option<String>,
    /// Namespace of objects that do not set metadata.namespace.
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE", default_value = "default")]
    pub namespace: String,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: OutputFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long = "strict")]
    pub strict: bool,
    /// The manifests before the change (files or directories, repeatable): objects in both are
    /// checked as UPDATE with the old object, objects only there as DELETE.
    #[arg(long = "diff-against", value_name = "OLD_PATHS")]
    pub diff_against: Vec<String>,
    /// Colours in the text output.
    #[arg(long = "color", value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Evaluation timeout per object, in seconds (0 disables it).
    #[arg(long = "timeout-eval-seconds", value_name = "N", default_value_t = DEFAULT_TIMEOUT_SECONDS)]
    pub timeout_eval_seconds: u64,
    #[command(flatten)]
    pub cache: crate::commands::CacheArgs,
}

/// Run `check`: always an exit code (0 accepted, 1 rejected, 2 usage or input error); errors
/// are printed here, so that `main`'s generic failure code 1 never means "rejected".
pub fn check(args: &CheckArgs) -> ExitCode {
    match check_report(args) {
        Ok(report) => {
            let code = report.exit_code();
            if let Err(e) = write_report(args, &report) {
                eprintln!("error: cannot write the report: {e}");
                return ExitCode::from(EXIT_INPUT_ERROR);
            }
            ExitCode::from(code)
        }
        Err(message) => {
            // It may quote a path or a setting as given: printable, as the report is.
            eprintln!("error: {}", tempo_policy_check::printable(&message));
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

fn write_report(args: &CheckArgs, report: &Report) -> std::io::Result<()> {
    let text = match args.output {
        OutputFormat::Text => report::text::render(report, use_color(args.color)),
        OutputFormat::Json => report::json::render(report),
        OutputFormat::Junit => report::junit::render(report),
        OutputFormat::Sarif => report::sarif::render(report),
    };
    if args.output != OutputFormat::Text {
        // The machine-readable report may go to a file: say it on stderr too.
        for problem in &report.problems {
            eprintln!("error: {problem}");
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn policy_info(source: &locate::PolicySource, policy: &crate::host::Policy) -> PolicyInfo {
    let annotation =
        |key: &str| policy.metadata().and_then(|m| m.annotations.as_ref()).and_then(|a| a.get(key)).cloned();
    PolicyInfo {
        rules: annotation(crate::annotate::ANNOTATION_USAGE).map(|usage| rules::from_usage(&usage)).unwrap_or_default(),
        path: source.name(),
        title: annotation("io.kubewarden.policy.title"),
        version: annotation("io.kubewarden.policy.version"),
        url: annotation("io.kubewarden.policy.url"),
    }
}

/// Read, evaluate and collect; `Err` for usage errors (no policy, bad settings).
pub fn check_report(args: &CheckArgs) -> Result<Report, String> {
    if args.paths.iter().filter(|p| *p == inputs::STDIN_NAME).count() > 0
        && args.diff_against.iter().any(|p| p == inputs::STDIN_NAME)
    {
        return Err("stdin (`-`) can be read once: give it to PATHS or to --diff-against, not both".to_owned());
    }
    let settings = match &args.settings {
        Some(path) => Settings::load(path).map_err(|e| e.to_string())?,
        None => Settings::default(),
    };
    let source = locate::locate_policy(args.policy.as_deref())?;
    let runtime = args.cache.runtime().map_err(|e| e.to_string())?;
    let bytes = source.read().map_err(|e| e.to_string())?;
    let policy = runtime.load_policy_bytes(&bytes, &source.name()).map_err(|e| e.to_string())?;
    policy.print_cache_note();
    let info = policy_info(&source, &policy);
    let rules = policy.metadata().map(|m| m.rules.clone()).unwrap_or_default();

    let current: Inputs = read_paths(&args.paths);
    let old: Option<Inputs> = (!args.diff_against.is_empty()).then(|| read_paths(&args.diff_against));

    let options = EvaluationOptions {
        timeout_seconds: Some(args.timeout_eval_seconds),
        allow_context_aware: true,
        log: PolicyLog::Discard,
        ..EvaluationOptions::default()
    };
    let evaluator = Evaluator::new(policy, settings, options);
    let verdict = evaluator.validate_settings().map_err(|e| e.to_string())?;
    if !verdict.valid {
        let origin = match args.settings.as_deref() {
            Some(inputs::STDIN_NAME) => "from stdin",
            Some(path) => path,
            None => "{}",
        };
        return Err(format!(
            "the settings {origin} are not valid: {}",
            verdict.message.unwrap_or_else(|| "no reason given".to_owned())
        ));
    }
    // Valid settings may carry advice (an unanchored allow-list pattern).
    if let Some(advice) = verdict.message.filter(|m| !m.is_empty()) {
        eprintln!("warning: settings: {advice}");
    }

    let prepared = Prepared::new(&rules, &current, old.as_ref(), &args.namespace);
    let outcomes = evaluate_all(&evaluator, &prepared.set, &prepared.targets);
    Ok(prepared.finish(info, outcomes, args.strict))
}

/// Evaluate every target, in parallel over the available cores, each on a fresh instance
/// with its own look-up log; results in target order.
fn evaluate_all(evaluator: &Evaluator, set: &Arc<ManifestSet>, targets: &[requests::Target]) -> Vec<Outcome> {
    let one = |index: usize, target: &requests::Target| -> Outcome {
        let lookups = Arc::new(ManifestLookups::new(set.clone()));
        let response = match AdmissionRequest::from_value(admission_request(target, index)) {
            Ok(request) => {
                let caps: Arc<dyn HostCapabilities> = Arc::new(lookups::Host(lookups.clone()));
                evaluator.validate_with(&request, &caps)
            }
            Err(e) => AdmissionResponse::reject_internal_server_error(&requests::uid(index), &e.to_string()),
        };
        Outcome::new(target, &response.answer(), lookups.lookups())
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(targets.len().max(1));
    if workers <= 1 {
        return targets.iter().enumerate().map(|(i, t)| one(i, t)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Outcome>> = vec![None; targets.len()];
    let collected = std::sync::Mutex::new(&mut results);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let outcome = one(i, target);
                    if let Ok(mut results) = collected.lock()
                        && let Some(slot) = results.get_mut(i)
                    {
                        *slot = Some(outcome);
                    }
                }
            });
        }
    });
    results.into_iter().flatten().collect()
}
