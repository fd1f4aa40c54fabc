//! The configuration keys Grafana Tempo accepts, as data: the tree `scripts/tempo-config/generate.py` writes from Tempo's own config structs, for the Tempo version the Tempo Operator ships.
//!
//! Tempo reads its config file with `yaml.UnmarshalStrict` (`loadConfig` in cmd/tempo/main.go):
//! a key its structs do not have, or a value their types cannot take, stops it at start-up. The
//! tree holds every key (`object` nodes accept only their children, `map` nodes any key, `list`
//! nodes items, `any` nodes anything) and each leaf's value type. `build.rs` writes the file out
//! as a static table ([`layout`] reads it), so that no evaluation parses it: policy-server
//! instantiates the module afresh for every request.

pub mod layout;

/// The data: Tempo v2.10.8, the version Tempo Operator v0.22.0 deploys (its Makefile's
/// `TEMPO_VERSION`). Regenerate with `scripts/tempo-config/generate.py` (docs/extra-config.md).
pub const DATA: &str = include_str!("tempo-v2.10.8.tree");

/// A value type a leaf takes, as yaml.v2 decodes into the Go type behind it
/// (scripts/tempo-config/custom_types.py has each custom decoder's review).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// Any scalar (yaml.v2 sets a string field from any scalar's text).
    String,
    /// A string Tempo treats as secret (`flagext.Secret`, Prometheus `config.Secret`).
    Secret,
    /// A YAML bool: `true`, `false` (and YAML 1.1's `yes`, `on`, ...).
    Bool,
    /// An integer; a float is truncated.
    Int,
    /// A non-negative integer.
    Uint,
    Float,
    /// Go `time.Duration`: a string for `time.ParseDuration`, or a number of nanoseconds.
    Duration,
    /// Prometheus `model.Duration`: `0`, or `<n><unit>` groups (`y w d h m s ms`).
    ModelDuration,
    /// dskit `flagext.Bytes`: a size with a unit (`64MiB`, `1GB`), or `0`.
    Bytes,
    /// One comma-separated string.
    Csv,
    /// A comma-separated string, or a list of strings.
    CsvOrList,
    Url,
    Regexp,
    /// An RFC 3339 time.
    Timestamp,
    /// One of a set of strings (`ci`: compared without regard to case).
    Enum {
        values: &'static str,
        ci: bool,
    },
}

/// What a node takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Map,
    List,
    Any,
    Leaf(Leaf),
}

/// One node of the tree: its key, what it takes, and the end of its subtree in [`Tree::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub key: &'static str,
    pub kind: Kind,
    depth: usize,
    /// Index one past the node's last descendant.
    end: usize,
    /// The type as the file writes it (tests check that every one is known).
    kind_text: &'static str,
}

impl Node {
    /// A node of the generated table (`build.rs`), its type read at compile time.
    const fn new(key: &'static str, kind_text: &'static str, depth: usize, end: usize) -> Self {
        Self { key, kind: Kind::from_text(kind_text), depth, end, kind_text }
    }
}

mod generated {
    use crate::tempo_config::Node;
    include!(concat!(env!("OUT_DIR"), "/tempo_config_nodes.rs"));
}

/// Node index; the root (Tempo's `app.Config`) is [`ROOT`].
pub type Id = usize;

/// The root's index: [`Tree::nodes`] starts with it.
pub const ROOT: Id = 0;

#[derive(Debug)]
pub struct Tree {
    nodes: &'static [Node],
    /// `# key: value` lines of the header.
    header: &'static [(&'static str, &'static str)],
}

static TREE: Tree = Tree { nodes: &generated::NODES, header: &generated::HEADER };

/// The tree of [`DATA`].
pub fn tree() -> &'static Tree {
    &TREE
}

impl Tree {
    pub fn node(&self, id: Id) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Every node, the root first.
    pub fn nodes(&self) -> &[Node] {
        self.nodes
    }

    /// The children of `id`, in order.
    pub fn children(&self, id: Id) -> impl Iterator<Item = (Id, &Node)> {
        let (start, end) = match self.nodes.get(id) {
            Some(node) => (id + 1, node.end),
            None => (0, 0),
        };
        let mut next = start;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let at = next;
            let node = self.nodes.get(at)?;
            // Every subtree ends after its node (a test checks the table): this always moves on.
            next = node.end;
            Some((at, node))
        })
    }

    /// The child of `id` named `key`.
    pub fn child(&self, id: Id, key: &str) -> Option<Id> {
        self.children(id).find(|(_, n)| n.key == key).map(|(i, _)| i)
    }

    /// The node at a dotted path (`storage.trace.s3.bucket`; `*` and `[]` name a map's values
    /// and a list's items).
    pub fn at(&self, path: &str) -> Option<Id> {
        path.split('.').filter(|s| !s.is_empty()).try_fold(ROOT, |id, key| self.child(id, key))
    }

    /// The dotted path of `id`.
    pub fn path(&self, id: Id) -> String {
        let mut keys = Vec::new();
        let mut at = id;
        while at != ROOT {
            let Some(node) = self.nodes.get(at) else { break };
            keys.push(node.key);
            // The parent is the nearest node before it one level up.
            let parent = self.nodes.get(..at).and_then(|before| before.iter().rposition(|n| n.depth < node.depth));
            at = parent.unwrap_or(ROOT);
        }
        keys.reverse();
        keys.join(".")
    }

    /// The paths of every node named `key`, for "it exists at ..." hints.
    pub fn paths_of(&self, key: &str) -> Vec<String> {
        self.nodes.iter().enumerate().skip(1).filter(|(_, n)| n.key == key).map(|(i, _)| self.path(i)).collect()
    }

    /// A header value: `tag`, `commit`, `repository`, `generator-sha256`, `content-sha256`, ...
    pub fn header(&self, key: &str) -> Option<&'static str> {
        self.header.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The alternative key sets of a node that takes one of several shapes (`overrides`: the
    /// new `defaults:` form or the legacy flat keys), from `# union <path> <name>: keys`.
    pub fn union(&self, path: &str) -> Vec<(&'static str, Vec<&'static str>)> {
        self.header
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix("union ")?;
                let (at, name) = rest.split_once(' ')?;
                (at == path).then(|| (name, v.split(',').collect()))
            })
            .collect()
    }
}

impl Kind {
    /// The type the file writes (`duration`, `enum-ci:a|b`, ...); one it does not know reads as
    /// [`Kind::Any`], which judges nothing (a test checks that the data has none).
    const fn from_text(text: &'static str) -> Self {
        const LEAVES: [(&str, Leaf); 14] = [
            ("string", Leaf::String),
            ("secret", Leaf::Secret),
            ("bool", Leaf::Bool),
            ("int", Leaf::Int),
            ("uint", Leaf::Uint),
            ("float", Leaf::Float),
            ("duration", Leaf::Duration),
            ("model-duration", Leaf::ModelDuration),
            ("bytes", Leaf::Bytes),
            ("csv", Leaf::Csv),
            ("csv-or-list", Leaf::CsvOrList),
            ("url", Leaf::Url),
            ("regexp", Leaf::Regexp),
            ("timestamp", Leaf::Timestamp),
        ];
        if same(text, "object") {
            return Kind::Object;
        }
        if same(text, "map") {
            return Kind::Map;
        }
        if same(text, "list") {
            return Kind::List;
        }
        let mut rest: &[(&str, Leaf)] = &LEAVES;
        while let Some(((name, leaf), more)) = rest.split_first() {
            if same(text, name) {
                return Kind::Leaf(*leaf);
            }
            rest = more;
        }
        if let Some(values) = after(text, "enum-ci:") {
            return Kind::Leaf(Leaf::Enum { values, ci: true });
        }
        if let Some(values) = after(text, "enum:") {
            return Kind::Leaf(Leaf::Enum { values, ci: false });
        }
        Kind::Any
    }
}

/// `a == b`, in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.split_first(), b.split_first()) {
            (Some((x, ra)), Some((y, rb))) if *x == *y => (a, b) = (ra, rb),
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// `text.strip_prefix(prefix)` for an ASCII prefix, in a `const fn`.
const fn after(text: &'static str, prefix: &str) -> Option<&'static str> {
    let Some((head, tail)) = text.as_bytes().split_at_checked(prefix.len()) else { return None };
    let Ok(head) = std::str::from_utf8(head) else { return None };
    if !same(head, prefix) {
        return None;
    }
    match std::str::from_utf8(tail) {
        Ok(tail) => Some(tail),
        Err(_) => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn the_data_reads_whole() {
        let t = tree();
        // Every body line is a node: none left out for not reading.
        let lines = DATA.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(t.nodes().len(), lines + 1);
        let layout = layout::read(DATA);
        assert_eq!(layout.unread, 0);
        // The generated table is the file, node for node, and every type is one the rule knows.
        assert_eq!(layout.nodes.len(), t.nodes().len());
        for (i, (line, node)) in layout.nodes.iter().zip(t.nodes()).enumerate() {
            assert_eq!((line.key, line.kind, line.depth, line.end), (node.key, node.kind_text, node.depth, node.end));
            assert!(node.end > i, "{line:?}");
            assert!(node.kind != Kind::Any || line.kind == "any", "{line:?}");
        }
        assert_eq!(layout.header, t.header.to_vec());
        assert_eq!(t.header("nodes"), Some("1788  leaves: 1455"));
        assert_eq!(t.nodes().len(), 1789);
        assert_eq!(t.header("tag"), Some("v2.10.8"));
        let top: Vec<&str> = t.children(ROOT).map(|(_, n)| n.key).collect();
        for key in ["server", "storage", "querier", "query_frontend", "overrides", "distributor"] {
            assert!(top.contains(&key), "{top:?}");
        }
        assert_eq!(top.len(), 30);
    }

    #[test]
    fn paths_and_kinds() {
        let t = tree();
        let bucket = t.at("storage.trace.s3.bucket").unwrap();
        assert_eq!(t.node(bucket).unwrap().kind, Kind::Leaf(Leaf::String));
        assert_eq!(t.path(bucket), "storage.trace.s3.bucket");
        assert_eq!(t.node(t.at("storage.trace.s3.secret_key").unwrap()).unwrap().kind, Kind::Leaf(Leaf::Secret));
        assert_eq!(t.node(t.at("server.http_server_write_timeout").unwrap()).unwrap().kind, Kind::Leaf(Leaf::Duration));
        assert_eq!(t.node(t.at("distributor.receivers").unwrap()).unwrap().kind, Kind::Any);
        assert_eq!(t.node(t.at("storage.trace.s3.tags").unwrap()).unwrap().kind, Kind::Map);
        assert_eq!(t.node(t.at("storage.trace.s3.tags.*").unwrap()).unwrap().kind, Kind::Leaf(Leaf::String));
        assert_eq!(
            t.node(t.at("server.log_level").unwrap()).unwrap().kind,
            Kind::Leaf(Leaf::Enum { values: "debug|info|warn|error", ci: false })
        );
        assert_eq!(t.at("storage.trace.s3.max_retries"), None);
        assert_eq!(t.at("http_server_write_timeout"), None);
        assert_eq!(
            t.paths_of("http_server_write_timeout"),
            ["internal_server.http_server_write_timeout", "server.http_server_write_timeout"]
        );
        // A leaf has no children; the last node's subtree ends at the end.
        assert_eq!(t.children(bucket).count(), 0);
        let last = t.nodes().len() - 1;
        assert_eq!(t.children(last).count(), 0);
    }

    #[test]
    fn every_type_text_reads() {
        assert_eq!(Kind::from_text("object"), Kind::Object);
        assert_eq!(Kind::from_text("map"), Kind::Map);
        assert_eq!(Kind::from_text("list"), Kind::List);
        assert_eq!(Kind::from_text("any"), Kind::Any);
        assert_eq!(Kind::from_text("model-duration"), Kind::Leaf(Leaf::ModelDuration));
        assert_eq!(Kind::from_text("timestamp"), Kind::Leaf(Leaf::Timestamp));
        assert_eq!(Kind::from_text("enum-ci:a|b"), Kind::Leaf(Leaf::Enum { values: "a|b", ci: true }));
        assert_eq!(Kind::from_text("enum:a"), Kind::Leaf(Leaf::Enum { values: "a", ci: false }));
        // Unknown, or a prefix of a known one: judged as nothing.
        for unknown in ["", "str", "strings", "enum", "durationx"] {
            assert_eq!(Kind::from_text(unknown), Kind::Any, "{unknown}");
        }
    }

    #[test]
    fn the_overrides_shapes_are_known() {
        let shapes = tree().union("overrides");
        let names: Vec<&str> = shapes.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["new", "legacy"]);
        assert!(shapes[0].1.contains(&"defaults"));
        assert!(shapes[1].1.contains(&"max_traces_per_user"));
    }
}
