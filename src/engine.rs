//! The engine: one admission request plus settings plus a look-up contract in, findings and an optional mutated object out. Knows nothing of waPC.

use crate::cluster::{Cluster, Memo};
use crate::objects::CrKind;
use crate::request::AdmissionRequest;
use crate::review;
use crate::settings::Settings;

// Defined below the reviews, which build it; re-exported for the entry points that encode it.
pub use crate::verdict::Verdict;

pub fn evaluate(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    let memo = Memo::new(cluster);
    let kind = &request.kind;
    let mut verdict = match (kind.group.as_ref(), kind.kind.as_ref()) {
        ("tempo.grafana.com", k) => match CrKind::from_kind(k) {
            Some(cr) => review::tempo::review(cr, request, settings, &memo),
            None => Verdict::default(),
        },
        ("", "Secret") => review::secret::review(request, settings, &memo),
        _ => Verdict::default(),
    };
    // A rejected request is never mutated.
    if verdict.findings.rejects() {
        verdict.mutated = None;
    }
    verdict
}
