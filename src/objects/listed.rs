//! TempoStacks and TempoMonolithics as a namespace list returns them: typed metadata (k8s-openapi's
//! `ObjectMeta`), the spec kept as JSON for the lenient storage reader, pruned to [`CR_FIELD_MASKS`].

use super::CrKind;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ListableResource, NamespaceResourceScope, Resource};
use serde::Deserialize;
use serde_json::{Map, Value};

/// What a Secret's review reads of the CRs in its namespace: enough to tell which Secret each
/// uses and whether it is being deleted. Hosts that know field masks send nothing else.
pub const CR_FIELD_MASKS: &[&str] =
    &["metadata.name", "metadata.namespace", "metadata.deletionTimestamp", "spec.storage"];

/// A listed Tempo CR of either kind.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedCr {
    pub kind: CrKind,
    pub metadata: ObjectMeta,
    pub spec: Value,
}

impl ListedCr {
    pub fn is_being_deleted(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
    }

    /// The CR as the JSON object the storage reader takes (name, namespace and spec).
    pub fn to_object(&self) -> Value {
        let mut metadata = Map::new();
        if let Some(name) = &self.metadata.name {
            metadata.insert("name".into(), Value::String(name.clone()));
        }
        if let Some(namespace) = &self.metadata.namespace {
            metadata.insert("namespace".into(), Value::String(namespace.clone()));
        }
        let mut object = Map::new();
        object.insert("metadata".into(), Value::Object(metadata));
        object.insert("spec".into(), self.spec.clone());
        Value::Object(object)
    }
}

/// One view type per kind: `k8s_openapi::List<T>` checks the list's `kind` against
/// `T::LIST_KIND`, so each kind needs its own `ListableResource`.
macro_rules! tempo_cr_view {
    ($view:ident, $kind:ident, $plural:literal, $list_kind:literal) => {
        #[doc = concat!("A listed `", stringify!($kind), "`.")]
        #[derive(Debug, Clone, Default, Deserialize)]
        pub struct $view {
            #[serde(default)]
            pub metadata: ObjectMeta,
            #[serde(default)]
            pub spec: Value,
        }

        impl Resource for $view {
            const API_VERSION: &'static str = "tempo.grafana.com/v1alpha1";
            const GROUP: &'static str = "tempo.grafana.com";
            const KIND: &'static str = stringify!($kind);
            const VERSION: &'static str = "v1alpha1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = NamespaceResourceScope;
        }

        impl ListableResource for $view {
            const LIST_KIND: &'static str = $list_kind;
        }

        impl From<$view> for ListedCr {
            fn from(view: $view) -> Self {
                ListedCr { kind: CrKind::$kind, metadata: view.metadata, spec: view.spec }
            }
        }
    };
}

tempo_cr_view!(TempoStackView, TempoStack, "tempostacks", "TempoStackList");
tempo_cr_view!(TempoMonolithicView, TempoMonolithic, "tempomonolithics", "TempoMonolithicList");

/// Reads a list answer (`{"kind": "TempoStackList", "items": [...]}`) into [`ListedCr`]s.
pub fn from_list_json(kind: CrKind, json: &str) -> Result<Vec<ListedCr>, serde_json::Error> {
    fn items<T: ListableResource + for<'de> Deserialize<'de> + Into<ListedCr>>(
        json: &str,
    ) -> Result<Vec<ListedCr>, serde_json::Error> {
        let list: k8s_openapi::List<T> = serde_json::from_str(json)?;
        Ok(list.items.into_iter().map(Into::into).collect())
    }
    match kind {
        CrKind::TempoStack => items::<TempoStackView>(json),
        CrKind::TempoMonolithic => items::<TempoMonolithicView>(json),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_policy_server_sends_them() {
        let json = r#"{"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStackList","metadata":{},"items":[
            {"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStack",
             "metadata":{"name":"simplest","namespace":"observability","deletionTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"storage":{"secret":{"name":"tempo-s3","type":"s3"}}}}]}"#;
        let crs = from_list_json(CrKind::TempoStack, json).unwrap();
        assert_eq!(crs.len(), 1);
        assert!(crs[0].is_being_deleted());
        assert_eq!(crs[0].to_object()["spec"]["storage"]["secret"]["name"], "tempo-s3");
        assert_eq!(crs[0].to_object()["metadata"]["name"], "simplest");
        // The list kind is checked: a TempoMonolithic list is not a TempoStack list.
        assert!(from_list_json(CrKind::TempoMonolithic, json).is_err());
        assert!(from_list_json(CrKind::TempoStack, r#"{"items":null}"#).unwrap().is_empty());
    }
}
