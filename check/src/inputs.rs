//! Reading manifests for `check`: files, directories (recursively) and stdin; multi-document
//! YAML, JSON (one value or a stream of values) and `kind: List`, each document with the file
//! and line it starts on. A document that does not parse is an [`InputProblem`] with its path
//! and line; the other documents of the file are still read.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where a document starts: the file as the user named it (or found under a directory they
/// named), `-` for stdin, and the 1-based line of its first content line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One Kubernetes object read from the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub source: Source,
    pub value: Value,
}

/// A path, file or document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Everything read from a list of paths.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Kubernetes objects (documents with a `kind`), `List`s flattened, in input order.
    pub documents: Vec<Document>,
    /// Unreadable paths and unparsable documents.
    pub problems: Vec<InputProblem>,
    /// Files read.
    pub files: usize,
    /// Documents that are not Kubernetes objects (no `kind`/`apiVersion`, e.g. a values file):
    /// skipped.
    pub skipped: usize,
    /// Canonical paths of the files read: a file a directory walk reaches again (through a
    /// symlink) is not read twice.
    seen_files: BTreeSet<PathBuf>,
    /// Canonical paths of the directories walked: a directory symlink that leads back up the
    /// tree (a cycle), or to a directory already walked, is not followed again.
    walked: BTreeSet<PathBuf>,
    /// Manifest files met in directory walks, read or skipped as already read.
    found: usize,
    /// The text of every file read, by name: where `fields` finds the line of a field.
    pub texts: std::collections::HashMap<String, String>,
}

/// The display name of stdin in reports.
pub const STDIN_NAME: &str = "-";

/// How deep a directory tree is walked. Symlink cycles are caught before (see `read_dir`); this
/// bounds a tree that is really this deep, or one built to defeat the cycle check.
const MAX_DEPTH: usize = 64;

/// Read every path: `-` is stdin (at most once), a directory is walked recursively for
/// `*.yaml`, `*.yml` and `*.json` (hidden entries skipped, names sorted), a file is read
/// whatever its name.
pub fn read_paths(paths: &[String]) -> Inputs {
    let mut inputs = Inputs::default();
    let mut stdin_read = false;
    for path in paths {
        if path == STDIN_NAME {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => inputs.read_text(STDIN_NAME, &text, false),
                Err(e) => inputs.problem(STDIN_NAME, None, format!("cannot read stdin: {e}")),
            }
            continue;
        }
        let p = Path::new(path);
        match std::fs::metadata(p) {
            Ok(meta) if meta.is_dir() => {
                let canonical = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                if inputs.walked.contains(&canonical) {
                    // Named twice, or inside a directory already named: read once.
                    continue;
                }
                let before = inputs.found;
                inputs.read_dir(p, 0);
                if inputs.found == before {
                    // A CI step pointed at the wrong directory must not pass silently.
                    inputs.problem(path, None, "no *.yaml, *.yml or *.json file in this directory".to_owned());
                }
            }
            Ok(_) => inputs.read_file(p, false),
            Err(e) => inputs.problem(path, None, format!("cannot read: {e}")),
        }
    }
    inputs
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn is_manifest_name(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

impl Inputs {
    fn problem(&mut self, file: &str, line: Option<usize>, message: String) {
        self.problems.push(InputProblem { file: file.to_owned(), line, message });
    }

    fn read_dir(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_DEPTH {
            self.problem(
                &display(dir),
                None,
                format!("directory tree deeper than {MAX_DEPTH} levels (a symlink loop?)"),
            );
            return;
        }
        // A directory symlink pointing back up the tree (`a/b/loop -> ../..`) made the walk read
        // the same files again at every level until MAX_DEPTH ("defined twice"). Symlinks are
        // followed, but each directory is walked once (which also ends a cycle at its first
        // turn) and each file read once (`read_file`).
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !self.walked.insert(canonical) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problem(&display(dir), None, format!("cannot read directory: {e}"));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => paths.push(entry.path()),
                Err(e) => self.problem(&display(dir), None, format!("cannot read directory: {e}")),
            }
        }
        paths.sort();
        for path in paths {
            if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.read_dir(&path, depth + 1),
                Ok(_) if is_manifest_name(&path) => {
                    self.found += 1;
                    self.read_file(&path, true);
                }
                Ok(_) => {}
                Err(e) => self.problem(&display(&path), None, format!("cannot read: {e}")),
            }
        }
    }

    /// `walked`: found under a directory, where a file met again (through a symlink) is skipped.
    /// A file named on the command line is always read: naming one twice is the user's doing,
    /// and the duplicate objects are then reported.
    fn read_file(&mut self, path: &Path, walked: bool) {
        let name = display(path);
        if let Ok(canonical) = std::fs::canonicalize(path)
            && !self.seen_files.insert(canonical)
            && walked
        {
            return;
        }
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let json = path.extension().and_then(|e| e.to_str()) == Some("json");
                    self.read_text(&name, &text, json);
                }
                Err(e) => {
                    let offset = e.utf8_error().valid_up_to();
                    let line = e.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1;
                    self.problem(&name, Some(line), "not UTF-8 text".to_owned());
                }
            },
            Err(e) => self.problem(&name, None, format!("cannot read: {e}")),
        }
    }

    /// Parse one file's text. `json`: the file is named `*.json` (no YAML fallback).
    pub fn read_text(&mut self, file: &str, text: &str, json: bool) {
        self.files += 1;
        self.texts.insert(file.to_owned(), text.to_owned());
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let looks_json = text.trim_start().starts_with(['{', '[']);
        if json || looks_json {
            match parse_json_stream(text) {
                Ok(values) => {
                    for (line, value, item_lines) in values {
                        self.add(file, line, value, item_lines);
                    }
                    return;
                }
                Err((line, message)) if json => {
                    self.problem(file, Some(line), format!("not valid JSON: {message}"));
                    return;
                }
                // `{a: 1}` is YAML too.
                Err(_) => {}
            }
        }
        for chunk in split_yaml_documents(text) {
            match parse_yaml_chunk(&chunk) {
                Ok(Value::Null) => {}
                Ok(value) => {
                    let item_lines = list_items(&value).map(|_| chunk.list_item_lines());
                    self.add(file, chunk.content_line(), value, item_lines);
                }
                Err((line, message)) => self.problem(file, Some(line), format!("not valid YAML: {message}")),
            }
        }
    }

    /// Keep a parsed document: flatten Lists (`item_lines`: where each item starts, used when
    /// there is one per item), skip what is not a Kubernetes object.
    fn add(&mut self, file: &str, line: usize, value: Value, item_lines: Option<Vec<usize>>) {
        if value.is_null() {
            return;
        }
        if let Some(items) = list_items(&value) {
            let lines = item_lines.filter(|l| l.len() == items.len());
            let items = items.to_vec();
            for (i, item) in items.into_iter().enumerate() {
                let item_line = lines.as_ref().and_then(|l| l.get(i).copied()).unwrap_or(line);
                // A List inside a List (rare): flattened too, at the item's line.
                self.add(file, item_line, item, None);
            }
            return;
        }
        let is_object = value.get("kind").and_then(Value::as_str).is_some_and(|k| !k.is_empty())
            && value.get("apiVersion").and_then(Value::as_str).is_some_and(|v| !v.is_empty());
        if !is_object {
            self.skipped += 1;
            return;
        }
        self.documents.push(Document { source: Source { file: file.to_owned(), line }, value });
    }
}

/// The items of a `kind: List` (or `SecretList`, ...): a document whose kind ends in `List`
/// and that has an `items` array.
fn list_items(value: &Value) -> Option<&[Value]> {
    let kind = value.get("kind")?.as_str()?;
    if !kind.ends_with("List") {
        return None;
    }
    value.get("items")?.as_array().map(Vec::as_slice)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
}

/// A JSON value with the line it starts on and, for a List, the line of each item.
type JsonDocument = (usize, Value, Option<Vec<usize>>);

/// A JSON file: one value, a stream of values, or a top-level array of objects. Returns each
/// value with its line (found through the borrowed raw text of each value), or the line and
/// message of the first error.
fn parse_json_stream(text: &str) -> Result<Vec<JsonDocument>, (usize, String)> {
    #[derive(serde::Deserialize)]
    struct RawList<'a> {
        #[serde(borrow)]
        items: Vec<&'a serde_json::value::RawValue>,
    }
    let base = text.as_ptr() as usize;
    let line_at = |raw: &serde_json::value::RawValue| line_of(text, (raw.get().as_ptr() as usize).saturating_sub(base));
    let err = |e: serde_json::Error| (e.line().max(1), e.to_string());
    let mut out = Vec::new();
    for raw in serde_json::Deserializer::from_str(text).into_iter::<&serde_json::value::RawValue>() {
        let raw = raw.map_err(err)?;
        let tops: Vec<&serde_json::value::RawValue> =
            if raw.get().starts_with('[') { serde_json::from_str(raw.get()).map_err(err)? } else { vec![raw] };
        for top in tops {
            let value: Value = serde_json::from_str(top.get()).map_err(err)?;
            let item_lines = list_items(&value)
                .and_then(|_| serde_json::from_str::<RawList>(top.get()).ok())
                .map(|list| list.items.into_iter().map(line_at).collect());
            out.push((line_at(top), value, item_lines));
        }
    }
    Ok(out)
}

/// One YAML document of a stream: its text and the 1-based line its text starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub first_line: usize,
    pub text: String,
}

impl Chunk {
    /// The line of the first line that is neither blank nor a comment.
    pub fn content_line(&self) -> usize {
        self.text
            .lines()
            .position(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
            .map_or(self.first_line, |i| self.first_line + i)
    }

    /// For a block-style `kind: List`: the line of each `- ` entry of the top-level `items:`.
    /// The caller uses them only when their number matches the number of items.
    fn list_item_lines(&self) -> Vec<usize> {
        let mut lines = Vec::new();
        let mut in_items = false;
        let mut indent: Option<usize> = None;
        for (i, l) in self.text.lines().enumerate() {
            if !l.starts_with([' ', '-', '\t']) && !l.trim().is_empty() && !l.trim_start().starts_with('#') {
                // A top-level key.
                in_items = l.trim_end() == "items:";
                indent = None;
                continue;
            }
            if !in_items {
                continue;
            }
            let trimmed = l.trim_start();
            let this_indent = l.len() - trimmed.len();
            if trimmed == "-" || trimmed.starts_with("- ") {
                match indent {
                    None => {
                        indent = Some(this_indent);
                        lines.push(self.first_line + i);
                    }
                    Some(n) if n == this_indent => lines.push(self.first_line + i),
                    Some(_) => {}
                }
            }
        }
        lines
    }
}

/// Split a YAML stream into documents at `---` lines (the rest of a `--- ` line belongs to the
/// next document) and `...` lines; directives (`%YAML`) are dropped.
pub fn split_yaml_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current = Chunk { first_line: 1, text: String::new() };
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let is_start = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        let is_end = line == "..." || line.starts_with("... ");
        if is_start {
            chunks.push(std::mem::replace(&mut current, Chunk { first_line: number, text: String::new() }));
            // Keep the columns: the marker becomes blanks.
            current.text.push_str("   ");
            current.text.push_str(line.get(3..).unwrap_or(""));
            current.text.push('\n');
            continue;
        }
        if is_end {
            chunks.push(std::mem::replace(&mut current, Chunk { first_line: number + 1, text: String::new() }));
            continue;
        }
        if line.starts_with('%') && current.text.trim().is_empty() {
            current.text.push('\n');
            continue;
        }
        current.text.push_str(line);
        current.text.push('\n');
    }
    chunks.push(current);
    chunks.retain(|c| c.text.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')));
    chunks
}

/// Parse one document as `kubectl apply` does (YAML 1.1 scalars, see [`super::yaml`]); errors
/// carry the absolute line and a message whose `line N` references are absolute too.
fn parse_yaml_chunk(chunk: &Chunk) -> Result<Value, (usize, String)> {
    let offset = chunk.first_line - 1;
    super::yaml::parse_document(&chunk.text)
        .map_err(|(line, message)| (line + offset, shift_line_numbers(&message, offset)))
}

/// Add `offset` to every `line N` in a parser message.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        let (head, tail) = rest.split_at(i + "line ".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let (number, after) = tail.split_at(digits);
        match number.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(number),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Inputs {
        let mut inputs = Inputs::default();
        inputs.read_text("f.yaml", text, false);
        inputs
    }

    fn lines(inputs: &Inputs) -> Vec<usize> {
        inputs.documents.iter().map(|d| d.source.line).collect()
    }

    const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n";

    #[test]
    fn multi_document_lines() {
        let text = format!("# header\n---\n{SECRET}---\n\n# c\n{SECRET}--- \n...\n---\n{SECRET}");
        let inputs = read(&text);
        assert_eq!(lines(&inputs), vec![3, 10, 17]);
        assert!(inputs.problems.is_empty(), "{:?}", inputs.problems);
        // Content on the `---` line itself.
        let inputs = read("--- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n");
        assert_eq!(lines(&inputs), vec![1]);
        assert_eq!(inputs.documents[0].value["metadata"]["name"], "a");
    }

    #[test]
    fn broken_document_among_good_ones() {
        let text = format!("{SECRET}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: [unclosed\n---\n{SECRET}");
        let inputs = read(&text);
        assert_eq!(lines(&inputs), vec![1, 11]);
        assert_eq!(inputs.problems.len(), 1);
        let p = &inputs.problems[0];
        assert!(p.line.unwrap() >= 6 && p.line.unwrap() <= 10, "{p}");
        assert!(p.message.starts_with("not valid YAML"), "{p}");
        // The message's own line references are absolute.
        assert!(!p.message.contains("line 4 "), "{p}");
    }

    #[test]
    fn lists_and_skipped() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n      labels:\n        - x\n---\nfoo: bar\n";
        let inputs = read(text);
        assert_eq!(lines(&inputs), vec![4, 7]);
        assert_eq!(inputs.skipped, 1);
        assert_eq!(inputs.documents[1].value["kind"], "ConfigMap");
    }

    #[test]
    fn json_stream_and_array() {
        let mut inputs = Inputs::default();
        inputs.read_text(
            "x.json",
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"a\"}}\n\n{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Secret\"}]}",
            true,
        );
        assert_eq!(lines(&inputs), vec![1, 3]);
        let mut inputs = Inputs::default();
        inputs.read_text(
            "x.json",
            "[\n  {\"apiVersion\": \"v1\", \"kind\": \"Secret\"},\n  {\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n    {\"apiVersion\": \"v1\", \"kind\": \"Secret\"},\n\n    {\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}\n  ]}\n]\n",
            true,
        );
        assert_eq!(lines(&inputs), vec![2, 4, 6]);
        let mut inputs = Inputs::default();
        inputs.read_text("x.json", "{\n  \"a\": 1,\n  \"b\": \n}\n", true);
        assert_eq!(inputs.problems.len(), 1);
        assert_eq!(inputs.problems[0].line, Some(4));
        // Flow-style YAML that starts like JSON.
        let inputs = read("{apiVersion: v1, kind: Secret, metadata: {name: a}}\n");
        assert_eq!(lines(&inputs), vec![1]);
    }

    #[test]
    fn keys_merges_and_numbers() {
        let inputs = read(
            "apiVersion: v1\nkind: ConfigMap\nbase: &b {x: 1}\ndata:\n  <<: *b\n  8080: port\n  true: yes\n  f: 1.5\n",
        );
        let v = &inputs.documents[0].value;
        // YAML 1.1, as kubectl reads it: `yes` is true.
        assert_eq!(v["data"], json!({"x": 1, "8080": "port", "true": true, "f": 1.5}));
    }

    #[test]
    fn shifting() {
        assert_eq!(
            shift_line_numbers("did not find expected key at line 3 column 1, while parsing at line 1 column 1", 10),
            "did not find expected key at line 13 column 1, while parsing at line 11 column 1"
        );
    }
}
