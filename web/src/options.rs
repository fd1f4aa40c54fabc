//! The playground's options, the `check` flags that make sense in a page.

use serde_json::Value;

/// `{"namespace": "default", "strict": false}`; every field optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--namespace`: for objects that set no `metadata.namespace`.
    pub namespace: String,
    /// `--strict`: warnings fail too.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { namespace: "default".to_owned(), strict: false }
    }
}

impl Options {
    /// Read the options JSON; empty text is the defaults, unknown fields are refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut options = Self::default();
        if text.trim().is_empty() {
            return Ok(options);
        }
        let value: Value = serde_json::from_str(text).map_err(|e| format!("options are not JSON: {e}"))?;
        let Some(map) = value.as_object() else {
            return Err("options must be a JSON object".to_owned());
        };
        for (key, value) in map {
            match (key.as_str(), value) {
                ("namespace", Value::String(ns)) if !ns.is_empty() => options.namespace = ns.clone(),
                ("strict", Value::Bool(strict)) => options.strict = *strict,
                ("namespace", _) => return Err("options.namespace must be a non-empty string".to_owned()),
                ("strict", _) => return Err("options.strict must be true or false".to_owned()),
                (other, _) => return Err(format!("unknown option {other:?} (known: namespace, strict)")),
            }
        }
        Ok(options)
    }
}
