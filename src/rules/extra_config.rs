//! `extra-config`: `spec.extraConfig.tempo` holds only configuration Tempo accepts, no credential in plain text, and only the keys the platform allows.
//!
//! ## What it checks
//! The operator overlays `spec.extraConfig.tempo` onto the `tempo.yaml` it renders (and, for a
//! TempoStack, onto `tempo-query-frontend.yaml`): JSON decoded into maps, merged with
//! `mergo.Merge(..., mergo.WithOverride)`, written back with yaml.v3
//! (internal/manifests/config/extra.go, `MergeExtraConfigWithConfig`). Every key path is
//! compared with the keys Tempo v2.10.8, the version Tempo Operator v0.22.0 deploys, accepts
//! (`src/tempo_config/tempo-v2.10.8.tree`, generated from Tempo's config structs by
//! `scripts/tempo-config/generate.py`; docs/extra-config.md):
//! - a key Tempo does not have is refused, naming its path, the key meant when one is close
//!   ("did you mean"), and where the key exists when it is in another place
//!   (`http_server_write_timeout` belongs under `server`); keys under open maps (receivers,
//!   per-tenant maps, headers) are not judged;
//! - a value Tempo cannot read into its field is refused, naming the type it takes: after the
//!   JSON-to-YAML trip a JSON string stays a quoted string, so `"true"` is no bool and `"10"` no
//!   integer; a duration needs a unit (`30s`; a plain number is taken as nanoseconds: a
//!   warning); a size such as `max_block_bytes`-style `bytes` fields needs a unit (`64MiB`); an
//!   enum one of its words. A value with `${...}` is expanded from the environment first
//!   (`-config.expand-env=true`, on for every Tempo container the operator renders) and is not
//!   judged;
//! - `overrides` mixing the legacy flat keys (`max_traces_per_user`, ...) with the `defaults:`
//!   form: Tempo reads one shape or the other (`overrides.Config.UnmarshalYAML` in
//!   modules/overrides/config.go) and refuses a mix. A TempoStack whose operator renders legacy
//!   keys (global rate limits, a `spec.size` of `1x.pico` and up, the metrics-generator) takes
//!   no `defaults:` form;
//! - a credential in plain text (any leaf Tempo itself treats as secret, such as
//!   `storage.trace.s3.secret_key`, `storage.trace.azure.storage_account_key`, a Redis or etcd
//!   password, a remote-write bearer token, and the S3 `access_key`) is refused in every
//!   namespace: it stays readable in the CR and in the ConfigMap the operator renders. A
//!   `${VAR}` reference to an environment variable from a Secret (`spec.env`) is the way, and
//!   accepted. Messages name the path, never the value;
//! - `extraConfig.allowedPaths` and `extraConfig.forbiddenPaths`: every key path set must lie
//!   under an allowed path, and under no forbidden one.
//!
//! Storage set through `extraConfig.tempo.storage.trace` replaces what the operator rendered
//! from the Secret: those values are judged by the endpoint, region, bucket, TLS and production
//! rules as the Secret's are, their findings saying that the value came from `extraConfig`
//! (`objects::overlay`, `review::tempo`).
//!
//! ## Why
//! Tempo reads the merged file with `yaml.UnmarshalStrict` (`loadConfig` in cmd/tempo/main.go):
//! one unknown or misspelt key, or a value of the wrong type, and every Tempo pod exits at start
//! and crash-loops. The operator only warns that an override "could potentially break the
//! stack" (internal/webhooks/tempostack_webhook.go), and its own docs carry examples with keys
//! Tempo does not have (`ingestion:` and `gateway:` under `extraConfig.tempo`,
//! `grpc_tls_config.min_version`).
//!
//! ## Example
//! Rejected: `extraConfig: {tempo: {http_server_write_timeout: 10m}}` (it belongs under
//! `server`), `{tempo: {server: {http_server_write_timeout: "ten minutes"}}}`,
//! `{tempo: {storage: {trace: {s3: {secret_key: hunter2}}}}}`. Accepted:
//! `{tempo: {server: {http_server_write_timeout: 10m}, query_frontend: {max_retries: 3}}}`.
//!
//! ## Settings
//! `extraConfig.checkKeys` (default true: unknown keys and value types), `extraConfig.allowedPaths`,
//! `extraConfig.forbiddenPaths`.

use crate::finding::{Findings, Severity, quote};
use crate::json::at;
use crate::objects::CrKind;
use crate::registry::Rule;
use crate::settings::Settings;
use crate::tempo_config::{Id, Kind, Leaf, ROOT, Tree, tree};
use serde_json::{Map, Value};

/// Where the overlay sits in both kinds' specs.
pub const PATH: [&str; 3] = ["spec", "extraConfig", "tempo"];

/// How many unknown keys and bad values are listed one by one.
const MAX_LISTED: usize = 20;

/// Leaves that are credentials though Tempo types them as plain strings: the S3 access key ID.
const CREDENTIAL_IDS: &[&str] = &["access_key"];

/// Keys Tempo once had and removed, with what to do instead (Tempo's CHANGELOG).
const REMOVED: &[(&str, &str)] = &[
    ("search_enabled", "removed in Tempo 2.0 (#2004): search is always on, so remove the key"),
    (
        "metrics_generator_enabled",
        "removed in Tempo 2.0 (#2004): the metrics-generator is always available, so remove the key",
    ),
];

/// The Tempo version the data describes and the operator that deploys it, for messages.
fn tempo_version() -> &'static str {
    tree().header("tag").unwrap_or("v2.10.8")
}

pub fn check(kind: CrKind, object: &Value, settings: &Settings, out: &mut Findings) {
    let Some(extra) = at(object, &PATH) else { return };
    let mut walk = Walk { tree: tree(), settings, findings: Vec::new(), listed: 0, left_out: 0 };
    let Value::Object(map) = extra else {
        walk.report(
            Severity::Reject,
            &[],
            format!(
                "is {}, but the operator merges it into tempo.yaml as a mapping of Tempo settings (json.Unmarshal into a map in internal/manifests/config/extra.go) and fails to reconcile: write a mapping, such as {{server: {{http_server_write_timeout: 10m}}}}",
                crate::json::type_name(extra)
            ),
        );
        walk.finish(out);
        return;
    };
    let mut keys = Vec::new();
    walk.object(ROOT, map, &mut keys);
    overrides_shape(kind, object, map, &mut walk);
    storage_shape(kind, object, map, &mut walk);
    walk.finish(out);
}

/// What `storage.trace` in extraConfig can break that the key tree does not show: another
/// backend than the CR names (the operator mounts that backend's Secret and Tempo writes
/// elsewhere), and an S3 endpoint written as a URL (Tempo's is host[:port]: minio-go prefixes the
/// scheme itself, `getEndpointURL` in utils.go, and refuses `https://https://...` with "Endpoint
/// url cannot have fully qualified paths", so Tempo exits).
fn storage_shape(kind: CrKind, object: &Value, extra: &Map<String, Value>, walk: &mut Walk<'_>) {
    let trace = extra.get("storage").and_then(|s| s.get("trace"));
    let Some(trace) = trace.and_then(Value::as_object) else { return };
    if let Some(backend) = trace.get("backend").and_then(Value::as_str) {
        let named = match kind {
            CrKind::TempoStack => at(object, &["spec", "storage", "secret", "type"]).and_then(Value::as_str),
            CrKind::TempoMonolithic => {
                match at(object, &["spec", "storage", "traces", "backend"]).and_then(Value::as_str).unwrap_or("memory")
                {
                    "memory" | "pv" => Some("local"),
                    other => Some(other),
                }
            }
        };
        if let Some(named) = named
            && named != backend
        {
            walk.report(
                Severity::Reject,
                &["storage".into(), "trace".into(), "backend".into()],
                format!(
                    "is {}, but the CR's storage is {}: the operator mounts the {} storage and its credentials, and Tempo would write the traces to another backend, without them: change the CR's storage instead",
                    quote(backend),
                    quote(named),
                    named
                ),
            );
        }
    }
    if let Some(endpoint) = trace.get("s3").and_then(|s| s.get("endpoint")).and_then(Value::as_str)
        && endpoint.contains("://")
    {
        walk.report(
            Severity::Reject,
            &["storage".into(), "trace".into(), "s3".into(), "endpoint".into()],
            "is a URL with a scheme, but Tempo's S3 endpoint is host[:port]: the S3 client adds the scheme from storage.trace.s3.insecure and refuses the result (\"Endpoint url cannot have fully qualified paths\"), so Tempo exits: write the host and port only".to_string(),
        );
    }
}

struct Walk<'t> {
    tree: &'t Tree,
    settings: &'t Settings,
    findings: Vec<(Severity, String, String)>,
    listed: usize,
    left_out: usize,
}

impl Walk<'_> {
    /// A finding at `keys` (the path under `extraConfig.tempo`).
    fn report(&mut self, severity: Severity, keys: &[String], message: String) {
        if self.listed >= MAX_LISTED {
            self.left_out += 1;
            return;
        }
        self.listed += 1;
        let path = field_path(keys);
        self.findings.push((severity, path.clone(), format!("{path} {message}")));
    }

    fn finish(self, out: &mut Findings) {
        for (severity, path, message) in self.findings {
            out.push(Rule::ExtraConfig, severity, path, message);
        }
        if self.left_out > 0 {
            out.reject(
                Rule::ExtraConfig,
                field_path(&[]),
                format!("… and {} more problems in spec.extraConfig.tempo left out", self.left_out),
            );
        }
    }

    fn object(&mut self, node: Id, map: &Map<String, Value>, keys: &mut Vec<String>) {
        for (key, value) in map {
            keys.push(key.clone());
            let child = self.tree.child(node, key).or_else(|| self.tree.child(node, "*"));
            self.paths_allowed(keys, value);
            match child {
                Some(child) => self.value(child, value, keys),
                None if self.settings.extra_config.check_keys => self.unknown(node, key, keys),
                None => {}
            }
            keys.pop();
        }
    }

    fn value(&mut self, node: Id, value: &Value, keys: &mut Vec<String>) {
        let Some(kind) = self.tree.node(node).map(|n| n.kind) else { return };
        if self.settings.extra_config.check_keys
            && let Err(expected) = fits(kind, value)
        {
            let expected = match expected {
                Fit::Refused(expected) => expected,
                Fit::Nanoseconds => {
                    self.report(
                        Severity::Warn,
                        keys,
                        format!(
                            "is the number {value}, which Tempo reads as {value} nanoseconds (a JSON number reaches its duration field as an integer): write a duration with its unit, such as \"{value}s\""
                        ),
                    );
                    return;
                }
            };
            self.report(
                Severity::Reject,
                keys,
                format!(
                    "is {}, but Tempo {} reads {expected} there and exits at start-up on anything else (yaml.UnmarshalStrict in loadConfig): write {expected}",
                    shown(value),
                    tempo_version()
                ),
            );
            return;
        }
        if let Kind::Leaf(leaf) = kind {
            self.credential(leaf, keys, value);
        }
        match (kind, value) {
            (Kind::Object, Value::Object(map)) => self.object(node, map, keys),
            (Kind::Map, Value::Object(map)) => {
                let Some(values) = self.tree.child(node, "*") else { return };
                for (key, v) in map {
                    keys.push(key.clone());
                    self.paths_allowed(keys, v);
                    self.value(values, v, keys);
                    keys.pop();
                }
            }
            (Kind::List, Value::Array(items)) => {
                let Some(item) = self.tree.child(node, "[]") else { return };
                for (i, v) in items.iter().enumerate() {
                    keys.push(i.to_string());
                    self.value(item, v, keys);
                    keys.pop();
                }
            }
            _ => {}
        }
    }

    fn unknown(&mut self, parent: Id, key: &str, keys: &[String]) {
        let parent_path = self.tree.path(parent);
        let under =
            if parent_path.is_empty() { "at the top level".to_string() } else { format!("under {parent_path}") };
        let siblings: Vec<&str> = self.tree.children(parent).map(|(_, n)| n.key).filter(|k| *k != "*").collect();
        let mut hints = Vec::new();
        if let Some((_, why)) = REMOVED.iter().find(|(k, _)| *k == key) {
            hints.push((*why).to_string());
        }
        if let Some(close) = closest(&siblings, key) {
            hints.push(format!("did you mean {close:?}?"));
        }
        // Where the key exists, nearest first: sharing most of this place's path, then shortest.
        let mut elsewhere = self.tree.paths_of(key);
        let here: Vec<&str> = parent_path.split('.').collect();
        elsewhere.sort_by_key(|p| {
            let segments: Vec<&str> = p.split('.').collect();
            let shared = segments.iter().zip(&here).take_while(|(a, b)| a == b).count();
            (std::cmp::Reverse(shared), segments.len(), p.clone())
        });
        if !elsewhere.is_empty() {
            let shown: Vec<&str> = elsewhere.iter().take(3).map(String::as_str).collect();
            let more = if elsewhere.len() > 3 { format!(" and {} more", elsewhere.len() - 3) } else { String::new() };
            hints.push(format!("it exists at {}{more}", shown.join(", ")));
        }
        let hints = if hints.is_empty() { String::new() } else { format!(" ({})", hints.join(", ")) };
        self.report(
            Severity::Reject,
            keys,
            format!(
                "is not a key Tempo {} has {under}{hints}: Tempo refuses unknown configuration at start-up (yaml.UnmarshalStrict in loadConfig, cmd/tempo/main.go), so every Tempo pod would crash-loop",
                tempo_version()
            ),
        );
    }

    /// A credential in plain text; a `${VAR}` reference is the way to give one.
    fn credential(&mut self, leaf: Leaf, keys: &[String], value: &Value) {
        let named = keys.last().is_some_and(|k| CREDENTIAL_IDS.contains(&k.as_str()));
        if !(leaf == Leaf::Secret || named) {
            return;
        }
        let plain = match value {
            Value::Null => false,
            Value::String(s) => !s.is_empty() && !is_env_reference(s),
            _ => true,
        };
        if plain {
            self.report(
                Severity::Reject,
                keys,
                "holds a credential in plain text, which stays readable to whoever reads the CR or the ConfigMap the operator renders from it (tempo.yaml): keep it in a Secret, pass it with spec.env (valueFrom.secretKeyRef) and write \"${VAR}\" here, which Tempo expands (-config.expand-env); storage keys belong in the storage Secret".to_string(),
            );
        }
    }

    /// `extraConfig.allowedPaths` / `forbiddenPaths` on a key path that is set: a leaf, or a
    /// container written as a whole (`null`, `{}`, a list).
    fn paths_allowed(&mut self, keys: &[String], value: &Value) {
        let cfg = &self.settings.extra_config;
        if cfg.allowed_paths.is_empty() && cfg.forbidden_paths.is_empty() {
            return;
        }
        // A mapping only holds the keys below it (an empty one changes nothing: mergo merges it
        // into the rendered section); a scalar, a list or a null replaces what is there.
        let is_set = !value.is_object();
        if let Some(forbidden) = cfg.forbidden_paths.iter().find(|p| covers(p, keys)) {
            // Reported once, at the forbidden path itself.
            if keys.len() == forbidden.split('.').count() {
                self.report(
                    Severity::Reject,
                    keys,
                    format!("is under extraConfig.forbiddenPaths {}: the platform's administrators keep it out of extraConfig", quote(forbidden)),
                );
            }
            return;
        }
        if is_set && !cfg.allowed_paths.is_empty() && !cfg.allowed_paths.iter().any(|p| covers(p, keys)) {
            self.report(
                Severity::Reject,
                keys,
                format!(
                    "is under none of extraConfig.allowedPaths ({}): the platform's administrators allow only those in extraConfig",
                    cfg.allowed_paths.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}

/// Whether setting `pattern` (dotted keys, `*` for any one key) covers `keys`: it is a prefix.
pub fn covers(pattern: &str, keys: &[String]) -> bool {
    let parts: Vec<&str> = pattern.split('.').collect();
    parts.len() <= keys.len() && parts.iter().zip(keys).all(|(p, k)| *p == "*" || p == k)
}

/// `spec.extraConfig.tempo.<keys>`.
fn field_path(keys: &[String]) -> String {
    let mut path = PATH.join(".");
    for k in keys {
        path.push('.');
        path.push_str(k);
    }
    path
}

/// `${VAR}` somewhere in the text: expanded by Tempo (`-config.expand-env`) before decoding.
fn is_env_reference(s: &str) -> bool {
    s.contains("${")
}

/// A value as messages show it: its type, and the value itself when short and not a string
/// that could be secret (credentials are never judged for type: `secret` leaves take any scalar).
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("the bool {b}"),
        other => crate::json::type_name(other).to_string(),
    }
}

/// Why a value does not fit.
enum Fit {
    /// What Tempo reads there.
    Refused(&'static str),
    /// A number in a duration field: read as nanoseconds (accepted, but rarely meant).
    Nanoseconds,
}

/// Whether Tempo's yaml.v2 decoder takes `value` (after the operator's JSON-to-YAML trip) into a
/// node of `kind`. `null` fits everything (yaml.v2 stores the zero value).
fn fits(kind: Kind, value: &Value) -> Result<(), Fit> {
    use Fit::Refused;
    if value.is_null() {
        return Ok(());
    }
    if let Value::String(s) = value
        && is_env_reference(s)
    {
        return Ok(());
    }
    let scalar = !matches!(value, Value::Object(_) | Value::Array(_));
    let number = value.as_f64();
    let text = value.as_str();
    let ok = |b: bool, expected: &'static str| if b { Ok(()) } else { Err(Refused(expected)) };
    match kind {
        Kind::Any => Ok(()),
        Kind::Object | Kind::Map => ok(value.is_object(), "a mapping of settings"),
        Kind::List => ok(value.is_array(), "a list"),
        Kind::Leaf(leaf) => match leaf {
            Leaf::String | Leaf::Secret | Leaf::Url | Leaf::Regexp => ok(scalar, "a string"),
            Leaf::Csv => ok(scalar, "one comma-separated string (a list is refused there)"),
            Leaf::CsvOrList => match value {
                Value::Array(items) => ok(items.iter().all(|i| !i.is_object() && !i.is_array()), "a list of strings"),
                _ => ok(scalar, "a comma-separated string or a list of strings"),
            },
            Leaf::Bool => ok(value.is_boolean(), "true or false (a JSON bool, not a string)"),
            Leaf::Int => ok(number.is_some(), "an integer (a JSON number, not a string)"),
            Leaf::Uint => ok(number.is_some_and(|n| n >= 0.0), "a non-negative integer (a JSON number)"),
            Leaf::Float => ok(number.is_some(), "a number"),
            Leaf::Duration => match (text, number) {
                (Some(s), _) => ok(is_go_duration(s), "a duration with its unit, such as 30s, 5m or 1h30m"),
                (None, Some(0.0)) => Ok(()),
                (None, Some(_)) => Err(Fit::Nanoseconds),
                _ => Err(Refused("a duration with its unit, such as 30s, 5m or 1h30m")),
            },
            Leaf::ModelDuration => match (text, number) {
                (Some(s), _) => ok(is_model_duration(s), "a duration such as 30s, 24h or 7d (units y w d h m s ms)"),
                (None, Some(n)) => ok(n == 0.0, "a duration such as 30s, 24h or 7d (units y w d h m s ms)"),
                _ => Err(Refused("a duration such as 30s, 24h or 7d (units y w d h m s ms)")),
            },
            Leaf::Bytes => match (text, number) {
                (Some(s), _) => ok(is_bytes(s), "a size with its unit, such as 64MiB or 1GB"),
                (None, Some(n)) => ok(n == 0.0, "a size with its unit, such as 64MiB or 1GB"),
                _ => Err(Refused("a size with its unit, such as 64MiB or 1GB")),
            },
            Leaf::Timestamp => ok(text.is_some_and(is_rfc3339), "an RFC 3339 time, such as 2026-01-31T00:00:00Z"),
            Leaf::Enum { values, ci } => {
                let fits = text
                    .is_some_and(|s| values.split('|').any(|v| if ci { v.eq_ignore_ascii_case(s) } else { v == s }));
                ok(fits, enum_expected(values))
            }
        },
    }
}

/// "one of a, b, c" for the enums the tree has (static texts keep `Fit` allocation-free).
fn enum_expected(values: &str) -> &'static str {
    match values {
        "debug|info|warn|error" => "one of debug, info, warn, error",
        "TLS13|TLS12|TLS11|TLS10" => "one of TLS13, TLS12, TLS11, TLS10",
        v if v.starts_with("none|gzip") => "one of none, gzip, lz4-64k, lz4-256k, lz4-1M, lz4, snappy, zstd, s2",
        _ => {
            "one of the relabel actions (replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)"
        }
    }
}

/// Go's `time.ParseDuration`: `0`, or a sign and `<number><unit>` groups, units ns us µs μs ms s m h.
pub fn is_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        if !matches!(unit, "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return false;
        }
        rest = tail;
    }
    true
}

/// Prometheus `model.ParseDuration`: `0`, or `<n><unit>` groups in the order y w d h m s ms.
pub fn is_model_duration(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    let units = ["y", "w", "d", "h", "m", "s", "ms"];
    let mut next = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        let tail = rest.get(digits..).unwrap_or("");
        let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let unit = tail.get(..unit_len).unwrap_or("");
        match units.iter().skip(next).position(|u| *u == unit) {
            Some(i) => next += i + 1,
            None => return false,
        }
        rest = tail.get(unit_len..).unwrap_or("");
    }
    !s.is_empty()
}

/// alecthomas/units `ParseBase2Bytes`, as dskit's `flagext.Bytes` reads it: `0`, or
/// `<number><unit>` groups with the units B, KB/KiB, MB/MiB, GB/GiB, TB/TiB, PB/PiB, EB/EiB.
pub fn is_bytes(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    let units = ["B", "KB", "KiB", "MB", "MiB", "GB", "GiB", "TB", "TiB", "PB", "PiB", "EB", "EiB"];
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        let tail = rest.get(digits..).unwrap_or("");
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        if !units.contains(&tail.get(..unit_len).unwrap_or("")) {
            return false;
        }
        rest = tail.get(unit_len..).unwrap_or("");
    }
    !s.is_empty()
}

/// RFC 3339, as `time.Time.UnmarshalText` reads it.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let is = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4) && is(4, b'-') && digits(5..7) && is(7, b'-') && digits(8..10)) {
        return false;
    }
    if !(matches!(b.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && is(13, b':')
        && digits(14..16)
        && is(16, b':')
        && digits(17..19))
    {
        return false;
    }
    let mut i = 19;
    if is(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => digits(i + 1..i + 3) && is(i + 3, b':') && digits(i + 4..i + 6) && i + 6 == b.len(),
        _ => false,
    }
}

/// The sibling key meant, when one is close (edit distance 2, or one contains the other).
fn closest<'k>(siblings: &[&'k str], key: &str) -> Option<&'k str> {
    if key.len() < 3 {
        return None;
    }
    let normal = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    let wanted = normal(key);
    siblings
        .iter()
        .map(|s| (*s, strsim::damerau_levenshtein(&normal(s), &wanted)))
        .filter(|(s, d)| *d <= 2.max(s.len() / 6) && s.len() > 3)
        .min_by_key(|(_, d)| *d)
        .map(|(s, _)| s)
        .or_else(|| {
            // One inside the other (`search` for `search_enabled`), when they are of like length:
            // `server` is no hint for `http_server_write_timeout`.
            siblings
                .iter()
                .copied()
                .filter(|s| {
                    let s = normal(s);
                    let mut pair = [&s, &wanted];
                    pair.sort_by_key(|p| p.len());
                    let [short, long] = pair;
                    short.len() > 3 && long.contains(short.as_str()) && short.len() * 20 >= long.len() * 9
                })
                .min_by_key(|s| s.len().abs_diff(key.len()))
        })
}

/// `overrides`: Tempo reads the `defaults:` form or the legacy flat keys, never a mix.
fn overrides_shape(kind: CrKind, object: &Value, extra: &Map<String, Value>, walk: &mut Walk<'_>) {
    let Some(Value::Object(overrides)) = extra.get("overrides") else { return };
    let shapes = walk.tree.union("overrides");
    let only = |name: &str| -> Vec<&'static str> {
        let this: Vec<&'static str> = shapes.iter().filter(|(n, _)| *n == name).flat_map(|(_, k)| k.clone()).collect();
        let others: Vec<&'static str> =
            shapes.iter().filter(|(n, _)| *n != name).flat_map(|(_, k)| k.clone()).collect();
        this.into_iter().filter(|k| !others.contains(k)).collect()
    };
    let (new_only, legacy_only) = (only("new"), only("legacy"));
    let new: Vec<&str> = overrides.keys().map(String::as_str).filter(|k| new_only.contains(k)).collect();
    let legacy: Vec<&str> = overrides.keys().map(String::as_str).filter(|k| legacy_only.contains(k)).collect();
    let keys = vec!["overrides".to_string()];
    if !new.is_empty() && !legacy.is_empty() {
        walk.report(
            Severity::Reject,
            &keys,
            format!(
                "mixes the defaults form ({}) with the legacy flat keys ({}): Tempo reads one or the other (overrides.Config.UnmarshalYAML in modules/overrides/config.go) and exits on a mix: write them all under overrides.defaults",
                new.join(", "),
                legacy.join(", ")
            ),
        );
    } else if !new.is_empty()
        && kind == CrKind::TempoStack
        && let Some(why) = renders_legacy_overrides(object)
    {
        walk.report(
            Severity::Reject,
            &keys,
            format!(
                "uses the defaults form ({}), but the operator writes legacy flat keys into overrides for this TempoStack ({why}; internal/manifests/config/tempo-config.yaml), and Tempo exits on a mix: write these settings as legacy keys (such as overrides.max_traces_per_user), or set them through spec.limits",
                new.join(", ")
            ),
        );
    }
}

/// Why the operator renders legacy `overrides` keys for a TempoStack (its template writes them
/// when global rate limits are set, from `spec.limits.global` or the `spec.size` profile, or the
/// metrics-generator has processors: internal/manifests/config/build.go and
/// manifestutils/size.go `rateLimitProfiles`).
fn renders_legacy_overrides(object: &Value) -> Option<String> {
    if let Some(size) = at(object, &["spec", "size"]).and_then(Value::as_str)
        && matches!(size, "1x.pico" | "1x.extra-small" | "1x.small" | "1x.medium")
    {
        return Some(format!("spec.size {size} brings global rate limits"));
    }
    let set = |v: Option<&Value>| match v {
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(s)) => !s.is_empty() && s != "0s" && s != "0",
        _ => false,
    };
    for (group, field) in [
        ("ingestion", "ingestionBurstSizeBytes"),
        ("ingestion", "ingestionRateLimitBytes"),
        ("ingestion", "maxTracesPerUser"),
        ("ingestion", "maxBytesPerTrace"),
        ("query", "maxBytesPerTagValues"),
        ("query", "maxSearchDuration"),
    ] {
        if set(at(object, &["spec", "limits", "global", group, field])) {
            return Some(format!("spec.limits.global.{group}.{field} is set"));
        }
    }
    if at(object, &["spec", "template", "metricsGenerator", "enabled"]) == Some(&Value::Bool(true)) {
        return Some("the metrics-generator is enabled".to_string());
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_with(kind: CrKind, spec: Value, settings: &Settings) -> Vec<(Severity, String, String)> {
        let object = json!({"metadata": {"name": "simplest"}, "spec": spec});
        let mut out = Findings::new();
        check(kind, &object, settings, &mut out);
        out.iter().map(|f| (f.severity, f.path.clone(), f.message.clone())).collect()
    }

    fn run(extra: Value) -> Vec<(Severity, String, String)> {
        run_with(CrKind::TempoStack, json!({"extraConfig": {"tempo": extra}}), &Settings::default())
    }

    #[test]
    fn the_operators_own_extra_configs_are_accepted() {
        // tests/e2e/tempostack-extraconfig and monolithic-extraconfig of Tempo Operator v0.22.0.
        let stack = json!({"server": {"http_server_write_timeout": "10m", "http_server_read_timeout": "10m"},
            "querier": {"search": {"query_timeout": "180s"}}, "query_frontend": {"max_retries": 3}});
        assert!(run(stack).is_empty());
        let redis = json!({"cache": {"caches": [{"roles": ["bloom"], "redis": {"endpoint": "redis.host", "password": "${REDIS_PASSWORD}"}}]}});
        assert!(run(redis).is_empty());
        assert!(
            run(json!({"distributor": {"receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "0.0.0.0:4317"}}}}}}))
                .is_empty()
        );
    }

    #[test]
    fn unknown_keys_name_their_path_and_the_key_meant() {
        let f = run(json!({"http_server_write_timeout": "10m"}));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].1, "spec.extraConfig.tempo.http_server_write_timeout");
        assert!(f[0].2.contains("is not a key Tempo v2.10.8 has at the top level"), "{}", f[0].2);
        assert!(
            f[0].2.contains("it exists at internal_server.http_server_write_timeout, server.http_server_write_timeout"),
            "{}",
            f[0].2
        );
        assert!(f[0].2.contains("yaml.UnmarshalStrict in loadConfig"), "{}", f[0].2);
        let f = run(json!({"server": {"http_server_writetimeout": "10m"}}));
        assert!(f[0].2.contains("under server (did you mean \"http_server_write_timeout\"?"), "{}", f[0].2);
        let f = run(json!({"storage": {"trace": {"s3": {"max_retries": 5}}}}));
        assert!(f[0].2.contains("under storage.trace.s3"), "{}", f[0].2);
        assert!(f[0].2.contains("it exists at ") && f[0].2.contains("query_frontend.max_retries"), "{}", f[0].2);
        let f = run(json!({"search_enabled": true}));
        assert!(f[0].2.contains("removed in Tempo 2.0"), "{}", f[0].2);
        assert!(!run(json!({"http_server_write_timeout": "1m"}))[0].2.contains("did you mean"));
        let f = run(json!({"querier": {"search_enabled": true}}));
        assert!(f[0].2.contains("did you mean \"search\"?"), "{}", f[0].2);
        // The operator's OpenShift docs: keys Tempo does not have.
        let f = run(json!({"ingestion": {"otlp": {"http": {"enabled": false}}}, "gateway": {"log_requests": true},
            "server": {"grpc_tls_config": {"min_version": "VersionTLS12"}}}));
        let paths: Vec<&str> = f.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.extraConfig.tempo.gateway",
                "spec.extraConfig.tempo.ingestion",
                "spec.extraConfig.tempo.server.grpc_tls_config.min_version"
            ]
        );
        assert!(f.iter().all(|x| x.0 == Severity::Reject));
    }

    #[test]
    fn values_must_be_what_tempo_reads() {
        let bad = [
            (json!({"server": {"http_server_write_timeout": "ten minutes"}}), "a duration with its unit"),
            (json!({"server": {"http_server_write_timeout": "30"}}), "a duration with its unit"),
            (json!({"query_frontend": {"max_retries": "3"}}), "an integer"),
            (json!({"usage_report": {"reporting_enabled": "false"}}), "true or false"),
            (json!({"server": {"log_level": "verbose"}}), "one of debug, info, warn, error"),
            (json!({"querier": {"search": ["a"]}}), "a mapping of settings"),
            (json!({"query_frontend": {"max_retries": -1, "search": {"concurrent_jobs": {"x": 1}}}}), "an integer"),
        ];
        for (extra, expected) in bad {
            let f = run(extra.clone());
            assert!(f.iter().any(|x| x.0 == Severity::Reject && x.2.contains(expected)), "{extra}: {f:?}");
        }
        let good = json!({"server": {"http_server_write_timeout": "1h30m", "log_level": "warn", "grpc_server_max_recv_msg_size": 4194304},
            "usage_report": {"reporting_enabled": false}, "query_frontend": {"max_retries": null},
            "storage": {"trace": {"block": {"v2_encoding": "ZSTD"}}}, "memberlist": {"join_members": ["a", "b"]},
            "ingester": {"max_block_duration": "${BLOCK_DURATION}"}});
        assert_eq!(run(good), []);
        // A number in a duration field is nanoseconds: accepted, with a warning.
        let f = run(json!({"server": {"http_server_write_timeout": 30}}));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Severity::Warn);
        assert!(f[0].2.contains("30 nanoseconds"), "{}", f[0].2);
    }

    #[test]
    fn credentials_in_plain_text_are_refused_never_shown() {
        let f = run(
            json!({"storage": {"trace": {"s3": {"access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG"}}},
            "cache": {"caches": [{"roles": ["bloom"], "redis": {"password": "hunter22"}}]}}),
        );
        assert_eq!(f.len(), 3, "{f:?}");
        for (severity, path, message) in &f {
            assert_eq!(*severity, Severity::Reject);
            assert!(message.contains("holds a credential in plain text"), "{message}");
            for secret in ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "hunter22"] {
                assert!(!message.contains(secret) && !path.contains(secret), "{message}");
            }
        }
        assert!(run(json!({"storage": {"trace": {"s3": {"secret_key": "${S3_SECRET}"}}}})).is_empty());
    }

    #[test]
    fn overrides_take_one_shape() {
        let mixed =
            json!({"overrides": {"defaults": {"ingestion": {"rate_limit_bytes": 1000}}, "max_traces_per_user": 10}});
        let f = run(mixed);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].2.contains("mixes the defaults form (defaults) with the legacy flat keys (max_traces_per_user)"),
            "{}",
            f[0].2
        );
        let new = json!({"overrides": {"defaults": {"ingestion": {"rate_limit_bytes": 1000}}}});
        assert!(run(new.clone()).is_empty());
        let sized = json!({"size": "1x.small", "extraConfig": {"tempo": new.clone()}});
        let f = run_with(CrKind::TempoStack, sized, &Settings::default());
        assert!(f[0].2.contains("spec.size 1x.small brings global rate limits"), "{f:?}");
        let generator =
            json!({"template": {"metricsGenerator": {"enabled": true}}, "extraConfig": {"tempo": new.clone()}});
        assert_eq!(run_with(CrKind::TempoStack, generator.clone(), &Settings::default()).len(), 1);
        // A TempoMonolithic renders no overrides.
        assert!(run_with(CrKind::TempoMonolithic, generator, &Settings::default()).is_empty());
        let legacy =
            json!({"limits": {"global": {"query": {"maxSearchDuration": "0s"}}}, "extraConfig": {"tempo": new}});
        assert!(run_with(CrKind::TempoStack, legacy, &Settings::default()).is_empty());
        // Global limits make the operator write legacy keys when set to anything but zero.
        for (group, field, value, renders) in [
            ("ingestion", "maxBytesPerTrace", json!(1000), true),
            ("ingestion", "maxBytesPerTrace", json!(0), false),
            ("query", "maxSearchDuration", json!("10m"), true),
            ("query", "maxSearchDuration", json!("0s"), false),
            ("query", "maxSearchDuration", json!("0"), false),
            ("query", "maxSearchDuration", json!(""), false),
            ("ingestion", "maxTracesPerUser", json!(true), false),
        ] {
            let spec = json!({"limits": {"global": {group: {field: value}}}, "extraConfig": {"tempo": new}});
            let f = run_with(CrKind::TempoStack, spec, &Settings::default());
            assert_eq!(!f.is_empty(), renders, "{field}: {value}: {f:?}");
            if renders {
                assert!(f[0].2.contains(&format!("spec.limits.global.{group}.{field} is set")), "{}", f[0].2);
            }
        }
    }

    #[test]
    fn allowed_and_forbidden_paths() {
        let mut settings = Settings::default();
        settings.extra_config.forbidden_paths = vec!["storage".into()];
        let spec = |extra: Value| json!({"extraConfig": {"tempo": extra}});
        let f =
            run_with(CrKind::TempoStack, spec(json!({"storage": {"trace": {"s3": {"insecure": true}}}})), &settings);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].1, "spec.extraConfig.tempo.storage");
        assert!(f[0].2.contains("is under extraConfig.forbiddenPaths \"storage\""), "{}", f[0].2);
        assert!(run_with(CrKind::TempoStack, spec(json!({"server": {"log_level": "info"}})), &settings).is_empty());

        let mut settings = Settings::default();
        settings.extra_config.allowed_paths = vec!["querier.*".into(), "query_frontend.max_retries".into()];
        assert!(
            run_with(
                CrKind::TempoStack,
                spec(json!({"querier": {"search": {"query_timeout": "1m"}}, "query_frontend": {"max_retries": 3}})),
                &settings
            )
            .is_empty()
        );
        let f = run_with(
            CrKind::TempoStack,
            spec(json!({"query_frontend": {"search": {"concurrent_jobs": 10}}, "querier": {}})),
            &settings,
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].1, "spec.extraConfig.tempo.query_frontend.search.concurrent_jobs");

        // The key check off: unknown keys and types pass, credentials and paths still count.
        let mut settings = Settings::default();
        settings.extra_config.check_keys = false;
        assert!(
            run_with(CrKind::TempoStack, spec(json!({"gateway": {"x": 1}, "server": {"log_level": 5}})), &settings)
                .is_empty()
        );
        assert_eq!(
            run_with(CrKind::TempoStack, spec(json!({"storage": {"trace": {"s3": {"secret_key": "x1"}}}})), &settings)
                .len(),
            1
        );
    }

    #[test]
    fn storage_overrides_keep_the_crs_backend_and_a_host() {
        let f = run_with(
            CrKind::TempoStack,
            json!({"storage": {"secret": {"name": "s", "type": "s3"}}, "extraConfig": {"tempo": {"storage": {"trace": {"backend": "local", "s3": {"endpoint": "https://minio:9000"}}}}}}),
            &Settings::default(),
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].2.contains("is \"local\", but the CR's storage is \"s3\""), "{}", f[0].2);
        assert!(f[1].2.contains("Endpoint url cannot have fully qualified paths"), "{}", f[1].2);
        let spec = |storage: Value, trace: Value| json!({"storage": storage, "extraConfig": {"tempo": {"storage": {"trace": trace}}}});
        let s3 = json!({"secret": {"name": "s", "type": "s3"}});
        assert!(
            run_with(
                CrKind::TempoStack,
                spec(s3, json!({"backend": "s3", "s3": {"endpoint": "minio:9000"}})),
                &Settings::default()
            )
            .is_empty()
        );
        let pv = json!({"traces": {"backend": "pv"}});
        assert!(
            run_with(CrKind::TempoMonolithic, spec(pv.clone(), json!({"backend": "local"})), &Settings::default())
                .is_empty()
        );
        assert_eq!(
            run_with(CrKind::TempoMonolithic, spec(pv, json!({"backend": "s3"})), &Settings::default()).len(),
            1
        );
        assert!(
            run_with(CrKind::TempoMonolithic, spec(json!({}), json!({"backend": "local"})), &Settings::default())
                .is_empty()
        );
    }

    #[test]
    fn not_a_mapping_and_too_many() {
        let f = run(json!(["server"]));
        assert!(f[0].2.starts_with("spec.extraConfig.tempo is a list, but the operator merges it"), "{f:?}");
        let mut many = Map::new();
        for i in 0..50 {
            many.insert(format!("unknown_{i}"), json!(1));
        }
        let f = run(Value::Object(many));
        assert_eq!(f.len(), MAX_LISTED + 1);
        assert!(f[MAX_LISTED].2.contains("… and 30 more problems"), "{:?}", f[MAX_LISTED]);
    }

    /// Every leaf grammar through the walk, accepted and refused, with the text that says what
    /// Tempo reads there; values of free-key maps are judged too.
    #[test]
    fn every_leaf_kind_is_judged_where_it_sits() {
        let refused = |extra: Value, path: &str, expected: &str| {
            let f = run(extra.clone());
            assert_eq!(f.len(), 1, "{extra}: {f:?}");
            assert_eq!(f[0].0, Severity::Reject, "{extra}");
            assert_eq!(f[0].1, format!("spec.extraConfig.tempo.{path}"), "{extra}");
            assert!(f[0].2.contains(expected), "{extra}: {}", f[0].2);
        };
        let accepted = |extra: Value| assert_eq!(run(extra.clone()), [], "{extra}");
        let labels = |v: Value| json!({"metrics_generator": {"registry": {"external_labels": {"cluster": v}}}});
        refused(labels(json!({"a": 1})), "metrics_generator.registry.external_labels.cluster", "a string");
        accepted(labels(json!("eu-1")));
        let sub = |v: Value| json!({"metrics_generator": {"processor": {"span_metrics": {"subprocessors": {"0": v}}}}});
        refused(sub(json!("yes")), "metrics_generator.processor.span_metrics.subprocessors.0", "true or false");
        let members = |v: Value| json!({"memberlist": {"join_members": v}});
        refused(members(json!(["a", {"b": 1}])), "memberlist.join_members", "a list of strings");
        refused(members(json!(["a", ["b"]])), "memberlist.join_members", "a list of strings");
        refused(members(json!({"b": 1})), "memberlist.join_members", "a comma-separated string or a list");
        accepted(members(json!("a,b")));
        let blocks = |v: Value| json!({"compactor": {"compaction": {"retention_concurrency": v}}});
        refused(blocks(json!(-1)), "compactor.compaction.retention_concurrency", "a non-negative integer");
        accepted(blocks(json!(0)));
        accepted(json!({"server": {"http_server_write_timeout": 0}}));
        refused(
            json!({"server": {"http_server_write_timeout": true}}),
            "server.http_server_write_timeout",
            "a duration with its unit",
        );
        let backoff = |v: Value| json!({"metrics_generator": {"storage": {"remote_write": [{"queue_config": {"max_backoff": v}}]}}});
        let at = "metrics_generator.storage.remote_write.0.queue_config.max_backoff";
        accepted(backoff(json!("7d")));
        accepted(backoff(json!(0)));
        refused(backoff(json!("1.5h")), at, "a duration such as 30s, 24h or 7d");
        refused(backoff(json!(5)), at, "a duration such as 30s, 24h or 7d");
        refused(backoff(json!(true)), at, "a duration such as 30s, 24h or 7d");
        let window =
            |v: Value| json!({"ingester_client": {"grpc_client_config": {"initial_connection_window_size": v}}});
        let at = "ingester_client.grpc_client_config.initial_connection_window_size";
        accepted(window(json!("64MiB")));
        accepted(window(json!(0)));
        refused(window(json!(65536)), at, "a size with its unit");
        refused(window(json!(["64MiB"])), at, "a size with its unit");
        let tls = |v: Value| json!({"metrics_generator": {"storage": {"remote_write": [{"tls_config": {"min_version": v}}]}}});
        accepted(tls(json!("TLS12")));
        refused(
            tls(json!("TLS1.2")),
            "metrics_generator.storage.remote_write.0.tls_config.min_version",
            "one of TLS13, TLS12, TLS11, TLS10",
        );
        refused(
            json!({"storage": {"trace": {"wal": {"v2_encoding": "brotli"}}}}),
            "storage.trace.wal.v2_encoding",
            "one of none, gzip, lz4-64k, lz4-256k, lz4-1M, lz4, snappy, zstd, s2",
        );
        let relabel = json!({"metrics_generator": {"storage": {"remote_write": [{"write_relabel_configs": [{"action": "Keep"}]}]}}});
        accepted(relabel);
        refused(
            json!({"metrics_generator": {"storage": {"remote_write": [{"write_relabel_configs": [{"action": "rename"}]}]}}}),
            "metrics_generator.storage.remote_write.0.write_relabel_configs.0.action",
            "one of the relabel actions (replace, keep, drop,",
        );
        // A credential key written as null holds nothing.
        accepted(json!({"storage": {"trace": {"s3": {"secret_key": null}}}}));
    }

    #[test]
    fn where_else_a_key_exists_lists_three_then_counts() {
        let f = run(json!({"querier": {"compaction_cycle": "1m"}}));
        assert!(
            f[0].2.contains("it exists at backend_worker.compaction.compaction_cycle, compactor.compaction.compaction_cycle, backend_scheduler.provider.compaction.compaction.compaction_cycle)"),
            "{}",
            f[0].2
        );
        let f = run(json!({"querier": {"search_page_size_bytes": 1}}));
        assert!(f[0].2.contains(" and 1 more)"), "{}", f[0].2);
    }

    /// The hint's bounds: three letters at least, two edits or a sixth of a long key, and a
    /// contained key only of like length and more than three letters.
    #[test]
    fn the_key_meant_is_close_but_not_too_short() {
        assert_eq!(closest(&["ttls"], "ttl"), Some("ttls"));
        assert_eq!(closest(&["ttls"], "tt"), None);
        assert_eq!(closest(&["ttl"], "ttls"), None);
        assert_eq!(closest(&["tls"], "tlsx"), None);
        // Three edits in a 25-letter key are within a sixth of it.
        assert_eq!(
            closest(&["http_server_write_timeout"], "http_srvr_writ_timeout"),
            Some("http_server_write_timeout")
        );
        assert_eq!(closest(&["max_retries"], "mx_rtres"), None);
        assert_eq!(closest(&["search", "searches"], "search_enabled"), Some("search"));
        assert_eq!(closest(&["search_enabled"], "search"), Some("search_enabled"));
        assert_eq!(closest(&["server"], "http_server_write_timeout"), None);
    }

    #[test]
    fn value_grammars() {
        for good in ["0", "30s", "1h30m", "1.5h", "-1s", "500ms", "2h45m30.5s", "1µs"] {
            assert!(is_go_duration(good), "{good}");
        }
        for bad in ["", "30", "1d", "s", "1..5s", "ten"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
        for good in ["0", "7d", "1y2w", "1d12h", "30s", "100ms"] {
            assert!(is_model_duration(good), "{good}");
        }
        for bad in ["", "12h1d", "1.5h", "-1s", "30", "1x", "1d1d", "1h1h30m"] {
            assert!(!is_model_duration(bad), "{bad}");
        }
        for good in ["0", "64MiB", "1GB", "512B", "1.5GiB", "1GiB512MiB"] {
            assert!(is_bytes(good), "{good}");
        }
        for bad in ["", "65536", "64mib", "1kB"] {
            assert!(!is_bytes(bad), "{bad}");
        }
        assert!(is_rfc3339("2026-01-31T00:00:00Z") && is_rfc3339("2026-01-31T00:00:00.5+01:00"));
        assert!(!is_rfc3339("2026-01-31") && !is_rfc3339("2026-01-31T00:00:00"));
        // Every character of the form matters: each one replaced by another is refused.
        for good in ["2026-01-31T10:20:30Z", "2026-01-31T10:20:30.123-05:00"] {
            assert!(is_rfc3339(good), "{good}");
            for i in 0..good.len() {
                let mut bad = good.as_bytes().to_vec();
                bad[i] = if bad[i].is_ascii_digit() { b'x' } else { b'0' };
                let bad = String::from_utf8(bad).unwrap();
                assert!(!is_rfc3339(&bad), "{bad}");
            }
        }
        assert!(is_rfc3339("2026-01-31t10:20:30.5z"));
        assert!(
            !is_rfc3339("2026-01-31T10:20:30.Z")
                && !is_rfc3339("2026-01-31T10:20:30Z ")
                && !is_rfc3339("2026-01-31T10:20:30+01:00:00")
        );
        assert!(covers("querier.*", &["querier".into(), "search".into(), "x".into()]));
        assert!(!covers("querier.search", &["querier".into()]));
    }
}
