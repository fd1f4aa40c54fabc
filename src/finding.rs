//! Findings: what a rule reports, as data, rendered later into admission responses, CLI text, JSON or SARIF.

use crate::registry::Rule;
use std::fmt;

/// Whether a finding stops the request or only travels back as a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warn,
    Reject,
}

impl Severity {
    /// Reject in production (or when the caller asks for it), warn elsewhere: several rules
    /// (`insecure-endpoint`, `static-credentials`) take their severity from where the object lives.
    pub fn reject_if(reject: bool) -> Self {
        if reject { Severity::Reject } else { Severity::Warn }
    }
}

/// A user-written value (bucket, region, endpoint, regex) quoted for a message: Rust string
/// syntax, with a `"; "` inside (which would split the rejection message) written as `;\u{20}`.
/// A value longer than [`QUOTE_MAX_CHARS`] is cut, so that a 10 MB field does not come back in
/// the response: `"tempo-traces-…" (7864320 characters)`.
pub fn quote(value: &str) -> String {
    let quoted = match value.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => {
            let head = value.get(..cut).unwrap_or("");
            format!("{head:?}… ({} characters)", value.chars().count())
        }
    };
    quoted.replace("; ", ";\\u{20}")
}

/// `text` with every control character (C0, DEL, C1: what Rust's `char::is_control` and Go's
/// `unicode.IsControl` agree on) written as an escape: `\n`, `\t`, `\r`, or `\u{1b}`. The API
/// server drops an admission warning that holds one (`NewWarningHeader` in
/// k8s.io/apimachinery/pkg/util/net/http.go refuses the text), so the user would never learn of
/// it, and a terminal would act on the escapes; every finding's message passes through here,
/// whatever a look-up error, an object name or a value brought.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How much of a user-written value a message quotes.
pub const QUOTE_MAX_CHARS: usize = 100;

/// The longest message a finding keeps (bytes); longer ones lose their middle. Only a value
/// printed without [`quote`] can get there.
pub const MESSAGE_MAX_BYTES: usize = 4096;

fn bound_message(message: String) -> String {
    if message.len() <= MESSAGE_MAX_BYTES {
        return message;
    }
    let floor = |mut i: usize| {
        while !message.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let head = floor(MESSAGE_MAX_BYTES / 2);
    let tail = floor(message.len() - MESSAGE_MAX_BYTES / 4);
    format!(
        "{} … ({} bytes left out) … {}",
        message.get(..head).unwrap_or(""),
        tail - head,
        message.get(tail..).unwrap_or("")
    )
}

/// One thing a rule found wrong. `message` never contains a secret value: rules name keys,
/// never their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// Where the problem is, e.g. `spec.storage.secret.name` or `Secret tempo-s3 key "endpoint"`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.id(), self.message)
    }
}

/// The findings of one evaluation, in the order the rules produced them.
#[derive(Debug, Default, Clone)]
pub struct Findings(Vec<Finding>);

impl Findings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, rule: Rule, severity: Severity, path: impl Into<String>, message: impl Into<String>) {
        // Control characters are escaped (`printable`): the API server drops a warning holding one.
        // A rejection joins findings with "; ", so a finding must not contain it itself. Rule
        // texts never do; user-written text printed without `quote` (a Secret name, a key, a
        // quantity, a host's error) can, and is written `;\u{20}` as `quote` writes it. (This was
        // a debug assertion until fuzzing showed how many values reach messages: a panic in
        // debug builds for a name with "; " in it.)
        let message = bound_message(printable(&message.into()).into_owned()).replace("; ", ";\\u{20}");
        self.0.push(Finding { rule, severity, path: path.into(), message });
    }

    pub fn reject(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.push(rule, Severity::Reject, path, message);
    }

    pub fn warn(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.push(rule, Severity::Warn, path, message);
    }

    pub fn rejects(&self) -> bool {
        self.0.iter().any(|f| f.severity == Severity::Reject)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by the bad-input corpus: a 10 MB bucket name came back whole in the warning.
    #[test]
    fn long_values_and_messages_are_bounded() {
        assert_eq!(quote("tempo; x"), "\"tempo;\\u{20}x\"");
        let long = "é".repeat(QUOTE_MAX_CHARS + 1);
        let q = quote(&long);
        assert!(q.ends_with(&format!("… ({} characters)", QUOTE_MAX_CHARS + 1)), "{q}");
        assert_eq!(q.chars().filter(|c| *c == 'é').count(), QUOTE_MAX_CHARS);
        let mut f = Findings::new();
        f.warn(Rule::BucketName, "x", format!("start {} end", "é".repeat(10 * MESSAGE_MAX_BYTES)));
        let m = &f.iter().next().unwrap().message;
        assert!(m.len() <= MESSAGE_MAX_BYTES + 64 && m.starts_with("start ") && m.ends_with(" end"), "{}", m.len());
        assert!(m.contains("bytes left out"));
    }

    /// Issue 19: a host error with newlines and tabs reached the warnings as it was, and the API
    /// server drops any warning with a control character.
    #[test]
    fn messages_are_printable_whatever_they_carry() {
        let mut f = Findings::new();
        let foreign = "reading Secret failed (Host error:\n\tcallback \u{1b}[31mred\u{7}\u{9b}\u{7f} end\r)";
        f.warn(Rule::LookupSkipped, "x", foreign);
        let m = &f.iter().next().unwrap().message;
        assert_eq!(m, "reading Secret failed (Host error:\\n\\tcallback \\u{1b}[31mred\\u{7}\\u{9b}\\u{7f} end\\r)");
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert_eq!(printable("plain é ✓"), "plain é ✓");
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn emptiness_and_length() {
        let mut f = Findings::new();
        assert!(f.is_empty() && !f.rejects());
        assert_eq!(f.len(), 0);
        f.warn(Rule::UnusedKeys, "x", "w");
        assert!(!f.is_empty() && f.len() == 1 && !f.rejects());
        f.reject(Rule::Endpoint, "x", "r");
        assert!(f.rejects());
    }

    /// A cut that falls inside a character moves back to its start: the message stays UTF-8 and
    /// exactly as long as the bound allows (3-byte characters, so that no cut lands on a boundary).
    #[test]
    fn long_messages_are_cut_at_character_boundaries() {
        let mut f = Findings::new();
        f.warn(Rule::BucketName, "x", format!("a{}", "✓".repeat(3 * MESSAGE_MAX_BYTES)));
        let m = &f.iter().next().unwrap().message;
        let (head, rest) = m.split_once(" … (").unwrap();
        // 2048 bytes would cut the 683rd check mark; the head keeps 682 of them after "a".
        assert_eq!(head.len(), 1 + 3 * 682);
        let tail = rest.split_once(") … ").unwrap().1;
        assert!(tail.chars().all(|c| c == '✓') && tail.len() % 3 == 0, "{}", tail.len());
        assert!(tail.len() <= MESSAGE_MAX_BYTES / 4 + 2, "{}", tail.len());
    }

    /// Found by fuzzing: a storageSize of "1; 2" put "; " into the message, which split the
    /// rejection in two (and tripped the debug assertion that stood here).
    #[test]
    fn user_text_never_splits_a_rejection() {
        let mut f = Findings::new();
        f.reject(Rule::StorageSize, "spec.storageSize", "spec.storageSize: \"1; 2\" is not a valid quantity");
        assert_eq!(f.iter().next().unwrap().message, "spec.storageSize: \"1;\\u{20}2\" is not a valid quantity");
    }
}
