//! Lenient reads from `serde_json::Value`: a wrong type is reported, never a reason to fail the whole request.

use serde_json::Value;

/// What a field holds, as far as a rule cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<T> {
    Absent,
    /// Present with the wrong JSON type; carries the type name, never the value (it may be secret).
    WrongType(&'static str),
    Present(T),
}

impl<T> Field<T> {
    pub fn present(self) -> Option<T> {
        match self {
            Field::Present(v) => Some(v),
            _ => None,
        }
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Walks `path` (object keys); `null` counts as absent, as the API server prunes nulls.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = cur.as_object()?.get(*key)?;
    }
    if cur.is_null() { None } else { Some(cur) }
}

pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Field<&'a str> {
    match at(v, path) {
        None => Field::Absent,
        Some(Value::String(s)) => Field::Present(s.as_str()),
        Some(other) => Field::WrongType(type_name(other)),
    }
}

pub fn bool_at(v: &Value, path: &[&str]) -> Field<bool> {
    match at(v, path) {
        None => Field::Absent,
        Some(Value::Bool(b)) => Field::Present(*b),
        Some(other) => Field::WrongType(type_name(other)),
    }
}

pub fn object_at<'a>(v: &'a Value, path: &[&str]) -> Field<&'a serde_json::Map<String, Value>> {
    match at(v, path) {
        None => Field::Absent,
        Some(Value::Object(m)) => Field::Present(m),
        Some(other) => Field::WrongType(type_name(other)),
    }
}

/// The deepest nesting serde_json parses into a `Value` (its recursion limit is 128: the 128th
/// level fails). Fields the policy does not read are skipped without a limit (`RawValue`,
/// ignored fields), so only objects the policy reads whole are bounded by it.
pub const PARSE_DEPTH: usize = 127;

/// The deepest object the policy reads whole: one level less than serde_json parses, because a
/// mutated object goes back inside the response (`{"mutated_object": ...}`), one level deeper,
/// and the host parses that response with the same limit.
pub const MAX_DEPTH: usize = PARSE_DEPTH - 1;

/// How many levels of arrays and objects `v` nests (a scalar is 0), without recursion.
pub fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 1)];
    while let Some((v, level)) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, level + 1))),
            Value::Object(m) => stack.extend(m.values().map(|c| (c, level + 1))),
            _ => continue,
        }
        deepest = deepest.max(level);
    }
    deepest
}

/// The parse failed on [`MAX_DEPTH`], not on the syntax.
pub fn is_too_deep(e: &serde_json::Error) -> bool {
    e.classify() == serde_json::error::Category::Syntax && e.to_string().starts_with("recursion limit exceeded")
}

/// A name from `metadata`, or "" when it is missing or not a string.
pub fn meta_str<'a>(obj: &'a Value, key: &str) -> &'a str {
    str_at(obj, &["metadata", key]).present().unwrap_or("")
}

/// String-valued labels or annotations; entries of other types are skipped.
pub fn meta_map(obj: &Value, key: &str) -> std::collections::BTreeMap<String, String> {
    string_map(at(obj, &["metadata", key]))
}

/// The string entries of an object (labels, annotations); anything else gives an empty map.
pub fn string_map(v: Option<&Value>) -> std::collections::BTreeMap<String, String> {
    match v {
        Some(Value::Object(m)) => {
            m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()
        }
        _ => Default::default(),
    }
}

/// Objects on their way out (finalizers running) are not judged again.
pub fn is_being_deleted(obj: &Value) -> bool {
    at(obj, &["metadata", "deletionTimestamp"]).is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_are_lenient() {
        let v =
            json!({"spec": {"storage": {"secret": {"name": 5, "type": "s3"}, "tls": {"enabled": "yes"}}, "n": null}});
        assert_eq!(str_at(&v, &["spec", "storage", "secret", "type"]), Field::Present("s3"));
        assert_eq!(str_at(&v, &["spec", "storage", "secret", "name"]), Field::WrongType("a number"));
        assert_eq!(bool_at(&v, &["spec", "storage", "tls", "enabled"]), Field::WrongType("a string"));
        assert_eq!(str_at(&v, &["spec", "n"]), Field::Absent);
        assert_eq!(str_at(&v, &["spec", "storage", "secret", "name", "deeper"]), Field::Absent);
        assert_eq!(str_at(&json!([1]), &["spec"]), Field::Absent);
        assert_eq!(meta_str(&json!({"metadata": {"name": "x"}}), "name"), "x");
        assert!(is_being_deleted(&json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}})));
    }

    #[test]
    fn too_deep_is_told_apart_from_bad_syntax() {
        let deep = format!("{}{}", "[".repeat(PARSE_DEPTH + 1), "]".repeat(PARSE_DEPTH + 1));
        assert!(is_too_deep(&serde_json::from_str::<Value>(&deep).unwrap_err()));
        let ok = format!("{}{}", "[".repeat(PARSE_DEPTH), "]".repeat(PARSE_DEPTH));
        let v = serde_json::from_str::<Value>(&ok).unwrap();
        assert_eq!(depth(&v), PARSE_DEPTH);
        // Found by fuzzing: a mutated object this deep made a response the host cannot parse.
        let response = serde_json::json!({ "mutated_object": v });
        assert!(serde_json::from_str::<Value>(&response.to_string()).is_err());
        assert_eq!(depth(&serde_json::json!({"a": [1, {"b": {}}], "c": 2})), 4);
        assert_eq!(depth(&serde_json::json!(5)), 0);
        assert!(!is_too_deep(&serde_json::from_str::<Value>("[1,").unwrap_err()));
    }
}
