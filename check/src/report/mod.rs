//! Rendering a [`Report`](crate::outcome::Report): `json` (for scripts and the playground) here,
//! with the patch helpers every format shares; the CLI's `text`, `junit` and `sarif` build on them.

pub mod json;

use serde_json::Value;

/// One JSON Patch operation as `op path value` (`value` as JSON, absent for `remove`).
pub fn patch_op_line(op: &Value) -> String {
    let name = op.get("op").and_then(Value::as_str).unwrap_or("?");
    let path = op.get("path").and_then(Value::as_str).unwrap_or("");
    let mut line = format!("{name} {path}");
    if let Some(from) = op.get("from").and_then(Value::as_str) {
        line.push_str(&format!(" from {from}"));
    }
    if let Some(value) = op.get("value") {
        line.push(' ');
        line.push_str(&value.to_string());
    }
    line
}

/// The operations of a patch, one line each.
pub fn patch_lines(patch: &Value) -> Vec<String> {
    patch.as_array().map(|ops| ops.iter().map(patch_op_line).collect()).unwrap_or_default()
}

/// `1 object`, `2 objects`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
