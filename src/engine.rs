//! The engine: one admission request plus settings plus a look-up contract in, findings and an optional mutated object out. Knows nothing of waPC.

use crate::cluster::{Cluster, Memo};
use crate::objects::CrKind;
use crate::ratchet;
use crate::request::{AdmissionRequest, Operation};
use crate::review;
use crate::settings::Settings;
use std::borrow::Cow;

// Defined below the reviews, which build it; re-exported for the entry points that encode it.
pub use crate::verdict::Verdict;

pub fn evaluate(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    // A write of a subresource (`status` above all: the operator's status updates) changes
    // nothing a rule reads, and must not be refused or patched for what its object says.
    if request.is_subresource() {
        return Verdict::default();
    }
    let memo = Memo::new(cluster);
    let mut verdict = review(request, settings, &memo);
    // Ratcheting costs a second judgement, so only a rejected UPDATE pays it.
    if verdict.findings.rejects()
        && settings.updates.ratchet
        && request.operation() == Some(Operation::Update)
        && let Some(old) = &request.old_object
    {
        let before = review(&update_of_itself(request, old), settings, &memo.recalled());
        verdict.findings = ratchet::ratchet(std::mem::take(&mut verdict.findings), &before.findings);
    }
    // A rejected request is never mutated.
    if verdict.findings.rejects() {
        verdict.mutated = None;
    }
    verdict
}

fn review(request: &AdmissionRequest, settings: &Settings, cluster: &dyn Cluster) -> Verdict {
    let kind = &request.kind;
    match (kind.group.as_ref(), kind.kind.as_ref()) {
        ("tempo.grafana.com", k) => match CrKind::from_kind(k) {
            Some(cr) => review::tempo::review(cr, request, settings, cluster),
            None => Verdict::default(),
        },
        ("", "Secret") => review::secret::review(request, settings, cluster),
        _ => Verdict::default(),
    }
}

/// The request as if `old` were written over itself: what the old object already broke, judged
/// with the same rules (see `ratchet`).
fn update_of_itself<'a>(request: &AdmissionRequest<'a>, old: &'a serde_json::value::RawValue) -> AdmissionRequest<'a> {
    AdmissionRequest {
        uid: request.uid.clone(),
        kind: request.kind.clone(),
        operation: Cow::Borrowed("UPDATE"),
        namespace: request.namespace.clone(),
        name: request.name.clone(),
        sub_resource: None,
        object: Some(old),
        old_object: Some(old),
        secret: None,
    }
}
