//! The documentation must describe the code as it is. Generated parts (the rule table in the
//! README and in the usage text the module carries, every rule's section in docs/rules.md) are
//! compared with what the rule registry and the rule modules' doc comments give; the settings
//! reference in docs/settings.md must parse as settings and name every setting.
//!
//! `make docs` (UPDATE_DOCS=1) rewrites the generated parts instead of failing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use tempo_policy::rules::Rule;
use tempo_policy::settings::Settings;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn between<'a>(text: &'a str, file: &str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{file} lacks {start}")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("{file} lacks {end}")) + from;
    &text[from..to]
}

/// Compares the text between `start` and `end` in `rel` with `expected`; with UPDATE_DOCS set,
/// writes `expected` there instead.
fn generated(rel: &str, start: &str, end: &str, expected: &str) {
    let text = read(rel);
    let current = between(&text, rel, start, end);
    let wanted = format!("\n{}\n", expected.trim());
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let from = text.find(start).unwrap() + start.len();
        let to = from + current.len();
        let updated = format!("{}{}{}", &text[..from], wanted, &text[to..]);
        std::fs::write(root().join(rel), updated).unwrap();
        return;
    }
    panic!("{rel}: the generated part between {start} and {end} is stale (run `make docs`); expected:\n{wanted}");
}

#[test]
fn readme_rule_table_matches_the_registry() {
    generated("README.md", "<!-- rules:start -->", "<!-- rules:end -->", &tempo_policy::rules::markdown_table());
}

#[test]
fn usage_rule_table_matches_the_registry() {
    // The usage text is what `make annotated-policy.wasm` embeds; `tempo-policy check` reads the
    // rule descriptions of its SARIF report from this table (cli/src/check/rules.rs).
    generated("docs/usage.md", "<!-- rules:start -->", "<!-- rules:end -->", &tempo_policy::rules::markdown_table());
}

/// The module file documenting `rule`; `None` for the one id that is no rule of its own.
fn module_file(rule: Rule) -> Option<PathBuf> {
    (rule != Rule::LookupSkipped).then(|| root().join("src/rules").join(format!("{}.rs", rule.id().replace('-', "_"))))
}

/// The leading `//!` comment of a source file, as markdown.
fn module_doc(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every rule in full: id, default verdict, the registry's summary, then the module's doc
/// comment (its `## ` headings one level down).
fn rule_docs() -> String {
    let mut out = String::new();
    for rule in Rule::ALL {
        out.push_str(&format!("## `{}`\n\n", rule.id()));
        out.push_str(&format!("**Rejects by default:** {}.\n\n", rule.default_severity()));
        match module_file(rule) {
            Some(file) => {
                let doc = module_doc(&file);
                let (first, body) = doc.split_once('\n').unwrap_or((&doc, ""));
                let prefix = format!("`{}`: ", rule.id());
                let lead = first.strip_prefix(&prefix).unwrap_or_else(|| {
                    panic!("{} must start with //! {prefix}<one line on what it guards>", file.display())
                });
                out.push_str(&upper_first(lead));
                out.push('\n');
                for line in body.lines() {
                    match line.strip_prefix("## ") {
                        Some(h) => out.push_str(&format!("### {h}")),
                        None => out.push_str(line),
                    }
                    out.push('\n');
                }
                out.push_str(&format!(
                    "\nSource: [`src/rules/{}`](../src/rules/{0}).\n\n",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
            None => {
                out.push_str(rule.summary());
                out.push_str(
                    "\n\nNot a rule of its own: a cross-check that needed a look-up in the cluster that was not \
                     allowed or failed. A failed look-up never rejects by itself (see [production.md](production.md#look-ups-per-request)).\n\n",
                );
            }
        }
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[test]
fn rule_pages_match_the_rule_modules() {
    generated("docs/rules.md", "<!-- rule-docs:start -->", "<!-- rule-docs:end -->", &rule_docs());
}

#[test]
fn every_rule_module_documents_what_why_example_and_settings() {
    for rule in Rule::ALL {
        let Some(file) = module_file(rule) else { continue };
        let doc = module_doc(&file);
        for heading in ["## What it checks", "## Why", "## Example", "## Settings"] {
            assert!(doc.contains(heading), "{} lacks {heading}", file.display());
        }
    }
}

#[test]
fn settings_reference_parses_and_covers_every_setting() {
    let page = read("docs/settings.md");
    let block = between(&page, "docs/settings.md", "<!-- settings:start -->", "<!-- settings:end -->").trim();
    let yaml = block.trim_start_matches("```yaml").trim_end_matches("```");
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let json = serde_json::to_vec(&value).unwrap();
    // deny_unknown_fields: every documented setting exists.
    let settings = tempo_policy::parse_settings(&json).unwrap();
    assert_eq!(settings.validate(), Ok(()));
    // ...and every setting is documented.
    fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let serde_json::Value::Object(m) = v {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if matches!(v, serde_json::Value::Object(inner) if !inner.is_empty())
                    && !p.ends_with("Labels")
                    && !p.ends_with("Regions")
                {
                    paths(v, &p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut documented = Vec::new();
    paths(&serde_json::to_value(&value).unwrap(), "", &mut documented);
    let mut all = Vec::new();
    let mut full = serde_json::to_value(Settings::default()).unwrap();
    full["storageSecretSelector"] = serde_json::json!({"matchLabels": {}});
    full["resources"]["maxLimits"] = serde_json::json!({"cpu": 1, "memory": 1});
    full["resources"]["defaultLimits"] = serde_json::json!({"cpu": 1, "memory": 1});
    full["storageSize"] = serde_json::json!({"default": 1, "min": 1, "max": 1});
    full["storage"]["bucketNamePattern"] = serde_json::json!("x");
    paths(&full, "", &mut all);
    for p in all {
        assert!(
            documented.iter().any(|d| d == &p || p.starts_with(&format!("{d}."))),
            "setting {p} is missing from the settings reference in docs/settings.md"
        );
    }
}

#[test]
fn readme_is_a_front_door() {
    let readme = read("README.md");
    assert!(readme.len() < 15 * 1024, "README.md is {} bytes: move detail into docs/", readme.len());
    // Every page under docs/ is linked from the README, and every relative link resolves.
    let mut pages: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    pages.sort();
    for page in &pages {
        assert!(readme.contains(&format!("](docs/{page})")), "README.md does not link docs/{page}");
    }
    for file in std::iter::once("README.md".to_owned()).chain(pages.iter().map(|p| format!("docs/{p}"))) {
        let text = read(&file);
        let dir = root().join(&file).parent().unwrap().to_path_buf();
        for target in relative_links(&text) {
            let path = target.split('#').next().unwrap();
            if path.is_empty() {
                continue;
            }
            assert!(dir.join(path).exists(), "{file} links {target}, which does not exist");
        }
    }
}

/// The targets of `[text](target)` links that are not URLs.
fn relative_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = &rest[..end];
        if !target.contains("://") && !target.starts_with("mailto:") && !target.contains(' ') {
            out.push(target.to_owned());
        }
    }
    out
}

#[test]
fn usage_settings_example_is_valid() {
    let usage = read("docs/usage.md");
    let block = between(&usage, "docs/usage.md", "## Settings", "## Rules");
    let yaml = between(block, "docs/usage.md", "```yaml", "```");
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let settings = tempo_policy::parse_settings(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert_eq!(settings.validate(), Ok(()));
    // Short enough for `kwctl inspect`: the module carries it.
    assert!(usage.len() < 8 * 1024, "docs/usage.md is {} bytes", usage.len());
}
