//! The text report: per object `file:line: Kind namespace/name: verdict`, then one indented
//! line per finding, `error[rule-id] file:line: ...` or `warning[rule-id] file:line: ...` at the
//! line of the field it names (a `file:line` editors and terminals open), the patch that would be
//! applied, and look-ups the manifests could not answer; input errors; a summary.

use std::fmt::Write as _;

use super::{count, patch_lines};
use crate::check::outcome::{Finding, Outcome, Report, Severity};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, codes: &str, text: &str) -> String {
        if self.color { format!("{codes}{text}{RESET}") } else { text.to_owned() }
    }
}

fn finding_line(style: &Style, f: &Finding) -> String {
    let (label, codes) = match f.severity {
        Severity::Error => ("error", RED),
        Severity::Warning => ("warning", YELLOW),
    };
    let head = match &f.rule {
        Some(rule) => format!("{label}[{rule}]"),
        None => label.to_owned(),
    };
    format!("    {} {}: {}", style.paint(codes, &head), f.at, f.message)
}

fn outcome(out: &mut String, style: &Style, o: &Outcome, strict: bool) {
    let operation = if o.operation == "CREATE" { String::new() } else { format!(" ({})", o.operation) };
    let verdict = o.verdict();
    let codes = if !o.allowed {
        format!("{BOLD}{RED}")
    } else if o.has_warnings() {
        if strict { format!("{BOLD}{YELLOW}") } else { YELLOW.to_owned() }
    } else {
        GREEN.to_owned()
    };
    let _ = writeln!(out, "{}: {} {}{operation}: {}", o.source, o.kind, o.object_name(), style.paint(&codes, verdict));
    for f in &o.findings {
        let _ = writeln!(out, "{}", finding_line(style, f));
    }
    if let Some(patch) = &o.patch {
        for line in patch_lines(patch) {
            let _ = writeln!(out, "    {}: {line}", style.paint(CYAN, "patch"));
        }
    }
    for lookup in o.missing() {
        let _ = writeln!(out, "    {}", style.paint(DIM, &format!("note: {}: {}", lookup.request, lookup.answer)));
    }
}

/// Render the report.
pub fn render(report: &Report, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for o in &report.outcomes {
        outcome(&mut out, &style, o, report.strict);
    }
    for problem in &report.problems {
        let _ = writeln!(out, "{}: {problem}", style.paint(&format!("{BOLD}{RED}"), "input error"));
    }
    if !report.outcomes.is_empty() || !report.problems.is_empty() {
        out.push('\n');
    }
    let accepted = report.outcomes.len() - report.rejected();
    let mut summary = format!(
        "{} checked ({} read from {}): {} accepted",
        count(report.outcomes.len(), "object", "objects"),
        count(report.objects, "object", "objects"),
        count(report.files, "file", "files"),
        accepted
    );
    let mut details = Vec::new();
    if report.accepted_with_warnings() > 0 {
        details.push(format!("{} with warnings", report.accepted_with_warnings()));
    }
    if report.mutated() > 0 {
        details.push(format!("{} mutated", report.mutated()));
    }
    if !details.is_empty() {
        let _ = write!(summary, " ({})", details.join(", "));
    }
    let _ = write!(summary, ", {} rejected", report.rejected());
    if !report.problems.is_empty() {
        let _ = write!(summary, "; {}", count(report.problems.len(), "input error", "input errors"));
    }
    if report.skipped > 0 {
        let _ =
            write!(summary, "; {} without kind or apiVersion skipped", count(report.skipped, "document", "documents"));
    }
    if report.strict && report.with_warnings() > 0 {
        summary.push_str("; --strict: warnings fail");
    }
    let _ = writeln!(out, "{}", style.paint(BOLD, &summary));
    let policy = &report.policy;
    let name = match (&policy.title, &policy.version) {
        (Some(t), Some(v)) => format!(" ({t} {v})"),
        (Some(t), None) => format!(" ({t})"),
        _ => String::new(),
    };
    let _ = writeln!(out, "{}", style.paint(DIM, &format!("policy: {}{name}", policy.path)));
    out
}
