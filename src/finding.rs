//! Findings: what a rule reports, as data, rendered later into admission responses, CLI text, JSON or SARIF.

use crate::rules::Rule;
use std::fmt;

/// Whether a finding stops the request or only travels back as a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warn,
    Reject,
}

impl Severity {
    /// Reject in production (or when the caller asks for it), warn elsewhere: several rules
    /// (`insecure-endpoint`, `static-credentials`) take their severity from where the object lives.
    pub fn reject_if(reject: bool) -> Self {
        if reject { Severity::Reject } else { Severity::Warn }
    }
}

/// One thing a rule found wrong. `message` never contains a secret value: rules name keys,
/// never their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// Where the problem is, e.g. `spec.storage.secret.name` or `Secret tempo-s3 key "endpoint"`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.id(), self.message)
    }
}

/// The findings of one evaluation, in the order the rules produced them.
#[derive(Debug, Default, Clone)]
pub struct Findings(Vec<Finding>);

impl Findings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, rule: Rule, severity: Severity, path: impl Into<String>, message: impl Into<String>) {
        let message = message.into();
        // A rejection joins findings with "; ", so a finding must not contain it itself.
        debug_assert!(!message.contains("; "), "finding message contains \"; \": {message}");
        self.0.push(Finding { rule, severity, path: path.into(), message });
    }

    pub fn reject(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.push(rule, Severity::Reject, path, message);
    }

    pub fn warn(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.push(rule, Severity::Warn, path, message);
    }

    pub fn extend(&mut self, other: Findings) {
        self.0.extend(other.0);
    }

    pub fn rejects(&self) -> bool {
        self.0.iter().any(|f| f.severity == Severity::Reject)
    }

    pub fn has(&self, rule: Rule) -> bool {
        self.0.iter().any(|f| f.rule == rule)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.0
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::slice::Iter<'a, Finding>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
