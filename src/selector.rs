//! Kubernetes label selectors (`matchLabels`, `matchExpressions`), for `storageSecretSelector`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    /// The same constraints the API server puts on a selector, named by path.
    pub fn problems(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.match_labels.is_empty() && self.match_expressions.is_empty() {
            // An empty selector matches everything: every Secret would be read as a storage Secret.
            out.push(format!(
                "{path}: an empty selector would match every Secret; set matchLabels or matchExpressions"
            ));
        }
        for (i, req) in self.match_expressions.iter().enumerate() {
            let at = format!("{path}.matchExpressions[{i}]");
            if req.key.is_empty() {
                out.push(format!("{at}.key: must not be empty"));
            }
            match req.operator.as_str() {
                "In" | "NotIn" if req.values.is_empty() => {
                    out.push(format!("{at}.values: operator {} needs at least one value", req.operator))
                }
                "Exists" | "DoesNotExist" if !req.values.is_empty() => {
                    out.push(format!("{at}.values: operator {} takes no values", req.operator))
                }
                "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                other => out.push(format!("{at}.operator: {other:?} is not one of In, NotIn, Exists, DoesNotExist")),
            }
        }
        out
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match req.operator.as_str() {
                    "In" => value.is_some_and(|v| req.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !req.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn match_labels_and_expressions() {
        let sel: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app.kubernetes.io/part-of":"tempo"},
                "matchExpressions":[{"key":"tier","operator":"In","values":["storage","traces"]},
                                    {"key":"legacy","operator":"DoesNotExist"}]}"#,
        )
        .unwrap();
        assert!(sel.problems("s").is_empty());
        assert!(sel.matches(&labels(&[("app.kubernetes.io/part-of", "tempo"), ("tier", "storage")])));
        assert!(!sel.matches(&labels(&[("app.kubernetes.io/part-of", "tempo"), ("tier", "web")])));
        assert!(!sel.matches(&labels(&[("app.kubernetes.io/part-of", "tempo"), ("tier", "storage"), ("legacy", "")])));
        assert!(!sel.matches(&labels(&[("tier", "storage")])));
    }

    #[test]
    fn not_in_and_exists() {
        let sel: LabelSelector = serde_json::from_str(
            r#"{"matchExpressions":[{"key":"env","operator":"NotIn","values":["dev"]},{"key":"team","operator":"Exists"}]}"#,
        )
        .unwrap();
        assert!(sel.matches(&labels(&[("team", "obs")])));
        assert!(sel.matches(&labels(&[("team", "obs"), ("env", "prod")])));
        assert!(!sel.matches(&labels(&[("team", "obs"), ("env", "dev")])));
        assert!(!sel.matches(&labels(&[])));
    }

    #[test]
    fn bad_selectors_are_named() {
        let sel: LabelSelector = serde_json::from_str(
            r#"{"matchExpressions":[{"key":"","operator":"In"},{"key":"a","operator":"Exists","values":["x"]}]}"#,
        )
        .unwrap();
        let p = sel.problems("storageSecretSelector");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("storageSecretSelector.matchExpressions[0].key"));
        assert!(LabelSelector::default().problems("x").len() == 1);
    }
}
