//! Ratcheting, as Kubernetes ratchets CRD validation (KEP-4008): on UPDATE, a rejecting finding
//! that the same rule also reports for `oldObject` does not reject.
//!
//! The policy is switched on in clusters that already hold TempoStacks, TempoMonolithics and
//! their Secrets, and the Tempo Operator keeps writing those objects itself: it adds its
//! finalizer with a full `r.Update` (internal/controller/tempo/tempostack_controller.go and
//! tempomonolithic_controller.go), stamps `tempo.grafana.com/certRotationRequiredAt` the same way,
//! and patches every CR after an operator upgrade (internal/upgrade/upgrade.go). Refusing such a
//! write because of a problem the object already had wedges reconciliation and upgrades of that
//! instance until someone edits or deletes it.
//!
//! The old object is judged like the new one, as an UPDATE of itself (so that sizes kept from the
//! old volume and the defaults that take effect are the same), under the same settings and with
//! the answers the new object's look-ups got ([`crate::cluster::Memo::recalled`]): no look-up is
//! made for it. A new finding is ratcheted when the old judgement has a rejecting finding of the
//! same rule, field and message: the same problem, unchanged. A larger excess, a new missing
//! limit or a new static key reads differently, and still rejects. The findings whose subject is
//! the change itself (`storage-change`, a storage shrink, `secret-in-use`) cannot appear when an
//! object is judged against itself, so they are never ratcheted; `storage-change` and
//! `secret-in-use` are also excluded by name.
//!
//! `updates.ratchet: false` turns it off: every write is held to every rule.

use crate::finding::{Finding, Findings, Severity};
use crate::registry::Rule;

/// What a ratcheted finding's message gains.
pub const ALREADY_THERE: &str = "already so before this update, so not refused: updates.ratchet";

/// `findings` with every rejection that `before` also has turned into a warning that says so.
pub fn ratchet(findings: Findings, before: &Findings) -> Findings {
    let mut out = Findings::new();
    for f in findings.into_vec() {
        if f.severity == Severity::Reject && ratchets(f.rule) && was_there(&f, before) {
            out.warn(f.rule, f.path, format!("{} ({ALREADY_THERE})", f.message));
        } else {
            out.push(f.rule, f.severity, f.path, f.message);
        }
    }
    out
}

/// The rules whose subject is the change of the object, not its state.
fn ratchets(rule: Rule) -> bool {
    !matches!(rule, Rule::StorageChange | Rule::SecretInUse)
}

fn was_there(f: &Finding, before: &Findings) -> bool {
    before
        .iter()
        .any(|b| b.severity == Severity::Reject && b.rule == f.rule && b.path == f.path && b.message == f.message)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn findings(list: &[(Rule, Severity, &str, &str)]) -> Findings {
        let mut f = Findings::new();
        for (rule, severity, path, message) in list {
            f.push(*rule, *severity, *path, *message);
        }
        f
    }

    #[test]
    fn only_the_same_rejection_of_the_same_rule_and_field_is_ratcheted() {
        use Severity::*;
        let before = findings(&[
            (Rule::StorageSize, Reject, "spec.storageSize", "600Gi is above storageSize.max 500Gi"),
            (Rule::ResourceLimits, Reject, "spec.template.ingester", "no limits"),
            (Rule::StaticCredentials, Warn, "Secret s", "static keys"),
            (Rule::StorageChange, Reject, "spec.storage", "moved"),
        ]);
        let now = findings(&[
            (Rule::StorageSize, Reject, "spec.storageSize", "600Gi is above storageSize.max 500Gi"),
            // The same text on another field, another rule on the same field: new problems.
            (Rule::ResourceLimits, Reject, "spec.template.querier", "no limits"),
            (Rule::BucketName, Reject, "spec.template.ingester", "no limits"),
            // A warning before and a rejection now (the settings or the answers differ): new.
            (Rule::StaticCredentials, Reject, "Secret s", "static keys"),
            (Rule::StorageChange, Reject, "spec.storage", "moved"),
            (Rule::UnusedKeys, Warn, "Secret s", "bucketnames"),
        ]);
        let out: Vec<(Rule, Severity, String)> =
            ratchet(now, &before).into_vec().into_iter().map(|f| (f.rule, f.severity, f.message)).collect();
        assert_eq!(
            out[0],
            (Rule::StorageSize, Warn, format!("600Gi is above storageSize.max 500Gi ({ALREADY_THERE})"))
        );
        assert_eq!(out[1], (Rule::ResourceLimits, Reject, "no limits".to_string()));
        assert_eq!(out[2], (Rule::BucketName, Reject, "no limits".to_string()));
        assert_eq!(out[3], (Rule::StaticCredentials, Reject, "static keys".to_string()));
        assert_eq!(out[4], (Rule::StorageChange, Reject, "moved".to_string()));
        assert_eq!(out[5], (Rule::UnusedKeys, Warn, "bucketnames".to_string()));
    }

    #[test]
    fn a_larger_excess_reads_differently_and_still_rejects() {
        let before = findings(&[(Rule::StorageSize, Severity::Reject, "spec.storageSize", "600Gi is above 500Gi")]);
        let now = findings(&[(Rule::StorageSize, Severity::Reject, "spec.storageSize", "700Gi is above 500Gi")]);
        assert!(ratchet(now, &before).rejects());
    }
}
