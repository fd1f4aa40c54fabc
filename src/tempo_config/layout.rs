//! The tree file's layout: header lines, and each node's key, type text, depth and the end of its
//! subtree. Read at build time by `build.rs` (which writes the nodes out as a static table, so
//! that a policy instance never parses the file) and by the tests, which check the table against
//! it. Plain std: the build script includes this file by path.

/// One node line: `<indent><key>\t<type>`, one space of indent per level below the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    /// The root is 0, its children 1.
    pub depth: usize,
    /// Index one past the node's last descendant (the root is index 0).
    pub end: usize,
}

/// The file read: `# key: value` header lines, and the nodes, the root (key "", `object`) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout<'a> {
    pub header: Vec<(&'a str, &'a str)>,
    pub nodes: Vec<Line<'a>>,
    /// Body lines that do not read as `<key>\t<type>` (none in a well-formed file).
    pub unread: usize,
}

pub fn read(text: &str) -> Layout<'_> {
    let mut header = Vec::new();
    let mut nodes = vec![Line { key: "", kind: "object", depth: 0, end: 0 }];
    let mut unread = 0;
    // Nodes whose subtree is still open, deepest last.
    let mut open: Vec<usize> = vec![0];
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            if let Some((key, value)) = comment.split_once(": ") {
                header.push((key, value));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let body = line.trim_start_matches(' ');
        let Some((key, kind)) = body.split_once('\t') else {
            unread += 1;
            continue;
        };
        let depth = line.len() - body.len() + 1;
        while open.len() > depth {
            if let Some(done) = open.pop() {
                let end = nodes.len();
                if let Some(node) = nodes.get_mut(done) {
                    node.end = end;
                }
            }
        }
        nodes.push(Line { key, kind, depth, end: 0 });
        open.push(nodes.len() - 1);
    }
    let end = nodes.len();
    for done in open {
        if let Some(node) = nodes.get_mut(done) {
            node.end = end;
        }
    }
    Layout { header, nodes, unread }
}
