//! The JSON report: `{policy, summary, results, inputErrors}`, one result per object with its
//! findings, the JSON Patch that would be applied and the look-ups the policy made.

use serde_json::{Value, json};

use crate::outcome::{Outcome, Report};

fn outcome(o: &Outcome) -> Value {
    json!({
        "file": o.source.file,
        "line": o.source.line,
        "apiVersion": o.api_version,
        "kind": o.kind,
        "namespace": o.namespace,
        "name": o.name,
        "operation": o.operation,
        "allowed": o.allowed,
        "verdict": o.verdict(),
        "findings": o.findings.iter().map(|f| json!({
            "rule": f.rule,
            "severity": f.severity.as_str(),
            "message": f.message,
            "path": f.path,
            "file": f.at.file,
            "line": f.at.line,
        })).collect::<Vec<_>>(),
        "patch": o.patch,
        "lookups": o.lookups.iter().map(|l| json!({
            "request": l.request,
            "answer": l.answer,
        })).collect::<Vec<_>>(),
    })
}

/// Render the report (pretty-printed, one trailing newline).
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&value(report)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The report as JSON, before printing (the playground adds to it).
pub fn value(report: &Report) -> Value {
    json!({
        "policy": {
            "path": report.policy.path,
            "title": report.policy.title,
            "version": report.policy.version,
        },
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "skippedDocuments": report.skipped,
            "checked": report.outcomes.len(),
            "accepted": report.outcomes.len() - report.rejected(),
            "rejected": report.rejected(),
            "withWarnings": report.with_warnings(),
            "mutated": report.mutated(),
            "inputErrors": report.problems.len(),
            "strict": report.strict,
            "exitCode": report.exit_code(),
        },
        "results": report.outcomes.iter().map(outcome).collect::<Vec<_>>(),
        "inputErrors": report.problems.iter().map(|p| json!({
            "file": p.file,
            "line": p.line,
            "message": p.message,
        })).collect::<Vec<_>>(),
    })
}
