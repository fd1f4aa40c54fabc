//! The scenario table of test-data/, shared by the native tests and the wasm tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("test-data/scenarios.yml").exists())
        .unwrap()
        .join("test-data")
}

/// A row of test-data/scenarios.yml. Unknown fields are refused: a typo (`warn:` for `warns:`)
/// must fail the run, not drop a check.
/// What the cluster holds for a scenario's look-ups (test-data/generate.py, `cluster_objects`).
#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum ClusterEntry {
    /// An object file of test-data/objects.
    File(String),
    /// `copies` copies of an object file, each renamed and reading a Secret of its own.
    Copies { copies: usize, of: String },
}

impl ClusterEntry {
    /// The object file.
    pub fn file(&self) -> &str {
        match self {
            ClusterEntry::File(f) | ClusterEntry::Copies { of: f, .. } => f,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub old_object: Option<String>,
    #[serde(default)]
    pub settings: Option<String>,
    #[serde(default)]
    pub lookups: Vec<serde_yaml_ng::Value>,
    #[serde(default)]
    pub cluster: Vec<ClusterEntry>,
    #[serde(default)]
    pub handwritten: bool,
    #[serde(default)]
    pub keep_string_data: bool,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    /// JSON merge patches applied to `object` / `oldObject` (generate.py): the operator's
    /// finalizer, an annotation, an upgrade step, on top of a shared object file.
    #[serde(default)]
    pub object_patch: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    pub old_object_patch: Option<serde_yaml_ng::Value>,
    /// Who sends it: `argocd` (default), `operator`, `namespace-controller` (generate.py's USERS).
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub sub_resource: Option<String>,
    /// The request's `name` when it is not the object's (DELETECOLLECTION sends "").
    #[serde(default)]
    pub request_name: Option<String>,
    /// `options.kind`, e.g. `PatchOptions` for the operator's upgrade patches.
    #[serde(default)]
    pub options: Option<String>,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub allowed: bool,
    #[serde(default)]
    pub rejects: Vec<String>,
    #[serde(default)]
    pub warns: Vec<String>,
    /// "op path" of every JSON Patch operation; `None` means no patch at all.
    #[serde(default)]
    pub patch: Option<Vec<String>>,
    /// Substrings the rejection message must contain.
    #[serde(default)]
    pub message_contains: Vec<String>,
    /// For requests the host refuses before the policy sees them (code 500 etc.).
    #[serde(default)]
    pub code: Option<u16>,
}

impl Scenario {
    pub fn request_path(&self) -> PathBuf {
        test_data().join("requests").join(format!("{}.json", self.name))
    }
    pub fn replay_path(&self) -> Option<PathBuf> {
        let p = test_data().join("replay").join(format!("{}.yml", self.name));
        p.exists().then_some(p)
    }
    /// The scenario's replay session (kwctl's file format), the one replay type of every test
    /// layer; an empty one when the scenario has none, so that any look-up fails as kwctl's does.
    pub fn replay(&self) -> tempo_policy_lookups::Replay {
        match self.replay_path() {
            Some(p) => tempo_policy_lookups::Replay::load(&p).unwrap(),
            None => tempo_policy_lookups::Replay::new(Vec::new()),
        }
    }
    pub fn settings_path(&self) -> Option<PathBuf> {
        self.settings.as_ref().map(|s| test_data().join("settings").join(s))
    }
    /// Settings as JSON (files may be YAML).
    pub fn settings_json(&self) -> Value {
        match self.settings_path() {
            Some(p) => {
                let text = std::fs::read_to_string(&p).unwrap();
                let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
                serde_json::to_value(v).unwrap()
            }
            None => Value::Object(Default::default()),
        }
    }
    pub fn request_json(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.request_path()).unwrap()).unwrap()
    }
}

pub fn load() -> Vec<Scenario> {
    let text = std::fs::read_to_string(test_data().join("scenarios.yml")).unwrap();
    parse(&text).unwrap_or_else(|e| panic!("test-data/scenarios.yml: {e}"))
}

pub fn parse(text: &str) -> Result<Vec<Scenario>, serde_yaml_ng::Error> {
    serde_yaml_ng::from_str(text)
}

/// The table is whole: every scenario has its request and its snapshot, and every request and
/// snapshot under test-data/ belongs to a scenario. A scenario dropped from the table (and so
/// from both test runs) leaves its files behind and fails here; a count would not notice one
/// dropped and another added.
pub fn table_is_whole(all: &[Scenario]) -> Result<(), String> {
    let names: BTreeSet<&str> = all.iter().map(|s| s.name.as_str()).collect();
    if names.len() != all.len() {
        return Err(format!("{} scenarios share a name", all.len() - names.len()));
    }
    let stems = |dir: &str, ext: &str| -> BTreeSet<String> {
        std::fs::read_dir(test_data().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    let mut problems = Vec::new();
    for (dir, ext) in [("requests", "json"), ("snapshots", "snap")] {
        let files = stems(dir, ext);
        let missing: Vec<&&str> = names.iter().filter(|n| !files.contains(**n)).collect();
        let orphans: Vec<&String> = files.iter().filter(|f| !names.contains(f.as_str())).collect();
        if !missing.is_empty() {
            problems.push(format!("scenarios without test-data/{dir}/*.{ext}: {missing:?}"));
        }
        if !orphans.is_empty() {
            problems.push(format!("test-data/{dir}/*.{ext} of no scenario in the table: {orphans:?}"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// Rule ids at the start of each `; `-separated finding.
pub fn rule_ids<'a>(findings: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    findings.into_iter().filter_map(|f| f.split_once(": ").map(|(id, _)| id.to_string())).collect()
}

/// What a response said, in the terms of the expectation table.
#[derive(Debug)]
pub struct Outcome {
    pub allowed: bool,
    pub message: Option<String>,
    pub code: Option<u16>,
    pub warnings: Vec<String>,
    pub patch: Option<Vec<String>>,
}

impl Outcome {
    /// What the policy said, as reviewed text: the verdict, each rejecting finding and each
    /// warning on a line of its own. Snapshotted per scenario (test-data/snapshots), the same file
    /// for the native engine and the wasm, so that a wording change is reviewed, not silent, and
    /// both builds must say the same.
    pub fn said(&self) -> String {
        let mut out = format!("allowed: {}\n", self.allowed);
        match (&self.message, self.code) {
            // A host refusal's text is the host's, not the policy's: only its code is compared.
            (_, Some(code)) => out.push_str(&format!("code: {code}\n")),
            (Some(message), None) => {
                out.push_str("rejects:\n");
                for finding in message.split("; ") {
                    out.push_str(&format!("  - {finding}\n"));
                }
            }
            (None, None) => {}
        }
        if !self.warnings.is_empty() {
            out.push_str("warnings:\n");
            for w in &self.warnings {
                out.push_str(&format!("  - {w}\n"));
            }
        }
        out
    }

    /// Compares [`Outcome::said`] with the scenario's snapshot (`INSTA_UPDATE=always` writes new
    /// ones; `make test` runs with `INSTA_UPDATE=no`, so a changed wording fails until reviewed).
    pub fn assert_snapshot(&self, sc: &Scenario) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(test_data().join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(sc.description.clone());
        settings.bind(|| insta::assert_snapshot!(sc.name.clone(), self.said()));
    }

    /// The end of a scenario run, natively and through the wasm alike: the expectations, the
    /// replay session used exactly (no look-up it did not record, none of its answers left over),
    /// `failures` found on the way, then the snapshot.
    pub fn conclude(&self, sc: &Scenario, mut failures: Vec<String>, leftovers: Vec<String>) -> Result<(), String> {
        if let Err(e) = self.check(sc) {
            failures.push(e);
        }
        // A look-up the session did not expect is answered with the replay's error, which the
        // policy reports as a warning: here it fails the scenario, as do recorded look-ups never made.
        let said = self.said();
        if said.contains("Replay error") || said.contains("the list of recorded responses is empty") {
            failures.push(format!("{}: look-ups differ from the replay session:\n{said}", sc.name));
        }
        if !leftovers.is_empty() {
            failures.push(format!("{}: {leftovers:?}", sc.name));
        }
        if !failures.is_empty() {
            return Err(failures.join("\n"));
        }
        self.assert_snapshot(sc);
        Ok(())
    }

    pub fn check(&self, sc: &Scenario) -> Result<(), String> {
        let e = &sc.expect;
        let mut problems = Vec::new();
        if self.allowed != e.allowed {
            problems.push(format!("allowed {} (expected {})", self.allowed, e.allowed));
        }
        let messages: Vec<&str> = self.message.as_deref().map(|m| m.split("; ").collect()).unwrap_or_default();
        let rejects = if e.code.is_some() { BTreeSet::new() } else { rule_ids(messages.iter().copied()) };
        let expected: BTreeSet<String> = e.rejects.iter().cloned().collect();
        if rejects != expected {
            problems.push(format!("rejects {rejects:?} (expected {expected:?})"));
        }
        let warns = rule_ids(self.warnings.iter().map(String::as_str));
        let expected: BTreeSet<String> = e.warns.iter().cloned().collect();
        if warns != expected {
            problems.push(format!("warns {warns:?} (expected {expected:?})"));
        }
        if self.patch != e.patch {
            problems.push(format!("patch {:?} (expected {:?})", self.patch, e.patch));
        }
        for s in &e.message_contains {
            if !self.message.as_deref().unwrap_or("").contains(s.as_str()) {
                problems.push(format!("message does not contain {s:?}"));
            }
        }
        // The API server drops a warning with a control character, and a terminal acts on one:
        // nothing the policy says may hold one, whatever a look-up or an object brought.
        let texts = self.message.iter().chain(&self.warnings);
        if let Some(text) = texts.filter(|_| e.code.is_none()).find(|t| t.chars().any(char::is_control)) {
            problems.push(format!("a control character in {text:?}"));
        }
        if e.code.is_some() && self.code != e.code {
            problems.push(format!("code {:?} (expected {:?})", self.code, e.code));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}: {}\n  message: {:?}\n  warnings: {:?}",
                sc.name,
                problems.join(", "),
                self.message,
                self.warnings
            ))
        }
    }
}

/// Every value of every Secret in the scenario (object, old object, cluster), decoded. Bucket
/// names, endpoints and regions are not secret and are excluded; so are values so short they
/// would match by accident.
pub fn secret_values(sc: &Scenario) -> Vec<String> {
    let mut docs: Vec<Value> = Vec::new();
    let req = sc.request_json();
    for k in ["object", "oldObject"] {
        if let Some(v) = req.get(k) {
            docs.push(v.clone());
        }
    }
    for c in &sc.cluster {
        let text = std::fs::read_to_string(test_data().join("objects").join(c.file())).unwrap();
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        docs.push(serde_json::to_value(v).unwrap());
    }
    let public = ["bucket", "bucketname", "bucketnames", "container", "endpoint", "region", "account_name"];
    let mut out = Vec::new();
    for d in docs {
        if d.get("kind").and_then(Value::as_str) != Some("Secret") {
            continue;
        }
        for (section, b64) in [("data", true), ("stringData", false)] {
            let Some(Value::Object(m)) = d.get(section) else { continue };
            for (k, v) in m {
                let Some(s) = v.as_str() else { continue };
                if public.contains(&k.as_str()) {
                    // User-info inside an endpoint is secret too.
                    if k == "endpoint" {
                        let text = if b64 { decode(s) } else { Some(s.to_string()) };
                        if let Some(t) = text
                            && let Some((userinfo, _)) = t.split_once("://").and_then(|(_, r)| r.split_once('@'))
                        {
                            out.extend(userinfo.split(':').map(str::to_string));
                        }
                    }
                    continue;
                }
                let value = if b64 { decode(s).unwrap_or_else(|| s.to_string()) } else { s.to_string() };
                for piece in value.lines().map(str::trim) {
                    out.push(piece.to_string());
                }
                out.push(s.to_string());
            }
        }
    }
    out.retain(|v| v.len() >= 8);
    out
}

fn decode(s: &str) -> Option<String> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).ok().and_then(|b| String::from_utf8(b).ok())
}

/// Fails when anything the policy said contains a secret value.
pub fn assert_no_leak(sc: &Scenario, said: &str) {
    for v in secret_values(sc) {
        assert!(!said.contains(&v), "{}: a secret value leaked into the response: {said}", sc.name);
    }
}
