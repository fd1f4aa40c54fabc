//! The look-up contract: how the engine asks about other objects, answered by Kubewarden host
//! capabilities in a cluster, by replayed sessions in tests and by a manifest set in the CLI.

use crate::objects::CrKind;
use crate::objects::listed::{CR_FIELD_MASKS, ListedCr};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

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

impl Resource {
    pub fn of_cr(kind: CrKind) -> Self {
        match kind {
            CrKind::TempoStack => Resource::TempoStack,
            CrKind::TempoMonolithic => Resource::TempoMonolithic,
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
    /// An object came back that does not read as its kind: what no API server sends, but a
    /// manifest or a replay file can (a Secret `data` value that is not base64). The object is
    /// kept for the lenient readers, which name what is wrong by key.
    Unreadable { message: String, object: Unshown },
}

/// JSON text that is never printed, `Debug` included: it can hold Secret data.
#[derive(Clone, PartialEq, Eq)]
pub struct Unshown(pub String);

impl fmt::Debug for Unshown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes of JSON>", self.0.len())
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotGranted(m) => write!(f, "not allowed ({m})"),
            LookupError::Failed(m) | LookupError::Unreadable { message: m, .. } => write!(f, "failed ({m})"),
        }
    }
}

/// One answer: the object, `Ok(None)` when it does not exist, or why there is no answer.
pub type Lookup<T> = Result<Option<T>, LookupError>;

/// A namespace's TempoStacks or TempoMonolithics, shared: [`Memo`] hands the same list to every
/// reader of one evaluation without copying it.
pub type Listed = Rc<[ListedCr]>;

/// What the reviews may ask. Every method is one host call at most (see [`Memo`]). Answers are
/// shared (`Rc`): an evaluation keeps each one once, however many rules read it.
pub trait Cluster {
    fn secret(&self, namespace: &str, name: &str) -> Lookup<Rc<Secret>>;
    fn config_map(&self, namespace: &str, name: &str) -> Lookup<Rc<ConfigMap>>;
    fn namespace(&self, name: &str) -> Lookup<Rc<Namespace>>;
    /// The TempoStacks or TempoMonolithics of a namespace, pruned to [`CR_FIELD_MASKS`] where the
    /// host knows field masks. A namespace with none (or that does not exist) has an empty list.
    fn tempo_crs(&self, kind: CrKind, namespace: &str) -> Result<Listed, LookupError>;
}

/// A source that answers in JSON text, as the host does on the wire: kwctl replay files in
/// tests, objects held in memory. Every such source is a [`Cluster`], its answers read into the
/// same types the host's answers are read into.
pub trait JsonCluster {
    /// One object as JSON text; `Ok(None)` when it does not exist.
    fn get_json(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<String>;
    /// A namespace list (`{"kind": "<Kind>List", "items": [...]}`) as JSON text.
    fn list_json(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<String, LookupError>;
}

impl<T: JsonCluster + ?Sized> Cluster for T {
    fn secret(&self, namespace: &str, name: &str) -> Lookup<Rc<Secret>> {
        read_json(Resource::Secret, name, self.get_json(Resource::Secret, Some(namespace), name))
    }
    fn config_map(&self, namespace: &str, name: &str) -> Lookup<Rc<ConfigMap>> {
        read_json(Resource::ConfigMap, name, self.get_json(Resource::ConfigMap, Some(namespace), name))
    }
    fn namespace(&self, name: &str) -> Lookup<Rc<Namespace>> {
        read_json(Resource::Namespace, name, self.get_json(Resource::Namespace, None, name))
    }
    fn tempo_crs(&self, kind: CrKind, namespace: &str) -> Result<Listed, LookupError> {
        let resource = Resource::of_cr(kind);
        let json = self.list_json(resource, namespace, CR_FIELD_MASKS)?;
        crate::objects::listed::from_list_json(kind, &json).map(Rc::from).map_err(|e| unreadable(resource, "list", &e))
    }
}

fn read_json<T: serde::de::DeserializeOwned>(resource: Resource, name: &str, answer: Lookup<String>) -> Lookup<Rc<T>> {
    match answer? {
        None => Ok(None),
        Some(json) => read_object(resource, name, json).map(|object| Some(Rc::new(object))),
    }
}

/// An object answer read as its kind; one that does not read stays at hand as [`LookupError::Unreadable`].
pub fn read_object<T: serde::de::DeserializeOwned>(
    resource: Resource,
    name: &str,
    json: String,
) -> Result<T, LookupError> {
    serde_json::from_str(&json)
        .map_err(|e| LookupError::Unreadable { message: unreadable_message(resource, name, &e), object: Unshown(json) })
}

/// An answer that is not the object asked for.
pub fn unreadable(resource: Resource, what: &str, e: &serde_json::Error) -> LookupError {
    LookupError::Failed(unreadable_message(resource, what, e))
}

/// serde's own text is left out: it can quote a value.
fn unreadable_message(resource: Resource, what: &str, e: &serde_json::Error) -> String {
    format!(
        "the answer for {resource} {what:?} is not a readable {} (line {}, column {})",
        resource.kind(),
        e.line(),
        e.column()
    )
}

/// Sorts a failed host call into "not found" (`Ok(())`), "not granted" or "failed".
///
/// The waPC protocol carries a host error as text only, so "not found" is recognised by the exact
/// answers hosts give for the object asked about, never by a word anywhere in the text:
/// - policy-server and kwctl (policy-evaluator `callback_handler/kubernetes/client.rs`, `get_opt`):
///   `Cannot find <apiVersion>/<kind> named '<name>' inside of namespace '...'`, and
///   `Cannot find resource <apiVersion>/<kind>` when the API server does not serve the kind at all
///   (then no object of it exists);
/// - older policy-evaluators (kube `Api::get`): kube's `ApiError` whose status says
///   `reason: "NotFound"` and `code: 404`.
///
/// Both reach the guest wrapped (`Host error: Callback evaluation failure: ...`). The grant
/// refusal is `Policy has not been granted access to Kubernetes <apiVersion>/<kind> resources`.
pub fn classify_host_error(message: &str, resource: Resource, name: &str) -> Result<(), LookupError> {
    let (api_version, kind) = (resource.api_version(), resource.kind());
    if message.contains(&format!("has not been granted access to Kubernetes {api_version}/{kind} resources")) {
        return Err(LookupError::NotGranted(message.to_string()));
    }
    let named = format!("Cannot find {api_version}/{kind} named '{name}'");
    let kind_not_served = format!("Cannot find resource {api_version}/{kind}");
    let kube_not_found =
        message.contains("ApiError: ") && message.contains("reason: \"NotFound\"") && message.contains("code: 404");
    if message.contains(&named) || message.trim_end().ends_with(&kind_not_served) || kube_not_found {
        Ok(())
    } else {
        Err(LookupError::Failed(message.to_string()))
    }
}

/// Remembers every answer during one evaluation, so that each object is asked for at most once
/// (replay files are consumed in order, and the API server is not asked twice).
pub struct Memo<'c> {
    inner: &'c dyn Cluster,
    secrets: Answers<Lookup<Rc<Secret>>>,
    config_maps: Answers<Lookup<Rc<ConfigMap>>>,
    namespaces: Answers<Lookup<Rc<Namespace>>>,
    lists: Answers<Result<Listed, LookupError>>,
}

/// Answers by two names: namespace and name, or kind and namespace for lists.
type Answers<T> = RefCell<BTreeMap<(String, String), T>>;

fn remembered<T: Clone>(answers: &Answers<T>, first: &str, second: &str, ask: impl FnOnce() -> T) -> T {
    let key = (first.to_string(), second.to_string());
    if let Some(hit) = answers.borrow().get(&key) {
        return hit.clone();
    }
    let answer = ask();
    answers.borrow_mut().insert(key, answer.clone());
    answer
}

impl<'c> Memo<'c> {
    pub fn new(inner: &'c dyn Cluster) -> Self {
        Self {
            inner,
            secrets: RefCell::default(),
            config_maps: RefCell::default(),
            namespaces: RefCell::default(),
            lists: RefCell::default(),
        }
    }
}

impl Cluster for Memo<'_> {
    fn secret(&self, namespace: &str, name: &str) -> Lookup<Rc<Secret>> {
        remembered(&self.secrets, namespace, name, || self.inner.secret(namespace, name))
    }
    fn config_map(&self, namespace: &str, name: &str) -> Lookup<Rc<ConfigMap>> {
        remembered(&self.config_maps, namespace, name, || self.inner.config_map(namespace, name))
    }
    fn namespace(&self, name: &str) -> Lookup<Rc<Namespace>> {
        remembered(&self.namespaces, "", name, || self.inner.namespace(name))
    }
    fn tempo_crs(&self, kind: CrKind, namespace: &str) -> Result<Listed, LookupError> {
        remembered(&self.lists, kind.as_str(), namespace, || self.inner.tempo_crs(kind, namespace))
    }
}

impl Memo<'_> {
    /// What was already asked, answered from memory only: anything else is a [`LookupError::Failed`]
    /// saying it was not looked up. Ratcheting judges `oldObject` with the answers the object's
    /// own judgement got, and makes no look-up of its own (replay files are consumed in order, and
    /// the API server is not asked for the old object's sake).
    pub fn recalled(&self) -> Recalled<'_> {
        Recalled {
            secrets: &self.secrets,
            config_maps: &self.config_maps,
            namespaces: &self.namespaces,
            lists: &self.lists,
        }
    }
}

/// See [`Memo::recalled`].
pub struct Recalled<'m> {
    secrets: &'m Answers<Lookup<Rc<Secret>>>,
    config_maps: &'m Answers<Lookup<Rc<ConfigMap>>>,
    namespaces: &'m Answers<Lookup<Rc<Namespace>>>,
    lists: &'m Answers<Result<Listed, LookupError>>,
}

fn recall<T: Clone>(answers: &Answers<Result<T, LookupError>>, first: &str, second: &str) -> Result<T, LookupError> {
    match answers.borrow().get(&(first.to_string(), second.to_string())) {
        Some(answer) => answer.clone(),
        None => Err(LookupError::Failed("not looked up for the object before the update".to_string())),
    }
}

impl Cluster for Recalled<'_> {
    fn secret(&self, namespace: &str, name: &str) -> Lookup<Rc<Secret>> {
        recall(self.secrets, namespace, name)
    }
    fn config_map(&self, namespace: &str, name: &str) -> Lookup<Rc<ConfigMap>> {
        recall(self.config_maps, namespace, name)
    }
    fn namespace(&self, name: &str) -> Lookup<Rc<Namespace>> {
        recall(self.namespaces, "", name)
    }
    fn tempo_crs(&self, kind: CrKind, namespace: &str) -> Result<Listed, LookupError> {
        recall(self.lists, kind.as_str(), namespace)
    }
}

/// Answers every look-up with "not granted": for evaluating without a cluster.
pub struct NoCluster;

impl JsonCluster for NoCluster {
    fn get_json(&self, resource: Resource, _: Option<&str>, _: &str) -> Lookup<String> {
        Err(LookupError::NotGranted(format!("no cluster to read {resource} from")))
    }
    fn list_json(&self, resource: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
        Err(LookupError::NotGranted(format!("no cluster to list {resource} from")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: Resource = Resource::Secret;

    /// The texts hosts really send for a missing object: "not found", an answer.
    #[test]
    fn missing_objects_are_answers() {
        for text in [
            // policy-server / kwctl (policy-evaluator `get_opt`), as the guest receives it.
            "Host error: Callback evaluation failure: Cannot find v1/Secret named 'tempo-s3' inside of namespace 'Some(\"observability\")'",
            // kwctl replaying a session recorded against such a host.
            "Cannot find v1/Secret named 'tempo-s3' inside of namespace 'Some(\"observability\")'",
            // older policy-evaluators (kube `Api::get`).
            "Host error: Callback evaluation failure: ApiError: secrets \"tempo-s3\" not found: NotFound (ErrorResponse { status: \"Failure\", message: \"secrets \\\"tempo-s3\\\" not found\", reason: \"NotFound\", code: 404 })",
        ] {
            assert_eq!(classify_host_error(text, SECRET, "tempo-s3"), Ok(()), "{text}");
        }
        // The kind is not served at all: no object of it exists.
        assert_eq!(
            classify_host_error(
                "Host error: Callback evaluation failure: Cannot find resource tempo.grafana.com/v1alpha1/TempoMonolithic",
                Resource::TempoMonolithic,
                ""
            ),
            Ok(())
        );
    }

    /// Failures whose text merely contains "404" or "not found" stay failures.
    #[test]
    fn failures_stay_failures() {
        for text in [
            // RBAC: the policy-server's service account may not read Secrets.
            "Host error: Callback evaluation failure: ApiError: secrets \"tempo-s3\" is forbidden: User \"system:serviceaccount:kubewarden:policy-server-default\" cannot get resource \"secrets\" in API group \"\" in the namespace \"observability\": Forbidden (ErrorResponse { status: \"Failure\", message: \"forbidden\", reason: \"Forbidden\", code: 403 })",
            // Time-out talking to the API server.
            "Host error: Callback evaluation failure: HyperError: error trying to connect: tcp connect error: operation timed out",
            // An API-server error that happens to say "not found".
            "Host error: Callback evaluation failure: ApiError: Internal error occurred: resource not found in cache: InternalError (ErrorResponse { status: \"Failure\", message: \"Internal error occurred\", reason: \"InternalError\", code: 500 })",
            "Host error: Callback evaluation failure: error trying to reach service: 404 page not found",
            // Another object than the one asked for.
            "Host error: Callback evaluation failure: Cannot find v1/Secret named 'other' inside of namespace 'Some(\"observability\")'",
            // kwctl replay problems.
            "Host error: Callback evaluation failure: the list of recorded responses is empty",
            "Host error: Callback evaluation failure: Replay error: unexpected request. Was expecting X, got Y instead",
            "Host error: ",
        ] {
            assert!(matches!(classify_host_error(text, SECRET, "tempo-s3"), Err(LookupError::Failed(_))), "{text}");
        }
    }

    /// kube's error text for a failure is not "not found" unless it says NotFound and 404.
    #[test]
    fn a_kube_error_is_not_found_only_with_its_reason_and_code() {
        let kube = |reason: &str, code: u16| {
            format!(
                "Host error: Callback evaluation failure: ApiError: secrets \"tempo-s3\": {reason} (ErrorResponse {{ status: \"Failure\", reason: \"{reason}\", code: {code} }})"
            )
        };
        assert_eq!(classify_host_error(&kube("NotFound", 404), SECRET, "tempo-s3"), Ok(()));
        assert!(classify_host_error(&kube("NotFound", 500), SECRET, "tempo-s3").is_err());
        assert!(classify_host_error(&kube("Gone", 404), SECRET, "tempo-s3").is_err());
        let without_api_error = "Host error: reason: \"NotFound\", code: 404";
        assert!(classify_host_error(without_api_error, SECRET, "tempo-s3").is_err());
    }

    #[test]
    fn names_and_unreadable_answers_are_told_without_their_content() {
        assert_eq!(Resource::Secret.to_string(), "v1/Secret");
        assert_eq!(Resource::TempoStack.to_string(), "tempo.grafana.com/v1alpha1/TempoStack");
        assert_eq!(format!("{:?}", Unshown("{\"data\":1}".into())), "<10 bytes of JSON>");
        let Err(LookupError::Unreadable { message, object }) =
            read_object::<Secret>(SECRET, "tempo-s3", r#"{"data":{"k":"not base64!"}}"#.into())
        else {
            panic!("a Secret whose data is not base64 is unreadable")
        };
        assert_eq!(message, "the answer for v1/Secret \"tempo-s3\" is not a readable Secret (line 1, column 26)");
        assert_eq!(object.0, r#"{"data":{"k":"not base64!"}}"#);
    }

    #[test]
    fn without_a_cluster_nothing_is_granted() {
        assert!(matches!(NoCluster.tempo_crs(CrKind::TempoStack, "observability"), Err(LookupError::NotGranted(_))));
        assert!(matches!(NoCluster.secret("observability", "s"), Err(LookupError::NotGranted(_))));
    }

    #[test]
    fn grant_refusals_are_told_apart() {
        let text = "Host error: Policy has not been granted access to Kubernetes v1/Secret resources. The violation has been reported.";
        assert!(matches!(classify_host_error(text, SECRET, "tempo-s3"), Err(LookupError::NotGranted(_))));
    }
}
