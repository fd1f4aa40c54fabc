//! `tempo-policy check` without the evaluator: plain manifests in, the report out.
//!
//! 1. [`inputs`] reads files, directories, stdin or pasted text into documents with their line
//!    ([`yaml`] reads YAML 1.1 as `kubectl` does);
//! 2. [`Prepared::new`] turns them into the objects the API server would store ([`manifests`]) and
//!    the AdmissionRequests it would send for the kinds the policy is registered for ([`requests`]);
//! 3. the caller evaluates each [`requests::Target`], answering the policy's look-ups with
//!    [`manifests::ManifestLookups`], and hands back one [`outcome::Outcome`] each;
//! 4. [`Prepared::finish`] points every finding at the line of the field it names ([`fields`])
//!    and gives the [`outcome::Report`] that [`report::json`] (and the CLI's other formats) render.
//!
//! The CLI evaluates through the compiled policy in its waPC host; the browser playground runs the
//! policy's engine in the page. Both go through this crate, so a manifest set means the same
//! objects, requests, look-up answers and lines to both.

pub mod fields;
pub mod inputs;
pub mod manifests;
pub mod node_paths;
pub mod outcome;
pub mod report;
pub mod requests;
pub mod rules;
pub mod yaml;

/// How every report text is made printable: the policy's own escaping of control characters.
pub use tempo_policy::finding::printable;

use std::collections::HashMap;
use std::sync::Arc;

use inputs::{InputProblem, Inputs};
use manifests::ManifestSet;
use outcome::{Outcome, PolicyInfo, Report};
use requests::{Rule, Target, plan};

/// A manifest set ready to evaluate: the objects, the requests, and what could not be read.
#[derive(Debug)]
pub struct Prepared {
    /// Every named object of the current manifests: what look-ups are answered from.
    pub set: Arc<ManifestSet>,
    /// The requests to evaluate, in input order (deletions last).
    pub targets: Vec<Target>,
    problems: Vec<InputProblem>,
    texts: HashMap<String, String>,
    files: usize,
    objects: usize,
    skipped: usize,
}

impl Prepared {
    /// Plan the requests for `current` (and, with `old`, the set the change starts from: objects
    /// in both become UPDATEs, objects only there DELETEs). `namespace` is given to namespaced
    /// objects that set none, as `kubectl apply -n` does.
    pub fn new(rules: &[Rule], current: &Inputs, old: Option<&Inputs>, namespace: &str) -> Self {
        let mut problems: Vec<InputProblem> = current.problems.clone();
        let (set, all, duplicates) = ManifestSet::build(&current.documents, namespace);
        problems.extend(duplicates);
        let old_built = old.map(|o| {
            problems.extend(o.problems.iter().cloned());
            let (old_set, old_all, old_duplicates) = ManifestSet::build(&o.documents, namespace);
            problems.extend(old_duplicates);
            (old_set, old_all)
        });
        let targets = plan(rules, &all, old_built.as_ref().map(|(s, a)| (s, a.as_slice())));
        let mut texts = current.texts.clone();
        if let Some(old) = old {
            for (file, text) in &old.texts {
                texts.entry(file.clone()).or_insert_with(|| text.clone());
            }
        }
        Self {
            set: Arc::new(set),
            targets,
            problems,
            texts,
            files: current.files,
            objects: current.documents.len(),
            skipped: current.skipped,
        }
    }

    /// The report on `outcomes` (one per target, in target order), each finding pointed at the
    /// line of the field it names.
    pub fn finish(self, policy: PolicyInfo, mut outcomes: Vec<Outcome>, strict: bool) -> Report {
        fields::locate(&mut outcomes, &self.targets, &self.set, &self.texts);
        Report {
            policy,
            outcomes,
            problems: self.problems,
            files: self.files,
            objects: self.objects,
            skipped: self.skipped,
            strict,
        }
        .printable()
    }
}
