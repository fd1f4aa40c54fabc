//! What `check` found, as data: one [`Outcome`] per request, with the policy's answer split
//! into findings by rule id; rendered by the `report` modules.

use serde_json::Value;
use tempo_policy::finding::printable;

use super::inputs::{InputProblem, Source};
use super::manifests::Lookup;
use super::requests::Target;

/// The policy's answer to one request, whoever evaluated it: the waPC host's response (CLI) or
/// the engine's answer (playground).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    pub allowed: bool,
    /// The rejection message: findings joined by `"; "`, each starting with its rule id.
    pub message: Option<String>,
    pub warnings: Vec<String>,
    /// The JSON Patch that would be applied; `None` or empty when nothing changes.
    pub patch: Option<Value>,
}

impl Answer {
    /// An answer with the patch that turns `original` into `mutated` (what policy-server sends
    /// the API server for a mutation).
    pub fn with_mutation(mut self, original: Option<&Value>, mutated: Option<&Value>) -> Self {
        if let (Some(original), Some(mutated)) = (original, mutated) {
            let diff = json_patch::diff(original, mutated);
            self.patch = serde_json::to_value(diff).ok();
        }
        self
    }
}

/// Whether a finding rejected the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One finding: `<rule-id>: <message>` from the rejection message or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule id; `None` when the text names no known rule (e.g. the policy failed).
    pub rule: Option<String>,
    pub severity: Severity,
    pub message: String,
    /// The line of the field the finding names (`fields::locate`); the object's first line
    /// until then, or when the message names no field found in the manifests.
    pub at: Source,
    /// The field `at` points to, as a dotted path in the manifest (`spec.storageSize`,
    /// `stringData.endpoint`); `None` when the message names none found in the manifests.
    pub path: Option<String>,
}

/// Does a finding start with `id: `? The policy prefixes every finding with its rule id.
fn is_rule_id(id: &str) -> bool {
    super::rules::looks_like_rule_id(id)
}

fn split_rule(text: &str) -> (Option<String>, String) {
    match text.split_once(": ") {
        Some((id, rest)) if is_rule_id(id) => (Some(id.to_owned()), rest.to_owned()),
        _ => (None, text.to_owned()),
    }
}

/// Split a rejection message into findings: parts joined by `"; "`, each starting with a rule
/// id (a part that does not is glued back to the previous one).
pub fn split_message(message: &str, severity: Severity, at: &Source) -> Vec<Finding> {
    let mut parts: Vec<String> = Vec::new();
    for part in message.split("; ") {
        let starts_with_rule = part.split_once(": ").is_some_and(|(id, _)| is_rule_id(id));
        match parts.last_mut() {
            Some(last) if !starts_with_rule => {
                last.push_str("; ");
                last.push_str(part);
            }
            _ => parts.push(part.to_owned()),
        }
    }
    parts
        .into_iter()
        .map(|p| {
            let (rule, message) = split_rule(&p);
            Finding { rule, severity, message, at: at.clone(), path: None }
        })
        .collect()
}

/// The verdict on one object.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub source: Source,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub operation: &'static str,
    pub allowed: bool,
    /// Rejections first, then warnings, each in the policy's order.
    pub findings: Vec<Finding>,
    /// The JSON Patch that would be applied (accepted with defaults filled in).
    pub patch: Option<Value>,
    /// The look-ups the policy made and how the manifests answered.
    pub lookups: Vec<Lookup>,
}

impl Outcome {
    pub fn new(target: &Target, response: &Answer, lookups: Vec<Lookup>) -> Self {
        let m = &target.manifest;
        let mut findings = Vec::new();
        if !response.allowed {
            let message = response.message.as_deref().unwrap_or("rejected without a message");
            findings.extend(split_message(message, Severity::Error, &m.source));
        }
        for warning in &response.warnings {
            let (rule, message) = split_rule(warning);
            findings.push(Finding { rule, severity: Severity::Warning, message, at: m.source.clone(), path: None });
        }
        Self {
            source: m.source.clone(),
            api_version: m.api_version.clone(),
            kind: m.key.kind.clone(),
            namespace: m.key.namespace.clone(),
            name: m.key.name.clone(),
            operation: target.operation.as_str(),
            allowed: response.allowed,
            findings,
            patch: response.patch.clone().filter(|p| p.as_array().is_some_and(|a| !a.is_empty())),
            lookups,
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn object_name(&self) -> String {
        let name = if self.name.is_empty() { "(no name)" } else { &self.name };
        match &self.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_owned(),
        }
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Warning)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }

    pub fn has_warnings(&self) -> bool {
        self.warnings().next().is_some()
    }

    /// Fails the check: rejected, or (strict) accepted with warnings.
    pub fn fails(&self, strict: bool) -> bool {
        !self.allowed || (strict && self.has_warnings())
    }

    /// Look-ups of objects that are not in the manifests (answered "not found").
    pub fn missing(&self) -> impl Iterator<Item = &Lookup> {
        self.lookups.iter().filter(|l| l.missing)
    }

    /// `accepted`, `accepted with warnings`, `rejected`.
    pub fn verdict(&self) -> &'static str {
        match (self.allowed, self.has_warnings()) {
            (false, _) => "rejected",
            (true, true) => "accepted with warnings",
            (true, false) => "accepted",
        }
    }
}

/// The policy that judged.
#[derive(Debug, Clone, Default)]
pub struct PolicyInfo {
    /// Its rule ids and descriptions (from the usage text it carries; empty when it has none).
    pub rules: Vec<super::rules::RuleDoc>,
    pub path: String,
    /// `io.kubewarden.policy.title`.
    pub title: Option<String>,
    /// `io.kubewarden.policy.version`.
    pub version: Option<String>,
    /// `io.kubewarden.policy.url`.
    pub url: Option<String>,
}

/// Everything a report shows.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub policy: PolicyInfo,
    pub outcomes: Vec<Outcome>,
    pub problems: Vec<InputProblem>,
    /// Files read.
    pub files: usize,
    /// Kubernetes objects read (context included).
    pub objects: usize,
    /// Documents that are not Kubernetes objects (no `kind` or `apiVersion`), skipped.
    pub skipped: usize,
    pub strict: bool,
}

/// Exit status: every object accepted.
pub const EXIT_ACCEPTED: u8 = 0;
/// Exit status: an object rejected (or, with `--strict`, warned about).
pub const EXIT_REJECTED: u8 = 1;
/// Exit status: usage or input errors.
pub const EXIT_INPUT_ERROR: u8 = 2;

impl Report {
    pub fn rejected(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.allowed).count()
    }

    pub fn with_warnings(&self) -> usize {
        self.outcomes.iter().filter(|o| o.has_warnings()).count()
    }

    /// Accepted objects that have warnings (the text summary's "N accepted (M with warnings)").
    pub fn accepted_with_warnings(&self) -> usize {
        self.outcomes.iter().filter(|o| o.allowed && o.has_warnings()).count()
    }

    /// The report with every text it took from its inputs or the policy (file names, kinds,
    /// names, namespaces, messages, field paths, look-ups, input problems, the policy's path and
    /// title) made printable, as the policy makes its own messages (`printable`): a manifest
    /// from a pull request must not rewrite a CI log or a terminal with escape sequences, in any
    /// output format. Called once, last, so that matching by name before it sees the raw names.
    pub fn printable(mut self) -> Self {
        let text = |s: &mut String| {
            if let std::borrow::Cow::Owned(escaped) = printable(s) {
                *s = escaped;
            }
        };
        for o in &mut self.outcomes {
            for s in [&mut o.source.file, &mut o.api_version, &mut o.kind, &mut o.name] {
                text(s);
            }
            if let Some(ns) = &mut o.namespace {
                text(ns);
            }
            for f in &mut o.findings {
                text(&mut f.message);
                text(&mut f.at.file);
                if let Some(rule) = &mut f.rule {
                    text(rule);
                }
                if let Some(path) = &mut f.path {
                    text(path);
                }
            }
            for l in &mut o.lookups {
                text(&mut l.request);
                text(&mut l.answer);
            }
        }
        for p in &mut self.problems {
            text(&mut p.file);
            text(&mut p.message);
        }
        text(&mut self.policy.path);
        for s in [&mut self.policy.title, &mut self.policy.version].into_iter().flatten() {
            text(s);
        }
        self
    }

    pub fn mutated(&self) -> usize {
        self.outcomes.iter().filter(|o| o.patch.is_some()).count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.fails(self.strict)).count()
    }

    /// 2 with input problems, else 1 with a failing object, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.problems.is_empty() {
            EXIT_INPUT_ERROR
        } else if self.failed() > 0 {
            EXIT_REJECTED
        } else {
            EXIT_ACCEPTED
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn splitting_messages() {
        let at = Source { file: "f.yaml".into(), line: 3 };
        let f = split_message(
            "secret-keys: missing \"bucket\"; endpoint: has a path; see \"x\"; internal thing",
            Severity::Error,
            &at,
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].rule.as_deref(), Some("secret-keys"));
        assert_eq!(f[0].message, "missing \"bucket\"");
        assert_eq!(f[1].rule.as_deref(), Some("endpoint"));
        assert_eq!(f[1].message, "has a path; see \"x\"; internal thing");
        assert_eq!(f[1].at, at);
        let f = split_message("internal server error: boom", Severity::Error, &at);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, None);
        assert_eq!(f[0].message, "internal server error: boom");
    }
}
