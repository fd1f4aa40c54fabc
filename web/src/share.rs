//! The text a shared link carries: the pasted manifests with every credential value of every
//! Secret replaced by a placeholder that the policy judges exactly as the original.
//!
//! A link puts its text in the URL, where browser history, chat previews and proxies keep it, so
//! by default it leaves out what the policy treats as secret: every `data` and `stringData` value
//! of a Secret except the ones it quotes in its messages (`bucket`, `bucketname`, `bucketnames`,
//! `container`, `region`, `account_name`, and `endpoint` without its user-info). A placeholder
//! keeps what a rule reads of a value: its length, its whitespace (leading, trailing and inside:
//! `secret-keys` refuses a newline `echo` leaves and a space inside an Azure `account_key`),
//! base64 validity (`data` values are decoded, masked and encoded again, so a value that was not
//! base64 stays so), and a `key.json`'s JSON with only its private material (`private_key`,
//! `private_key_id`, `client_secret`, `refresh_token`) masked, so `gcs-key` sees the same type,
//! token file and fields. The text is edited in place, character for character, so every
//! finding keeps its line.

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Value, json};
use std::collections::HashMap;
use tempo_policy_check::node_paths::{Node, NodePaths};

/// Keys whose values the policy quotes in its messages: not secret, and kept.
const PUBLIC: &[&str] = &["bucket", "bucketname", "bucketnames", "container", "region", "account_name"];

/// `key.json` fields that carry private material.
const PRIVATE_JSON_FIELDS: &[&str] = &["private_key", "private_key_id", "client_secret", "refresh_token"];

/// What a link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// The manifests with credential values replaced.
    pub manifests: String,
    /// What was left out, one line per Secret: `Secret ns/name: key, key`.
    pub left_out: Vec<String>,
}

impl Shared {
    pub fn to_json(&self) -> Value {
        json!({"manifests": self.manifests, "leftOut": self.left_out})
    }
}

/// One scalar under `data` or `stringData` of some object.
struct Candidate {
    /// The object's path (the document's index first, then keys and list indices).
    object: Vec<String>,
    encoded: bool,
    key: String,
    value: String,
    style: ScalarStyle,
    /// Char indices of the scalar's source text.
    start: usize,
    end: usize,
}

/// The manifests with credentials left out. Text that does not parse is left as it is up to the
/// first error (what the policy could not read, it judges as nothing either).
pub fn redact(manifests: &str) -> Shared {
    let (candidates, kinds, names) = scan(manifests);
    let mut chars: Vec<char> = manifests.chars().collect();
    let mut left_out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for c in candidates {
        if kinds.get(&c.object).map(String::as_str) != Some("Secret") || PUBLIC.contains(&c.key.as_str()) {
            continue;
        }
        let Some(source) = chars.get(c.start..c.end) else { continue };
        let source: String = source.iter().collect();
        let Some(masked) = mask_scalar(&c, &source) else { continue };
        if masked == source {
            continue;
        }
        // In place, character for character, so that every finding keeps its line and column.
        if masked.chars().count() != source.chars().count() {
            continue;
        }
        chars.splice(c.start..c.end, masked.chars());
        match left_out.iter_mut().find(|(o, _)| *o == c.object) {
            Some((_, keys)) => keys.push(c.key),
            None => left_out.push((c.object.clone(), vec![c.key])),
        }
    }
    let left_out = left_out
        .into_iter()
        .map(|(object, keys)| {
            let (namespace, name) = names.get(&object).cloned().unwrap_or_default();
            let who = if namespace.is_empty() { name } else { format!("{namespace}/{name}") };
            format!("Secret {who}: {}", keys.join(", "))
        })
        .collect();
    Shared { manifests: chars.into_iter().collect(), left_out }
}

/// Every scalar at `<object>.data.<key>` / `<object>.stringData.<key>`, the `kind` of every
/// mapping, and the namespace and name of every object.
#[allow(clippy::type_complexity)]
fn scan(text: &str) -> (Vec<Candidate>, HashMap<Vec<String>, String>, HashMap<Vec<String>, (String, String)>) {
    let mut candidates = Vec::new();
    let mut kinds = HashMap::new();
    let mut names: HashMap<Vec<String>, (String, String)> = HashMap::new();
    let mut document = 0usize;
    let mut paths = NodePaths::new(vec![document.to_string()]);
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        match event {
            Event::DocumentStart(_) => {
                document += 1;
                paths = NodePaths::new(vec![document.to_string()]);
            }
            Event::Scalar(value, style, ..) => {
                let Node::Value { path, .. } = paths.next_node() else {
                    paths.key(value.to_string());
                    continue;
                };
                let (Some((key, parents)), len) = (path.split_last(), path.len()) else { continue };
                if key == "kind" {
                    kinds.insert(parents.to_vec(), value.to_string());
                }
                if (key == "name" || key == "namespace")
                    && let Some(("metadata", object)) = parents.split_last().map(|(m, o)| (m.as_str(), o))
                {
                    let entry = names.entry(object.to_vec()).or_default();
                    if key == "name" { entry.1 = value.to_string() } else { entry.0 = value.to_string() }
                }
                if len >= 3
                    && let Some((section, object)) = parents.split_last()
                    && (section == "data" || section == "stringData")
                {
                    candidates.push(Candidate {
                        object: object.to_vec(),
                        encoded: section == "data",
                        key: key.clone(),
                        value: value.to_string(),
                        style,
                        start: span.start.index(),
                        end: span.end.index(),
                    });
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = match paths.next_node() {
                    Node::Value { path, .. } => path,
                    Node::Key => vec!["?".to_owned()],
                };
                paths.open(path, matches!(event, Event::MappingStart(..)));
            }
            Event::MappingEnd | Event::SequenceEnd => paths.close(),
            Event::Alias(_) => {
                if paths.next_node() == Node::Key {
                    paths.key("*".to_owned());
                }
            }
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    (candidates, kinds, names)
}

/// The scalar's source text with its value replaced; `None` to leave it.
fn mask_scalar(c: &Candidate, source: &str) -> Option<String> {
    if c.encoded {
        // A `data` value: base64 of the real value. Decoded, masked as its text would be, and
        // encoded again (the same length of bytes gives the same length of base64). One that
        // does not decode stays as broken as it was: its letters and digits masked, the rest kept.
        let compact: String = c.value.chars().filter(|ch| !ch.is_ascii_whitespace()).collect();
        return Some(match base64::engine::general_purpose::STANDARD.decode(&compact) {
            Ok(bytes) => {
                let masked = mask_bytes(&c.key, &bytes);
                let encoded = base64::engine::general_purpose::STANDARD.encode(masked);
                if c.style == ScalarStyle::Plain && source == c.value && encoded.len() == source.len() {
                    encoded
                } else {
                    replace_inside(source, &compact, &encoded)?
                }
            }
            Err(_) => source.chars().map(|ch| if ch.is_ascii_alphanumeric() { 'x' } else { ch }).collect(),
        });
    }
    match c.key.as_str() {
        "endpoint" => Some(mask_userinfo(source)),
        "key.json" => Some(mask_json_private(source)),
        _ => Some(mask_source(source, c.style)),
    }
}

/// A decoded `data` value with its secret masked, as text would be.
fn mask_bytes(key: &str, bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let masked = match key {
        "endpoint" => mask_userinfo(&text),
        "key.json" => mask_json_private(&text),
        _ => text.chars().map(mask_char).collect(),
    };
    // A value that was not UTF-8 is masked byte for byte instead.
    if masked.len() == bytes.len() {
        masked.into_bytes()
    } else {
        bytes.iter().map(|b| if b.is_ascii_whitespace() || *b == b'=' { *b } else { b'x' }).collect()
    }
}

/// What a placeholder keeps of a character: whitespace and `=` (base64 padding) as they are.
fn mask_char(ch: char) -> char {
    if ch.is_whitespace() || ch == '=' { ch } else { 'x' }
}

/// `old` inside `source` (the scalar's value, as written between its quotes) replaced by `new` of
/// the same length.
fn replace_inside(source: &str, old: &str, new: &str) -> Option<String> {
    let at = source.find(old)?;
    Some(format!("{}{new}{}", source.get(..at)?, source.get(at + old.len()..)?))
}

/// A scalar's source masked: inside quotes, escape sequences (`\n`, `''`) and the quotes stay.
fn mask_source(source: &str, style: ScalarStyle) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(ch) = chars.next() {
        match (style, ch) {
            (ScalarStyle::DoubleQuoted, '\\') => {
                out.push(ch);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (ScalarStyle::DoubleQuoted, '"') | (ScalarStyle::SingleQuoted, '\'') => out.push(ch),
            (ScalarStyle::Literal | ScalarStyle::Folded, '|' | '>' | '-' | '+') => out.push(ch),
            _ => out.push(mask_char(ch)),
        }
    }
    out
}

/// An endpoint URL with the user-info before its host masked (`https://xxxx:xxxx@host`).
fn mask_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else { return text.to_owned() };
    let rest = text.get(scheme_end..).unwrap_or("");
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest.get(..authority_end).and_then(|a| a.rfind('@')) else { return text.to_owned() };
    let userinfo: String =
        rest.get(..at).unwrap_or("").chars().map(|c| if c == ':' { c } else { mask_char(c) }).collect();
    format!("{}{userinfo}{}", text.get(..scheme_end).unwrap_or(""), rest.get(at..).unwrap_or(""))
}

/// A `key.json` text (or the YAML source holding it) with the string values of its private
/// fields masked: escapes, whitespace and the PEM dashes kept, so the JSON and its shape stay.
/// The field names may be written `"private_key"` or, inside a double-quoted YAML scalar,
/// `\"private_key\"`.
fn mask_json_private(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for field in PRIVATE_JSON_FIELDS {
        for quote in ["\"", "\\\""] {
            let needle: Vec<char> = format!("{quote}{field}{quote}").chars().collect();
            let mut from = 0;
            while let Some(at) = find(&chars, &needle, from) {
                from = at + needle.len();
                let mut i = from;
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                if chars.get(i) != Some(&':') {
                    continue;
                }
                i += 1;
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                let open: Vec<char> = quote.chars().collect();
                if chars.get(i..i + open.len()) != Some(open.as_slice()) {
                    continue;
                }
                i += open.len();
                // The string's content up to its closing quote; a backslash escapes the next char.
                while let Some(&c) = chars.get(i) {
                    if chars.get(i..i + open.len()) == Some(open.as_slice()) {
                        break;
                    }
                    if c == '\\' {
                        i += 2;
                        continue;
                    }
                    if (c.is_ascii_alphanumeric() || c == '+' || c == '/')
                        && let Some(slot) = chars.get_mut(i)
                    {
                        *slot = 'x';
                    }
                    i += 1;
                }
                from = i;
            }
        }
    }
    chars.into_iter().collect()
}

fn find(haystack: &[char], needle: &[char], from: usize) -> Option<usize> {
    (from..haystack.len().saturating_sub(needle.len()).saturating_add(1))
        .find(|&i| haystack.get(i..i + needle.len()) == Some(needle))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const STATIC: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: minio\n  namespace: obs\ntype: Opaque\nstringData:\n  endpoint: https://tempo:hunter2@minio.example.com:9000\n  bucket: tempo-traces\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  access_key_secret: \"wJalrXUtnFEMI/K7MDENG\\nbPxRfiCY\"\n  region: ' eu-west-1'\n";

    #[test]
    fn credential_values_are_masked_in_place() {
        let shared = redact(STATIC);
        for secret in ["hunter2", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "bPxRfiCY"] {
            assert!(!shared.manifests.contains(secret), "{secret}: {}", shared.manifests);
        }
        for kept in ["minio.example.com:9000", "bucket: tempo-traces", "region: ' eu-west-1'", "name: minio"] {
            assert!(shared.manifests.contains(kept), "{kept}: {}", shared.manifests);
        }
        assert!(shared.manifests.contains("https://xxxxx:xxxxxxx@minio.example.com:9000"), "{}", shared.manifests);
        // The escape `\n` inside the double-quoted value stays an escape.
        assert!(
            shared.manifests.contains("access_key_secret: \"xxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxx\""),
            "{}",
            shared.manifests
        );
        assert_eq!(shared.manifests.lines().count(), STATIC.lines().count());
        assert_eq!(shared.left_out, ["Secret obs/minio: endpoint, access_key_id, access_key_secret"]);
    }

    #[test]
    fn data_values_stay_base64_of_the_same_shape() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let text = format!(
            "kind: Secret\napiVersion: v1\nmetadata: {{name: s}}\ndata:\n  account_key: {}\n  account_name: {}\n  broken: '%%%abc'\n",
            b64("Eby8vdM02xNOcq FlqUwJPLl==\n"),
            b64("tempoacct")
        );
        let shared = redact(&text);
        let masked = shared.manifests.lines().nth(4).unwrap().trim().strip_prefix("account_key: ").unwrap().to_owned();
        let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(masked).unwrap()).unwrap();
        assert_eq!(decoded, "xxxxxxxxxxxxxx xxxxxxxxx==\n");
        assert!(shared.manifests.contains(&b64("tempoacct")));
        assert!(shared.manifests.contains("broken: '%%%xxx'"), "{}", shared.manifests);
    }

    #[test]
    fn key_json_keeps_its_shape_and_loses_its_key() {
        let text = "kind: Secret\napiVersion: v1\nmetadata:\n  name: gcs\nstringData:\n  bucketname: tempo\n  key.json: |\n    {\"type\": \"service_account\", \"client_email\": \"t@p.iam.gserviceaccount.com\",\n     \"private_key_id\": \"3f1a\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg+/kq==\\n-----END PRIVATE KEY-----\\n\"}\n";
        let shared = redact(text);
        assert!(!shared.manifests.contains("MIIEvQIBADANBg"), "{}", shared.manifests);
        let json_text: String = shared.manifests.lines().skip(7).collect::<Vec<_>>().join("\n");
        let v: Value = serde_json::from_str(&json_text).unwrap();
        assert_eq!(v["type"], "service_account");
        assert_eq!(v["client_email"], "t@p.iam.gserviceaccount.com");
        assert_eq!(v["private_key_id"], "xxxx");
        assert_eq!(v["private_key"], "-----xxxxx xxxxxxx xxx-----\nxxxxxxxxxxxxxxxxxx==\n-----xxx xxxxxxx xxx-----\n");
        assert_eq!(shared.left_out, ["Secret gcs: key.json"]);
    }

    #[test]
    fn only_secrets_and_only_their_data() {
        let text = "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\ndata:\n  access_key_secret: visible\n---\nkind: List\napiVersion: v1\nitems:\n- kind: Secret\n  apiVersion: v1\n  metadata: {name: s, namespace: n}\n  stringData: {access_key_secret: hidden-value}\n";
        let shared = redact(text);
        assert!(shared.manifests.contains("access_key_secret: visible"));
        assert!(shared.manifests.contains("{access_key_secret: xxxxxxxxxxxx}"), "{}", shared.manifests);
        assert_eq!(shared.left_out, ["Secret n/s: access_key_secret"]);
        assert_eq!(redact("{ not yaml").manifests, "{ not yaml");
    }
}
