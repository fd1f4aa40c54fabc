//! The SARIF 2.1.0 report: one run; the driver's rules are the policy's rules (ids and
//! descriptions from the rule table the policy carries, see [`crate::check::rules`]), one
//! result per finding located at the line of the field it names (see
//! [`crate::check::fields`]; the object's first line when it names none), a `note` result
//! per mutation, input errors as tool execution notifications.
//!
//! Built from `serde-sarif`'s types, which are generated from the SARIF 2.1.0 schema, instead of
//! hand-built JSON; the tests validate the output against that schema
//! (test-data/sarif-schema-2.1.0.json).

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};

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

/// A property bag of named values.
fn bag(values: impl IntoIterator<Item = (&'static str, Value)>) -> PropertyBag {
    let mut bag = PropertyBag::builder().build();
    bag.additional_properties.extend(values.into_iter().map(|(k, v)| (k.to_owned(), v)));
    bag
}

fn text(text: impl Into<String>) -> Message {
    Message::builder().text(text.into()).build()
}

fn location(file: &str, line: usize, logical: Option<(&Outcome, String)>) -> Location {
    let mut artifact = ArtifactLocation::builder().uri(path_uri(file)).build();
    if !file.starts_with('/') {
        artifact.uri_base_id = Some("%SRCROOT%".to_owned());
    }
    let mut physical = PhysicalLocation::builder().artifact_location(artifact).build();
    if line > 0 {
        physical.region = Some(Region::builder().start_line(i64::try_from(line).unwrap_or(i64::MAX)).build());
    }
    let mut location = Location::builder().physical_location(physical).build();
    if let Some((o, name)) = logical {
        location.logical_locations = Some(vec![
            LogicalLocation::builder()
                .name(o.name.clone())
                .fully_qualified_name(name)
                .kind("object".to_owned())
                .build(),
        ]);
    }
    location
}

fn result(
    rule: &str,
    level: ResultLevel,
    message: String,
    location: Location,
    properties: PropertyBag,
    index_of: &dyn Fn(&str) -> Option<usize>,
) -> SarifResult {
    let mut result = SarifResult::builder()
        .rule_id(rule.to_owned())
        .level(level)
        .message(text(message))
        .locations(vec![location])
        .properties(properties)
        .build();
    result.rule_index = index_of(rule).and_then(|i| i64::try_from(i).ok());
    result
}

fn results(o: &Outcome, index_of: &dyn Fn(&str) -> Option<usize>) -> Vec<SarifResult> {
    let object = format!("{} {}", o.kind, o.object_name());
    let fqn = format!("{}/{}", o.kind, o.object_name());
    let mut out = Vec::new();
    for f in &o.findings {
        let rule = f.rule.as_deref().unwrap_or(POLICY_ERROR_RULE);
        let level = match f.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
        };
        out.push(result(
            rule,
            level,
            format!("{object}: {}", f.message),
            location(&f.at.file, f.at.line, Some((o, fqn.clone()))),
            bag([("operation", json!(o.operation)), ("allowed", json!(o.allowed))]),
            index_of,
        ));
    }
    if let Some(patch) = &o.patch {
        out.push(result(
            MUTATION_RULE,
            ResultLevel::Note,
            format!("{object}: defaults filled in: {}", patch_lines(patch).join(", ")),
            location(&o.source.file, o.source.line, Some((o, fqn.clone()))),
            bag([("operation", json!(o.operation)), ("allowed", json!(o.allowed)), ("patch", patch.clone())]),
            index_of,
        ));
    }
    out
}

/// Render the report (pretty-printed, one trailing newline).
pub fn render(report: &Report) -> String {
    let entries = rule_entries(report);
    let index_of = |id: &str| entries.iter().position(|e| e.id == id);
    let help_uri = report.policy.url.clone();
    let rules: Vec<ReportingDescriptor> = entries
        .iter()
        .map(|e| {
            let mut rule = ReportingDescriptor::builder()
                .id(e.id.clone())
                .name(pascal_case(&e.id))
                .short_description(MultiformatMessageString::builder().text(first_sentence(&e.summary)).build())
                .full_description(MultiformatMessageString::builder().text(e.summary.clone()).build())
                .default_configuration(ReportingConfiguration::builder().level(json!(e.level)).build())
                .properties(bag([("rejects", json!(e.default_severity))]))
                .build();
            rule.help_uri = help_uri.as_ref().map(|url| format!("{url}#rules"));
            rule
        })
        .collect();
    let mut driver = ToolComponent::builder()
        .name(report.policy.title.clone().unwrap_or_else(|| "tempo-policy".to_owned()))
        .semantic_version(report.policy.version.clone().unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned()))
        .rules(rules)
        .build();
    driver.information_uri = help_uri;
    let notifications: Vec<Notification> = report
        .problems
        .iter()
        .map(|p| {
            Notification::builder()
                .level(json!("error"))
                .message(text(p.to_string()))
                .locations(vec![location(&p.file, p.line.unwrap_or(0), None)])
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = report.outcomes.iter().flat_map(|o| results(o, &index_of)).collect();
    let invocation = Invocation::builder()
        .execution_successful(report.problems.is_empty())
        .exit_code(i64::from(report.exit_code()))
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .results(results)
        .build();
    let log = Sarif::builder().schema(SARIF_SCHEMA.to_owned()).version(json!("2.1.0")).runs(vec![run]).build();
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
