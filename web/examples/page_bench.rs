//! The playground measured in headless Chromium (`make bench-playground`): the module's size
//! (raw and gzip, as a static host would serve it), the time from opening the page to its first
//! result, and the time to check 100 objects in the page, against the same 100 objects checked
//! natively by the same code in this process (the baseline of the same run). Numbers are
//! printed, never asserted. With `PLAYGROUND_SCREENSHOT=FILE` it also saves a screenshot of the
//! page as a newcomer first sees it (the README's, `docs/playground.png`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../tests/support/browser.rs"]
mod browser;

use std::io::Write as _;
use std::time::Instant;

use serde_json::{Value, json};

const SETTINGS: &str = include_str!("../../examples/settings.yml");
const RUNS: usize = 7;

/// 50 Secrets and 50 TempoStacks using them (realistic objects, half of them with findings).
fn hundred_objects() -> String {
    let mut text = String::new();
    for i in 0..50 {
        let (endpoint, bucket_key) = if i % 2 == 0 {
            ("https://s3.eu-west-1.amazonaws.com", "bucket")
        } else {
            ("http://minio.minio.svc:9000", "bucketnames")
        };
        text.push_str(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: store-{i}\n  namespace: team-{i}\ntype: Opaque\nstringData:\n  endpoint: {endpoint}\n  {bucket_key}: traces-{i}\n  access_key_id: tempo\n  access_key_secret: not-shown\n---\n\
             apiVersion: tempo.grafana.com/v1alpha1\nkind: TempoStack\nmetadata:\n  name: stack-{i}\n  namespace: team-{i}\nspec:\n  storage:\n    secret:\n      name: store-{i}\n      type: s3\n  storageSize: 1Gi\n---\n"
        ));
    }
    text
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let dir = browser::playground_dir();
    let module = std::fs::read(dir.join("pkg/tempo_policy_web_bg.wasm")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&module).unwrap();
    let gzipped = gz.finish().unwrap().len();

    let base = browser::serve(dir);
    let browser = browser::Browser::start();
    let mut first = Vec::new();
    let mut ready = Vec::new();
    for _ in 0..RUNS {
        // A fresh document each time (a query string changes the URL; the server ignores it).
        browser.open_page(&format!("{base}/index.html?run={}", first.len()));
        let t = browser.eval("return window.playground.timings", json!([]));
        first.push(t["firstResultMs"].as_f64().unwrap());
        ready.push(t["moduleReadyMs"].as_f64().unwrap());
    }

    if let Some(file) = std::env::var_os("PLAYGROUND_SCREENSHOT") {
        browser.open_page(&format!("{base}/index.html"));
        std::fs::write(&file, browser.screenshot()).unwrap();
        eprintln!("screenshot written to {}", std::path::Path::new(&file).display());
    }

    let objects = hundred_objects();
    let in_page = browser.eval(
        "const [m, s, runs] = arguments; const times = []; let report;
         for (let i = 0; i < runs; i++) { const t0 = performance.now(); report = window.playground.check(m, s); times.push(performance.now() - t0); }
         return {times, checked: report.summary.checked};",
        json!([objects, SETTINGS, RUNS]),
    );
    let checked = in_page["checked"].as_u64().unwrap();
    let page_ms = median(in_page["times"].as_array().unwrap().iter().filter_map(Value::as_f64).collect());
    // The page as a user sees it: editor text set, checked and rendered.
    let rendered = browser.eval(
        "const [m, runs] = arguments; const times = [];
         for (let i = 0; i < runs; i++) { document.getElementById('manifests').value = m; const t0 = performance.now(); window.playground.run(); times.push(performance.now() - t0); }
         return times;",
        json!([objects, RUNS]),
    );
    let rendered_ms = median(rendered.as_array().unwrap().iter().filter_map(Value::as_f64).collect());

    let native_ms = median(
        (0..RUNS)
            .map(|_| {
                let t0 = Instant::now();
                let report = tempo_policy_web::run(&objects, SETTINGS, &tempo_policy_web::Options::default());
                assert_eq!(report["summary"]["checked"], checked);
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );

    println!("| playground (headless Chromium, median of {RUNS}) | value |");
    println!("|---|---|");
    println!(
        "| module `tempo_policy_web_bg.wasm`, raw | {} bytes ({:.2} MiB) |",
        module.len(),
        module.len() as f64 / 1048576.0
    );
    println!("| module, gzip -9 | {gzipped} bytes ({:.0} KiB) |", gzipped as f64 / 1024.0);
    println!("| page opened → module ready | {:.0} ms |", median(ready));
    println!("| page opened → first result rendered | {:.0} ms |", median(first));
    println!("| check of {checked} objects, in the page (`check` export) | {page_ms:.1} ms |");
    println!("| check of {checked} objects, in the page, with rendering | {rendered_ms:.1} ms |");
    println!("| baseline: the same check natively (same code, this process) | {native_ms:.1} ms |");
    println!("| wasm in Chromium / native | {:.1}× |", page_ms / native_ms);
}
