//! Bucket and container naming rules for S3, GCS and Azure Blob Storage, as sentences that name the broken rule.
//!
//! The operator does not check names at all; a bad name only fails when Tempo
//! first writes, so catching it at admission saves a broken rollout. Every
//! broken rule is reported, not just the first, so one fix round is enough.
//! Bucket names are not secret: messages quote them freely.

/// Distinct characters outside `allowed`, quoted, for the message.
fn bad_chars(name: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let mut seen: Vec<char> = Vec::new();
    for c in name.chars().filter(|&c| !allowed(c)) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    if seen.is_empty() {
        return None;
    }
    let list: Vec<String> = seen.iter().map(|c| format!("{:?}", c)).collect();
    Some(list.join(", "))
}

fn char_count(name: &str) -> usize {
    name.chars().count()
}

/// Letter-or-digit test for the first/last character. Case is left to the
/// character rule so that `Abc` is reported once, not twice.
fn starts_and_ends(name: &str, problems: &mut Vec<String>, what: &str) {
    if let Some(first) = name.chars().next()
        && !first.is_ascii_alphanumeric()
    {
        problems.push(format!("must begin with {what} (it begins with {first:?})"));
    }
    if let Some(last) = name.chars().last()
        && !last.is_ascii_alphanumeric()
    {
        problems.push(format!("must end with {what} (it ends with {last:?})"));
    }
}

/// Four dot-separated runs of digits: providers refuse anything that reads
/// like an IPv4 address, whether or not the numbers are in range.
fn looks_like_ipv4(name: &str) -> bool {
    let mut parts = 0;
    for part in name.split('.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    parts == 4
}

const S3_RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES: &[&str] = &[ACCESS_POINT_ALIAS_SUFFIX, "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
const ACCESS_POINT_ALIAS_SUFFIX: &str = "-s3alias";

/// Whether `name` has the shape of an S3 access point alias:
/// `<access point name>-<metadata>-s3alias` (`-ext-s3alias` for access points on other data
/// sources), no dots. AWS generates it for every access point and documents it as usable
/// "anywhere a bucket name is used to perform object-level operations" (S3 user guide, "Access
/// point aliases", access-points-naming.html); the suffix is reserved so that no bucket can be
/// created with it (bucketnamingrules.html). Its length and characters are a bucket name's.
pub fn is_access_point_alias(name: &str) -> bool {
    let Some(rest) = name.strip_suffix(ACCESS_POINT_ALIAS_SUFFIX) else { return false };
    let rest = rest.strip_suffix("-ext").unwrap_or(rest);
    // Access point names are 3 to 50 characters; the metadata is generated, lowercase letters
    // and digits.
    match rest.rsplit_once('-') {
        Some((access_point, metadata)) => {
            char_count(access_point) >= 3
                && !metadata.is_empty()
                && metadata.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && !name.contains('.')
        }
        None => false,
    }
}

/// Problems with an S3 general-purpose bucket name. The reserved prefixes and
/// suffixes belong to access-point aliases, Object Lambda, multi-region access
/// points, directory and table buckets: a Tempo bucket can be none of those.
/// With `alias_allowed` (an AWS endpoint, where access points exist), a name of an access
/// point alias's shape ([`is_access_point_alias`]) is not held to the reserved suffix.
pub fn s3_bucket_problems(name: &str, alias_allowed: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let len = char_count(name);
    if !(3..=63).contains(&len) {
        problems.push(format!("must be 3 to 63 characters long (it has {len})"));
    }
    if let Some(bad) = bad_chars(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-') {
        problems.push(format!("may contain only lowercase letters, digits, '.' and '-' (it contains {bad})"));
    }
    starts_and_ends(name, &mut problems, "a letter or digit");
    if name.contains("..") {
        problems.push("must not contain two adjacent periods (\"..\")".to_owned());
    }
    if looks_like_ipv4(name) {
        problems.push("must not be formatted as an IP address (like 192.168.5.4)".to_owned());
    }
    for prefix in S3_RESERVED_PREFIXES {
        if name.starts_with(prefix) {
            problems.push(format!("must not start with the reserved prefix \"{prefix}\""));
        }
    }
    let alias = alias_allowed && is_access_point_alias(name);
    for suffix in S3_RESERVED_SUFFIXES {
        if name.ends_with(suffix) && !(alias && *suffix == ACCESS_POINT_ALIAS_SUFFIX) {
            problems.push(format!("must not end with the reserved suffix \"{suffix}\""));
        }
    }
    problems
}

/// Whether `name` contains "google" once look-alike digits are read as
/// letters: Google refuses "close misspellings" such as `g00gle`.
fn contains_google(name: &str) -> bool {
    let normalized: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            '0' => 'o',
            '1' | '!' => 'l',
            '3' => 'e',
            '9' => 'g',
            other => other,
        })
        .collect();
    normalized.contains("google")
}

/// Problems with a GCS bucket name. Dots make the name a domain name, which
/// Google allows up to 222 characters as long as each part stays a valid label.
pub fn gcs_bucket_problems(name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let len = char_count(name);
    if name.contains('.') {
        if !(3..=222).contains(&len) {
            problems.push(format!("must be 3 to 222 characters long when it contains dots (it has {len})"));
        }
        for part in name.split('.') {
            let part_len = char_count(part);
            if part_len > 63 {
                problems.push(format!(
                    "each dot-separated part must be at most 63 characters long (\"{part}\" has {part_len})"
                ));
            }
        }
    } else if !(3..=63).contains(&len) {
        problems.push(format!("must be 3 to 63 characters long, or up to 222 with dots (it has {len})"));
    }
    if let Some(bad) = bad_chars(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
    {
        problems.push(format!("may contain only lowercase letters, digits, '-', '_' and '.' (it contains {bad})"));
    }
    starts_and_ends(name, &mut problems, "a letter or digit");
    if looks_like_ipv4(name) {
        problems.push("must not be an IP address in dotted-decimal notation (like 192.168.5.4)".to_owned());
    }
    if name.to_ascii_lowercase().starts_with("goog") {
        problems.push("must not start with \"goog\"".to_owned());
    }
    if contains_google(name) {
        problems.push("must not contain \"google\" or a close misspelling of it (like \"g00gle\")".to_owned());
    }
    problems
}

/// Problems with an Azure Blob container name. Azure's rule is that every `-`
/// sits between letters or digits, hence no `--` and no trailing `-`.
pub fn azure_container_problems(name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let len = char_count(name);
    if !(3..=63).contains(&len) {
        problems.push(format!("must be 3 to 63 characters long (it has {len})"));
    }
    if let Some(bad) = bad_chars(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        problems.push(format!("may contain only lowercase letters, digits and '-' (it contains {bad})"));
    }
    starts_and_ends(name, &mut problems, "a letter or digit");
    if name.contains("--") {
        problems.push("must not contain two consecutive hyphens (\"--\")".to_owned());
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    /// `expected` lists fragments, one per problem, in order; empty = valid.
    fn check(f: fn(&str) -> Vec<String>, rows: &[(&str, &[&str])]) {
        for (name, expected) in rows {
            let got = f(name);
            assert_eq!(got.len(), expected.len(), "{name:?}: {got:?}");
            for (problem, fragment) in got.iter().zip(expected.iter()) {
                assert!(problem.contains(fragment), "{name:?}: {problem:?} lacks {fragment:?}");
            }
        }
    }

    #[test]
    fn access_point_aliases() {
        for alias in [
            "my-access-point-aqfqprnstn7aefdfbarligizwgyfouse1a-s3alias",
            "tempo-hbjkl3hnm2w7ylmj2ocvrd2oprqvuuse1b-ext-s3alias",
            "abc-x-s3alias",
        ] {
            assert!(is_access_point_alias(alias), "{alias}");
            assert_eq!(s3_bucket_problems(alias, true), Vec::<String>::new(), "{alias}");
            assert_eq!(s3_bucket_problems(alias, false).len(), 1, "{alias}");
        }
        for not in [
            "tempo-s3alias",
            "ab-x-s3alias",
            "tempo-Meta-s3alias",
            "tempo.ap-abc-s3alias",
            "tempo-ap--s3alias",
            "tempo-ap-abc",
            "tempo-ap-abc-ol-s3",
        ] {
            assert!(!is_access_point_alias(not), "{not}");
        }
        // Only the alias suffix is waived, never the other reserved ones.
        assert_eq!(s3_bucket_problems("tempo-ap-abc--x-s3", true).len(), 1);
    }

    #[test]
    fn s3() {
        let long = "a".repeat(64);
        let max = "a".repeat(63);
        check(
            |name| s3_bucket_problems(name, false),
            &[
                ("tempo-traces", &[]),
                ("abc", &[]),
                (&max, &[]),
                ("tempo.traces.prod", &[]),
                ("1tempo-2", &[]),
                ("192.168.5.4x", &[]),
                ("ab", &["3 to 63 characters long (it has 2)"]),
                ("", &["(it has 0)"]),
                (&long, &["(it has 64)"]),
                ("Tempo", &["contains 'T'"]),
                ("tempo_traces", &["contains '_'"]),
                ("tempo traces", &["contains ' '"]),
                ("-tempo", &["begin with"]),
                ("tempo.", &["end with"]),
                ("tempo..traces", &["adjacent periods"]),
                ("192.168.5.4", &["IP address"]),
                // An empty or long part is no IPv4 address.
                ("1.2.3.", &["end with"]),
                ("1..2.3", &["adjacent periods"]),
                ("1.2.3.4444", &[]),
                ("xn--tempo", &["\"xn--\""]),
                ("sthree-tempo", &["\"sthree-\""]),
                ("amzn-s3-demo-bucket", &["\"amzn-s3-demo-\""]),
                ("tempo-s3alias", &["\"-s3alias\""]),
                ("tempo--ol-s3", &["\"--ol-s3\""]),
                ("tempo.mrap", &["\".mrap\""]),
                ("tempo--usw2-az1--x-s3", &["\"--x-s3\""]),
                ("tempo--table-s3", &["\"--table-s3\""]),
                ("_A", &["(it has 2)", "'_', 'A'", "begin with"]),
            ],
        );
    }

    #[test]
    fn gcs() {
        let label63 = "a".repeat(63);
        let dotted_ok = format!("{label63}.{label63}.{label63}");
        let dotted_long = format!("{label63}.{label63}.{label63}.{label63}");
        let part_too_long = format!("{}.example", "a".repeat(64));
        let long = "a".repeat(64);
        check(
            gcs_bucket_problems,
            &[
                ("tempo-traces", &[]),
                ("tempo_traces", &[]),
                ("tempo.traces.example.com", &[]),
                (&label63, &[]),
                (&dotted_ok, &[]),
                ("abc", &[]),
                ("ab", &["3 to 63 characters long, or up to 222 with dots (it has 2)"]),
                (&long, &["(it has 64)"]),
                (&dotted_long, &["3 to 222 characters long when it contains dots (it has 255)"]),
                (&part_too_long, &["at most 63 characters long"]),
                ("Tempo", &["contains 'T'"]),
                ("tempo/traces", &["contains '/'"]),
                ("_tempo", &["begin with"]),
                ("tempo-", &["end with"]),
                ("192.168.5.4", &["IP address"]),
                ("goog-traces", &["start with \"goog\""]),
                ("my-google-traces", &["\"google\""]),
                ("my-g00gle-traces", &["\"google\""]),
                ("googletraces", &["start with \"goog\"", "\"google\""]),
                ("go0g1e", &["\"google\""]),
            ],
        );
    }

    #[test]
    fn azure() {
        let long = "a".repeat(64);
        let max = "a".repeat(63);
        check(
            azure_container_problems,
            &[
                ("tempo", &[]),
                ("tempo-traces", &[]),
                ("1tempo", &[]),
                ("abc", &[]),
                (&max, &[]),
                ("t-1-2", &[]),
                ("ab", &["(it has 2)"]),
                (&long, &["(it has 64)"]),
                ("Tempo", &["contains 'T'"]),
                ("tempo.traces", &["contains '.'"]),
                ("tempo_traces", &["contains '_'"]),
                ("-tempo", &["begin with"]),
                ("tempo-", &["end with"]),
                ("tempo--traces", &["consecutive hyphens"]),
                ("$root", &["contains '$'", "begin with"]),
                ("", &["(it has 0)"]),
            ],
        );
    }
}
