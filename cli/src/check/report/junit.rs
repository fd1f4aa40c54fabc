//! The JUnit XML report: a `<testsuite>` per input file, a `<testcase>` per object (a
//! `<failure>` when it is rejected, or warned about with `--strict`), a `<testcase>` with an
//! `<error>` per input error. Warnings, patches and notes go to `<system-out>`.
//!
//! Written with `quick-junit` (nextest's JUnit writer), which escapes text and drops what XML 1.0
//! cannot carry; the counts of each suite follow from the statuses of its test cases.

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::patch_lines;
use crate::check::outcome::{Finding, Outcome, Report};

fn finding_text(f: &Finding) -> String {
    match &f.rule {
        Some(rule) => format!("{}[{rule}]: {}", f.severity.as_str(), f.message),
        None => format!("{}: {}", f.severity.as_str(), f.message),
    }
}

/// Where a test case comes from, as the attributes CI systems link from (`file`, `line`).
fn located(case: &mut TestCase, file: &str, line: Option<usize>) {
    case.set_classname(file);
    case.extra.insert("file".into(), file.into());
    if let Some(line) = line {
        case.extra.insert("line".into(), line.to_string().into());
    }
}

fn testcase(o: &Outcome, strict: bool) -> TestCase {
    let operation = if o.operation == "CREATE" { String::new() } else { format!(" ({})", o.operation) };
    let failing: Vec<&Finding> = if !o.allowed {
        o.errors().collect()
    } else if strict {
        o.warnings().collect()
    } else {
        Vec::new()
    };
    let status = match failing.first() {
        Some(first) => {
            let kind = if o.allowed { "warning" } else { "rejected" };
            let message = match &first.rule {
                Some(rule) => format!("{rule}: {}", first.message),
                None => first.message.clone(),
            };
            let body: Vec<String> = failing.iter().map(|f| finding_text(f)).collect();
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(message)
                .set_type(first.rule.as_deref().unwrap_or(kind))
                .set_description(body.join("\n"));
            status
        }
        None => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(format!("{} {}{operation}", o.kind, o.object_name()), status);
    located(&mut case, &o.source.file, Some(o.source.line));
    let mut system_out: Vec<String> = Vec::new();
    // Warnings go to the output unless they are the failure (--strict).
    if !o.allowed || failing.is_empty() {
        system_out.extend(o.warnings().map(finding_text));
    }
    if let Some(patch) = &o.patch {
        system_out.extend(patch_lines(patch).into_iter().map(|l| format!("patch: {l}")));
    }
    system_out.extend(o.missing().map(|l| format!("note: {}: {}", l.request, l.answer)));
    if !system_out.is_empty() {
        case.set_system_out(system_out.join("\n"));
    }
    case
}

fn input_error(file: &str, line: Option<usize>, message: &str) -> TestCase {
    let name = match line {
        Some(line) => format!("{file}:{line}"),
        None => file.to_owned(),
    };
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(message).set_type("input-error").set_description(format!("{name}: {message}"));
    let mut case = TestCase::new(format!("input {name}"), status);
    located(&mut case, file, line);
    case
}

/// Render the report.
pub fn render(report: &Report) -> String {
    let mut suites: Vec<TestSuite> = Vec::new();
    // One suite per input file, in the order files first appear.
    let mut suite = |file: &str| -> usize {
        match suites.iter().position(|s| s.name.as_str() == file) {
            Some(i) => i,
            None => {
                let mut s = TestSuite::new(file);
                s.extra.insert("id".into(), suites.len().to_string().into());
                suites.push(s);
                suites.len() - 1
            }
        }
    };
    let mut cases: Vec<(usize, TestCase)> = Vec::new();
    for o in &report.outcomes {
        cases.push((suite(&o.source.file), testcase(o, report.strict)));
    }
    for p in &report.problems {
        cases.push((suite(&p.file), input_error(&p.file, p.line, &p.message)));
    }
    for (i, case) in cases {
        if let Some(s) = suites.get_mut(i) {
            s.add_test_case(case);
        }
    }
    let mut junit = JunitReport::new("tempo-policy check");
    junit.add_test_suites(suites);
    // Writing to a String cannot fail; an empty report would say so in CI rather than panic.
    junit.to_string().unwrap_or_default()
}
