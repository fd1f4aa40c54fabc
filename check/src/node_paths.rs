//! Where each node of a YAML event stream sits: the mapping keys and sequence indexes from the
//! document's root, kept while `saphyr_parser` events are read. The line index of
//! [`crate::fields`] and the playground's share-link redaction both walk manifests this way.

/// A mapping or sequence being read.
enum Frame {
    /// `key`: the key whose value comes next (`None`: a key comes next).
    Map {
        path: Vec<String>,
        key: Option<String>,
    },
    Seq {
        path: Vec<String>,
        next: usize,
    },
}

/// The node the next scalar, alias, mapping or sequence event starts.
#[derive(Debug, PartialEq)]
pub enum Node {
    /// A mapping key: give its text to [`NodePaths::key`].
    Key,
    /// A value at `path`; `item` when it is a sequence item.
    Value { path: Vec<String>, item: bool },
}

/// The open mappings and sequences, innermost last.
pub struct NodePaths {
    root: Vec<String>,
    frames: Vec<Frame>,
}

impl NodePaths {
    /// `root` is the path of the document's root node.
    pub fn new(root: Vec<String>) -> Self {
        Self { root, frames: Vec::new() }
    }

    /// How many mappings and sequences are open.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    /// What the next node event starts (a sequence item's index is taken by this call).
    pub fn next_node(&mut self) -> Node {
        match self.frames.last_mut() {
            None => Node::Value { path: self.root.clone(), item: false },
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Node::Value { path: child(path, k), item: false },
                None => Node::Key,
            },
            Some(Frame::Seq { path, next }) => {
                let p = child(path, next.to_string());
                *next += 1;
                Node::Value { path: p, item: true }
            }
        }
    }

    /// The key just read (after [`Node::Key`]); its path. `None` outside a mapping.
    pub fn key(&mut self, key: String) -> Option<Vec<String>> {
        match self.frames.last_mut() {
            Some(Frame::Map { path, key: slot }) => {
                let p = child(path, key.clone());
                *slot = Some(key);
                Some(p)
            }
            _ => None,
        }
    }

    /// A mapping (or a sequence) starts at `path`.
    pub fn open(&mut self, path: Vec<String>, mapping: bool) {
        self.frames.push(if mapping { Frame::Map { path, key: None } } else { Frame::Seq { path, next: 0 } });
    }

    /// The innermost mapping or sequence ends.
    pub fn close(&mut self) {
        self.frames.pop();
    }
}

fn child(path: &[String], key: String) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(key);
    p
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_items_make_the_path() {
        let mut paths = NodePaths::new(vec!["1".into()]);
        let value = |path: &[&str], item| Node::Value { path: path.iter().map(|s| (*s).to_owned()).collect(), item };
        assert_eq!(paths.next_node(), value(&["1"], false));
        paths.open(vec!["1".into()], true);
        assert_eq!(paths.next_node(), Node::Key);
        assert_eq!(paths.key("data".into()), Some(vec!["1".into(), "data".into()]));
        assert_eq!(paths.next_node(), value(&["1", "data"], false));
        paths.open(vec!["1".into(), "data".into()], false);
        assert_eq!(paths.next_node(), value(&["1", "data", "0"], true));
        assert_eq!(paths.next_node(), value(&["1", "data", "1"], true));
        assert_eq!(paths.key("k".into()), None);
        assert_eq!(paths.depth(), 2);
        paths.close();
        assert_eq!(paths.next_node(), Node::Key);
    }
}
