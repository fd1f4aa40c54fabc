//! The command line: `run`, `annotate`, `inspect` (flags as in kwctl), `check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::annotate::annotate;
use crate::capabilities::{HostCapabilities, NoCluster, Replay};
use crate::check::locate::{PolicySource, locate_policy};
use crate::host::{DEFAULT_TIMEOUT_SECONDS, EvaluationOptions, Evaluator, Runtime, policy_path, read_policy};
use crate::module_cache::ModuleCache;
use crate::request::{AdmissionRequest, Settings};
use crate::response::{Constraints, PolicyMode};
use crate::wasm::{self, METADATA_SECTION};

/// Run, annotate and inspect Kubewarden waPC policies the way policy-server does.
#[derive(Debug, Parser)]
// `--version` names the embedded policy too: `main` sets it from `embedded::version_text()`.
#[command(name = "tempo-policy", about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one admission request, like `kwctl run`: prints one line of
    /// AdmissionResponse JSON; exit 0 even when the request is rejected.
    Run(RunArgs),
    /// Embed metadata.yml (and a usage text) into a policy, like `kwctl annotate`.
    Annotate(AnnotateArgs),
    /// Print the io.kubewarden.metadata of a policy as JSON.
    Inspect(InspectArgs),
    /// Measure the policy against a do-nothing baseline through the same host
    /// (warm and fresh instances, compile time, size, host calls).
    Bench(crate::bench::BenchArgs),
    /// Check plain manifests (files, directories, `-` for stdin) as the cluster would:
    /// exit 0 all accepted, 1 a rejection (--strict: a warning too), 2 usage or input errors.
    Check(crate::check::CheckArgs),
}

/// `--mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Protect,
    Monitor,
}

/// The compiled-module cache flags of `run`, `check` and `bench`.
#[derive(Debug, Clone, Default, Args)]
pub struct CacheArgs {
    /// Compile the policy without reading or writing the compiled-module cache.
    #[arg(long = "no-cache", conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Where compiled policies are cached [default: <user cache dir>/tempo-policy/modules].
    #[arg(long = "cache-dir", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    /// The cache these flags ask for; `None` with `--no-cache`, or without a cache directory.
    pub fn cache(&self) -> Option<ModuleCache> {
        if self.no_cache {
            return None;
        }
        self.cache_dir.clone().or_else(ModuleCache::default_dir).map(ModuleCache::new)
    }

    /// A runtime compiling through that cache.
    pub fn runtime(&self) -> Result<Runtime, crate::host::HostError> {
        Ok(Runtime::new()?.with_cache(self.cache()))
    }
}

/// `tempo-policy run` flags (a subset of `kwctl run`'s, same names).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// AdmissionRequest or AdmissionReview, JSON or YAML; `-` reads stdin.
    #[arg(short = 'r', long = "request-path", value_name = "FILE", default_value = "-")]
    pub request_path: String,
    /// Settings file, JSON or YAML (an object or null).
    #[arg(short = 's', long = "settings-path", value_name = "FILE", conflicts_with = "settings_json")]
    pub settings_path: Option<String>,
    /// Settings as inline JSON.
    #[arg(long = "settings-json", value_name = "JSON")]
    pub settings_json: Option<String>,
    /// Grant the contextAwareResources listed in the policy's metadata.
    #[arg(long = "allow-context-aware")]
    pub allow_context_aware: bool,
    /// Answer host-capability calls from a kwctl replay file (FIFO).
    #[arg(long = "replay-host-capabilities-interactions", value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// protect: the policy's verdict counts; monitor: always allowed, no patch.
    #[arg(long = "mode", value_enum, default_value = "protect")]
    pub mode: ModeArg,
    /// Evaluation timeout in seconds (policy-server default 2; 0 disables it).
    #[arg(long = "timeout-eval-seconds", value_name = "N", default_value_t = DEFAULT_TIMEOUT_SECONDS)]
    pub timeout_eval_seconds: u64,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Policy module: a path or file:///abs/path.wasm (must be annotated); default:
    /// $TEMPO_POLICY_WASM, else the policy built into this binary.
    #[arg(value_name = "POLICY")]
    pub policy: Option<String>,
}

/// `tempo-policy annotate` flags (as `kwctl annotate`).
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// metadata.yml to embed.
    #[arg(short = 'm', long = "metadata-path", value_name = "FILE")]
    pub metadata_path: PathBuf,
    /// Usage text (markdown) to embed as io.kubewarden.policy.usage.
    #[arg(short = 'u', long = "usage-path", value_name = "FILE")]
    pub usage_path: Option<PathBuf>,
    /// Where to write the annotated module.
    #[arg(short = 'o', long = "output-path", value_name = "FILE")]
    pub output_path: PathBuf,
    /// The policy module to annotate.
    #[arg(value_name = "WASM")]
    pub wasm: PathBuf,
}

/// `tempo-policy inspect` flags.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A path or file:///abs/path.wasm; default: $TEMPO_POLICY_WASM, else the policy built into
    /// this binary.
    #[arg(value_name = "POLICY")]
    pub policy: Option<String>,
}

/// Run a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Annotate(args) => annotate_cmd(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Check(args) => Ok(crate::check::check(&args)),
        Command::Bench(args) => crate::bench::execute(&args, None, &crate::bench::invocation("tempo-policy", 1)),
    }
}

/// The POLICY argument of `run` and `inspect` (read as kwctl does), or else `check`'s default.
fn policy_source(arg: Option<&str>) -> anyhow::Result<PolicySource> {
    match arg {
        Some(arg) => Ok(PolicySource::File(policy_path(arg)?)),
        None => locate_policy(None).map_err(anyhow::Error::msg),
    }
}

fn load_settings(args: &RunArgs) -> anyhow::Result<Settings> {
    Ok(match (&args.settings_path, &args.settings_json) {
        (Some(path), _) => Settings::load(path)?,
        (None, Some(json)) => Settings::from_text(json, "--settings-json")?,
        (None, None) => Settings::default(),
    })
}

/// `tempo-policy run`.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let source = policy_source(args.policy.as_deref())?;
    let request = AdmissionRequest::load(&args.request_path)?;
    let settings = load_settings(args)?;
    let capabilities: Arc<dyn HostCapabilities> = match &args.replay {
        Some(file) => Arc::new(Replay::load(file)?),
        None => Arc::new(NoCluster),
    };

    let runtime = args.cache.runtime()?;
    let policy = runtime.load_policy_bytes(&source.read()?, &source.name())?;
    policy.print_cache_note();
    let options = EvaluationOptions {
        constraints: Constraints {
            mode: match args.mode {
                ModeArg::Protect => PolicyMode::Protect,
                ModeArg::Monitor => PolicyMode::Monitor,
            },
            ..Constraints::default()
        },
        timeout_seconds: Some(args.timeout_eval_seconds),
        allow_context_aware: args.allow_context_aware,
        capabilities,
        ..EvaluationOptions::default()
    };
    let evaluator = Evaluator::new(policy, settings, options);

    let verdict = evaluator.validate_settings()?;
    if !verdict.valid {
        bail!("Provided settings are not valid: {}", verdict.message.unwrap_or_default());
    }
    // Valid settings may carry advice (an unanchored allow-list pattern).
    if let Some(advice) = verdict.message.filter(|m| !m.is_empty()) {
        eprintln!("warning: settings: {advice}");
    }
    let response = evaluator.validate(&request);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", response.to_json_line()).context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    for warning in evaluator.finish() {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

/// `tempo-policy annotate`.
pub fn annotate_cmd(args: &AnnotateArgs) -> anyhow::Result<ExitCode> {
    let metadata = read_text(&args.metadata_path, "metadata file")?;
    let usage = args.usage_path.as_deref().map(|p| read_text(p, "usage file")).transpose()?;
    let module = read_policy(&args.wasm)?;
    let runtime = Runtime::new()?;
    let annotated = annotate(
        &runtime,
        &module,
        &args.wasm.display().to_string(),
        &metadata,
        &args.metadata_path.display().to_string(),
        usage.as_deref(),
    )?;
    std::fs::write(&args.output_path, annotated)
        .with_context(|| format!("cannot write {}", args.output_path.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// `tempo-policy inspect`.
pub fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let source = policy_source(args.policy.as_deref())?;
    let module = source.read()?;
    let name = source.name();
    let Some(section) = wasm::read_custom_section(&module, METADATA_SECTION)
        .with_context(|| format!("{name} is not a WebAssembly module"))?
    else {
        bail!("{name} has no {METADATA_SECTION} section: it is not annotated (run `tempo-policy annotate`)");
    };
    let value: serde_json::Value = serde_json::from_slice(section)
        .with_context(|| format!("{name}: the {METADATA_SECTION} section is not JSON"))?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(ExitCode::SUCCESS)
}
