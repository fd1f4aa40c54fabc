//! The look-up floor: the host look-ups tempo-policy makes for a request, with their answers
//! ignored.
//!
//! What a policy that must make these look-ups cannot avoid paying: finding the few fields that
//! name what to look up, the host calls, and copying their answers into the guest. tempo-policy's
//! cost over this floor is what its rules and its reading of the answers add. The look-ups follow
//! tempo-policy's reviews (src/review/tempo.rs, src/review/secret.rs) with its default settings:
//!
//! - TempoStack, TempoMonolithic CREATE/UPDATE (no subresource, not an UPDATE of a CR being
//!   deleted): get the storage Secret, then the CA ConfigMap when S3 TLS is on with a `caName`;
//! - Opaque Secret CREATE/UPDATE (not being deleted) and Opaque Secret DELETE: list the
//!   namespace's TempoStacks, then its TempoMonolithics, with tempo-policy's field masks.
//!
//! The look-ups that depend on an answer (the Namespace of a Secret in use on DELETE, the old
//! Secret of a renamed storage Secret) cannot be made without reading one, and are not made: the
//! bench checks, against the replayed session, that the floor made exactly the look-ups the
//! policy made for every request it reports.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The masks tempo-policy's `CR_FIELD_MASKS` sends (the host takes a set: order is not
/// meaningful, sorted as the SDK's `BTreeSet` serialises them).
const CR_FIELD_MASKS: [&str; 4] = ["metadata.deletionTimestamp", "metadata.name", "metadata.namespace", "spec.storage"];

const TEMPO_API_VERSION: &str = "tempo.grafana.com/v1alpha1";

/// The settings live at the end of the payload (`{"request": ..., "settings": ...}`, as
/// policy-server, kwctl and tempo-policy's host serialise it): looking there costs the do-nothing
/// mode a few bytes of search, not a parse of the request.
const SETTINGS_KEY: &[u8] = b"\"settings\"";

#[derive(Deserialize, Default)]
struct Settings {
    #[serde(default, rename = "lookupFloor")]
    lookup_floor: bool,
}

/// Whether the payload's settings ask for the floor (`{"lookupFloor": true}`).
pub fn requested(payload: &[u8]) -> bool {
    let Some(at) = payload.windows(SETTINGS_KEY.len()).rposition(|w| w == SETTINGS_KEY) else { return false };
    let rest = payload.get(at + SETTINGS_KEY.len()..).unwrap_or_default();
    let Some(colon) = rest.iter().position(|&b| b == b':') else { return false };
    // The settings object is followed by the payload's closing brace: read one value only.
    let value = rest.get(colon + 1..).unwrap_or_default();
    let mut values = serde_json::Deserializer::from_slice(value).into_iter::<Settings>();
    matches!(values.next(), Some(Ok(Settings { lookup_floor: true })))
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    request: Request<'a>,
}

// Every field below is read leniently, as tempo-policy's own readers are: a value of the wrong
// type reads as absent, and its siblings still count (a TempoStack whose `tls.enabled` is "yes"
// still names its Secret, which tempo-policy looks up).

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow, default)]
    kind: Lenient<Kind<'a>>,
    #[serde(borrow, default)]
    operation: Text<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    namespace: Text<'a>,
    #[serde(borrow, default, rename = "subResource")]
    sub_resource: Text<'a>,
    // Not `Lenient`: an object is read once, a megabyte Secret's `data` skipped once. An object
    // that is not a JSON object is one tempo-policy rejects without a look-up.
    #[serde(borrow, default)]
    object: Option<Object<'a>>,
    #[serde(borrow, default, rename = "oldObject")]
    old_object: Option<Object<'a>>,
}

#[derive(Deserialize, Default)]
struct Kind<'a> {
    #[serde(borrow, default)]
    group: Text<'a>,
    #[serde(borrow, default)]
    kind: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Object<'a> {
    #[serde(borrow, default)]
    metadata: Lenient<Metadata<'a>>,
    #[serde(borrow, default, rename = "type")]
    secret_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    spec: Lenient<Spec<'a>>,
}

impl Object<'_> {
    /// An Opaque Secret (no `type` reads as Opaque, as the API server defaults it).
    fn is_opaque(&self) -> bool {
        self.secret_type.as_ref().is_none_or(|t| t.is_absent() || &**t == "Opaque")
    }
}

#[derive(Deserialize, Default)]
struct Metadata<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    namespace: Text<'a>,
    #[serde(default, rename = "deletionTimestamp")]
    deletion_timestamp: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
struct Spec<'a> {
    #[serde(borrow, default)]
    storage: Lenient<Storage<'a>>,
}

/// Both kinds' storage sections in one: TempoStack's `secret`/`tls`, TempoMonolithic's `traces`.
#[derive(Deserialize, Default)]
struct Storage<'a> {
    #[serde(borrow, default)]
    secret: Lenient<Option<SecretRef<'a>>>,
    #[serde(borrow, default)]
    tls: Lenient<Tls<'a>>,
    #[serde(borrow, default)]
    traces: Lenient<Option<Traces<'a>>>,
}

#[derive(Deserialize, Default)]
struct SecretRef<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default, rename = "type")]
    backend: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Tls<'a> {
    #[serde(default)]
    enabled: Lenient<bool>,
    #[serde(borrow, default, rename = "caName")]
    ca_name: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Traces<'a> {
    #[serde(borrow, default)]
    backend: Text<'a>,
    #[serde(borrow, default)]
    s3: Lenient<MonolithicBackend<'a>>,
    #[serde(borrow, default)]
    azure: Lenient<MonolithicBackend<'a>>,
    #[serde(borrow, default)]
    gcs: Lenient<MonolithicBackend<'a>>,
}

#[derive(Deserialize, Default)]
struct MonolithicBackend<'a> {
    #[serde(borrow, default)]
    secret: Text<'a>,
    #[serde(borrow, default)]
    tls: Lenient<Tls<'a>>,
}

/// A structure read on its own: when it does not read as `T`, it is `T::default()`. The raw text
/// is only scanned to find its end; it is parsed as `T` once.
#[derive(Default)]
struct Lenient<T>(T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        Ok(Lenient(serde_json::from_str(raw.get()).unwrap_or_default()))
    }
}

/// A string, borrowed where it has no escapes; any other JSON value reads as absent (`""`).
#[derive(Default)]
struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    fn is_absent(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<T> std::ops::Deref for Lenient<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Only::<Text<'a>>(std::marker::PhantomData))
    }
}

/// Takes one JSON value of any type, keeping it only when it is what `T` holds.
struct Only<T>(std::marker::PhantomData<T>);

impl<'de: 'a, 'a> Visitor<'de> for Only<Text<'a>> {
    type Value = Text<'a>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v)))
    }
    // The escaped strings serde_json hands over as `visit_str`.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Text::default())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Text::default())
    }
}

/// The SDK's `GetResourceRequest`, as it serialises it.
#[derive(Serialize)]
struct GetResource<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
    disable_cache: bool,
    field_masks: Option<()>,
}

/// The SDK's `ListResourcesByNamespaceRequest`, as it serialises it.
#[derive(Serialize)]
struct ListByNamespace<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: &'a str,
    label_selector: Option<()>,
    field_selector: Option<()>,
    field_masks: [&'a str; 4],
}

/// One host look-up.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A core kind (Secret, ConfigMap) by name.
    Get { kind: &'static str, namespace: String, name: String },
    /// A Tempo CR kind in a namespace.
    List { kind: &'static str, namespace: String },
}

impl Lookup {
    /// The waPC operation and the request JSON the SDK would send for it.
    pub fn host_call(&self) -> (&'static str, Vec<u8>) {
        match self {
            Lookup::Get { kind, namespace, name } => {
                let request = GetResource {
                    api_version: "v1",
                    kind,
                    name,
                    namespace: Some(namespace),
                    disable_cache: false,
                    field_masks: None,
                };
                ("get_resource", serde_json::to_vec(&request).unwrap_or_default())
            }
            Lookup::List { kind, namespace } => {
                let request = ListByNamespace {
                    api_version: TEMPO_API_VERSION,
                    kind,
                    namespace,
                    label_selector: None,
                    field_selector: None,
                    field_masks: CR_FIELD_MASKS,
                };
                ("list_resources_by_namespace", serde_json::to_vec(&request).unwrap_or_default())
            }
        }
    }
}

/// The look-ups tempo-policy makes for this payload with default settings (none for a payload
/// that does not read as an admission request: tempo-policy rejects those without a look-up).
pub fn lookups(payload: &[u8]) -> Vec<Lookup> {
    let Ok(Payload { request }) = serde_json::from_slice::<Payload>(payload) else { return Vec::new() };
    if !request.sub_resource.is_absent() {
        return Vec::new();
    }
    let operation: &str = &request.operation;
    match (&*request.kind.group, &*request.kind.kind) {
        ("tempo.grafana.com", "TempoStack" | "TempoMonolithic") if matches!(operation, "CREATE" | "UPDATE") => {
            let Some(object) = request.object else { return Vec::new() };
            if operation == "UPDATE" && object.metadata.deletion_timestamp.is_some() {
                return Vec::new();
            }
            storage_lookups(&object.spec.storage, namespace_of(&request.namespace, &object.metadata))
        }
        ("", "Secret") => {
            let lists = |namespace: String| {
                ["TempoStack", "TempoMonolithic"].map(|kind| Lookup::List { kind, namespace: namespace.clone() }).into()
            };
            match operation {
                "CREATE" | "UPDATE" => {
                    let Some(object) = request.object else { return Vec::new() };
                    if !object.is_opaque() || object.metadata.deletion_timestamp.is_some() {
                        return Vec::new();
                    }
                    lists(namespace_of(&request.namespace, &object.metadata))
                }
                "DELETE" => {
                    let old = request.old_object.unwrap_or_default();
                    // DELETECOLLECTION admits each object with an empty name: it is in oldObject.
                    let name = if request.name.is_absent() { &old.metadata.name } else { &request.name };
                    if !old.is_opaque() || name.is_absent() {
                        return Vec::new();
                    }
                    lists(request.namespace.to_string())
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn namespace_of(request_namespace: &str, metadata: &Metadata) -> String {
    if request_namespace.is_empty() { metadata.namespace.to_string() } else { request_namespace.to_string() }
}

/// The storage Secret, then the CA ConfigMap when S3 TLS is on with a `caName`.
fn storage_lookups(storage: &Storage, namespace: String) -> Vec<Lookup> {
    let (secret, tls, s3): (&str, &Tls, bool) = match (&*storage.secret, &*storage.traces) {
        (Some(secret), _) => (&secret.name, &storage.tls, &*secret.backend == "s3"),
        (None, Some(traces)) => match &*traces.backend {
            "s3" => (&traces.s3.secret, &traces.s3.tls, true),
            "azure" => (&traces.azure.secret, &traces.azure.tls, false),
            "gcs" => (&traces.gcs.secret, &traces.gcs.tls, false),
            _ => return Vec::new(),
        },
        (None, None) => return Vec::new(),
    };
    if secret.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Lookup::Get { kind: "Secret", namespace: namespace.clone(), name: secret.to_string() }];
    if s3 && *tls.enabled && !tls.ca_name.is_absent() {
        out.push(Lookup::Get { kind: "ConfigMap", namespace, name: tls.ca_name.to_string() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(request: &str, settings: &str) -> Vec<u8> {
        format!(r#"{{"request":{request},"settings":{settings}}}"#).into_bytes()
    }

    const TEMPOSTACK: &str = r#"{"kind":{"group":"tempo.grafana.com","version":"v1alpha1","kind":"TempoStack"},
        "operation":"CREATE","namespace":"observability","name":"simplest",
        "object":{"metadata":{"name":"simplest"},"spec":{"storage":{"secret":{"name":"minio","type":"s3"},
        "tls":{"enabled":true,"caName":"minio-ca"}}}}}"#;

    #[test]
    fn the_floor_is_asked_for_in_the_settings_only() {
        assert!(requested(&payload("{}", r#"{"lookupFloor":true}"#)));
        assert!(requested(&payload("{}", r#"{ "other": [1], "lookupFloor" : true }"#)));
        assert!(!requested(&payload("{}", r#"{"lookupFloor":false}"#)));
        assert!(!requested(&payload("{}", "{}")));
        assert!(!requested(b"{}"));
        // The request cannot ask for it: the settings come last and are read from the end.
        assert!(!requested(&payload(r#"{"settings":{"lookupFloor":true}}"#, "{}")));
        assert!(!requested(&payload("{}", r#""settings""#)));
    }

    #[test]
    fn a_tempostack_gets_its_secret_then_its_ca() {
        let get = |kind, name: &str| Lookup::Get { kind, namespace: "observability".into(), name: name.into() };
        assert_eq!(lookups(&payload(TEMPOSTACK, "{}")), vec![get("Secret", "minio"), get("ConfigMap", "minio-ca")]);
        // A TLS value of the wrong type reads as off; the Secret is still looked up.
        let yes = TEMPOSTACK.replace(r#""enabled":true"#, r#""enabled":"yes""#);
        assert_eq!(lookups(&payload(&yes, "{}")), vec![get("Secret", "minio")]);
        let deleting = TEMPOSTACK
            .replace(r#""operation":"CREATE""#, r#""operation":"UPDATE""#)
            .replace(r#"{"name":"simplest"}"#, r#"{"name":"simplest","deletionTimestamp":"2026-12-01T10:15:00Z"}"#);
        assert_eq!(lookups(&payload(&deleting, "{}")), vec![]);
        let status = TEMPOSTACK.replace(r#""name":"simplest","#, r#""name":"simplest","subResource":"status","#);
        assert_eq!(lookups(&payload(&status, "{}")), vec![]);
    }

    #[test]
    fn opaque_secrets_list_both_kinds() {
        let list = |kind| Lookup::List { kind, namespace: "observability".into() };
        let secret = |operation: &str, field: &str, secret_type: &str| {
            format!(
                r#"{{"kind":{{"group":"","version":"v1","kind":"Secret"}},"operation":"{operation}","namespace":"observability","name":"",
                "{field}":{{"metadata":{{"name":"minio"}},{secret_type}"data":{{}}}}}}"#
            )
        };
        let both = vec![list("TempoStack"), list("TempoMonolithic")];
        assert_eq!(lookups(&payload(&secret("CREATE", "object", ""), "{}")), both);
        assert_eq!(lookups(&payload(&secret("UPDATE", "object", r#""type":"Opaque","#), "{}")), both);
        // DELETECOLLECTION: the name is in oldObject.
        assert_eq!(lookups(&payload(&secret("DELETE", "oldObject", ""), "{}")), both);
        assert_eq!(lookups(&payload(&secret("CREATE", "object", r#""type":"kubernetes.io/tls","#), "{}")), vec![]);
        assert_eq!(lookups(&payload(&secret("CONNECT", "object", ""), "{}")), vec![]);
        assert_eq!(lookups(b"not json"), vec![]);
    }

    #[test]
    fn requests_are_written_as_the_sdk_writes_them() {
        let (operation, body) = Lookup::List { kind: "TempoStack", namespace: "ns".into() }.host_call();
        assert_eq!(operation, "list_resources_by_namespace");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["field_masks"][1], "metadata.name");
        assert_eq!(body["api_version"], TEMPO_API_VERSION);
        let (operation, body) = Lookup::Get { kind: "Secret", namespace: "ns".into(), name: "s".into() }.host_call();
        assert_eq!(operation, "get_resource");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!((body["api_version"].as_str(), body["namespace"].as_str()), (Some("v1"), Some("ns")));
    }
}
