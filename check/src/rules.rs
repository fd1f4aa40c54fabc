//! The policy's rule ids and their descriptions, for the SARIF report: read from the rule
//! table of the usage text that the annotated policy carries (`io.kubewarden.policy.usage`,
//! docs/usage.md). The
//! table is generated from the policy's rule registry (`tempo_policy::rules::Rule::ALL`, a test
//! keeps them equal), so the descriptions are those of the very policy being run, and the
//! tool never links the policy crate.

/// One row of the rule table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    pub id: String,
    /// When it rejects by default (`yes`, `warning`, `in production`, ...).
    pub rejects: String,
    pub summary: String,
}

/// Where the usage text's generated rule table starts and ends.
pub const TABLE_START: &str = "<!-- rules:start -->";
pub const TABLE_END: &str = "<!-- rules:end -->";

/// The rows of the rule table in `usage`; empty when there is none.
pub fn from_usage(usage: &str) -> Vec<RuleDoc> {
    let Some(start) = usage.find(TABLE_START) else { return Vec::new() };
    let rest = usage.get(start + TABLE_START.len()..).unwrap_or("");
    let table = rest.find(TABLE_END).and_then(|end| rest.get(..end)).unwrap_or("");
    table
        .lines()
        .filter_map(|line| {
            let row = line.trim().strip_prefix("| `")?.strip_suffix(" |")?;
            let (id, rest) = row.split_once("` | ")?;
            let (rejects, summary) = rest.split_once(" | ")?;
            Some(RuleDoc { id: id.to_owned(), rejects: rejects.to_owned(), summary: summary.to_owned() })
        })
        .collect()
}

/// A rule id as the policy writes them: lower-case words joined by `-` (`secret-keys`).
pub fn looks_like_rule_id(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_table() {
        let usage = "# x\n<!-- rules:start -->\n| Rule id | Rejects (default) | Finding |\n|---|---|---|\n| `storage-spec` | yes | The CR's storage | section. |\n| `tls-ca` | warning | `tls.enabled` ... |\n<!-- rules:end -->\n| `later` | no | no |\n";
        let docs = from_usage(usage);
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0],
            RuleDoc { id: "storage-spec".into(), rejects: "yes".into(), summary: "The CR's storage | section.".into() }
        );
        assert_eq!(docs[1].summary, "`tls.enabled` ...");
        assert!(from_usage("no table").is_empty());
    }

    #[test]
    fn rule_id_shape() {
        assert!(looks_like_rule_id("secret-keys"));
        assert!(looks_like_rule_id("gcs-key"));
        assert!(!looks_like_rule_id("internal server error"));
        assert!(!looks_like_rule_id("Secret"));
        assert!(!looks_like_rule_id("-x"));
    }
}
