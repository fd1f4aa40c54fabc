//! The built page in headless Chromium: opened with `#m=` links as a user would share them,
//! checked through what it renders in the DOM; and its verdicts on every shipped example
//! compared with `tempo-policy check --output json`'s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use serde_json::{Value, json};
use support::browser::{Browser, TempDir, base64url, playground_dir, serve};

const LOKI_SECRET: &str = include_str!("../../../examples/broken/loki-secret-reused.yaml");
const SETTINGS: &str = include_str!("../../../examples/settings.yml");

fn page_url(manifests: &str, settings: Option<&str>) -> String {
    let base = serve(playground_dir());
    let mut url = format!("{base}/index.html#m={}", base64url(manifests));
    if let Some(settings) = settings {
        url.push_str(&format!("&s={}", base64url(settings)));
    }
    url
}

/// Every rendered finding: rule, severity, line, message, and the rule link.
const FINDINGS: &str = "return [...document.querySelectorAll('article.object')].map(a => ({
    kind: a.dataset.kind, name: a.dataset.name, verdict: a.dataset.verdict,
    findings: [...a.querySelectorAll('li.finding')].map(f => ({
        rule: f.dataset.rule, severity: f.dataset.severity, line: f.dataset.line,
        message: f.querySelector('.message').textContent,
        href: f.querySelector('a.rule') ? f.querySelector('a.rule').getAttribute('href') : null })),
    diff: a.querySelector('pre.diff') ? a.querySelector('pre.diff').textContent : null }))";

fn object<'a>(objects: &'a Value, kind: &str, name: &str) -> &'a Value {
    objects
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} not rendered: {objects:#}"))
}

#[test]
fn a_link_with_the_loki_secret_shows_the_secret_keys_rejection_and_its_hints() {
    let browser = Browser::start();
    browser.open_page(&page_url(LOKI_SECRET, Some(SETTINGS)));
    let objects = browser.eval(FINDINGS, json!([]));
    let stack = object(&objects, "TempoStack", "tracing-sandbox/tracing");
    assert_eq!(stack["verdict"], "rejected");
    let keys = stack["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "secret-keys").unwrap();
    assert_eq!(keys["severity"], "error");
    assert!(keys["message"].as_str().unwrap().contains("(did you mean \"bucketnames\" → \"bucket\"?)"), "{keys}");
    assert!(keys["href"].as_str().unwrap().ends_with("/docs/rules.md#secret-keys"), "{keys}");
    // Opened from a link: the page says what such a link carries.
    let notice = browser
        .eval("const n = document.getElementById('shared-notice'); return n.hidden ? null : n.textContent", json!([]));
    assert!(notice.as_str().unwrap().contains("Links leave Secrets' credential values out"), "{notice}");
}

#[test]
fn an_accepted_object_shows_the_defaults_as_a_diff() {
    let manifests = "apiVersion: tempo.grafana.com/v1alpha1\nkind: TempoMonolithic\nmetadata:\n  name: pv\n  namespace: observability\nspec:\n  storage:\n    traces:\n      backend: pv\n";
    let browser = Browser::start();
    browser.open_page(&page_url(manifests, Some("storageSize:\n  default: 10Gi\n")));
    let objects = browser.eval(FINDINGS, json!([]));
    let pv = object(&objects, "TempoMonolithic", "observability/pv");
    assert_eq!(pv["verdict"], "accepted");
    let diff = pv["diff"].as_str().unwrap();
    assert!(diff.lines().any(|l| l.starts_with("+ ") && l.contains("size: 10Gi")), "{diff}");
    assert!(diff.lines().any(|l| l.starts_with("  ") && l.contains("backend: pv")), "{diff}");
}

#[test]
fn a_yaml_error_is_shown_with_its_line() {
    let manifests = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ntype: Opaque\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b: c\ntype: Opaque\n";
    let browser = Browser::start();
    browser.open_page(&page_url(manifests, None));
    let errors = browser.eval(
        "return [...document.querySelectorAll('#input-errors li.input-error')].map(e => ({line: e.dataset.line, text: e.textContent}))",
        json!([]),
    );
    let errors = errors.as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], "10", "{errors:?}");
    assert!(errors[0]["text"].as_str().unwrap().starts_with("manifests.yaml:10: not valid YAML"), "{errors:?}");
    // The valid document before it is still checked.
    let objects = browser.eval(FINDINGS, json!([]));
    assert!(object(&objects, "Secret", "default/a")["verdict"].is_string(), "{objects}");
}

#[test]
fn picking_the_loki_example_rechecks_and_a_bad_link_is_reported() {
    let browser = Browser::start();
    let base = serve(playground_dir());
    // Not base64url: the page says so and still loads.
    browser.open_page(&format!("{base}/index.html#m=%%%"));
    let errors = browser.eval("return document.getElementById('input-errors').textContent", json!([]));
    assert!(errors.as_str().unwrap().contains("not base64url-encoded"), "{errors}");
    let checks = browser.eval("return Number(document.body.dataset.checks)", json!([])).as_u64().unwrap();
    browser.eval(
        "const s = document.getElementById('example'); s.value = 'loki-secret'; s.dispatchEvent(new Event('change'));",
        json!([]),
    );
    browser.wait_for(&format!("return Number(document.body.dataset.checks) > {checks}"), "the re-check");
    let objects = browser.eval(FINDINGS, json!([]));
    let stack = object(&objects, "TempoStack", "tracing-sandbox/tracing");
    assert!(stack["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "secret-keys"), "{stack}");
}

/// The shipped examples as the page offers them, judged in the browser and by the CLI.
#[test]
fn every_example_gets_the_same_verdicts_as_tempo_policy_check() {
    // The tool of this test's own build profile: the test runs from <target>/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    let tool = exe.parent().and_then(Path::parent).unwrap().join("tempo-policy");
    assert!(tool.is_file(), "{} is not built: run `make tool` (make test does)", tool.display());
    let browser = Browser::start();
    browser.open_page(&format!("{}/index.html", serve(playground_dir())));
    let examples = browser.eval("return window.playground.examples", json!([]));
    let settings = browser.eval("return window.playground.settings", json!([]));
    let examples = examples.as_array().unwrap();
    assert!(examples.len() >= 6, "{examples:?}");
    for example in examples {
        let manifests = example["manifests"].as_str().unwrap();
        let mut page =
            browser.eval("return window.playground.check(arguments[0], arguments[1])", json!([manifests, settings]));
        let dir = TempDir::new("example");
        std::fs::write(dir.0.join("manifests.yaml"), manifests).unwrap();
        std::fs::write(dir.0.join("settings.yml"), settings.as_str().unwrap()).unwrap();
        let out = Command::new(&tool)
            .current_dir(&dir.0)
            .args(["check", "--output", "json", "--settings", "settings.yml", "manifests.yaml"])
            .output()
            .unwrap();
        let mut cli: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        // The page adds the object a patch applies to, and names its policy differently.
        for result in page["results"].as_array_mut().unwrap() {
            result.as_object_mut().unwrap().remove("object");
        }
        for report in [&mut page, &mut cli] {
            report.as_object_mut().unwrap().remove("policy");
        }
        assert_eq!(page, cli, "example {}", example["id"]);
        assert!(!page["results"].as_array().unwrap().is_empty(), "example {} checked nothing", example["id"]);
    }
}

/// The export in the real module (wasm, panic=abort: a panic would trap and poison the module):
/// garbage and hostile input give the same report as the function natively (`export.rs`), and the
/// module still answers afterwards.
#[test]
fn garbage_in_the_module_gets_the_native_report_and_no_trap() {
    let browser = Browser::start();
    browser.open_page(&format!("{}/index.html", serve(playground_dir())));
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let inputs = ["", "\u{0}", "{", "[[[[[[[[[[", "kind: Secret\napiVersion: v1\ndata: {a: '%%%'}\n", "- - - -", &deep];
    for text in inputs {
        for (manifests, settings) in [(text, ""), (LOKI_SECRET, text)] {
            let in_page = browser
                .eval("return window.playground.check(arguments[0], arguments[1])", json!([manifests, settings]));
            let native: Value = serde_json::from_str(&tempo_policy_web::check(manifests, settings, "{}")).unwrap();
            assert_eq!(
                in_page,
                native,
                "{:?} / {:?}",
                &manifests[..manifests.len().min(40)],
                &settings[..settings.len().min(40)]
            );
        }
    }
    let after = browser.eval("return window.playground.check(arguments[0])", json!([LOKI_SECRET]));
    assert_eq!(after["summary"]["rejected"], 2, "the module still answers: {after}");
}

/// Issue 20: "Copy a link" leaves the Secrets' credential values out by default; the link,
/// opened, gets the same findings as the paste it came from, and holds none of those values. The
/// explicit choice puts them in.
#[test]
fn a_shared_link_leaves_credentials_out_and_gets_the_same_findings() {
    let production = include_str!("../../../examples/broken/production.yaml");
    let gcs = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tempo-gcs\n  namespace: payments-prod\ntype: Opaque\nstringData:\n  bucketname: tempo-traces-gcs\n  key.json: |\n    {\"type\": \"service_account\", \"client_email\": \"tempo@p.iam.gserviceaccount.com\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n\"}\n";
    let case = format!("{production}{gcs}");
    let secrets =
        ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"];
    let browser = Browser::start();
    let base = serve(playground_dir());
    browser.open_page(&format!("{base}/index.html"));
    browser.eval("document.getElementById('manifests').value = arguments[0]; window.playground.run();", json!([case]));
    let pasted = browser.eval(FINDINGS, json!([]));
    assert!(pasted.to_string().contains("static-credentials"), "{pasted}");

    let share = |with_secrets: bool| {
        browser.eval(
            "document.getElementById('share-status').textContent = ''; document.getElementById('share-secrets').checked = arguments[0]; document.getElementById('share').click();",
            json!([with_secrets]),
        );
        let status = browser.wait_for("return document.getElementById('share-status').textContent", "the link");
        let url = browser.eval("return location.href", json!([])).as_str().unwrap().to_owned();
        let m = url.split(['#', '&']).find_map(|p| p.strip_prefix("m=")).unwrap().to_owned();
        let linked = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&m).unwrap()).unwrap();
        (url, linked, status.as_str().unwrap().to_owned())
    };
    let (url, linked, status) = share(false);
    for secret in secrets {
        assert!(!linked.contains(secret) && !url.contains(secret), "{secret} is in the link: {linked}");
    }
    assert!(
        status.contains("Left out of it")
            && status.contains("Secret payments-prod/tempo-s3: access_key_id, access_key_secret"),
        "{status}"
    );
    assert!(status.contains("Secret payments-prod/tempo-gcs: key.json"), "{status}");

    // Opened as whoever receives it would open it: a fresh page.
    browser.open("about:blank");
    browser.open_page(&url);
    assert_eq!(browser.eval(FINDINGS, json!([])), pasted, "the link gets the paste's findings");

    // The explicit, off-by-default choice carries the values (of the original paste, put back:
    // the page opened from the link holds the placeholders).
    browser.eval("document.getElementById('manifests').value = arguments[0]; window.playground.run();", json!([case]));
    let (_, linked, status) = share(true);
    assert!(secrets.iter().all(|s| linked.contains(s)), "{linked}");
    assert!(status.contains("It carries the Secrets' credential values"), "{status}");
}
