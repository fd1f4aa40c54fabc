//! The verdict on one request: the findings and the object with defaults filled in. Built by the reviews, encoded by the entry points.

use crate::finding::Findings;
use serde_json::Value;

#[derive(Debug, Default, Clone)]
pub struct Verdict {
    pub findings: Findings,
    /// The object with defaults filled in; `None` when nothing was added.
    pub mutated: Option<Value>,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        !self.findings.rejects()
    }
}
