//! The JUnit XML report: a `<testsuite>` per input file, a `<testcase>` per object (a
//! `<failure>` when it is rejected, or warned about with `--strict`), a `<testcase>` with an
//! `<error>` per input error. Warnings, patches and notes go to `<system-out>`.

use std::fmt::Write as _;

use super::patch_lines;
use crate::check::outcome::{Finding, Outcome, Report};

/// Escape text for XML 1.0 content and attribute values; characters XML 1.0 cannot carry
/// become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn finding_text(f: &Finding) -> String {
    match &f.rule {
        Some(rule) => format!("{}[{rule}]: {}", f.severity.as_str(), f.message),
        None => format!("{}: {}", f.severity.as_str(), f.message),
    }
}

struct Suite<'a> {
    file: &'a str,
    outcomes: Vec<&'a Outcome>,
    errors: Vec<(Option<usize>, &'a str)>,
}

fn testcase(out: &mut String, o: &Outcome, strict: bool) {
    let operation = if o.operation == "CREATE" { String::new() } else { format!(" ({})", o.operation) };
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
        escape(&format!("{} {}{operation}", o.kind, o.object_name())),
        escape(&o.source.file),
        escape(&o.source.file),
        o.source.line
    );
    let failing: Vec<&Finding> = if !o.allowed {
        o.errors().collect()
    } else if strict {
        o.warnings().collect()
    } else {
        Vec::new()
    };
    let mut system_out: Vec<String> = Vec::new();
    // Warnings go to the output unless they are the failure (--strict).
    if !o.allowed || failing.is_empty() {
        system_out.extend(o.warnings().map(finding_text));
    }
    if let Some(patch) = &o.patch {
        system_out.extend(patch_lines(patch).into_iter().map(|l| format!("patch: {l}")));
    }
    system_out.extend(o.missing().map(|l| format!("note: {}: {}", l.request, l.answer)));
    if failing.is_empty() && system_out.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some(first) = failing.first() {
        let kind = if o.allowed { "warning" } else { "rejected" };
        let message = match &first.rule {
            Some(rule) => format!("{rule}: {}", first.message),
            None => first.message.clone(),
        };
        let body: Vec<String> = failing.iter().map(|f| finding_text(f)).collect();
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape(&message),
            escape(first.rule.as_deref().unwrap_or(kind)),
            escape(&body.join("\n"))
        );
    }
    if !system_out.is_empty() {
        let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&system_out.join("\n")));
    }
    out.push_str("    </testcase>\n");
}

/// Render the report.
pub fn render(report: &Report) -> String {
    let mut suites: Vec<Suite> = Vec::new();
    let suite_of = |suites: &mut Vec<Suite<'_>>, file: &str| -> usize {
        match suites.iter().position(|s| s.file == file) {
            Some(i) => i,
            None => {
                suites.push(Suite { file: "", outcomes: Vec::new(), errors: Vec::new() });
                suites.len() - 1
            }
        }
    };
    for o in &report.outcomes {
        let i = suite_of(&mut suites, &o.source.file);
        if let Some(s) = suites.get_mut(i) {
            s.file = &o.source.file;
            s.outcomes.push(o);
        }
    }
    for p in &report.problems {
        let i = suite_of(&mut suites, &p.file);
        if let Some(s) = suites.get_mut(i) {
            s.file = &p.file;
            s.errors.push((p.line, &p.message));
        }
    }
    let tests: usize = report.outcomes.len() + report.problems.len();
    let failures = report.failed();
    let errors = report.problems.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tempo-policy check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for (id, suite) in suites.iter().enumerate() {
        let failures = suite.outcomes.iter().filter(|o| o.fails(report.strict)).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" skipped=\"0\">",
            escape(suite.file),
            suite.outcomes.len() + suite.errors.len(),
            suite.errors.len()
        );
        for o in &suite.outcomes {
            testcase(&mut out, o, report.strict);
        }
        for (line, message) in &suite.errors {
            let name = match line {
                Some(line) => format!("{}:{line}", suite.file),
                None => suite.file.to_owned(),
            };
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
                escape(&format!("input {name}")),
                escape(suite.file),
                escape(suite.file)
            );
            if let Some(line) = line {
                let _ = write!(out, " line=\"{line}\"");
            }
            let _ = writeln!(out, ">");
            let _ = writeln!(
                out,
                "      <error message=\"{}\" type=\"input-error\">{}</error>",
                escape(message),
                escape(&format!("{name}: {message}"))
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c'\u{1}\n"), "a&lt;b&gt;&amp;&quot;c&apos;\u{fffd}\n");
    }
}
