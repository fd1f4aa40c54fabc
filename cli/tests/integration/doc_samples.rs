//! The sample outputs in the docs are what the tool prints: every block announced by
//! `<!-- sample: ARGS ... -->` in README.md and docs/*.md is compared with `tempo-policy ARGS` run
//! from the repository's root. A sample may leave lines out (a line `...`) and cut a long line
//! (ending it in ` ...`); every other line must appear, whole and in order, and `$ echo $?` must
//! be followed by the exit code. `$ ` lines are the commands, not output.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// One announced sample: where it is, the tool's arguments, the block's lines.
struct Sample {
    at: String,
    args: Vec<String>,
    lines: Vec<String>,
}

fn samples(text: &str, file: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix("<!-- sample: ") else { continue };
        let args = rest.split(" (").next().unwrap().trim_end_matches("-->").trim();
        let block: Vec<String> = lines[i + 1..]
            .iter()
            .skip(1) // the opening fence
            .take_while(|l| !l.starts_with("```"))
            .map(|l| l.to_string())
            .collect();
        assert!(lines.get(i + 1).is_some_and(|l| l.starts_with("```")), "{file}:{}: no block after the marker", i + 1);
        out.push(Sample {
            at: format!("{file}:{}", i + 1),
            args: args.split_whitespace().map(str::to_string).collect(),
            lines: block,
        });
    }
    out
}

/// Why `sample` is not an excerpt of `actual` (and `code`); `None` when it is.
fn mismatch(sample: &[String], actual: &str, code: i32) -> Option<String> {
    let actual: Vec<&str> = actual.lines().collect();
    let mut next = 0;
    let mut gap = false;
    let mut lines = sample.iter().peekable();
    while let Some(line) = lines.next() {
        if line == "$ echo $?" {
            let expected = lines.next().map(String::as_str).unwrap_or("");
            if expected != code.to_string() {
                return Some(format!("exit code {code}, the sample says {expected}"));
            }
            continue;
        }
        if line.starts_with("$ ") {
            continue;
        }
        if line == "..." {
            gap = true;
            continue;
        }
        let matches = |a: &str| match line.strip_suffix(" ...") {
            Some(prefix) => a.starts_with(prefix),
            None => a == line,
        };
        let found = if gap {
            actual[next..].iter().position(|a| matches(a)).map(|p| next + p)
        } else {
            actual.get(next).filter(|a| matches(a)).map(|_| next)
        };
        match found {
            Some(i) => next = i + 1,
            None => return Some(format!("{line:?} is not the next line of the output (after line {next})")),
        }
        gap = false;
    }
    None
}

#[test]
fn every_sample_output_in_the_docs_is_what_the_tool_prints() {
    let mut files = vec![root().join("README.md")];
    files.extend(std::fs::read_dir(root().join("docs")).unwrap().map(|e| e.unwrap().path()));
    files.retain(|p| p.extension().is_some_and(|e| e == "md"));
    let mut all = Vec::new();
    for file in &files {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        all.extend(samples(&std::fs::read_to_string(file).unwrap(), &name));
    }
    assert!(all.len() >= 2, "the README's and docs/ci.md's samples: {}", all.len());
    let mut failures = Vec::new();
    for sample in &all {
        let o = Command::new(common::bin())
            .current_dir(root())
            .args(&sample.args)
            .env_remove("TEMPO_POLICY_WASM")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        if let Some(why) = mismatch(&sample.lines, &stdout, o.status.code().unwrap_or(-1)) {
            failures.push(format!("{}: {why}\n--- the tool printed ---\n{stdout}", sample.at));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_sample_check_catches_stale_lines() {
    let out = "a\nb: long line here\nc\nsummary\n";
    let lines = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert_eq!(mismatch(&lines(&["$ cmd", "a", "b: long ...", "...", "summary", "$ echo $?", "1"]), out, 1), None);
    assert!(mismatch(&lines(&["a", "c"]), out, 0).is_some(), "a line left out without `...`");
    assert!(mismatch(&lines(&["a", "...", "b: other"]), out, 0).is_some(), "a changed line");
    assert!(mismatch(&lines(&["summary", "...", "a"]), out, 0).is_some(), "out of order");
    assert!(mismatch(&lines(&["a", "$ echo $?", "0"]), out, 1).unwrap().contains("exit code 1"));
}
