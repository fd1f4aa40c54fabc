//! The look-up contract: how the engine asks about other objects, answered by Kubewarden host
//! capabilities in a cluster, by replayed sessions in tests and by a manifest set in the CLI.

use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

/// The kinds the policy may read. Each must be listed in `metadata.yml`'s `contextAwareResources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    Secret,
    ConfigMap,
    Namespace,
    TempoStack,
    TempoMonolithic,
}

impl Resource {
    pub fn api_version(self) -> &'static str {
        match self {
            Resource::Secret | Resource::ConfigMap | Resource::Namespace => "v1",
            Resource::TempoStack | Resource::TempoMonolithic => "tempo.grafana.com/v1alpha1",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Resource::Secret => "Secret",
            Resource::ConfigMap => "ConfigMap",
            Resource::Namespace => "Namespace",
            Resource::TempoStack => "TempoStack",
            Resource::TempoMonolithic => "TempoMonolithic",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.kind())
    }
}

/// A look-up that did not give an answer. "Not found" is an answer (`Ok(None)`), not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The policy was not granted the resource (`contextAwareResources`, or an AdmissionPolicy).
    NotGranted(String),
    /// The host or the API server failed.
    Failed(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotGranted(m) => write!(f, "not allowed ({m})"),
            LookupError::Failed(m) => write!(f, "failed ({m})"),
        }
    }
}

pub trait Cluster {
    /// One object as JSON text; `Ok(None)` when it does not exist. `namespace` is `None` for
    /// cluster-scoped kinds.
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Result<Option<String>, LookupError>;

    /// The objects of a kind in a namespace. `field_masks` asks the host to prune each object to
    /// those dot paths (hosts that do not know masks return whole objects).
    fn list(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<Vec<Value>, LookupError>;
}

/// Sorts a host error into "not found", "not granted" or "failed". Hosts pass errors as text
/// only; these are the phrases policy-server, kwctl and the Kubernetes API use.
pub fn classify_host_error(message: &str) -> Result<(), LookupError> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("has not been granted access") {
        Err(LookupError::NotGranted(message.to_string()))
    } else if lower.contains("notfound")
        || lower.contains("not found")
        || lower.contains("cannot find")
        || lower.contains("404")
    {
        Ok(())
    } else {
        Err(LookupError::Failed(message.to_string()))
    }
}

/// Remembers every answer during one evaluation, so that each object is asked for at most once
/// (replay files are consumed in order, and the API server is not asked twice).
pub struct Memo<'c> {
    inner: &'c dyn Cluster,
    gets: RefCell<BTreeMap<GetKey, GetAnswer>>,
    lists: RefCell<BTreeMap<(Resource, String), ListAnswer>>,
}

type GetKey = (Resource, String, String);
type GetAnswer = Result<Option<String>, LookupError>;
type ListAnswer = Result<Vec<Value>, LookupError>;

impl<'c> Memo<'c> {
    pub fn new(inner: &'c dyn Cluster) -> Self {
        Self { inner, gets: RefCell::default(), lists: RefCell::default() }
    }
}

impl Cluster for Memo<'_> {
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Result<Option<String>, LookupError> {
        let key = (resource, namespace.unwrap_or("").to_string(), name.to_string());
        if let Some(hit) = self.gets.borrow().get(&key) {
            return hit.clone();
        }
        let answer = self.inner.get(resource, namespace, name);
        self.gets.borrow_mut().insert(key, answer.clone());
        answer
    }

    fn list(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<Vec<Value>, LookupError> {
        let key = (resource, namespace.to_string());
        if let Some(hit) = self.lists.borrow().get(&key) {
            return hit.clone();
        }
        let answer = self.inner.list(resource, namespace, field_masks);
        self.lists.borrow_mut().insert(key, answer.clone());
        answer
    }
}

/// Answers every look-up with "not granted": for evaluating without a cluster.
pub struct NoCluster;

impl Cluster for NoCluster {
    fn get(&self, resource: Resource, _: Option<&str>, _: &str) -> Result<Option<String>, LookupError> {
        Err(LookupError::NotGranted(format!("no cluster to read {resource} from")))
    }
    fn list(&self, resource: Resource, _: &str, _: &[&str]) -> Result<Vec<Value>, LookupError> {
        Err(LookupError::NotGranted(format!("no cluster to list {resource} from")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errors_are_sorted() {
        assert_eq!(
            classify_host_error("ApiError: secrets \"x\" not found: NotFound (ErrorResponse { code: 404 })"),
            Ok(())
        );
        assert_eq!(classify_host_error("Cannot find v1/Secret named 'x' in namespace 'y'"), Ok(()));
        assert!(matches!(
            classify_host_error(
                "Policy has not been granted access to Kubernetes v1/Secret resources. The violation has been reported."
            ),
            Err(LookupError::NotGranted(_))
        ));
        assert!(matches!(classify_host_error("connection refused"), Err(LookupError::Failed(_))));
    }
}
