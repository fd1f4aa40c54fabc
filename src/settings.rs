//! The policy's settings: the struct users write in the ClusterAdmissionPolicy, and its validation.

use crate::location::region::is_plausible_region;
use crate::quantity::Quantity;
use crate::selector::LabelSelector;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// All optional: `{}` gives the baseline rules. Unknown fields are refused so that a typo
/// (`allowedRegion`) does not silently switch a guard off.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    pub production: ProductionSettings,
    pub storage: StorageSettings,
    pub storage_secret_selector: Option<LabelSelector>,
    pub resources: ResourceSettings,
    pub storage_size: StorageSizeSettings,
    pub updates: UpdateSettings,
    pub extra_config: ExtraConfigSettings,
}

/// What `spec.extraConfig.tempo` may hold (`extra-config`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtraConfigSettings {
    /// Unknown keys and values of the wrong type are refused (Tempo refuses them at start-up).
    pub check_keys: bool,
    /// When set, every key path set in extraConfig must lie under one of these (dotted Tempo
    /// keys, `*` for any one key): `[querier, query_frontend.max_retries]`.
    pub allowed_paths: Vec<String>,
    /// No key path set in extraConfig may lie under these: `[storage]`.
    pub forbidden_paths: Vec<String>,
}

impl Default for ExtraConfigSettings {
    fn default() -> Self {
        Self { check_keys: true, allowed_paths: Vec::new(), forbidden_paths: Vec::new() }
    }
}

/// How UPDATEs of objects that already break a rule are judged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateSettings {
    /// Ratcheting (KEP-4008's model): on UPDATE, a finding the same rule also reports for the old
    /// object does not reject; it comes back as a warning. `false` holds every write to every rule.
    pub ratchet: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        // On by default: a policy switched on in a living cluster must not wedge the operator's
        // own writes (finalizers, upgrades) of objects that were there before it.
        Self { ratchet: true }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ProductionSettings {
    /// Regexes on the namespace name.
    pub namespaces: Vec<String>,
    /// The Namespace is production when it carries all of these labels.
    pub namespace_labels: BTreeMap<String, String>,
    /// Regexes on the whole endpoint URL that may keep static keys in production
    /// (in-cluster MinIO or Ceph RGW, which have no token mode).
    pub static_credentials_allowed_for: Vec<String>,
    pub allow_insecure_endpoints: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageSettings {
    pub allowed_regions: Vec<String>,
    pub bucket_regions: BTreeMap<String, String>,
    /// Regexes on the whole endpoint URL.
    pub allowed_endpoints: Vec<String>,
    pub bucket_name_pattern: Option<String>,
    pub require_secret: bool,
    pub protect_secrets: bool,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            allowed_regions: Vec::new(),
            bucket_regions: BTreeMap::new(),
            allowed_endpoints: Vec::new(),
            bucket_name_pattern: None,
            require_secret: false,
            // Losing trace data is the expensive mistake: protection is on unless turned off.
            protect_secrets: true,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceSettings {
    pub require_limits: bool,
    pub max_limits: CpuMemory,
    pub default_limits: CpuMemory,
}

/// A cpu/memory pair of quantities, kept as written so that messages quote the user's text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CpuMemory {
    pub cpu: Option<QuantityText>,
    pub memory: Option<QuantityText>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSizeSettings {
    pub default: Option<QuantityText>,
    pub min: Option<QuantityText>,
    pub max: Option<QuantityText>,
}

/// A quantity as it appears in settings: Kubernetes accepts `cpu: 2` as well as `cpu: "2"`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum QuantityText {
    Text(String),
    Number(serde_json::Number),
}

impl QuantityText {
    pub fn parse(&self) -> Result<Quantity, crate::quantity::QuantityError> {
        match self {
            QuantityText::Text(s) => Quantity::parse(s),
            QuantityText::Number(n) => Quantity::parse(&n.to_string()),
        }
    }
}

impl Settings {
    /// Every problem at once, each naming the setting by its path, joined by `; `.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        check_regexes(&mut problems, "production.namespaces", &self.production.namespaces);
        check_regexes(
            &mut problems,
            "production.staticCredentialsAllowedFor",
            &self.production.static_credentials_allowed_for,
        );
        check_regexes(&mut problems, "storage.allowedEndpoints", &self.storage.allowed_endpoints);
        if let Some(p) = &self.storage.bucket_name_pattern
            && let Err(e) = Regex::new(p)
        {
            problems.push(format!("storage.bucketNamePattern: not a valid regex: {}", one_line(&e.to_string())));
        }
        for (i, region) in self.storage.allowed_regions.iter().enumerate() {
            if !is_plausible_region(region) {
                problems.push(format!(
                    "storage.allowedRegions[{i}]: {region:?} is not a region code (expected e.g. eu-west-1, us-south, europe-west4, EU, NAM4, cn-hangzhou)"
                ));
            }
        }
        for (bucket, region) in &self.storage.bucket_regions {
            if !is_plausible_region(region) {
                problems.push(format!(
                    "storage.bucketRegions.{bucket}: {region:?} is not a region code (expected e.g. eu-west-1, europe-west4, EU, NAM4, cn-hangzhou)"
                ));
            }
        }
        for (key, value) in &self.production.namespace_labels {
            if key.is_empty() {
                problems.push(format!("production.namespaceLabels: empty label name (value {value:?})"));
            }
        }
        if let Some(selector) = &self.storage_secret_selector {
            problems.extend(selector.problems("storageSecretSelector"));
        }
        for (name, paths) in [
            ("extraConfig.allowedPaths", &self.extra_config.allowed_paths),
            ("extraConfig.forbiddenPaths", &self.extra_config.forbidden_paths),
        ] {
            for (i, path) in paths.iter().enumerate() {
                if let Some(problem) = config_path_problem(path) {
                    problems.push(format!("{name}[{i}]: {path:?} {problem}"));
                }
            }
        }

        // A limit or a size of zero that the policy would fill in or demand is a setting the
        // policy's own rules refuse (`resource-limits`, `storage-size`): every CR would then be
        // rejected, or mutated into an object Kubernetes refuses. So defaults and maxima must be
        // positive; a minimum of zero means "no minimum" and stays valid.
        let max_cpu = positive(&mut problems, "resources.maxLimits.cpu", &self.resources.max_limits.cpu);
        let max_mem = positive(&mut problems, "resources.maxLimits.memory", &self.resources.max_limits.memory);
        let def_cpu = positive(&mut problems, "resources.defaultLimits.cpu", &self.resources.default_limits.cpu);
        let def_mem = positive(&mut problems, "resources.defaultLimits.memory", &self.resources.default_limits.memory);
        within(
            &mut problems,
            "resources.defaultLimits.cpu",
            &def_cpu,
            None,
            max_cpu.as_ref(),
            "resources.maxLimits.cpu",
        );
        within(
            &mut problems,
            "resources.defaultLimits.memory",
            &def_mem,
            None,
            max_mem.as_ref(),
            "resources.maxLimits.memory",
        );

        let size_default = positive(&mut problems, "storageSize.default", &self.storage_size.default);
        let size_min = quantity(&mut problems, "storageSize.min", &self.storage_size.min);
        let size_max = positive(&mut problems, "storageSize.max", &self.storage_size.max);
        if let (Some(min), Some(max)) = (&size_min, &size_max)
            && min > max
        {
            problems.push(format!("storageSize.min: {min} is larger than storageSize.max {max}"));
        }
        within(
            &mut problems,
            "storageSize.default",
            &size_default,
            size_min.as_ref(),
            size_max.as_ref(),
            "storageSize",
        );

        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }

    /// Advice that does not make the settings invalid: allow-list patterns
    /// (`production.staticCredentialsAllowedFor`, `storage.allowedEndpoints`) that are not anchored
    /// at both ends. They are matched as written (a regex matches anywhere in the URL, as
    /// docs/settings.md says), so `minio.svc` also allows `https://evil.example/minio.svc`.
    pub fn warnings(&self) -> Vec<String> {
        let lists = [
            ("production.staticCredentialsAllowedFor", &self.production.static_credentials_allowed_for),
            ("storage.allowedEndpoints", &self.storage.allowed_endpoints),
        ];
        let mut out = Vec::new();
        for (path, patterns) in lists {
            for (i, p) in patterns.iter().enumerate() {
                if !is_anchored(p) {
                    out.push(format!(
                        "{path}[{i}]: {p:?} is not anchored (^...$), so it allows any endpoint URL that merely contains a match: anchor it"
                    ));
                }
            }
        }
        out
    }
}

/// Why `path` is not a path of Tempo's configuration (dotted keys, `*` for any one key); `None`
/// when it is one, so that a typo in the settings does not silently allow or forbid nothing.
fn config_path_problem(path: &str) -> Option<String> {
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Some("is not a dotted path of Tempo configuration keys (such as storage.trace.s3)".to_string());
    }
    let tree = crate::tempo_config::tree();
    let mut at = vec![crate::tempo_config::ROOT];
    for key in path.split('.') {
        at = at
            .iter()
            .flat_map(|id| {
                tree.children(*id)
                    .filter(|(_, n)| key == "*" || n.key == key || n.key == "*" || n.key == "[]")
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            })
            .collect();
        if at.is_empty() {
            return Some(format!("names no key of Tempo {}'s configuration", tree.header("tag").unwrap_or("v2.10.8")));
        }
    }
    None
}

/// Starts with `^` (or `\A`) and ends with an unescaped `$` (or `\z`).
fn is_anchored(pattern: &str) -> bool {
    let starts = pattern.starts_with('^') || pattern.starts_with("\\A");
    let ends = pattern.ends_with("\\z")
        || pattern.strip_suffix('$').is_some_and(|rest| rest.chars().rev().take_while(|c| *c == '\\').count() % 2 == 0);
    starts && ends
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_regexes(problems: &mut Vec<String>, path: &str, patterns: &[String]) {
    for (i, p) in patterns.iter().enumerate() {
        if let Err(e) = Regex::new(p) {
            problems.push(format!("{path}[{i}]: not a valid regex: {}", one_line(&e.to_string())));
        }
    }
}

fn quantity(problems: &mut Vec<String>, path: &str, value: &Option<QuantityText>) -> Option<Quantity> {
    let text = value.as_ref()?;
    match text.parse() {
        Ok(q) if q.is_negative() => {
            problems.push(format!("{path}: {q} is negative"));
            None
        }
        Ok(q) => Some(q),
        Err(e) => {
            problems.push(format!("{path}: {e}"));
            None
        }
    }
}

/// A quantity that must be above zero: a default the policy fills in, or a maximum.
fn positive(problems: &mut Vec<String>, path: &str, value: &Option<QuantityText>) -> Option<Quantity> {
    let q = quantity(problems, path, value)?;
    if q.is_zero() {
        problems.push(format!(
            "{path}: {q} is zero, which the policy's own rules refuse: set a positive quantity, or remove it"
        ));
        return None;
    }
    Some(q)
}

fn within(
    problems: &mut Vec<String>,
    path: &str,
    value: &Option<Quantity>,
    min: Option<&Quantity>,
    max: Option<&Quantity>,
    bound_path: &str,
) {
    let Some(value) = value else { return };
    if let Some(min) = min
        && value < min
    {
        problems.push(format!("{path}: {value} is below {bound_path}.min {min}"));
    }
    if let Some(max) = max
        && value > max
    {
        let bound = if bound_path.ends_with("cpu") || bound_path.ends_with("memory") {
            bound_path.to_string()
        } else {
            format!("{bound_path}.max")
        };
        problems.push(format!("{path}: {value} is above {bound} {max}"));
    }
}

/// Regexes compiled once per evaluation, only for the settings an evaluation actually reads.
/// Settings are validated before any request, so a pattern fails here only when validation was
/// skipped (a host that does not call `validate_settings`): the caller then fails closed and says
/// so, never judging with a pattern silently dropped. `path` names the setting in the error.
pub fn compile_all(path: &str, patterns: &[String]) -> Result<Vec<Regex>, String> {
    patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Regex::new(p)
                .map_err(|e| format!("settings {path}[{i}] is not a valid regex ({})", one_line(&e.to_string())))
        })
        .collect()
}

/// One pattern, as [`compile_all`].
pub fn compile(path: &str, pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("settings {path} is not a valid regex ({})", one_line(&e.to_string())))
}

/// Settings from JSON that must be valid: the rules' and the mutation's tests start from these.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub fn validated(json: serde_json::Value) -> Settings {
    let s: Settings = serde_json::from_value(json).unwrap();
    s.validate().unwrap();
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Settings, String> {
        serde_json::from_str::<Settings>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_settings_are_valid_with_protection_on() {
        let s = parse("{}").unwrap();
        assert!(s.validate().is_ok());
        assert!(s.storage.protect_secrets);
        assert!(!s.storage.require_secret);
    }

    #[test]
    fn spec_example_is_valid() {
        let s = parse(
            r#"{"production":{"namespaces":["^prod-","-prod$"],"namespaceLabels":{"environment":"production"},
            "staticCredentialsAllowedFor":["^http://minio\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?(:\\d+)?$"],"allowInsecureEndpoints":false},
            "storage":{"allowedRegions":["eu-west-1","eu-central-1"],"bucketRegions":{"tempo-traces-prod":"eu-west-1"},
            "allowedEndpoints":[],"bucketNamePattern":"^tempo-","requireSecret":false,"protectSecrets":true},
            "storageSecretSelector":{"matchLabels":{"app.kubernetes.io/part-of":"tempo"}},
            "resources":{"requireLimits":true,"maxLimits":{"cpu":"8","memory":"32Gi"},"defaultLimits":{"cpu":"2","memory":"4Gi"}},
            "storageSize":{"default":"10Gi","min":"1Gi","max":"500Gi"}}"#,
        )
        .unwrap();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = parse(r#"{"storage":{"allowedRegion":["eu-west-1"]}}"#).unwrap_err();
        assert!(e.contains("allowedRegion"), "{e}");
        let e = parse(r#"{"prod":{}}"#).unwrap_err();
        assert!(e.contains("prod"), "{e}");
    }

    #[test]
    fn bad_values_name_their_setting() {
        let cases = [
            (r#"{"production":{"namespaces":["^prod-","(unclosed"]}}"#, "production.namespaces[1]"),
            (r#"{"production":{"staticCredentialsAllowedFor":["["]}}"#, "production.staticCredentialsAllowedFor[0]"),
            (r#"{"storage":{"allowedEndpoints":["*"]}}"#, "storage.allowedEndpoints[0]"),
            (r#"{"storage":{"bucketNamePattern":"(("}}"#, "storage.bucketNamePattern"),
            (r#"{"storage":{"allowedRegions":["eu-west-1","Europe West"]}}"#, "storage.allowedRegions[1]"),
            (r#"{"storage":{"bucketRegions":{"traces":"mars-1"}}}"#, "storage.bucketRegions.traces"),
            (r#"{"resources":{"maxLimits":{"cpu":"8 cores"}}}"#, "resources.maxLimits.cpu"),
            (r#"{"resources":{"defaultLimits":{"memory":"4GB"}}}"#, "resources.defaultLimits.memory"),
            (
                r#"{"resources":{"maxLimits":{"memory":"8Gi"},"defaultLimits":{"memory":"16Gi"}}}"#,
                "resources.defaultLimits.memory",
            ),
            (r#"{"storageSize":{"min":"10Gi","max":"1Gi"}}"#, "storageSize.min"),
            (r#"{"storageSize":{"default":"1Ti","max":"500Gi"}}"#, "storageSize.default"),
            (r#"{"storageSize":{"default":"100Mi","min":"1Gi"}}"#, "storageSize.default"),
            (r#"{"storageSize":{"min":"-1Gi"}}"#, "storageSize.min"),
            // Issue 10 item 14: defaults and maxima the policy's rules would refuse.
            (r#"{"storageSize":{"default":"0"}}"#, "storageSize.default"),
            (r#"{"storageSize":{"default":0}}"#, "storageSize.default"),
            (r#"{"storageSize":{"default":"-1Gi"}}"#, "storageSize.default"),
            (r#"{"storageSize":{"max":"0Gi"}}"#, "storageSize.max"),
            (r#"{"resources":{"defaultLimits":{"memory":"0"}}}"#, "resources.defaultLimits.memory"),
            (r#"{"resources":{"defaultLimits":{"cpu":"0m"}}}"#, "resources.defaultLimits.cpu"),
            (r#"{"resources":{"defaultLimits":{"cpu":"-1"}}}"#, "resources.defaultLimits.cpu"),
            (r#"{"resources":{"maxLimits":{"memory":0}}}"#, "resources.maxLimits.memory"),
            (r#"{"storageSize":{"default":"5Gi","min":"10Gi","max":"20Gi"}}"#, "storageSize.default"),
            (r#"{"storageSize":{"default":"50Gi","min":"10Gi","max":"20Gi"}}"#, "storageSize.default"),
            (
                r#"{"storageSecretSelector":{"matchExpressions":[{"key":"a","operator":"Maybe"}]}}"#,
                "storageSecretSelector.matchExpressions[0].operator",
            ),
        ];
        for (json, path) in cases {
            let s = parse(json).unwrap();
            let e = s.validate().unwrap_err();
            assert!(e.starts_with(path) || e.contains(&format!("; {path}")), "{json}: {e}");
        }
    }

    /// extraConfig paths name keys of Tempo's configuration: `*` for any one key, free-map keys
    /// and list items match anything.
    #[test]
    fn extra_config_paths_are_tempo_keys() {
        let good = r#"{"extraConfig":{"allowedPaths":["querier.*","*.search","storage.trace.s3.insecure",
            "metrics_generator.registry.external_labels.cluster","metrics_generator.storage.remote_write.headers"],
            "forbiddenPaths":["storage"]}}"#;
        assert_eq!(parse(good).unwrap().validate(), Ok(()));
        for (path, problem) in [
            ("", "is not a dotted path of Tempo configuration keys (such as storage.trace.s3)"),
            ("storage..trace", "is not a dotted path of Tempo configuration keys (such as storage.trace.s3)"),
            ("storage.", "is not a dotted path of Tempo configuration keys (such as storage.trace.s3)"),
            ("stroage", "names no key of Tempo v2.10.8's configuration"),
            ("querier.search.nope", "names no key of Tempo v2.10.8's configuration"),
        ] {
            let json = format!(
                r#"{{"extraConfig":{{"forbiddenPaths":["storage",{}]}}}}"#,
                serde_json::to_string(path).unwrap()
            );
            let e = parse(&json).unwrap().validate().unwrap_err();
            assert_eq!(e, format!("extraConfig.forbiddenPaths[1]: {path:?} {problem}"), "{path}");
        }
    }

    /// Bounds are inclusive, and each message names the bound it is measured against.
    #[test]
    fn bounds_are_inclusive_and_named() {
        let equal = r#"{"storageSize":{"default":"10Gi","min":"10Gi","max":"10Gi"},
            "resources":{"maxLimits":{"cpu":"2","memory":"8Gi"},"defaultLimits":{"cpu":"2","memory":"8Gi"}}}"#;
        assert_eq!(parse(equal).unwrap().validate(), Ok(()));
        let e = parse(r#"{"resources":{"maxLimits":{"memory":"8Gi"},"defaultLimits":{"memory":"16Gi"}}}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e, "resources.defaultLimits.memory: 16Gi is above resources.maxLimits.memory 8Gi");
        let e = parse(r#"{"storageSize":{"default":"1Ti","max":"500Gi"}}"#).unwrap().validate().unwrap_err();
        assert_eq!(e, "storageSize.default: 1Ti is above storageSize.max 500Gi");
        let e = parse(r#"{"storageSize":{"default":"1Gi","min":"10Gi"}}"#).unwrap().validate().unwrap_err();
        assert_eq!(e, "storageSize.default: 1Gi is below storageSize.min 10Gi");
    }

    /// Google writes location codes in upper case (EU, NAM4, the API's US-CENTRAL1); other
    /// providers have their own region codes (Alibaba cn-hangzhou).
    #[test]
    fn location_codes_as_providers_write_them() {
        let s = parse(
            r#"{"storage":{"allowedRegions":["EU","US","ASIA","NAM4","EUR4","eu","US-CENTRAL1","cn-hangzhou","uk-london-1"],
            "bucketRegions":{"tempo-gcs":"EU","tempo-dual":"NAM4","tempo-oss":"cn-hangzhou"}}}"#,
        )
        .unwrap();
        assert_eq!(s.validate(), Ok(()));
        for bad in ["EU-WEST-1", "Eu", "cn-hangzhou-b", "NAM-4"] {
            let s = parse(&format!(r#"{{"storage":{{"allowedRegions":["{bad}"]}}}}"#)).unwrap();
            assert!(s.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn all_problems_are_listed_at_once() {
        let s = parse(r#"{"storage":{"allowedRegions":["x"],"bucketNamePattern":"("},"storageSize":{"min":"abc"}}"#)
            .unwrap();
        let e = s.validate().unwrap_err();
        assert_eq!(e.matches("; ").count(), 2, "{e}");
    }

    #[test]
    fn zero_default_is_named_with_its_reason() {
        let e = parse(r#"{"storageSize":{"default":"0"}}"#).unwrap().validate().unwrap_err();
        assert_eq!(
            e,
            "storageSize.default: 0 is zero, which the policy's own rules refuse: set a positive quantity, or remove it"
        );
        // A minimum of zero is no minimum.
        assert_eq!(parse(r#"{"storageSize":{"min":"0"}}"#).unwrap().validate(), Ok(()));
    }

    #[test]
    fn numbers_are_quantities_too() {
        let s = parse(r#"{"resources":{"maxLimits":{"cpu":8},"defaultLimits":{"cpu":2.5}}}"#).unwrap();
        assert_eq!(s.validate(), Ok(()));
    }

    /// Issue 14: allow-list patterns that are not anchored are a settings warning, not an error.
    #[test]
    fn unanchored_allow_lists_are_warned_about() {
        let s = parse(
            r#"{"production":{"staticCredentialsAllowedFor":["^http://minio\\.svc(:\\d+)?$","minio\\.svc"]},
            "storage":{"allowedEndpoints":["^https://s3\\.eu-west-1\\.amazonaws\\.com$","^https://x","\\Ahttps://y\\z","^a\\$"]}}"#,
        )
        .unwrap();
        assert_eq!(s.validate(), Ok(()));
        let w = s.warnings();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w[0].starts_with("production.staticCredentialsAllowedFor[1]: \"minio\\\\.svc\" is not anchored"),
            "{}",
            w[0]
        );
        assert!(w[1].starts_with("storage.allowedEndpoints[1]:"), "{}", w[1]);
        // `\$` is a literal dollar, not an anchor.
        assert!(w[2].starts_with("storage.allowedEndpoints[3]:"), "{}", w[2]);
        assert!(Settings::default().warnings().is_empty());
    }

    /// Issue 14: a pattern that does not compile at evaluation time is an error that names it.
    #[test]
    fn patterns_that_do_not_compile_are_errors() {
        let bad = vec!["^ok$".to_string(), "(".to_string()];
        let e = compile_all("storage.allowedEndpoints", &bad).unwrap_err();
        assert!(e.starts_with("settings storage.allowedEndpoints[1] is not a valid regex ("), "{e}");
        assert_eq!(compile_all("x", &bad[..1]).unwrap().len(), 1);
        assert!(
            compile("storage.bucketNamePattern", "[")
                .unwrap_err()
                .starts_with("settings storage.bucketNamePattern is not")
        );
    }
}
