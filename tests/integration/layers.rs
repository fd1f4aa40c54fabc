//! The policy's modules import one way, down through the layers of [`LAYERS`] (entry → engine →
//! review → rules → what rules read → the data they read → finding → registry), or sideways
//! within a layer, never up; and there is no cycle. This test reads every `crate::` and `super::`
//! path in `src/**/*.rs` (outside `#[cfg(test)]` items, comments and string literals), builds the
//! module graph and fails on an import that points up a layer, or on any cycle, naming it, so
//! that a new upward import is caught when it is written, not when the layers have grown into
//! each other again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path without `crate`, e.g. `["rules", "storage_spec"]`; the crate root is `[]`.
type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/` with its module path.
fn modules() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut module = prefix.to_vec();
            if path.is_dir() {
                module.push(stem);
                walk(&path, &module, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            if !matches!(stem.as_str(), "mod" | "lib") {
                module.push(stem);
            }
            out.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut out = BTreeMap::new();
    walk(&src(), &[], &mut out);
    out
}

/// The source with comments and the content of string and char literals blanked out, so that
/// braces and paths inside them count for nothing.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = at(i);
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= chars.len() {
                    break;
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (at(i + 1) == '"' || (at(i + 1) == '#' && !at(i.wrapping_sub(1)).is_alphanumeric())) {
            // A raw string: r"...", r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if at(j) == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && at(i) != '"' {
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (at(i + 2) == '\'' || (at(i + 1) == '\\' && text_has_char_end(&chars, i))) {
            // A char literal ('{', '\n', '\u{7f}'); a lifetime ('a) is left alone.
            i += 1;
            while i < chars.len() && at(i) != '\'' {
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `'\…'` closes within a few characters (`'\u{10FFFF}'` is the longest).
fn text_has_char_end(chars: &[char], start: usize) -> bool {
    (start + 3..start + 12).any(|j| chars.get(j) == Some(&'\''))
}

/// The code without the items marked `#[cfg(test)]` (a test module, a test-only function).
fn without_test_items(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // The item ends at its first `;` when that comes before any `{`, else at the brace that
        // closes its first `{`.
        let open = after.find('{');
        let semi = after.find(';');
        let end = match (open, semi) {
            (Some(o), Some(s)) if s < o => s + 1,
            (Some(o), _) => {
                let mut depth = 0;
                let mut end = after.len();
                for (i, c) in after[o..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = o + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => s + 1,
            (None, None) => after.len(),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every path a module names, expanded from use trees: `use crate::{a::B, c}` gives
/// `crate::a::B` and `crate::c`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        let starts_path = (t == "crate" || t == "super") && tokens.get(i + 1).is_some_and(|n| n == "::");
        let after_path_sep = i > 0 && tokens[i - 1] == "::";
        if starts_path && !after_path_sep {
            let (trees, next) = use_tree(&tokens, i);
            out.extend(trees);
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(n);
                chars.next();
            }
            tokens.push(word);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push("::".to_string());
        } else if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    tokens
}

/// A path (or use tree) starting at `tokens[i]`: the paths it names and the index after it.
fn use_tree(tokens: &[String], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i).map(String::as_str) {
            Some("{") => {
                let mut out = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i).map(String::as_str) {
                        Some("}") | None => return (out, i + 1),
                        Some(",") => i += 1,
                        _ => {
                            let (inner, next) = use_tree(tokens, i);
                            out.extend(inner.into_iter().map(|p| [prefix.clone(), p].concat()));
                            i = next;
                        }
                    }
                }
            }
            Some(word) if word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                prefix.push(word.to_string());
                i += 1;
                if tokens.get(i).map(String::as_str) == Some("::") {
                    i += 1;
                } else {
                    return (vec![prefix], i);
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

/// The module a path leads to: the longest prefix that is a module; `super` counts from `from`.
fn target(path: &[String], from: &Module, known: &BTreeSet<Module>) -> Option<Module> {
    let mut base: Module = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("super") => {
            // `super` of `a/b.rs` is `a`; of `a/b/mod.rs` (module `a::b`) also `a`.
            base = from.clone();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut module = base.clone();
    let mut best = base;
    for part in rest {
        module.push(part.clone());
        if known.contains(&module) {
            best = module.clone();
        } else {
            break;
        }
    }
    Some(best)
}

fn name(m: &Module) -> String {
    if m.is_empty() { "crate".to_string() } else { m.join("::") }
}

/// Who imports whom: module → the modules its paths lead to (itself and its own children left
/// out: a parent declares and may call its children; a child naming its parent is an edge).
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let sources = modules();
    let known: BTreeSet<Module> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &sources {
        let code = without_test_items(&code_only(text));
        let mut edges = BTreeSet::new();
        for path in paths(&code) {
            if let Some(to) = target(&path, module, &known)
                && to != *module
                && !to.starts_with(module)
            {
                edges.insert(to);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The first cycle found by a depth-first walk, as the list of modules around it.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        m: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        marks: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(m) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = stack.iter().position(|s| s == m).unwrap_or(0);
                let mut found = stack[start..].to_vec();
                found.push(m.clone());
                return Some(found);
            }
            None => {}
        }
        marks.insert(m.clone(), Mark::Open);
        stack.push(m.clone());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(m.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for m in graph.keys() {
        if let Some(c) = visit(m, graph, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// The layers of `src/`, top first: a module belongs to the layer of the longest module path
/// that prefixes it (docs/development.md lists the same).
const LAYERS: &[&[&str]] = &[
    // The waPC entry points and the answer they write; the host's look-up contract.
    &["", "response", "host_cluster"],
    &["engine"],
    // What happens to each kind of request, and ratcheting of an UPDATE's findings.
    &["review", "ratchet"],
    &["rules"],
    // What rules read: a Secret as a backend reads it, the defaults, the look-up contract.
    &["context", "mutation", "cluster", "credential", "keys"],
    // The data below them: the request, the objects, endpoints, quantities, settings.
    &["request", "objects", "location", "quantity", "settings", "selector", "json", "verdict", "tempo_config"],
    &["finding"],
    &["registry"],
];

/// The layer of `module` (its index in [`LAYERS`]); `None` for a module no layer names.
fn layer(module: &Module) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, layer) in LAYERS.iter().enumerate() {
        for prefix in *layer {
            let prefix: Module = prefix.split("::").filter(|p| !p.is_empty()).map(str::to_string).collect();
            if module.starts_with(&prefix) && best.is_none_or(|(len, _)| prefix.len() > len) {
                best = Some((prefix.len(), i));
            }
        }
    }
    best.map(|(_, i)| i)
}

/// Every import that points up a layer, as `from → to`.
fn upward(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut found = Vec::new();
    for (from, targets) in graph {
        for to in targets {
            if let (Some(a), Some(b)) = (layer(from), layer(to))
                && b < a
            {
                found.push(format!("{} → {}", name(from), name(to)));
            }
        }
    }
    found
}

#[test]
fn every_module_of_src_has_a_layer_and_imports_point_down() {
    let graph = graph();
    let unplaced: Vec<String> = graph.keys().filter(|m| layer(m).is_none()).map(name).collect();
    assert!(unplaced.is_empty(), "modules in no layer of LAYERS: {unplaced:?}");
    let up = upward(&graph);
    assert!(up.is_empty(), "imports pointing up a layer in src/: {up:?}");
}

#[test]
fn the_module_graph_of_src_has_no_cycle() {
    let graph = graph();
    if let Some(c) = cycle(&graph) {
        let shown: Vec<String> = c.iter().map(name).collect();
        panic!("import cycle in src/: {}", shown.join(" → "));
    }
}

/// The checker itself: it reads the paths it must and sees a cycle where there is one.
#[test]
fn the_checker_reads_use_trees_and_finds_cycles() {
    let code = without_test_items(&code_only(
        "use crate::{a::B, c::{d, e::F}};\n// use crate::g;\nfn x() { let s = \"crate::h\"; super::i(); crate::j::k(); }\n#[cfg(test)]\nmod tests { use crate::l; }\n",
    ));
    let found: Vec<String> = paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(found, ["crate::a::B", "crate::c::d", "crate::c::e::F", "super::i", "crate::j::k"]);

    let m = |s: &str| -> Module { s.split("::").filter(|p| !p.is_empty()).map(str::to_string).collect() };
    let mut g = BTreeMap::new();
    g.insert(m("a"), BTreeSet::from([m("b")]));
    g.insert(m("b"), BTreeSet::from([m("c")]));
    g.insert(m("c"), BTreeSet::from([m("a")]));
    let c: Vec<String> = cycle(&g).unwrap().iter().map(name).collect();
    assert_eq!(c, ["a", "b", "c", "a"]);
    g.insert(m("c"), BTreeSet::new());
    assert_eq!(cycle(&g), None);

    // An upward import is found, a downward or sideways one is not.
    let mut g = BTreeMap::new();
    g.insert(m("rules::storage_change"), BTreeSet::from([m("engine"), m("rules::endpoint"), m("objects::storage")]));
    g.insert(m("review::tempo"), BTreeSet::from([m("request"), m("ratchet")]));
    assert_eq!(upward(&g), ["rules::storage_change → engine"]);
    assert_eq!(layer(&m("objects::storage")), layer(&m("request")));
    assert_eq!(layer(&m("")), Some(0));

    // `super` from `review::tempo` is `review`; from the root file's child `engine`, the root.
    let known = BTreeSet::from([m(""), m("review"), m("review::tempo"), m("engine")]);
    let sup = |p: &str| p.split("::").map(str::to_string).collect::<Vec<_>>();
    assert_eq!(target(&sup("super::check"), &m("review::tempo"), &known), Some(m("review")));
    assert_eq!(target(&sup("crate::review::tempo::review"), &m("engine"), &known), Some(m("review::tempo")));
}
