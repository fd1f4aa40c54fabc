//! YAML read as `kubectl apply` reads it: YAML 1.1 scalars, resolved as go-yaml v2 resolves them,
//! then turned into JSON as sigs.k8s.io/yaml does.
//!
//! kubectl decodes manifests with sigs.k8s.io/yaml (`YAMLToJSON`), which parses with go-yaml v2
//! (go.yaml.in/yaml/v2) into `interface{}` and converts the result to JSON. go-yaml v2 resolves
//! plain (unquoted, untagged) scalars with the YAML 1.1 rules of its `resolve.go`, so
//! `enabled: yes` is `true` to the cluster, while a YAML 1.2 reader (serde_yaml_ng, which this
//! command used before) keeps the string `"yes"` and the checker then judges a manifest the
//! cluster never sees.
//!
//! Why hand-written: no Rust crate resolves YAML 1.1 scalars (serde_yaml_ng, saphyr and
//! yaml-rust2 follow YAML 1.2's core schema), and go-yaml v2 has its own reading of 1.1 (the
//! exact spellings below, Go's `strconv` number syntax, no base-60 numbers, timestamps kept as
//! strings). So the syntax is left to a YAML parser crate (saphyr-parser: events with each
//! scalar's style and tag) and only this resolver layer is ours, following go-yaml v2 rule for
//! rule:
//! - `resolve.go` `resolveMapList`, exactly these spellings and no others: `y Y yes Yes YES true
//!   True TRUE on On ON` are true, `n N no No NO false False FALSE off Off OFF` are false,
//!   `"" ~ null Null NULL` are null, `.nan .NaN .NAN` and `[+-].inf .Inf .INF` are floats, `<<`
//!   is a merge key. (`yEs`, `oN`, `Off!` stay strings.)
//! - A scalar starting with a digit or a sign: underscores removed, then Go's
//!   `strconv.ParseInt(s, 0, 64)` (`0x`, `0o`, `0b` prefixes, and a leading `0` meaning octal:
//!   `0755` is 493), then `ParseUint`, then the float pattern
//!   `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (so `09` is the float 9). A scalar
//!   starting with `.` is a float when `ParseFloat` takes it. Timestamps (`2001-12-14`) stay
//!   strings: go-yaml v2 keeps them so when decoding into `interface{}` (decode.go).
//! - Quoted and block scalars are strings; an explicit core tag (`!!int "5"`) resolves the value
//!   with that tag and fails when it does not fit (`cannot decode !!str `x` as a !!int`); `!!str`,
//!   `!!binary`, `!!timestamp` and non-core tags give the text.
//! - Merge keys (`<<`) as decode.go's `merge` does them: the merged mapping's keys are set when the
//!   `<<` is met (later keys override them, earlier ones are overridden), a list of mappings is
//!   merged last to first so that earlier ones win.
//! - Map keys become strings as sigs.k8s.io/yaml `convertToJSONableObject` makes them: booleans
//!   `true`/`false` (so a key `on:` is `"true"`), integers in decimal, floats with Go's
//!   `FormatFloat(f, 'g', -1, 32)`; null, unsigned 64-bit and collection keys are errors.
//! - JSON as Go's `encoding/json` writes it and the API server reads it back: a float with an
//!   integral value below 1e21 is an integer, NaN and infinities are errors ("json: unsupported
//!   value"). A later duplicate key replaces an earlier one, as go-yaml v2's `Unmarshal` does.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};
use serde_json::{Map, Number, Value};

/// A parse error: the 1-based line and the message.
pub type YamlError = (usize, String);

/// How many values aliases may add to one document (a "billion laughs" guard, as go-yaml v2
/// refuses "excessive aliasing").
const MAX_ALIAS_VALUES: usize = 1_000_000;

/// How deep collections may nest: the loader recurses per level, and a hostile file must get an
/// error, not a stack overflow. (Manifests nest a few dozen levels.)
const MAX_DEPTH: usize = 1000;

/// Parse one YAML document (`---`-split already) into JSON. An empty document is `null`.
pub fn parse_document(text: &str) -> Result<Value, YamlError> {
    let mut loader = Loader { parser: Parser::new_from_str(text), anchors: HashMap::new(), alias_values: 0 };
    let mut document = Value::Null;
    let mut seen = false;
    loop {
        let (event, span) = loader.next()?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
            other => {
                let value = loader.node(other, span, 0)?;
                // The caller splits streams at `---`; a second document here can only be empty.
                if !seen {
                    document = value;
                    seen = true;
                }
            }
        }
    }
    Ok(document)
}

struct Loader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    /// Anchored values with their size in values (for the alias guard).
    anchors: HashMap<usize, (Value, usize)>,
    alias_values: usize,
}

impl<'a> Loader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => Ok((event, span)),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    /// One node starting with `event`.
    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Value, YamlError> {
        let line = span.start.line();
        if depth > MAX_DEPTH {
            return Err((line, format!("document nested deeper than {MAX_DEPTH} levels")));
        }
        let (value, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = match scalar(&text, style, tag.as_deref()) {
                    Ok(Scalar::Merge) => Value::String("<<".to_owned()),
                    Ok(Scalar::Value(v)) => v,
                    Err(message) => return Err((line, message)),
                };
                (value, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, span, depth + 1)?);
                }
                (Value::Array(items), anchor)
            }
            Event::MappingStart(anchor, _) => (Value::Object(self.mapping(depth + 1)?), anchor),
            Event::Alias(id) => {
                let Some((value, size)) = self.anchors.get(&id) else {
                    return Err((line, "unknown anchor referenced".to_owned()));
                };
                self.alias_values = self.alias_values.saturating_add(*size);
                if self.alias_values > MAX_ALIAS_VALUES {
                    return Err((line, "document contains excessive aliasing".to_owned()));
                }
                return Ok(value.clone());
            }
            _ => return Err((line, "unexpected YAML event".to_owned())),
        };
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), size_of(&value)));
        }
        Ok(value)
    }

    /// The entries of a mapping whose start event was just read, up to its end.
    fn mapping(&mut self, depth: usize) -> Result<Map<String, Value>, YamlError> {
        let mut map = Map::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                return Ok(map);
            }
            let line = span.start.line();
            let key = match event {
                Event::Scalar(text, style, anchor, tag) => match resolve_scalar(&text, style, tag.as_deref()) {
                    Ok(Resolved::Merge) => None,
                    Ok(resolved) => {
                        let key = resolved_key(resolved, &text).map_err(|m| (line, m))?;
                        if anchor > 0 {
                            self.anchors.insert(anchor, (Value::String(key.clone()), 1));
                        }
                        Some(key)
                    }
                    Err(message) => return Err((line, message)),
                },
                other => {
                    let node = self.node(other, span, depth)?;
                    Some(key_string(node).map_err(|m| (line, m))?)
                }
            };
            let (event, span) = self.next()?;
            let value = self.node(event, span, depth)?;
            match key {
                None => merge(&mut map, value).map_err(|m| (line, m))?,
                Some(key) => {
                    map.insert(key, value);
                }
            }
        }
    }
}

fn scan_error(e: &ScanError) -> YamlError {
    let mark = e.marker();
    (mark.line().max(1), format!("{} at line {} column {}", e.info(), mark.line().max(1), mark.col() + 1))
}

/// How many values `v` holds, itself included.
fn size_of(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(size_of).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(size_of).sum::<usize>(),
        _ => 1,
    }
}

/// decode.go `merge`: a mapping, or a list of mappings merged last to first.
fn merge(map: &mut Map<String, Value>, value: Value) -> Result<(), String> {
    const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
    match value {
        Value::Object(m) => {
            map.extend(m);
            Ok(())
        }
        Value::Array(items) => {
            if !items.iter().all(Value::is_object) {
                return Err(WANT_MAP.to_owned());
            }
            for item in items.into_iter().rev() {
                if let Value::Object(m) = item {
                    map.extend(m);
                }
            }
            Ok(())
        }
        _ => Err(WANT_MAP.to_owned()),
    }
}

/// A scalar map key as sigs.k8s.io/yaml turns it into a JSON key.
fn resolved_key(resolved: Resolved, text: &str) -> Result<String, String> {
    match resolved {
        Resolved::Str | Resolved::Merge => Ok(text.to_owned()),
        Resolved::Bool(b) => Ok(b.to_string()),
        Resolved::Int(i) => Ok(i.to_string()),
        Resolved::Float(f) => Ok(go_format_float32(f)),
        Resolved::Uint(u) => Err(format!("unsupported map key of type: uint64, key: {u}")),
        Resolved::Null => Err("unsupported map key of type: <nil>".to_owned()),
    }
}

/// A key given by an alias or a collection: only an alias to a scalar makes a key.
fn key_string(key: Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Err("unsupported map key of type: <nil>".to_owned()),
        Value::Array(_) | Value::Object(_) => Err("invalid map key: a key must be a scalar".to_owned()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest float32 digits, in exponent form
/// when the exponent is below -4 or at least 6 (the precision Go's 'g' uses for shortest output).
fn go_format_float32(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".to_owned() } else { "-.inf".to_owned() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. `1.5e0`, `-1e6`.
    let scientific = format!("{f:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else { return scientific };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    format!("{f}")
}

/// What a scalar is.
enum Scalar {
    Value(Value),
    /// The merge key `<<` (plain).
    Merge,
}

/// What go-yaml v2's `resolve` makes of a plain scalar (no tag).
enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str,
    Merge,
}

const CORE_TAG: &str = "tag:yaml.org,2002:";

/// A scalar with its style and tag, as decode.go's `scalar` resolves it.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Scalar, String> {
    Ok(match resolve_scalar(text, style, tag)? {
        Resolved::Merge => Scalar::Merge,
        Resolved::Null => Scalar::Value(Value::Null),
        Resolved::Bool(b) => Scalar::Value(Value::Bool(b)),
        Resolved::Int(i) => Scalar::Value(Value::from(i)),
        Resolved::Uint(u) => Scalar::Value(Value::from(u)),
        Resolved::Float(f) => Scalar::Value(json_float(f)?),
        Resolved::Str => Scalar::Value(Value::String(text.to_owned())),
    })
}

/// decode.go: an untagged quoted or block scalar is a string, an untagged plain one is resolved,
/// a core tag resolves the text and must fit, any other tag gives the text.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Resolved, String> {
    let core = tag.and_then(|t| (t.handle == CORE_TAG).then_some(t.suffix.as_str()));
    Ok(match (tag, core) {
        (None, _) if style != ScalarStyle::Plain => Resolved::Str,
        (None, _) => resolve(text),
        (Some(_), Some(want @ ("null" | "bool" | "int" | "float"))) => {
            let r = resolve(text);
            let fits = matches!(
                (&r, want),
                (Resolved::Null, "null")
                    | (Resolved::Bool(_), "bool")
                    | (Resolved::Int(_) | Resolved::Uint(_), "int" | "float")
                    | (Resolved::Float(_), "float")
            );
            if !fits {
                return Err(format!("cannot decode {} `{text}` as a !!{want}", short_tag(&r)));
            }
            match (r, want) {
                (Resolved::Int(i), "float") => Resolved::Float(i as f64),
                (Resolved::Uint(u), "float") => Resolved::Float(u as f64),
                (r, _) => r,
            }
        }
        // !!str, !!binary, !!timestamp, non-core and non-specific tags: the text.
        (Some(_), _) => Resolved::Str,
    })
}

fn short_tag(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Str => "!!str",
        Resolved::Merge => "!!merge",
    }
}

/// A float as Go's `encoding/json` writes it and the API server reads it back.
fn json_float(f: f64) -> Result<Value, String> {
    if !f.is_finite() {
        return Err(format!("json: unsupported value: {}", go_format_float32(f).trim_start_matches('.')));
    }
    // Go writes integral values below 1e21 without a fraction ("1000"), which reads back as an
    // integer.
    if f.fract() == 0.0 && f.abs() < 9.223_372_036_854_775e18 {
        return Ok(Value::from(f as i64));
    }
    Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
}

/// go-yaml v2 `resolve("", in)`: the first byte hints at the type; the rest as in the module doc.
fn resolve(text: &str) -> Resolved {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    match text.as_bytes().first() {
        Some(b'.') => match text.parse::<f64>() {
            // Go's ParseFloat on a text starting with '.': digits and an exponent only.
            Ok(f) if f.is_finite() && is_yaml_style_float(text) => Resolved::Float(f),
            _ => Resolved::Str,
        },
        Some(b'0'..=b'9' | b'+' | b'-') => {
            let plain: String = text.chars().filter(|c| *c != '_').collect();
            if let Some(n) = go_parse_int(&plain) {
                return n;
            }
            if is_yaml_style_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Resolved::Float(f);
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// `strconv.ParseInt(s, 0, 64)`, then `strconv.ParseUint(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<Resolved> {
    let (negative, signed, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, true, s.get(1..)?),
        Some(b'+') => (false, true, s.get(1..)?),
        _ => (false, false, s),
    };
    let lower = rest.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, rest.get(2..)?),
        Some("0o") => (8, rest.get(2..)?),
        Some("0b") => (2, rest.get(2..)?),
        _ if rest.len() > 1 && rest.starts_with('0') => (8, rest.get(1..)?),
        _ => (10, rest),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        let limit = u128::from(i64::MAX.unsigned_abs()) + 1;
        return match magnitude {
            m if m == limit => Some(Resolved::Int(i64::MIN)),
            m => i64::try_from(m).ok().map(|v| Resolved::Int(-v)),
        };
    }
    if let Ok(v) = i64::try_from(magnitude) {
        return Some(Resolved::Int(v));
    }
    // ParseUint takes no sign.
    if signed {
        return None;
    }
    u64::try_from(magnitude).ok().map(Resolved::Uint)
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (s.get(..i).unwrap_or(""), Some(s.get(i + 1..).unwrap_or(""))),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        parse_document(&format!("v: {text}\n")).unwrap()["v"].clone()
    }

    /// Every spelling in go-yaml v2's resolve table, and near misses that stay strings.
    #[test]
    fn booleans_and_nulls_are_go_yaml_v2s() {
        for t in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] {
            assert_eq!(one(t), json!(true), "{t}");
        }
        for f in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] {
            assert_eq!(one(f), json!(false), "{f}");
        }
        for n in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(one(n), Value::Null, "{n:?}");
        }
        for s in ["yEs", "oN", "tRue", "nO", "Off!", "YES.", "nil", "None", "NuLL", "enabled"] {
            assert_eq!(one(s), json!(s), "{s}");
        }
        // Quoted, block and !!str scalars are strings.
        assert_eq!(one("\"yes\""), json!("yes"));
        assert_eq!(one("'on'"), json!("on"));
        assert_eq!(one("!!str yes"), json!("yes"));
        assert_eq!(parse_document("v: |\n  yes\n").unwrap()["v"], json!("yes\n"));
        // A custom tag keeps the text.
        assert_eq!(one("!foo yes"), json!("yes"));
        assert_eq!(one("!!bool yes"), json!(true));
        assert_eq!(one("!!int \"12\""), json!(12));
        assert!(parse_document("v: !!int abc\n").unwrap_err().1.contains("cannot decode !!str `abc` as a !!int"));
    }

    #[test]
    fn numbers_follow_go_strconv() {
        let cases = [
            ("12", json!(12)),
            ("-12", json!(-12)),
            ("+12", json!(12)),
            ("1_000", json!(1000)),
            ("0755", json!(493)),
            ("0o17", json!(15)),
            ("0x1F", json!(31)),
            ("-0x10", json!(-16)),
            ("0b101", json!(5)),
            ("09", json!(9)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000)),
            ("1.", json!(1)),
            (".5", json!(0.5)),
            ("+.5", json!(0.5)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
            ("2001-12-14", json!("2001-12-14")),
            ("1.2.3", json!("1.2.3")),
            ("0x", json!("0x")),
            ("+", json!("+")),
            ("1e400", json!("1e400")),
            ("10Gi", json!("10Gi")),
            ("500m", json!("500m")),
            ("1:20", json!("1:20")),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), want, "{text}");
        }
        let e = parse_document("v: .nan\n").unwrap_err();
        assert!(e.1.starts_with("json: unsupported value"), "{e:?}");
    }

    #[test]
    fn keys_become_json_keys_as_sigs_yaml_makes_them() {
        let v = parse_document("on: 1\nno: 2\n8080: 3\n1.5: 4\n1000000.0: 5\n0x10: 6\n").unwrap();
        assert_eq!(v, json!({"true": 1, "false": 2, "8080": 3, "1.5": 4, "1e+06": 5, "16": 6}));
        assert!(parse_document("~: 1\n").unwrap_err().1.contains("unsupported map key"));
        assert!(parse_document("? [a]\n: 1\n").unwrap_err().1.contains("invalid map key"));
    }

    #[test]
    fn merges_and_aliases_as_go_yaml_v2() {
        let v = parse_document("a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc:\n  p: 0\n  <<: [*a, *b]\n  r: 3\n").unwrap();
        // p set before the merge is overridden, r after it overrides; earlier maps win.
        assert_eq!(v["c"], json!({"p": 1, "q": 1, "r": 3}));
        // `y` is a YAML 1.1 boolean, as a key too.
        assert_eq!(parse_document("{x: 1, y: 1}\n").unwrap(), json!({"x": 1, "true": 1}));
        assert!(parse_document("a: &a 1\nb:\n  <<: *a\n").unwrap_err().1.contains("map merge requires"));
        // A quoted "<<" is an ordinary key.
        assert_eq!(parse_document("\"<<\": 1\n").unwrap(), json!({"<<": 1}));
        assert!(parse_document("a: *nope\n").is_err());
        // Later duplicates win.
        assert_eq!(parse_document("a: 1\na: 2\n").unwrap(), json!({"a": 2}));
    }

    #[test]
    fn aliases_cannot_blow_up() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let e = parse_document(&text).unwrap_err();
        assert!(e.1.contains("excessive aliasing"), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_document(&deep).unwrap_err();
        // The parser's own limit comes first (saphyr-parser); ours guards the loader's recursion.
        assert!(e.1.contains("recursion limit exceeded") || e.1.contains("nested deeper than"), "{e:?}");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_document(&ok).is_ok());
    }

    #[test]
    fn errors_have_lines() {
        let e = parse_document("a: 1\nb: [unclosed\nc: 2\n").unwrap_err();
        assert!(e.0 >= 2, "{e:?}");
        assert!(e.1.contains("line "), "{e:?}");
    }

    #[test]
    fn floats_format_like_go() {
        assert_eq!(go_format_float32(1.5), "1.5");
        assert_eq!(go_format_float32(100000.0), "100000");
        assert_eq!(go_format_float32(1e6), "1e+06");
        assert_eq!(go_format_float32(0.0001), "0.0001");
        assert_eq!(go_format_float32(0.00001), "1e-05");
        assert_eq!(go_format_float32(0.1), "0.1");
    }
}
