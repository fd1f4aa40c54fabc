//! `tempo-policy check` end to end through the binary and the compiled, annotated policy:
//! manifest sets from `test-data/manifests/`, golden reports per format
//! (`test-data/manifests/golden/`, regenerate with `UPDATE_GOLDEN=1`), the SARIF report
//! against the official SARIF 2.1.0 schema (`tests/schemas/`), the JUnit report parsed as
//! XML, exit codes, and no secret value in any report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::annotated_policy;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Run the binary from the repository root (so that report paths are relative).
fn check_with(args: &[&str], stdin: Option<&str>, env: &[(&str, Option<&str>)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tempo-policy"));
    cmd.current_dir(root()).arg("check").args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `check --policy <annotated policy> ARGS`.
fn check(args: &[&str], stdin: Option<&str>) -> Output {
    let policy = annotated_policy();
    let mut all = vec!["--policy", policy.to_str().unwrap()];
    all.extend_from_slice(args);
    check_with(&all, stdin, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// The report with the policy's path replaced (it depends on the checkout).
fn normalised(o: &Output) -> String {
    stdout(o).replace(annotated_policy().to_str().unwrap(), "<policy>")
}

fn golden(name: &str, actual: &str) {
    let path = root().join("test-data/manifests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (create it with UPDATE_GOLDEN=1)", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs from the output (first differing line {:?}); regenerate with UPDATE_GOLDEN=1 after review.\n--- actual ---\n{actual}",
            path.display(),
            first.map(|i| i + 1)
        );
    }
}

const SETTINGS: &str = "test-data/manifests/settings.yml";

/// The seeds' stacks, a Kustomize stream, a List and a JSON file.
const SET: &[&str] = &[
    "--settings",
    SETTINGS,
    "--namespace",
    "tempo-pv",
    "test-data/manifests/seeds",
    "test-data/manifests/kustomize-stream.yaml",
    "test-data/manifests/list.yaml",
    "test-data/manifests/stack.json",
];

fn set_with(output: &str) -> Output {
    let mut args = SET.to_vec();
    args.extend(["--output", output]);
    check(&args, None)
}

#[test]
fn text_report_of_the_manifest_set() {
    let o = set_with("text");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    // Every object the policy is registered for, with file and line; context kinds are not.
    for expected in [
        "test-data/manifests/seeds/minio.yaml:19: TempoStack tempo-minio/simplest: accepted with warnings",
        "test-data/manifests/seeds/aws-s3-monolithic.yaml:14: Secret tempo-aws-s3/s3-secret: accepted",
        "test-data/manifests/seeds/pv-monolithic.yaml:2: TempoMonolithic tempo-pv/simplest: accepted",
        "    patch: add /spec/storage/traces/size \"10Gi\"",
        "test-data/manifests/kustomize-stream.yaml:24: Secret tracing-eu/minio-b8f5t6c4m2: rejected",
        "    error[insecure-endpoint] test-data/manifests/kustomize-stream.yaml:",
        "test-data/manifests/list.yaml:17: TempoStack from-list/tracing: rejected",
        "test-data/manifests/stack.json:12: TempoMonolithic from-json/traces: rejected",
        "    error[gcs-key] test-data/manifests/stack.json:10: ",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("Namespace tempo-minio:"), "{text}");
    assert!(text.contains("15 objects checked (17 objects read from 7 files)"), "{text}");
    golden("set.text.golden", &text);
}

#[test]
fn json_report_of_the_manifest_set() {
    let o = set_with("json");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["summary"]["exitCode"], 1);
    assert_eq!(report["summary"]["checked"], 15);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 15);
    let pv = results.iter().find(|r| r["namespace"] == "tempo-pv").unwrap();
    assert_eq!(pv["patch"][1], serde_json::json!({"op": "add", "path": "/spec/storage/traces/size", "value": "10Gi"}));
    // Every look-up is reported with how the manifests answered it.
    let secret = results.iter().find(|r| r["name"] == "minio-b8f5t6c4m2").unwrap();
    assert!(
        secret["lookups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["request"] == "list tempo.grafana.com/v1alpha1/TempoMonolithic in tracing-eu"
                && l["answer"] == "1 items"),
        "{secret}"
    );
    golden("set.json.golden", &text);
}

// --- SARIF -------------------------------------------------------------------------------

fn sarif_schema() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The schema is the whole official one, and it refuses what SARIF 2.1.0 refuses.
#[test]
fn the_sarif_schema_refuses_invalid_logs() {
    let schema = sarif_schema();
    assert_eq!(schema["title"], "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    let validator = jsonschema::draft7::options().should_validate_formats(true).build(&schema).unwrap();
    let valid = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]});
    assert!(validator.is_valid(&valid));
    for invalid in [
        serde_json::json!({"version": "2.0.0", "runs": []}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}),
    ] {
        assert!(!validator.is_valid(&invalid), "{invalid}");
    }
}

fn assert_valid_sarif(log: &Value) {
    let schema = sarif_schema();
    let validator = jsonschema::draft7::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF report not valid against the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in rules {
        assert!(!rule["shortDescription"]["text"].as_str().unwrap().is_empty(), "{rule}");
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty(), "{rule}");
    }
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id, "ruleIndex of {result}");
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(root().join(uri).is_file(), "{uri} is not a file of the repository");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn sarif_report_is_valid_and_uses_the_rule_registry() {
    let o = set_with("sarif");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&log);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    // The rule table of the usage text the policy carries (generated from the rule registry,
    // `tests/integration/docs.rs` keeps them equal), in its order, then the report's own two ids.
    let readme = std::fs::read_to_string(root().join("docs/usage.md")).unwrap();
    let table = readme.split("<!-- rules:start -->").nth(1).unwrap().split("<!-- rules:end -->").next().unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    assert!(rows.len() >= 18, "{rows:?}");
    assert_eq!(rules.len(), rows.len() + 2);
    for (rule, row) in rules.iter().zip(&rows) {
        let id = rule["id"].as_str().unwrap();
        let summary = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(row.starts_with(&format!("| `{id}` | ")) && row.ends_with(&format!(" | {summary} |")), "{row}");
    }
    assert_eq!(rules[rows.len()]["id"], "policy-error");
    assert_eq!(rules[rows.len() + 1]["id"], "mutation");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let gcs = results.iter().find(|r| r["ruleId"] == "gcs-key").unwrap();
    assert_eq!(gcs["level"], "error");
    assert_eq!(gcs["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "test-data/manifests/stack.json");
    // The line of `key.json` in the Secret (the List item starts on line 5).
    assert_eq!(gcs["locations"][0]["physicalLocation"]["region"]["startLine"], 10);
    assert!(results.iter().any(|r| r["ruleId"] == "insecure-endpoint" && r["level"] == "warning"));
    assert!(results.iter().any(|r| r["ruleId"] == "mutation" && r["level"] == "note"));
    golden("set.sarif.golden", &text);
}

#[test]
fn sarif_with_input_errors_is_valid_too() {
    let o = check(&["--output", "sarif", "--settings", SETTINGS, "test-data/manifests/broken-among-good.yaml"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid_sarif(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        22
    );
    // Also on stderr, for when the report goes to a file.
    assert!(
        stderr(&o).contains("error: test-data/manifests/broken-among-good.yaml:22: not valid YAML"),
        "{}",
        stderr(&o)
    );
}

// --- JUnit -------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.all(name, out);
        }
    }

    fn find_all(&self, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }

    fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).unwrap_or_else(|| panic!("<{}> has no {name}: {:?}", self.name, self.attrs))
    }

    fn count(&self, name: &str) -> usize {
        self.attr(name).parse().unwrap()
    }
}

/// Parse XML into a tree; panics on anything that is not well-formed.
fn parse_xml(text: &str) -> Node {
    use quick_xml::events::{BytesStart, Event};
    let element = |e: &BytesStart| Node {
        name: e.name().as_ref().to_owned(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_owned(),
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned(),
                )
            })
            .collect(),
        ..Node::default()
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut declaration = false;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML at {}: {e}", reader.buffer_position()))
        {
            Event::Decl(_) => declaration = true,
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let node = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let c = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity &{other};"),
                };
                stack.last_mut().unwrap().text.push_str(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(declaration, "no XML declaration");
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

#[test]
fn junit_report_is_well_formed_with_one_case_per_object() {
    let o = set_with("junit");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    let root = parse_xml(&text);
    assert_eq!(root.name, "testsuites");
    let suites = root.find_all("testsuite");
    let cases = root.find_all("testcase");
    assert_eq!(cases.len(), 15);
    assert_eq!(root.count("tests"), 15);
    assert_eq!(root.count("failures"), root.find_all("failure").len());
    assert_eq!(root.count("errors"), 0);
    for suite in &suites {
        assert!(suite.children.iter().all(|c| c.name == "testcase"), "{suite:?}");
        assert_eq!(suite.count("tests"), suite.children.len());
        assert_eq!(suite.count("failures"), suite.find_all("failure").len());
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(suite.attr("name")).is_file());
    }
    for case in &cases {
        assert!(!case.attr("name").is_empty() && !case.attr("classname").is_empty());
        assert!(case.children.iter().all(|c| c.name == "failure" || c.name == "system-out"), "{case:?}");
        assert!(case.find_all("failure").len() <= 1);
    }
    let gcs = cases.iter().find(|c| c.attr("name") == "Secret from-json/tempo-gcs").unwrap();
    let failure = &gcs.find_all("failure")[0];
    assert_eq!(failure.attr("type"), "bucket-name");
    assert!(failure.text.contains("error[gcs-key]: "), "{failure:?}");
    golden("set.junit.golden", &text);
}

#[test]
fn junit_counts_input_errors_and_strict_warnings() {
    let o = check(&["--output", "junit", "--settings", SETTINGS, "test-data/manifests/broken-among-good.yaml"], None);
    assert_eq!(code(&o), 2);
    let root = parse_xml(&stdout(&o));
    assert_eq!(root.count("errors"), 1);
    assert_eq!(root.find_all("error")[0].attr("type"), "input-error");
    let o =
        check(&["--output", "junit", "--strict", "--settings", SETTINGS, "test-data/manifests/seeds/minio.yaml"], None);
    assert_eq!(code(&o), 1);
    let root = parse_xml(&stdout(&o));
    assert_eq!(root.count("failures"), 2);
    assert!(root.find_all("failure").iter().all(|f| f.attr("type") == "insecure-endpoint"));
}

// --- Exit codes and inputs -----------------------------------------------------------------

#[test]
fn broken_document_among_good_ones() {
    let o = check(&["--settings", SETTINGS, "test-data/manifests/broken-among-good.yaml"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let text = normalised(&o);
    assert!(text.contains("input error: test-data/manifests/broken-among-good.yaml:22: not valid YAML"), "{text}");
    // The documents around it are still checked.
    assert!(text.contains("broken-among-good.yaml:3: Secret broken-doc/tempo-s3: accepted"), "{text}");
    assert!(text.contains("broken-among-good.yaml:24: TempoStack broken-doc/tracing: accepted"), "{text}");
    golden("broken.text.golden", &text);
}

#[test]
fn exit_codes() {
    // Accepted with warnings: 0; --strict: 1.
    let good = ["--settings", SETTINGS, "test-data/manifests/seeds/minio.yaml"];
    assert_eq!(code(&check(&good, None)), 0);
    let mut strict = good.to_vec();
    strict.push("--strict");
    let o = check(&strict, None);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("--strict: warnings fail"), "{}", stdout(&o));
    // All clean: 0.
    let o = check(&["test-data/manifests/seeds/pv-monolithic.yaml"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // Nothing the policy is registered for: 0, and said so.
    let o = check(&["test-data/objects/pod.yaml"], None);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("0 objects checked (1 object read from 1 file)"), "{}", stdout(&o));
    // Usage and input errors: 2.
    let o = check(&["test-data/manifests/nope.yaml"], None);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("input error: test-data/manifests/nope.yaml: cannot read: "), "{}", stdout(&o));
    let o = check(&["--settings", "test-data/manifests/nope.yml", "test-data/manifests/seeds"], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).starts_with("error: cannot read settings from test-data/manifests/nope.yml"), "{}", stderr(&o));
    let o = check(&[], None);
    assert_eq!(code(&o), 2, "clap usage error");
    let o = check(&["--output", "yaml", "examples"], None);
    assert_eq!(code(&o), 2);
    let o = check(&["--settings", "-", "test-data/manifests/seeds"], Some("storage:\n  bogus: true\n"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("are not valid: "), "{}", stderr(&o));
    // A directory without manifests (a CI step pointed at the wrong place).
    let o = check(&["cli/src"], None);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("input error: cli/src: no *.yaml, *.yml or *.json file in this directory"),
        "{}",
        stdout(&o)
    );
    // Twice the same object.
    let o = check(&["test-data/manifests/seeds/minio.yaml", "test-data/manifests/seeds/minio.yaml"], None);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o)
            .contains("Secret tempo-minio/minio is defined twice (first at test-data/manifests/seeds/minio.yaml:7)")
    );
}

#[test]
fn stdin_kustomize_build_style() {
    let stream = std::fs::read_to_string(root().join("test-data/manifests/kustomize-stream.yaml")).unwrap();
    let o = check(&["--settings", SETTINGS, "-"], Some(&stream));
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(text.contains("-:24: Secret tracing-eu/minio-b8f5t6c4m2: rejected"), "{text}");
    // Production by the Namespace's labels, read from the stream itself.
    assert!(text.contains("refused in production"), "{text}");
    assert!(text.contains("-:11: Secret tracing-eu/tempo-s3-7g2h9kdm8c: accepted\n"), "{text}");
}

#[test]
fn diff_against_gives_updates_and_deletes() {
    let o = check(
        &["--settings", SETTINGS, "--diff-against", "test-data/manifests/diff/old", "test-data/manifests/diff/new"],
        None,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    for expected in [
        "Secret tracing/tempo-s3 (UPDATE): rejected\n    error[storage-change] test-data/manifests/diff/new/tracing.yaml:14: ",
        "TempoStack tracing/tracing (UPDATE): rejected\n    error[storage-size] test-data/manifests/diff/new/tracing.yaml:29: ",
        "TempoMonolithic tracing/scratch (UPDATE): accepted with warnings\n    warning[storage-secret] test-data/manifests/diff/new/tracing.yaml:",
        "test-data/manifests/diff/old/tracing.yaml:35: Secret tracing/minio (DELETE): rejected\n    error[secret-in-use] test-data/manifests/diff/new/tracing.yaml:",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    golden("diff.text.golden", &text);
    // Without the old set, the same objects are CREATEs.
    let o = check(&["--settings", SETTINGS, "test-data/manifests/diff/new"], None);
    assert!(!stdout(&o).contains("UPDATE"));
}

#[test]
fn shipped_examples_print_every_verdict() {
    // What `make run` does.
    let o = check(&["--settings", "examples/settings.yml", "examples/"], None);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "examples/observability/tempo.yaml:107: TempoMonolithic observability/aws-s3: accepted\n    patch: "
        ),
        "{text}"
    );
    assert!(text.contains("examples/broken/loki-secret-reused.yaml"), "{text}");
    assert!(text.contains("error[static-credentials]"), "{text}");
    let o = check(&["--settings", "examples/settings.yml", "examples/observability"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

/// The `(file, line)` of each finding of a JSON report, by object and rule.
fn finding_lines(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for result in report["results"].as_array().unwrap() {
        for f in result["findings"].as_array().unwrap() {
            out.push((
                format!("{} {}", result["kind"].as_str().unwrap(), result["name"].as_str().unwrap()),
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            ));
        }
    }
    out
}

#[test]
fn findings_point_at_the_line_of_the_field_they_name() {
    // examples/broken/bad-endpoint.yaml: the Secret's endpoint is on line 10; the
    // TempoMonolithic (line 14) gets the same findings about its Secret, which is in the file.
    let file = "examples/broken/bad-endpoint.yaml";
    let o = check(&["--output", "json", "--settings", "examples/settings.yml", file], None);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lines = finding_lines(&report);
    let endpoint: Vec<_> = lines.iter().filter(|(_, rule, _, _)| rule == "endpoint").collect();
    assert!(endpoint.iter().any(|(object, ..)| object == "Secret tempo-s3"), "{lines:?}");
    assert!(endpoint.iter().any(|(object, ..)| object == "TempoMonolithic traces"), "{lines:?}");
    for (_, _, f, line) in &endpoint {
        assert_eq!((f.as_str(), *line), (file, 10), "{lines:?}");
    }
    // The same line in the text report and in SARIF.
    let o = check(&["--settings", "examples/settings.yml", file], None);
    assert!(stdout(&o).contains(&format!("    error[endpoint] {file}:10: Secret \"tempo-s3\"")), "{}", stdout(&o));
    let o = check(&["--output", "sarif", "--settings", "examples/settings.yml", file], None);
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        if result["ruleId"] == "endpoint" {
            assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 10, "{result}");
        }
    }

    // From stdin, with the Secret missing: the CR's reference to it, and the size it sets.
    let manifest = "\
apiVersion: tempo.grafana.com/v1alpha1
kind: TempoStack
metadata:
  name: tracing
  namespace: observability
spec:
  storageSize: 50M
  storage:
    secret:
      type: s3
      name: tempo-s3
";
    let o = check(&["--output", "json", "--settings", "examples/settings.yml", "-"], Some(manifest));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lines = finding_lines(&report);
    assert!(lines.contains(&("TempoStack tracing".into(), "storage-size".into(), "-".into(), 7)), "{lines:?}");
    assert!(lines.contains(&("TempoStack tracing".into(), "storage-secret".into(), "-".into(), 11)), "{lines:?}");
}

#[test]
fn finds_the_policy_without_the_flag() {
    // The policy built into the binary (cli/tests/integration/embedded.rs has the rest).
    let o = check_with(&["test-data/manifests/seeds/pv-monolithic.yaml"], None, &[("TEMPO_POLICY_WASM", None)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("policy: the embedded policy (tempo-policy "), "{}", stdout(&o));
    let o = check_with(
        &["test-data/manifests/seeds/pv-monolithic.yaml"],
        None,
        &[("TEMPO_POLICY_WASM", Some("/nonexistent/policy.wasm"))],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("$TEMPO_POLICY_WASM names /nonexistent/policy.wasm, which does not exist"),
        "{}",
        stderr(&o)
    );
    let o = check_with(&["--policy", "nope.wasm", "examples"], None, &[]);
    assert_eq!(code(&o), 2);
    assert_eq!(stderr(&o), "error: --policy nope.wasm: no such file\n");
}

/// Every `stringData` value of every Secret in the inputs (long enough to be telling).
fn secret_values(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            secret_values(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            for key in ["access_key_secret", "secret-access-key", "account_key", "endpoint"] {
                if let Some(value) = line.trim().strip_prefix(&format!("{key}: ")) {
                    // Only the user-info of an endpoint is secret.
                    let value = if key == "endpoint" {
                        match value.split_once('@') {
                            Some((head, _)) => head.rsplit(':').next().unwrap().to_owned(),
                            None => continue,
                        }
                    } else {
                        value.to_owned()
                    };
                    if value.len() >= 8 {
                        out.push(value);
                    }
                }
            }
        }
    }
}

#[test]
fn no_secret_value_in_any_report() {
    let mut secrets = Vec::new();
    secret_values(&root().join("examples"), &mut secrets);
    secret_values(&root().join("test-data/manifests"), &mut secrets);
    assert!(secrets.iter().any(|s| s == "hunter2hunter2"), "{secrets:?}");
    for output in ["text", "json", "junit", "sarif"] {
        let o = check(
            &["--settings", "examples/settings.yml", "--output", output, "examples", "test-data/manifests/seeds"],
            None,
        );
        let text = stdout(&o);
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{output} report contains a secret value");
        }
    }
}

#[test]
fn colours_only_when_asked_or_on_a_terminal() {
    let o = check(&["test-data/manifests/seeds/pv-monolithic.yaml"], None);
    assert!(!stdout(&o).contains('\x1b'));
    let o = check(&["--color", "always", "test-data/manifests/seeds/pv-monolithic.yaml"], None);
    assert!(stdout(&o).contains("\x1b[32maccepted\x1b[0m"), "{}", stdout(&o));
}

// --- Issue 10: reading manifests as kubectl does, and bounded work ---------------------------

/// A scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `check -o json` of `paths`: the report, and the exit code.
fn json_report(paths: &[&str]) -> (Value, i32) {
    let mut args = vec!["--output", "json"];
    args.extend_from_slice(paths);
    let o = check(&args, None);
    let report = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (report, code(&o))
}

fn result<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}: {report}"))
}

fn rules_of(result: &Value) -> Vec<String> {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["severity"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect()
}

const HTTPS_SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: tempo-s3
  namespace: yaml11
stringData:
  endpoint: https://minio.storage.svc:9000
  bucket: tempo
  access_key_id: tempo
  access_key_secret: supersecret
";

/// Issue 10 item 5: `enabled: yes` / `on` are booleans to kubectl (YAML 1.1, go-yaml v2), so
/// TLS is on and the manifest is valid; read as YAML 1.2 they were strings and the CR was rejected.
#[test]
fn yaml_1_1_booleans_as_kubectl_reads_them() {
    let dir = scratch("yaml11");
    for (file, enabled, ui) in [("yes.yaml", "yes", "on"), ("upper.yaml", "YES", "On"), ("y.yaml", "y", "ON")] {
        let stack = format!(
            "{HTTPS_SECRET}---\napiVersion: tempo.grafana.com/v1alpha1\nkind: TempoStack\nmetadata:\n  name: tracing\n  namespace: yaml11\nspec:\n  storage:\n    secret: {{name: tempo-s3, type: s3}}\n    tls:\n      enabled: {enabled}\n  storageSize: 10Gi\n  template:\n    queryFrontend:\n      jaegerQuery:\n        enabled: {ui}\n"
        );
        std::fs::write(dir.join(file), stack).unwrap();
        let path = dir.join(file);
        let (report, code) = json_report(&[path.to_str().unwrap()]);
        assert_eq!(code, 0, "{enabled}: {report}");
        let stack = result(&report, "TempoStack");
        assert_eq!(stack["verdict"], "accepted", "{enabled}: {stack}");
        assert!(rules_of(stack).is_empty(), "{enabled}: TLS is on, so no insecure-endpoint: {stack}");
    }
    // Quoted, it is the string "yes" to the cluster too, which the CRD and the policy refuse.
    let quoted = format!(
        "{HTTPS_SECRET}---\napiVersion: tempo.grafana.com/v1alpha1\nkind: TempoStack\nmetadata:\n  name: tracing\n  namespace: yaml11\nspec:\n  storage:\n    secret: {{name: tempo-s3, type: s3}}\n    tls:\n      enabled: \"yes\"\n"
    );
    std::fs::write(dir.join("quoted.yaml"), quoted).unwrap();
    let (report, code) = json_report(&[dir.join("quoted.yaml").to_str().unwrap()]);
    assert_eq!(code, 1, "{report}");
    assert!(rules_of(result(&report, "TempoStack")).contains(&"error storage-spec".to_owned()), "{report}");
}

/// Issue 10 item 15: a Secret in use with 100,000 unknown keys (about 790 KB) gives one
/// unused-keys warning naming a few keys and the count, and a small report, within the deadline.
#[test]
fn a_secret_with_100000_unknown_keys_stays_one_warning() {
    let dir = scratch("many-keys");
    let mut text = String::from(
        "apiVersion: tempo.grafana.com/v1alpha1\nkind: TempoStack\nmetadata:\n  name: tracing\n  namespace: many\nspec:\n  storage:\n    secret: {name: minio, type: s3}\n  storageSize: 10Gi\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: minio\n  namespace: many\ndata:\n  endpoint: aHR0cDovL21pbmlvOjkwMDA=\n  bucket: dGVtcG8=\n  access_key_id: dGVtcG8=\n  access_key_secret: c3VwZXJzZWNyZXQ=\n",
    );
    // As in the issue: 100,000 short keys with empty values, about 790 KB once stored as JSON.
    for i in 0..100_000 {
        text.push_str(&format!("  k{i}: \"\"\n"));
    }
    assert!(text.len() > 700_000, "{}", text.len());
    std::fs::write(dir.join("many.yaml"), &text).unwrap();
    // The evaluation took about 1 s per object on the shared 2-core build machine (load 6), and
    // crossed the 2 s default deadline while the tests' parallel processes shared the cores: a
    // looser deadline keeps this test about the answer, not the machine's load (speed is
    // measured and reported, not asserted).
    let path = dir.join("many.yaml");
    let o = check(&["--output", "json", "--timeout-eval-seconds", "20", path.to_str().unwrap()], None);
    let out = stdout(&o);
    assert!(out.len() < 64 * 1024, "the report is {} bytes", out.len());
    assert!(!stderr(&o).contains("deadline") && !out.contains("deadline"), "{}\n{out}", stderr(&o));
    let report: Value = serde_json::from_str(&out).unwrap();
    for kind in ["TempoStack", "Secret"] {
        let r = result(&report, kind);
        let unused: Vec<&Value> =
            r["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "unused-keys").collect();
        assert_eq!(unused.len(), 1, "{kind}: {r}");
        let message = unused[0]["message"].as_str().unwrap();
        assert!(
            message.contains("100000 keys are ignored by the Tempo Operator for s3: \"k0\", \"k1\", \"k10\""),
            "{message}"
        );
        assert!(message.contains("and 99995 more"), "{message}");
        assert_eq!(r["verdict"], "accepted with warnings", "{r}");
    }
}

/// Issue 10 item 16: a directory symlink pointing back up the tree is a cycle: each file is read
/// once, nothing is "defined twice".
#[cfg(unix)]
#[test]
fn directory_symlink_cycles_are_walked_once() {
    let dir = scratch("cycle");
    let nested = dir.join("apps").join("tempo");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(root().join("test-data/manifests/seeds/minio.yaml"), nested.join("minio.yaml")).unwrap();
    // apps/tempo/up -> ../.. (the top), and apps/again -> tempo (the same directory twice).
    std::os::unix::fs::symlink("../..", nested.join("up")).unwrap();
    std::os::unix::fs::symlink("tempo", dir.join("apps").join("again")).unwrap();
    let o = check(&["--settings", SETTINGS, dir.to_str().unwrap()], None);
    let text = stdout(&o);
    assert_eq!(code(&o), 0, "{text}\n{}", stderr(&o));
    assert!(!text.contains("defined twice") && !text.contains("input error"), "{text}");
    assert_eq!(text.matches(": Secret tempo-minio/minio:").count(), 1, "{text}");
    assert!(text.contains("read from 1 file)"), "{text}");
}

/// Issue 19: `--diff-against` judges updates as the cluster does, ratchet included: objects that
/// only gain a label keep their old problems as warnings, a volume grown further over the
/// maximum is refused; with `updates.ratchet: false` every write is held to every rule.
#[test]
fn diff_against_ratchets_what_was_already_there() {
    let dirs = ["--diff-against", "test-data/manifests/ratchet/old", "test-data/manifests/ratchet/new"];
    let mut args = vec!["--settings", "test-data/manifests/ratchet/settings.yml"];
    args.extend(dirs);
    let o = check(&args, None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = normalised(&o);
    for expected in [
        "Secret prod-tracing/minio (UPDATE): accepted with warnings\n    warning[static-credentials] ",
        "TempoStack prod-tracing/tracing (UPDATE): accepted with warnings\n",
        "warning[storage-size] test-data/manifests/ratchet/new/prod-tracing.yaml:36: spec.storageSize 600Gi is above storageSize.max 500Gi: set spec.storageSize to at most 500Gi (already so before this update, so not refused: updates.ratchet)",
        "TempoStack prod-tracing/archive (UPDATE): rejected\n    error[storage-size] test-data/manifests/ratchet/new/prod-tracing.yaml:",
        "700Gi is above storageSize.max 500Gi",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert_eq!(text.matches("(already so before this update").count(), 9, "{text}");

    let mut args = vec!["--settings", "test-data/manifests/ratchet/settings-no-ratchet.yml"];
    args.extend(dirs);
    let text = normalised(&check(&args, None));
    assert!(!text.contains("already so before this update"), "{text}");
    for rejected in
        ["Secret prod-tracing/minio (UPDATE): rejected", "TempoStack prod-tracing/tracing (UPDATE): rejected"]
    {
        assert!(text.contains(rejected), "{rejected:?} not in:\n{text}");
    }
}

/// Issue 20: a manifest from a pull request can name objects (and files) with terminal escapes;
/// no output format may print them raw: the text report escapes them as the policy escapes its
/// messages (`\u{1b}`), JSON, SARIF and JUnit stay valid, and their text fields are escaped too.
#[test]
fn hostile_names_are_printed_escaped_in_every_format() {
    let dir = crate::common::scratch("hostile-names");
    let hostile = "x\u{1b}[2J\u{7}y\u{9b}31mz";
    let secret = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": format!("tempo-{hostile}"), "namespace": format!("ns-{hostile}")},
        "stringData": {"bucket": "tempo", "endpoint": "http://minio:9000", "access_key_id": "k", "access_key_secret": "v"}
    });
    let stack = serde_json::json!({
        "apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack",
        "metadata": {"name": format!("stack-{hostile}"), "namespace": format!("ns-{hostile}")},
        "spec": {"storage": {"secret": {"name": format!("tempo-{hostile}"), "type": "s3"}}}
    });
    let file = dir.join(format!("manifests-{hostile}.json"));
    std::fs::write(&file, serde_json::to_string(&serde_json::json!([secret, stack])).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let is_raw = |c: char| c.is_control() && c != '\n';
    for format in ["text", "json", "sarif", "junit"] {
        let o = check(&["--color", "never", "--output", format, file], None);
        let out = stdout(&o);
        assert!(!out.chars().any(is_raw), "{format}: a raw control character in:\n{out:?}");
        assert!(!stderr(&o).chars().any(is_raw), "{format}: {:?}", stderr(&o));
        // The names are there, escaped as the policy escapes them.
        let escaped = "x\\u{1b}[2J\\u{7}y\\u{9b}31mz";
        match format {
            "text" => {
                assert!(out.contains(&format!("Secret ns-{escaped}/tempo-{escaped}")), "{out}");
                assert!(out.contains(&format!("manifests-{escaped}.json")), "{out}");
            }
            "json" | "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert!(v.to_string().contains(&format!("tempo-{}", escaped.replace('\\', "\\\\"))), "{format}: {v}");
            }
            _ => {
                let mut reader = quick_xml::Reader::from_str(&out);
                while reader.read_event().unwrap() != quick_xml::events::Event::Eof {}
            }
        }
    }
}

/// Issue 22: an extraConfig finding points at the key it names in the manifest.
#[test]
fn extra_config_findings_point_at_their_keys() {
    let o = check(&["--color", "never", "examples/broken/extra-config.yaml"], None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = stdout(&o);
    for expected in [
        "error[extra-config] examples/broken/extra-config.yaml:15: spec.extraConfig.tempo.http_server_write_timeout is not a key",
        "error[extra-config] examples/broken/extra-config.yaml:17: spec.extraConfig.tempo.query_frontend.max_retries is the string \"3\"",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let o = check(&["--output", "json", "examples/broken/extra-config.yaml"], None);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<&str> =
        report["results"][0]["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["spec.extraConfig.tempo.http_server_write_timeout", "spec.extraConfig.tempo.query_frontend.max_retries"]
    );
}
