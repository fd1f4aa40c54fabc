//! The SARIF 2.1.0 report: one run; the driver's rules are the policy's rules (ids and
//! descriptions from the rule table the policy carries, see [`crate::check::rules`]), one
//! result per finding located at the line of the field it names (see
//! [`crate::check::fields`]; the object's first line when it names none), a `note` result
//! per mutation, input errors as tool execution notifications.

use serde_json::{Value, json};

use super::patch_lines;
use crate::check::outcome::{Outcome, Report, Severity};

/// The schema URI written into the log.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Rule id of a finding whose text names no rule (e.g. the policy failed).
pub const POLICY_ERROR_RULE: &str = "policy-error";

/// Rule id of the mutation results.
pub const MUTATION_RULE: &str = "mutation";

/// `storage-spec` → `StorageSpec`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => text.get(..=i).unwrap_or(text),
        None => text,
    }
}

struct RuleEntry {
    id: String,
    summary: String,
    level: &'static str,
    default_severity: String,
}

/// The policy's rules, then any rule id a finding names that the table lacks (a policy
/// annotated without its usage text), then the two ids of this report.
fn rule_entries(report: &Report) -> Vec<RuleEntry> {
    let mut entries: Vec<RuleEntry> = report
        .policy
        .rules
        .iter()
        .map(|r| RuleEntry {
            id: r.id.clone(),
            summary: r.summary.clone(),
            level: if r.rejects == "warning" { "warning" } else { "error" },
            default_severity: r.rejects.clone(),
        })
        .collect();
    for o in &report.outcomes {
        for f in &o.findings {
            if let Some(id) = &f.rule
                && !entries.iter().any(|e| &e.id == id)
            {
                entries.push(RuleEntry {
                    id: id.clone(),
                    summary: format!("Rule {id} of the policy (its description is in the policy's usage text)."),
                    level: "error",
                    default_severity: "unknown".to_owned(),
                });
            }
        }
    }
    entries.push(RuleEntry {
        id: POLICY_ERROR_RULE.to_owned(),
        summary: "The policy could not evaluate the object (an internal error of the policy or its host).".to_owned(),
        level: "error",
        default_severity: "yes".to_owned(),
    });
    entries.push(RuleEntry {
        id: MUTATION_RULE.to_owned(),
        summary: "The object is accepted and the policy fills in defaults; the result shows the JSON Patch that would be applied.".to_owned(),
        level: "note",
        default_severity: "never (information)".to_owned(),
    });
    entries
}

/// A relative path as a URI reference (percent-encoded), an absolute one as a `file://` URI.
pub fn path_uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            encoded.push(c);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') { format!("file://{encoded}") } else { encoded }
}

/// Adds a member to a JSON object built just before (indexing would panic on anything else).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(members) = object.as_object_mut() {
        members.insert(key.to_owned(), value);
    }
}

fn location(file: &str, line: usize, logical: Option<(&Outcome, String)>) -> Value {
    let mut artifact = json!({"uri": path_uri(file)});
    if !file.starts_with('/') {
        set(&mut artifact, "uriBaseId", json!("%SRCROOT%"));
    }
    let mut physical = json!({"artifactLocation": artifact});
    if line > 0 {
        set(&mut physical, "region", json!({"startLine": line}));
    }
    let mut loc = json!({"physicalLocation": physical});
    if let Some((o, name)) = logical {
        set(&mut loc, "logicalLocations", json!([{"name": o.name, "fullyQualifiedName": name, "kind": "object"}]));
    }
    loc
}

fn results(o: &Outcome, index_of: &dyn Fn(&str) -> Option<usize>) -> Vec<Value> {
    let object = format!("{} {}", o.kind, o.object_name());
    let fqn = format!("{}/{}", o.kind, o.object_name());
    let mut out = Vec::new();
    for f in &o.findings {
        let rule = f.rule.as_deref().unwrap_or(POLICY_ERROR_RULE);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut result = json!({
            "ruleId": rule,
            "level": level,
            "message": {"text": format!("{object}: {}", f.message)},
            "locations": [location(&f.at.file, f.at.line, Some((o, fqn.clone())))],
            "properties": {"operation": o.operation, "allowed": o.allowed},
        });
        if let Some(i) = index_of(rule) {
            set(&mut result, "ruleIndex", json!(i));
        }
        out.push(result);
    }
    if let Some(patch) = &o.patch {
        let mut result = json!({
            "ruleId": MUTATION_RULE,
            "level": "note",
            "message": {"text": format!("{object}: defaults filled in: {}", patch_lines(patch).join(", "))},
            "locations": [location(&o.source.file, o.source.line, Some((o, fqn.clone())))],
            "properties": {"operation": o.operation, "allowed": o.allowed, "patch": patch},
        });
        if let Some(i) = index_of(MUTATION_RULE) {
            set(&mut result, "ruleIndex", json!(i));
        }
        out.push(result);
    }
    out
}

/// Render the report (pretty-printed, one trailing newline).
pub fn render(report: &Report) -> String {
    let entries = rule_entries(report);
    let index_of = |id: &str| entries.iter().position(|e| e.id == id);
    let help_uri = report.policy.url.clone();
    let rules: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut rule = json!({
                "id": e.id,
                "name": pascal_case(&e.id),
                "shortDescription": {"text": first_sentence(&e.summary)},
                "fullDescription": {"text": e.summary},
                "defaultConfiguration": {"level": e.level},
                "properties": {"rejects": e.default_severity},
            });
            if let Some(url) = &help_uri {
                set(&mut rule, "helpUri", json!(format!("{url}#rules")));
            }
            rule
        })
        .collect();
    let mut driver = json!({
        "name": report.policy.title.clone().unwrap_or_else(|| "tempo-policy".to_owned()),
        "semanticVersion": report.policy.version.clone().unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned()),
        "rules": rules,
    });
    if let Some(url) = &help_uri {
        set(&mut driver, "informationUri", json!(url));
    }
    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            json!({
                "level": "error",
                "message": {"text": p.to_string()},
                "locations": [location(&p.file, p.line.unwrap_or(0), None)],
            })
        })
        .collect();
    let results: Vec<Value> = report.outcomes.iter().flat_map(|o| results(o, &index_of)).collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "invocations": [{
                "executionSuccessful": report.problems.is_empty(),
                "exitCode": report.exit_code(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("storage-spec"), "StorageSpec");
        assert_eq!(path_uri("examples/a b.yaml"), "examples/a%20b.yaml");
        assert_eq!(path_uri("/tmp/x#1.yaml"), "file:///tmp/x%231.yaml");
        assert_eq!(first_sentence("One. Two."), "One.");
        let mut report = Report::default();
        report.policy.rules = crate::check::rules::from_usage(
            "<!-- rules:start -->\n| `secret-keys` | yes | A key. |\n| `unused-keys` | warning | Keys. |\n<!-- rules:end -->",
        );
        let entries = rule_entries(&report);
        assert!(entries.iter().any(|e| e.id == "secret-keys" && e.level == "error"));
        assert!(entries.iter().any(|e| e.id == "unused-keys" && e.level == "warning"));
        assert_eq!(entries.len(), 4);
    }
}
