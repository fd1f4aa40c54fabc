//! Where a finding points: the line of the field it names, so that the text report, the JSON
//! report and SARIF (`region.startLine`, which code-scanning UIs annotate) show the line of
//! `spec.storage.secret.name` or of the Secret's `endpoint` key rather than the first line of
//! the document.
//!
//! The policy answers with messages only (the admission response has no field paths), so the
//! field is read back from the message, in this order:
//! 1. a field path the message writes (`spec.storageSize`, `spec.storage.traces.s3.secret`,
//!    `metadata.annotations`), in the object itself, else in an object the message names
//!    (`TempoMonolithic "scratch"`) that is among the manifests;
//! 2. for a Secret, the first of its `data`/`stringData` keys the message names (`endpoint`,
//!    `"bucket"`); for a finding about another Secret (`Secret "tempo-s3" (storage of ...)`),
//!    the same in that Secret when it is among the manifests, else the object's reference to it;
//!    a Secret that lacks the keys the message names: its `data` (or `stringData`) line;
//! 3. otherwise the object's first line, as before.
//!
//! Lines come from the manifest text itself, read with an event parser that keeps positions
//! (saphyr-parser; JSON is YAML too). Only the YAML document holding the object is parsed.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};
use serde_json::Value;

use super::inputs::Source;
use super::manifests::{ManifestSet, ObjectKey, group_of};
use super::node_paths::{Node, NodePaths};
use super::outcome::Outcome;
use super::requests::Target;

/// Nesting deeper than this is not indexed (the manifests' own parser stops at 128 levels).
const MAX_DEPTH: usize = 256;

/// Kinds a message may name as `Kind "name"`.
const NAMED_KINDS: &[(&str, &str)] = &[
    ("Secret", "v1"),
    ("ConfigMap", "v1"),
    ("TempoStack", "tempo.grafana.com/v1alpha1"),
    ("TempoMonolithic", "tempo.grafana.com/v1alpha1"),
];

/// Sets `at` (and `path`, when a field was found) of every finding of `outcomes` (one per
/// target, same order).
pub fn locate(outcomes: &mut [Outcome], targets: &[Target], set: &ManifestSet, texts: &HashMap<String, String>) {
    let mut lines = LineIndex { texts, parsed: HashMap::new() };
    for (outcome, target) in outcomes.iter_mut().zip(targets) {
        let own = Object { source: &target.manifest.source, value: &target.manifest.object };
        let namespace = target.manifest.key.namespace.clone();
        for finding in &mut outcome.findings {
            if let Some((at, path)) = locate_one(&finding.message, &own, namespace.as_deref(), set, &mut lines) {
                finding.at = at;
                finding.path = Some(dotted(&path));
            }
        }
    }
}

/// `spec.storage.secret`; a segment that holds a dot (a Secret key such as `key.json`) is
/// written `["key.json"]`, so the path reads back unambiguously.
pub fn dotted(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if segment.contains(['.', '[', ']', '"']) {
            out.push_str(&format!("[{}]", serde_json::Value::String(segment.clone())));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// A document: where it starts and what it holds.
struct Object<'a> {
    source: &'a Source,
    value: &'a Value,
}

impl Object<'_> {
    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }
}

fn locate_one(
    message: &str,
    own: &Object,
    namespace: Option<&str>,
    set: &ManifestSet,
    lines: &mut LineIndex,
) -> Option<(Source, Vec<String>)> {
    let paths = field_paths(message);
    let named: Vec<Object> = named_objects(message, namespace, set);
    // 1. A field path, in the object, then in the objects the message names.
    for candidate in std::iter::once(own).chain(named.iter()) {
        for path in &paths {
            if has_path(candidate.value, path)
                && let Some(line) = lines.line_of(candidate.source, path)
            {
                return Some((Source { file: candidate.source.file.clone(), line }, path.clone()));
            }
        }
    }
    // 2. Secret keys.
    if own.kind() == "Secret" {
        return secret_key(message, own, lines);
    }
    let subject = subject_secret(message)?;
    if let Some(secret) = named.iter().find(|o| o.kind() == "Secret" && name_of(o.value) == Some(subject)) {
        return secret_key(message, secret, lines);
    }
    // The Secret is not among the manifests: the object's reference to it.
    let reference = string_paths(own.value, &["spec", "storage"]).into_iter().find(|(_, v)| v == subject)?;
    let line = lines.line_of(own.source, &reference.0)?;
    Some((Source { file: own.source.file.clone(), line }, reference.0))
}

/// The line of the first `data`/`stringData` key of `secret` the message names (after its
/// subject), else of `data` or `stringData`.
fn secret_key(message: &str, secret: &Object, lines: &mut LineIndex) -> Option<(Source, Vec<String>)> {
    // The object as checked has `stringData` merged into `data` (as the API server stores it);
    // the manifest may have the key under either.
    let text = message_body(message);
    let mut keys: Vec<(usize, &String)> = Vec::new();
    for section in ["data", "stringData"] {
        let Some(map) = secret.value.get(section).and_then(Value::as_object) else { continue };
        keys.extend(map.keys().filter_map(|key| mention(text, key).map(|at| (at, key))));
    }
    keys.sort();
    let sections = ["stringData", "data"];
    let found = keys.iter().find_map(|(_, key)| {
        sections.iter().find_map(|s| {
            let path = vec![(*s).to_owned(), (*key).clone()];
            lines.exact_line_of(secret.source, &path).map(|line| (line, path))
        })
    });
    let (line, path) = match found {
        Some(found) => found,
        None => sections.iter().find_map(|s| {
            let path = vec![(*s).to_owned()];
            lines.exact_line_of(secret.source, &path).map(|line| (line, path))
        })?,
    };
    Some((Source { file: secret.source.file.clone(), line }, path))
}

/// The message after its subject (`Secret "x" (storage of TempoStack "y"): `), so that names
/// in the subject are not taken for keys.
fn message_body(message: &str) -> &str {
    if message.starts_with("Secret \"")
        && let Some(i) = message.find(": ")
    {
        return message.get(i + 2..).unwrap_or(message);
    }
    message
}

/// The Secret a message is about when it starts with `Secret "name"`.
fn subject_secret(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Secret \"")?;
    rest.get(..rest.find('"')?)
}

/// Where `word` occurs in `text` as a whole word (not inside a longer key or name; a dot after
/// it may end a sentence).
fn mention(text: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find(word)).map(|i| i + from) {
        from = i + word.len();
        let before_ok = text.get(..i).and_then(|t| t.chars().next_back()).is_none_or(|c| !is_word(c) && c != '.');
        let rest = text.get(i + word.len()..).unwrap_or("");
        let after_ok = match rest.chars().next() {
            None => true,
            Some('.') => !rest.get(1..).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphanumeric())),
            Some(c) => !is_word(c),
        };
        if before_ok && after_ok && !word.is_empty() {
            return Some(i);
        }
    }
    None
}

/// Field paths written in a message: `spec.…`, `metadata.…`, `data.…`, `stringData.…`, with
/// `[N]` indices, in the order they appear.
pub fn field_paths(message: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = message.as_bytes();
    for root in ["spec.", "metadata.", "data.", "stringData."] {
        let mut from = 0;
        while let Some(i) = message.get(from..).and_then(|m| m.find(root)).map(|i| i + from) {
            from = i + root.len();
            let before = i.checked_sub(1).and_then(|b| bytes.get(b)).copied();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_') {
                continue;
            }
            let end = message
                .get(i..)
                .and_then(|t| {
                    t.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']')))
                })
                .map_or(message.len(), |e| e + i);
            let token = message.get(i..end).unwrap_or("").trim_end_matches('.');
            let mut path = Vec::new();
            for part in token.split('.') {
                let (name, indices) = part.split_once('[').map_or((part, ""), |(n, rest)| (n, rest));
                if !name.is_empty() {
                    path.push(name.to_owned());
                }
                for index in indices.split('[') {
                    let index = index.trim_end_matches(']');
                    if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) {
                        path.push(index.to_owned());
                    }
                }
            }
            if path.len() >= 2 {
                out.push((i, path));
            }
        }
    }
    out.sort();
    out.into_iter().map(|(_, p)| p).collect()
}

fn has_path(value: &Value, path: &[String]) -> bool {
    let mut node = value;
    for part in path {
        node = match node {
            Value::Object(map) => match map.get(part) {
                Some(v) => v,
                None => return false,
            },
            Value::Array(items) => match part.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    true
}

fn name_of(value: &Value) -> Option<&str> {
    value.get("metadata")?.get("name")?.as_str()
}

/// Objects named in the message as `Kind "name"` that are among the manifests.
fn named_objects<'a>(message: &str, namespace: Option<&str>, set: &'a ManifestSet) -> Vec<Object<'a>> {
    let mut out = Vec::new();
    for (kind, api_version) in NAMED_KINDS {
        let pattern = format!("{kind} \"");
        let mut from = 0;
        while let Some(i) = message.get(from..).and_then(|m| m.find(&pattern)).map(|i| i + from) {
            from = i + pattern.len();
            let Some(name) = message.get(from..).and_then(|rest| rest.get(..rest.find('"')?)) else { continue };
            let key = ObjectKey {
                group: group_of(api_version).to_owned(),
                kind: (*kind).to_owned(),
                namespace: namespace.map(str::to_owned),
                name: name.to_owned(),
            };
            if let Some(manifest) = set.get(&key) {
                out.push((i, Object { source: &manifest.source, value: &manifest.object }));
            }
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, o)| o).collect()
}

/// Every string value under `under`, with its path.
fn string_paths(value: &Value, under: &[&str]) -> Vec<(Vec<String>, String)> {
    let mut node = value;
    for part in under {
        match node.get(part) {
            Some(v) => node = v,
            None => return Vec::new(),
        }
    }
    let mut out = Vec::new();
    let mut stack = vec![(under.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), node)];
    while let Some((path, node)) = stack.pop() {
        match node {
            Value::String(s) => out.push((path, s.clone())),
            Value::Object(map) if path.len() < MAX_DEPTH => {
                for (k, v) in map.iter().rev() {
                    let mut p = path.clone();
                    p.push(k.clone());
                    stack.push((p, v));
                }
            }
            _ => {}
        }
    }
    out
}

/// Lines of the fields of the documents in the input texts, parsed on demand.
struct LineIndex<'a> {
    texts: &'a HashMap<String, String>,
    /// Per (file, first line of the document's YAML chunk): the paths of its keys and items.
    parsed: HashMap<(String, usize), Option<Paths>>,
}

impl LineIndex<'_> {
    /// The field paths of the document `source` is in, parsed once per document.
    fn paths_of(&mut self, source: &Source) -> Option<&Paths> {
        let texts: &HashMap<String, String> = self.texts;
        let text = texts.get(&source.file)?;
        let (first_line, chunk) = chunk_at(text, source.line)?;
        self.parsed
            .entry((source.file.clone(), first_line))
            .or_insert_with(|| Paths::parse(chunk, first_line - 1))
            .as_ref()
    }

    /// The line of `path` itself, if the object has it.
    fn exact_line_of(&mut self, source: &Source, path: &[String]) -> Option<usize> {
        let paths = self.paths_of(source)?;
        let mut full = paths.object_at(source.line)?.clone();
        full.extend(path.iter().cloned());
        paths.lines.get(&full).copied()
    }

    /// The line of `path` inside the object that starts at `source`, or of its deepest
    /// existing parent.
    fn line_of(&mut self, source: &Source, path: &[String]) -> Option<usize> {
        let paths = self.paths_of(source)?;
        let base = paths.object_at(source.line)?;
        (1..=path.len()).rev().find_map(|n| {
            let mut full = base.clone();
            full.extend(path.iter().take(n).cloned());
            paths.lines.get(&full).copied()
        })
    }
}

/// The YAML document (between `---` lines) holding `line`, and the line it starts on. A JSON
/// file has no separator: the whole text.
fn chunk_at(text: &str, line: usize) -> Option<(usize, &str)> {
    let is_separator = |l: &str| l == "---" || l.starts_with("--- ") || l.starts_with("---\t");
    let mut start_line = 1;
    let mut start_offset = 0;
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let content = l.trim_end_matches(['\n', '\r']);
        if is_separator(content) {
            if number >= line {
                return Some((start_line, text.get(start_offset..offset)?));
            }
            // The document starts after the marker (its content may follow it on the line).
            start_line = number;
            start_offset = offset + 3;
        }
        offset += l.len();
    }
    Some((start_line, text.get(start_offset..)?))
}

/// Every key and sequence item of one parsed YAML document, by path from its root.
struct Paths {
    /// Path → line of the key (or of the item).
    lines: HashMap<Vec<String>, usize>,
    /// Mappings in document order: (line of their start, path).
    mappings: Vec<(usize, Vec<String>)>,
}

impl Paths {
    /// Parses `text`, whose first line is line `offset + 1` of the file. A parse error ends
    /// the indexing; what was read before it is kept.
    fn parse(text: &str, offset: usize) -> Option<Self> {
        let mut out = Self { lines: HashMap::new(), mappings: Vec::new() };
        let mut paths = NodePaths::new(Vec::new());
        let mut parser = Parser::new_from_str(text);
        while let Some(Ok((event, span))) = parser.next_event() {
            let line = span.start.line() + offset;
            // The path of the node this event starts, `None` for a mapping key; sequence items
            // are recorded at their line.
            let mut node = |paths: &mut NodePaths| match paths.next_node() {
                Node::Key => None,
                Node::Value { path, item } => {
                    if item {
                        out.lines.insert(path.clone(), line);
                    }
                    Some(path)
                }
            };
            match event {
                Event::Scalar(value, ..) => {
                    if node(&mut paths).is_none()
                        && let Some(path) = paths.key(value.to_string())
                    {
                        out.lines.insert(path, line);
                    }
                }
                Event::Alias(_) => {
                    if node(&mut paths).is_none() {
                        paths.key("*".to_owned());
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if paths.depth() >= MAX_DEPTH {
                        return Some(out);
                    }
                    // A complex key (a mapping as key) gets a path no field has.
                    let path = node(&mut paths).unwrap_or_else(|| vec!["?".to_owned()]);
                    let mapping = matches!(event, Event::MappingStart(..));
                    if mapping {
                        out.mappings.push((line, path.clone()));
                    }
                    paths.open(path, mapping);
                }
                Event::MappingEnd | Event::SequenceEnd => paths.close(),
                Event::StreamEnd => break,
                Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Some(out)
    }

    /// The path of the outermost mapping starting on `line`: the object there.
    fn object_at(&self, line: usize) -> Option<&Vec<String>> {
        self.mappings.iter().filter(|(l, _)| *l == line).map(|(_, p)| p).min_by_key(|p| p.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_read_back() {
        let path = |p: &[&str]| dotted(&p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(path(&["spec", "storageSize"]), "spec.storageSize");
        assert_eq!(path(&["stringData", "key.json"]), "stringData[\"key.json\"]");
        assert_eq!(path(&[]), "");
    }

    fn p(path: &str) -> Vec<String> {
        path.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn paths_in_messages() {
        assert_eq!(
            field_paths(
                "TempoMonolithic \"scratch\" names Secret \"minio\" at spec.storage.traces.s3.secret, but there is none"
            ),
            vec![p("spec.storage.traces.s3.secret")]
        );
        assert_eq!(
            field_paths("spec.resources.total.limits.memory 4Gi is above resources.maxLimits.memory 3Gi."),
            vec![p("spec.resources.total.limits.memory")]
        );
        assert_eq!(field_paths("set spec.storageSize."), vec![p("spec.storageSize")]);
        assert_eq!(field_paths("see spec.template.gateway[0].x"), vec![p("spec.template.gateway.0.x")]);
        assert!(field_paths("storage.bucketRegions[\"x\"] and production.namespaces").is_empty());
    }

    #[test]
    fn key_mentions_are_whole_words() {
        assert_eq!(mention("endpoint has the path", "endpoint"), Some(0));
        assert_eq!(mention("the region_code and region.", "region"), Some(20));
        assert_eq!(mention("bucketnames is Loki's", "bucket"), None);
        assert_eq!(mention("missing \"key.json\" here", "key.json"), Some(9));
    }

    const YAML: &str = "\
# leading comment
apiVersion: v1
kind: Secret
metadata:
  name: tempo-s3
stringData:
  bucket: tempo
  endpoint: http://x
---
apiVersion: tempo.grafana.com/v1alpha1
kind: TempoStack
metadata: {name: tracing}
spec:
  storage:
    secret:
      name: tempo-s3
      type: s3
  template:
    gateway:
      - a
      - b: 1
";

    #[test]
    fn lines_of_fields_in_yaml_documents() {
        let texts = HashMap::from([("m.yaml".to_owned(), YAML.to_owned())]);
        let mut index = LineIndex { texts: &texts, parsed: HashMap::new() };
        let secret = Source { file: "m.yaml".into(), line: 2 };
        assert_eq!(index.line_of(&secret, &p("stringData.endpoint")), Some(8));
        assert_eq!(index.line_of(&secret, &p("stringData")), Some(6));
        // A missing field: its deepest existing parent.
        assert_eq!(index.line_of(&secret, &p("stringData.region")), Some(6));
        let stack = Source { file: "m.yaml".into(), line: 10 };
        assert_eq!(index.line_of(&stack, &p("spec.storage.secret.name")), Some(16));
        assert_eq!(index.line_of(&stack, &p("metadata.name")), Some(12));
        assert_eq!(index.line_of(&stack, &p("spec.template.gateway.1.b")), Some(21));
        assert_eq!(index.line_of(&Source { file: "other".into(), line: 1 }, &p("spec")), None);
    }

    #[test]
    fn lines_of_fields_in_json_and_lists() {
        let json = "[\n  {\"kind\": \"Secret\",\n   \"data\": {\"endpoint\": \"aA==\"}},\n  {\"kind\": \"TempoStack\",\n   \"spec\": {\"storageSize\": \"1Gi\"}}\n]\n";
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  data:\n    bucket: dA==\n";
        let texts = HashMap::from([("a.json".to_owned(), json.to_owned()), ("l.yaml".to_owned(), list.to_owned())]);
        let mut index = LineIndex { texts: &texts, parsed: HashMap::new() };
        assert_eq!(index.line_of(&Source { file: "a.json".into(), line: 2 }, &p("data.endpoint")), Some(3));
        assert_eq!(index.line_of(&Source { file: "a.json".into(), line: 4 }, &p("spec.storageSize")), Some(5));
        assert_eq!(index.line_of(&Source { file: "l.yaml".into(), line: 4 }, &p("data.bucket")), Some(7));
    }

    #[test]
    fn a_broken_document_elsewhere_does_not_matter() {
        let text = "kind: Secret\ndata:\n  endpoint: x\n---\nkind: [broken\n---\nkind: Secret\ndata:\n  bucket: y\n";
        let texts = HashMap::from([("b.yaml".to_owned(), text.to_owned())]);
        let mut index = LineIndex { texts: &texts, parsed: HashMap::new() };
        assert_eq!(index.line_of(&Source { file: "b.yaml".into(), line: 7 }, &p("data.bucket")), Some(9));
        assert_eq!(index.line_of(&Source { file: "b.yaml".into(), line: 1 }, &p("data.endpoint")), Some(3));
    }
}
