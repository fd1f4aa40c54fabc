//! Objects of the request read as the rules read them: `serde_json::Value` trees without
//! `metadata.managedFields` and (of a Tempo CR) `status`.
//!
//! No rule reads either, and an API server's objects carry both: an object that Argo CD or
//! kubectl applies has a managedFields entry that mirrors every field it set (fieldsV1, a map per
//! field), and an UPDATE of a CR carries the status the operator wrote. Read into the tree they
//! were half of a realistic TempoStack CREATE's reading (`cargo bench --bench steps`). A CR's are
//! kept as the raw JSON the request holds, for the one use that needs the object whole: a mutated
//! object goes back to the host, which diffs it against the request's, so [`CrObject::whole`]
//! puts them back. A Secret's metadata ([`metadata`]) is never sent back.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

/// The object as the rules read it, and what was left out of it.
#[derive(Debug)]
pub struct CrObject<'a> {
    /// The object without `metadata.managedFields` and `status`.
    pub tree: Value,
    managed_fields: Option<&'a RawValue>,
    status: Option<&'a RawValue>,
}

/// What the request's object text reads as.
#[derive(Debug)]
pub enum Parsed<'a> {
    Object(CrObject<'a>),
    /// Valid JSON, but not an object.
    NotObject,
}

/// Reads `json`, the request's object. Errors are serde_json's, the recursion limit included
/// (`crate::json::is_too_deep`): what is left out is skipped without a limit, as it is not read.
pub fn parse(json: &str) -> Result<Parsed<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = de.deserialize_any(TopVisitor)?;
    de.end()?;
    Ok(parsed)
}

/// A Secret's `metadata` text as a tree without its `managedFields`; metadata that is not an
/// object is kept as it is.
pub fn metadata(json: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let metadata = MetadataSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(metadata.tree)
}

impl CrObject<'_> {
    /// `tree` (or a tree made from it, such as a defaulted copy) with what was left out put
    /// back: the object the host can diff against the request's. An error when the parts left
    /// out do not parse as a tree (nested deeper than serde_json reads).
    pub fn whole(&self, mut tree: Value) -> Result<Value, serde_json::Error> {
        if let Value::Object(object) = &mut tree {
            if let Some(raw) = self.status {
                object.insert("status".to_owned(), serde_json::from_str(raw.get())?);
            }
            if let (Some(raw), Some(Value::Object(metadata))) = (self.managed_fields, object.get_mut("metadata")) {
                metadata.insert("managedFields".to_owned(), serde_json::from_str(raw.get())?);
            }
        }
        Ok(tree)
    }
}

/// The object: a map whose `metadata` and `status` are read apart; anything else is
/// [`Parsed::NotObject`], its content still read through (so that its depth errors as before).
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Parsed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = Map::new();
        let mut managed_fields = None;
        let mut status = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" => status = Some(map.next_value::<&RawValue>()?),
                "metadata" => {
                    let metadata = map.next_value_seed(MetadataSeed)?;
                    managed_fields = metadata.managed_fields;
                    object.insert(key, metadata.tree);
                }
                _ => {
                    let value = map.next_value::<Value>()?;
                    object.insert(key, value);
                }
            }
        }
        // A `status: null` is kept raw like any other and comes back as `null`.
        Ok(Parsed::Object(CrObject { tree: Value::Object(object), managed_fields, status }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Value>()?.is_some() {}
        Ok(Parsed::NotObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Parsed::NotObject)
    }
}

/// `metadata`: a map without its `managedFields` (kept raw), or any other value as a tree.
struct MetadataSeed;

/// What [`MetadataSeed`] read.
struct Metadata<'a> {
    tree: Value,
    managed_fields: Option<&'a RawValue>,
}

impl Metadata<'_> {
    fn other(tree: Value) -> Self {
        Self { tree, managed_fields: None }
    }
}

impl<'de> DeserializeSeed<'de> for MetadataSeed {
    type Value = Metadata<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(MetadataVisitor)
    }
}

struct MetadataVisitor;

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = Metadata<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut metadata = Map::new();
        let mut managed_fields = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "managedFields" {
                managed_fields = Some(map.next_value::<&RawValue>()?);
            } else {
                let value = map.next_value::<Value>()?;
                metadata.insert(key, value);
            }
        }
        Ok(Metadata { tree: Value::Object(metadata), managed_fields })
    }

    // Metadata of another type is kept as it is, for the rules to read (leniently) as absent.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Metadata::other(Value::Array(items)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::String(v.to_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Metadata::other(Value::Null))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn applied() -> Value {
        json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack",
            "metadata": {"name": "simplest", "namespace": "observability", "labels": {"team": "obs"},
                "managedFields": [{"manager": "argocd-application-controller", "operation": "Update",
                    "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {".": {}, "f:storageSize": {}}}}]},
            "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}, "storageSize": "1Gi"},
            "status": {"tempoVersion": "2.10.8", "conditions": [{"type": "Ready", "status": "True"}]}})
    }

    fn object(json: &str) -> CrObject<'_> {
        match parse(json).unwrap() {
            Parsed::Object(cr) => cr,
            Parsed::NotObject => panic!("not an object: {json}"),
        }
    }

    #[test]
    fn the_tree_leaves_out_managed_fields_and_status_and_whole_puts_them_back() {
        let text = applied().to_string();
        let cr = object(&text);
        let mut expected = applied();
        expected["metadata"].as_object_mut().unwrap().remove("managedFields");
        expected.as_object_mut().unwrap().remove("status");
        assert_eq!(cr.tree, expected);
        assert_eq!(cr.whole(cr.tree.clone()).unwrap(), applied());
        // A changed tree keeps its change and gets the rest back.
        let mut defaulted = cr.tree.clone();
        defaulted["spec"]["resources"] = json!({"total": {"limits": {"cpu": "2"}}});
        let mut expected = applied();
        expected["spec"]["resources"] = json!({"total": {"limits": {"cpu": "2"}}});
        assert_eq!(cr.whole(defaulted).unwrap(), expected);
        let cr = object(r#"{"metadata":{"managedFields":null},"status":null}"#);
        assert_eq!(cr.tree, json!({"metadata": {}}));
        assert_eq!(cr.whole(cr.tree.clone()).unwrap(), json!({"metadata": {"managedFields": null}, "status": null}));
    }

    #[test]
    fn an_object_without_them_reads_as_serde_json_reads_it() {
        let text = r#"{"kind":"TempoMonolithic","metadata":{"name":"a","annotations":{"x":"y"}},"spec":{"storage":null},"n":[1,-2,3.5,true,null,"s"]}"#;
        let cr = object(text);
        assert_eq!(cr.tree, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(cr.whole(cr.tree.clone()).unwrap(), cr.tree);
    }

    #[test]
    fn metadata_of_another_type_is_kept_for_the_rules_to_read_as_absent() {
        for metadata in [json!("simplest"), json!(7), json!(-7), json!(1.5), json!(true), json!(null), json!(["a", 1])]
        {
            let text = json!({"kind": "TempoStack", "metadata": metadata}).to_string();
            let cr = object(&text);
            assert_eq!(cr.tree["metadata"], metadata, "{text}");
            assert_eq!(cr.whole(cr.tree.clone()).unwrap(), serde_json::from_str::<Value>(&text).unwrap());
        }
    }

    #[test]
    fn anything_but_an_object_is_not_one() {
        for text in ["[]", "[{\"a\":1}]", "\"s\"", "1", "-1", "1.5", "true", "null"] {
            assert!(matches!(parse(text), Ok(Parsed::NotObject)), "{text}");
        }
        for text in ["", "{", "{\"a\":}", "{} x", "[1,]"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    /// Depth counts where the tree is read; what is left out is skipped at any depth, and only a
    /// whole object (a mutated one) reads it.
    #[test]
    fn depth_limits_apply_to_what_is_read() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let in_spec = format!(r#"{{"metadata":{{}},"spec":{{"a":{}}}}}"#, deep(200));
        assert!(crate::json::is_too_deep(&parse(&in_spec).unwrap_err()));
        let as_object = deep(200);
        assert!(crate::json::is_too_deep(&parse(&as_object).unwrap_err()));
        let in_status = format!(r#"{{"metadata":{{"managedFields":{}}},"status":{}}}"#, deep(200), deep(200));
        let cr = object(&in_status);
        assert_eq!(cr.tree, json!({"metadata": {}}));
        assert!(crate::json::is_too_deep(&cr.whole(cr.tree.clone()).unwrap_err()));
    }

    /// Every JSON value has its visit method; others (only a non-JSON deserializer calls them)
    /// are refused with what was expected.
    #[test]
    fn a_value_json_cannot_hold_is_refused_naming_what_was_expected() {
        let top = TopVisitor.visit_bytes::<serde_json::Error>(b"x").unwrap_err().to_string();
        let meta = MetadataVisitor.visit_bytes::<serde_json::Error>(b"x").map(|m| m.tree).unwrap_err().to_string();
        for message in [top, meta] {
            assert!(message.ends_with("expected a JSON value"), "{message}");
        }
    }

    #[test]
    fn secret_metadata_leaves_out_managed_fields() {
        let text =
            r#"{"name":"minio","labels":{"a":"b"},"managedFields":[{"manager":"kubectl","fieldsV1":{"f:data":{}}}]}"#;
        assert_eq!(metadata(text).unwrap(), json!({"name": "minio", "labels": {"a": "b"}}));
        assert_eq!(metadata(r#""minio""#).unwrap(), json!("minio"));
        assert_eq!(metadata(r#"{"name":"a"}"#).unwrap(), json!({"name": "a"}));
        assert!(metadata(r#"{"name":"a"} x"#).is_err());
        assert!(metadata(r#"{"name":}"#).is_err());
    }

    /// A number serde_json's tree cannot hold fails where the tree reads it, not where it skips.
    #[test]
    fn an_unreadable_number_matters_only_where_it_is_read() {
        assert!(parse(r#"{"spec":{"replicationFactor":1e400}}"#).is_err());
        let cr = object(r#"{"metadata":{"name":"a"},"status":{"n":1e400}}"#);
        assert_eq!(cr.tree, json!({"metadata": {"name": "a"}}));
        assert!(cr.whole(cr.tree.clone()).is_err());
    }
}
