//! Kubernetes resource quantities (`500m`, `4Gi`, `200M`, `1e3`) parsed and compared exactly as the API server does.
//!
//! Why hand-written rather than a crate: `kube_quantity` (0.9) reads the number
//! through an `f64` before turning it into a `rust_decimal`, so values are not
//! exact, and it pulls in nom, rust_decimal and thiserror; `k8s_quantity_parser`
//! (0.1) depends on k8s-openapi 0.14 (a second copy next to our 0.28), eyre and
//! regex, and parses into `i64` with regexes, so it rejects fractions such as
//! `1.5Gi` and cannot compare `500m`. Neither follows the grammar of
//! `resource.ParseQuantity` in k8s.io/apimachinery. What the policy needs, parse
//! and compare, fits in a few hundred lines with no dependency and no float.
//!
//! The grammar mirrors Go's `parseQuantityString` scanner and suffix table,
//! byte for byte, including its quirks:
//! - `5.`, `.5`, `1.G` are valid. One deliberate difference: Go reads `.`, `+`,
//!   `-` and a bare suffix such as `Gi` as zero on its int64 fast path, but the
//!   quantity pattern of CRD schemas (TempoStack `storageSize`, resources)
//!   requires a digit, so a mantissa without digits is refused here.
//! - No whitespace anywhere: `ParseQuantity` refuses it. (Go's `UnmarshalJSON`
//!   trims it, but built-in objects reach a webhook already re-serialised, and
//!   CRD schemas for quantities carry a pattern that forbids it.)
//!
//! Values follow Go too: a non-zero magnitude is rounded up to a whole
//! nano-unit (`0.1n` == `1n`), as `ParseQuantity` does. Two deliberate
//! differences, both only at absurd magnitudes:
//! - Go parses the exponent as int64 and silently truncates it to int32
//!   (`1e4294967296` becomes 1); we reject exponents outside the int32 range.
//! - Go caps some very large values at 2^63-1 (which ones depends on the
//!   apimachinery version and on its fast path); we never cap and compare exactly.

use std::cmp::Ordering;
use std::fmt;
use std::num::IntErrorKind;
use std::str::FromStr;

/// A parsed quantity: its exact value plus the text the user wrote.
#[derive(Clone, Debug)]
pub struct Quantity {
    text: String,
    negative: bool,
    /// Magnitude as decimal digits, most significant first, without leading or
    /// trailing zeros, so equal values have equal representations. Empty for zero.
    digits: Vec<u8>,
    /// Power of ten that `digits` is multiplied by.
    exponent: i64,
}

/// Why a text or JSON value is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    Empty,
    Invalid { input: String, reason: &'static str },
    NotStringOrNumber { found: &'static str },
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a quantity must not be empty"),
            Self::Invalid { input, reason } => {
                write!(f, "{} is not a valid quantity: {reason}", crate::finding::quote(input))
            }
            Self::NotStringOrNumber { found } => {
                write!(f, "a quantity must be a string or a number, not {found}")
            }
        }
    }
}

impl std::error::Error for QuantityError {}

const FORMAT: &str = "expected a number with an optional suffix, such as 500m, 2, 1.5Gi, 200M or 1e3";
const WHITESPACE: &str = "it contains whitespace";
const SUFFIX: &str =
    "the suffix must be one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as e3";
const EXPONENT_RANGE: &str = "the exponent is out of range";
const NO_DIGITS: &str = "the number has no digits";

/// What the suffix multiplies the number by.
#[derive(Clone, Copy)]
enum Scale {
    Decimal(i32),
    Binary(u32),
}

impl Quantity {
    /// Parses `s` with the grammar of Go's `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let invalid = |reason| QuantityError::Invalid { input: s.to_owned(), reason };

        let rest = s.as_bytes();
        let (negative, rest) = match rest.split_first() {
            Some((b'-', r)) => (true, r),
            Some((b'+', r)) => (false, r),
            _ => (false, rest),
        };
        let (int, rest) = split_run(rest, u8::is_ascii_digit);
        let (frac, suffix) = match rest.split_first() {
            Some((b'.', r)) => split_run(r, u8::is_ascii_digit),
            _ => (&[][..], rest),
        };
        // Go's scanner: a run of suffix letters, an optional sign, digits, end.
        let (_, tail) = split_run(suffix, |c| b"eEinumkKMGTP".contains(c));
        let tail = match tail.split_first() {
            Some((b'+' | b'-', r)) => r,
            _ => tail,
        };
        let (_, tail) = split_run(tail, u8::is_ascii_digit);
        if !tail.is_empty() {
            let has_space = s.chars().any(char::is_whitespace);
            return Err(invalid(if has_space { WHITESPACE } else { FORMAT }));
        }

        let scale = match suffix {
            b"n" => Scale::Decimal(-9),
            b"u" => Scale::Decimal(-6),
            b"m" => Scale::Decimal(-3),
            b"" => Scale::Decimal(0),
            b"k" => Scale::Decimal(3),
            b"M" => Scale::Decimal(6),
            b"G" => Scale::Decimal(9),
            b"T" => Scale::Decimal(12),
            b"P" => Scale::Decimal(15),
            b"E" => Scale::Decimal(18),
            b"Ki" => Scale::Binary(10),
            b"Mi" => Scale::Binary(20),
            b"Gi" => Scale::Binary(30),
            b"Ti" => Scale::Binary(40),
            b"Pi" => Scale::Binary(50),
            b"Ei" => Scale::Binary(60),
            _ => Scale::Decimal(parse_exponent(suffix).map_err(invalid)?),
        };

        // Go reads a digit-less mantissa (`Gi`, `.`, `-`) as zero on its fast path, but the
        // quantity pattern in CRD schemas (and in settings, a bare `Gi` is surely a typo)
        // requires a digit: refuse it everywhere.
        if int.is_empty() && frac.is_empty() {
            return Err(invalid(NO_DIGITS));
        }

        let (digits, exponent) = exact_value(int, frac, scale);
        Ok(Quantity { text: s.to_owned(), negative: negative && !digits.is_empty(), digits, exponent })
    }

    /// Accepts what Kubernetes accepts in a quantity field: a string, or a
    /// JSON number (`cpu: 2`), which is read from its decimal text.
    pub fn from_json(value: &serde_json::Value) -> Result<Quantity, QuantityError> {
        use serde_json::Value;
        match value {
            Value::String(s) => Quantity::parse(s),
            Value::Number(n) => Quantity::parse(&n.to_string()),
            Value::Null => Err(QuantityError::NotStringOrNumber { found: "null" }),
            Value::Bool(_) => Err(QuantityError::NotStringOrNumber { found: "a boolean" }),
            Value::Array(_) => Err(QuantityError::NotStringOrNumber { found: "a list" }),
            Value::Object(_) => Err(QuantityError::NotStringOrNumber { found: "an object" }),
        }
    }

    /// The quantity as the user wrote it, for messages.
    pub fn as_written(&self) -> &str {
        &self.text
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn signum(&self) -> i8 {
        match (self.is_zero(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        // Both sides are normalised, so the position of the leading digit
        // decides unless equal, and then the digit strings compare as numbers.
        let lead = |q: &Self| q.exponent.saturating_add(len_i64(&q.digits));
        lead(self).cmp(&lead(other)).then_with(|| self.digits.cmp(&other.digits))
    }
}

/// Go reads `e<int>`/`E<int>` with `strconv.ParseInt(s, 10, 64)`; Rust's
/// `i64::from_str` accepts the same strings (optional sign, ASCII digits).
fn parse_exponent(suffix: &[u8]) -> Result<i32, &'static str> {
    let Some((b'e' | b'E', rest)) = suffix.split_first() else {
        return Err(SUFFIX);
    };
    let rest = std::str::from_utf8(rest).map_err(|_| SUFFIX)?;
    let wide = rest.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => EXPONENT_RANGE,
        _ => SUFFIX,
    })?;
    i32::try_from(wide).map_err(|_| EXPONENT_RANGE)
}

fn split_run(s: &[u8], pred: impl Fn(&u8) -> bool) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| pred(c)).count();
    s.split_at_checked(n).unwrap_or((s, &[]))
}

fn len_i64(s: &[u8]) -> i64 {
    i64::try_from(s.len()).unwrap_or(i64::MAX)
}

/// Returns the normalised digits and power of ten of `int.frac × scale`,
/// rounded up to a whole nano-unit like Go's `ParseQuantity`.
fn exact_value(int: &[u8], frac: &[u8], scale: Scale) -> (Vec<u8>, i64) {
    let mut digits: Vec<u8> = int.iter().chain(frac).map(|c| c.wrapping_sub(b'0')).skip_while(|&d| d == 0).collect();
    if digits.is_empty() {
        return (digits, 0);
    }
    let mut exponent = -len_i64(frac);
    match scale {
        Scale::Decimal(e) => exponent = exponent.saturating_add(i64::from(e)),
        Scale::Binary(bits) => mul_pow2(&mut digits, bits),
    }
    exponent = exponent.saturating_add(strip_trailing_zeros(&mut digits));

    if exponent < -9 {
        // Trailing zeros are gone, so the part below 1n is non-zero and the
        // magnitude always rounds up (away from zero, as Go's inf.RoundUp).
        let excess = usize::try_from((-9i64).saturating_sub(exponent)).unwrap_or(usize::MAX);
        digits.truncate(digits.len().saturating_sub(excess));
        increment(&mut digits);
        exponent = (-9i64).saturating_add(strip_trailing_zeros(&mut digits));
    }
    (digits, exponent)
}

/// `bits` is at most 60: 9 × 2^60 plus a carry below 2^60 still fits in u64.
fn mul_pow2(digits: &mut Vec<u8>, bits: u32) {
    let factor = 1u64 << bits;
    let mut carry = 0u64;
    for d in digits.iter_mut().rev() {
        let v = u64::from(*d) * factor + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    while carry > 0 {
        digits.insert(0, (carry % 10) as u8);
        carry /= 10;
    }
}

fn strip_trailing_zeros(digits: &mut Vec<u8>) -> i64 {
    let zeros = digits.iter().rev().take_while(|&&d| d == 0).count();
    digits.truncate(digits.len().saturating_sub(zeros));
    i64::try_from(zeros).unwrap_or(i64::MAX)
}

fn increment(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d < 9 {
            *d += 1;
            return;
        }
        *d = 0;
    }
    digits.insert(0, 1);
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = self.signum();
        sign.cmp(&other.signum()).then_with(|| match sign {
            0 => Ordering::Equal,
            s if s < 0 => self.cmp_magnitude(other).reverse(),
            _ => self.cmp_magnitude(other),
        })
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal values, however written: `1000m == 1`.
impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    /// The exact value as a plain decimal, e.g. `-0.000000001` or `1073741824`.
    fn plain(q: &Quantity) -> String {
        if q.is_zero() {
            return "0".into();
        }
        let digits: String = q.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let body = if q.exponent >= 0 {
            format!("{digits}{}", "0".repeat(q.exponent as usize))
        } else {
            let point = q.exponent.unsigned_abs() as usize;
            let padded = format!("{}{digits}", "0".repeat(point.saturating_sub(digits.len())));
            let (whole, fraction) = padded.split_at(padded.len() - point);
            format!("{}.{fraction}", if whole.is_empty() { "0" } else { whole })
        };
        format!("{}{body}", if q.negative { "-" } else { "" })
    }

    #[test]
    fn parse_table() {
        let valid: &[(&str, &str)] = &[
            ("0", "0"),
            ("1", "1"),
            ("+1", "1"),
            ("-1", "-1"),
            ("-0", "0"),
            ("007", "7"),
            ("0.5", "0.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("+.5", "0.5"),
            ("1.G", "1000000000"),
            ("100m", "0.1"),
            ("1500m", "1.5"),
            ("2000m", "2"),
            ("1n", "0.000000001"),
            ("1u", "0.000001"),
            ("1k", "1000"),
            ("200M", "200000000"),
            ("1T", "1000000000000"),
            ("1P", "1000000000000000"),
            ("1E", "1000000000000000000"),
            ("1Ki", "1024"),
            ("1Mi", "1048576"),
            ("4Gi", "4294967296"),
            ("1Ti", "1099511627776"),
            ("1Pi", "1125899906842624"),
            ("1Ei", "1152921504606846976"),
            ("-500Mi", "-524288000"),
            ("1.5Ki", "1536"),
            ("0.1Ki", "102.4"),
            (".5Mi", "524288"),
            ("1e3", "1000"),
            ("1E3", "1000"),
            ("1E-3", "0.001"),
            ("12e+6", "12000000"),
            ("1e0", "1"),
            ("1.5e1", "15"),
            ("1e-9", "0.000000001"),
            ("0e-10", "0"),
            ("99999999999999999999", "99999999999999999999"),
            // Go rounds sub-nano magnitudes up, away from zero.
            ("0.1n", "0.000000001"),
            ("-0.1n", "-0.000000001"),
            ("1.5n", "0.000000002"),
            ("1e-10", "0.000000001"),
            ("1e-2147483648", "0.000000001"),
            ("0.000000000001Ki", "0.000000002"),
            ("0.9999999999", "1"),
        ];
        for (input, expected) in valid {
            let parsed = q(input);
            assert_eq!(plain(&parsed), *expected, "value of {input:?}");
            assert_eq!(parsed.as_written(), *input);
            assert_eq!(parsed.to_string(), *input);
        }
        assert_eq!(q("1e2147483647").exponent, 2147483647);

        let invalid: &[(&str, &str)] = &[
            (" 1", WHITESPACE),
            ("1 ", WHITESPACE),
            ("1 Gi", WHITESPACE),
            ("1\n", WHITESPACE),
            ("1.5.3", FORMAT),
            ("1Gb", FORMAT),
            ("1gi", FORMAT),
            ("1Kib", FORMAT),
            ("0x10", FORMAT),
            ("1e3.5", FORMAT),
            ("1,5", FORMAT),
            ("1_000", FORMAT),
            ("abc", FORMAT),
            ("inf", FORMAT),
            ("١", FORMAT),
            ("1e3+", FORMAT),
            ("K", SUFFIX),
            ("1K", SUFFIX),
            ("1mi", SUFFIX),
            ("--1", SUFFIX),
            ("1+1", SUFFIX),
            ("1e", SUFFIX),
            ("1e+", SUFFIX),
            ("1e-", SUFFIX),
            ("1ee3", SUFFIX),
            ("1Ki3", SUFFIX),
            ("1Mi5", SUFFIX),
            ("1e2147483648", EXPONENT_RANGE),
            ("1e-2147483649", EXPONENT_RANGE),
            ("1e99999999999999999999", EXPONENT_RANGE),
            ("e-10", NO_DIGITS),
            // Go reads these as zero; the CRD quantity pattern refuses them, and so do we.
            (".", NO_DIGITS),
            ("+", NO_DIGITS),
            ("-", NO_DIGITS),
            ("Gi", NO_DIGITS),
            ("-Ti", NO_DIGITS),
            ("m", NO_DIGITS),
            ("e-9", NO_DIGITS),
            ("-.e-10", NO_DIGITS),
            ("Pi", NO_DIGITS),
            ("Ei", NO_DIGITS),
        ];
        for (input, reason) in invalid {
            match Quantity::parse(input) {
                Err(QuantityError::Invalid { input: i, reason: r }) => {
                    assert_eq!((i.as_str(), r), (*input, *reason), "reason for {input:?}")
                }
                other => panic!("{input:?} should be invalid, got {other:?}"),
            }
        }
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        assert!(valid.len() + invalid.len() >= 40);
    }

    #[test]
    fn ordering_table() {
        use Ordering::{Equal, Greater, Less};
        let pairs: &[(&str, &str, Ordering)] = &[
            ("1Gi", "1073741824", Equal),
            ("1G", "1Gi", Less),
            ("1500m", "1.5", Equal),
            ("1e3", "1k", Equal),
            ("-1", "0", Less),
            ("100Mi", "0.1Gi", Less), // 104857600 < 107374182.4
            ("200M", "1Gi", Less),
            ("1E18", "1Ei", Less),
            ("1E", "1e18", Equal),
            ("1n", "0", Greater),
            ("1000m", "1", Equal),
            ("0.5", "500m", Equal),
            ("2048Mi", "2Gi", Equal),
            ("1024Ki", "1Mi", Equal),
            ("-1Gi", "-1G", Less),
            ("-0", "0", Equal),
            ("0.1n", "1n", Equal),
            ("1.5n", "2n", Equal),
            ("1e-100", "1n", Equal),
            ("1e2147483647", "1e2147483646", Greater),
            ("-1e2147483647", "-1e2147483646", Less),
            ("9", "10", Less),
            ("100", "99.999", Greater),
            ("1.1Ki", "1126.4", Equal),
            ("8", "7999m", Greater),
            ("32Gi", "32G", Greater),
            ("500Gi", "0.5Ti", Less),
            ("1Ti", "1024Gi", Equal),
            ("12e+6", "12M", Equal),
            ("123456789012345678901234567890", "123456789012345678901234567891", Less),
            ("-2", "-10", Greater),
        ];
        for (a, b, expected) in pairs {
            assert_eq!(q(a).cmp(&q(b)), *expected, "{a} vs {b}");
            assert_eq!(q(b).cmp(&q(a)), expected.reverse(), "{b} vs {a}");
            assert_eq!(q(a) == q(b), *expected == Equal, "{a} == {b}");
        }
        assert!(pairs.len() >= 20);
    }

    /// Equal-valued spellings of the integer `n`.
    fn spellings(n: i64) -> Vec<String> {
        let sign = if n < 0 { "-" } else { "" };
        let abs = n.unsigned_abs();
        let mut out = vec![
            n.to_string(),
            format!("{n}000m"),
            format!("{n}e0"),
            format!("{sign}{abs}000000000n"),
            format!("{sign}0{abs}.000"),
            format!("{sign}{}.{}e1", abs / 10, abs % 10),
            format!("{}e-3", n * 1000),
            format!("{sign}{abs}000000u"),
        ];
        if abs.is_multiple_of(1000) {
            out.push(format!("{sign}{}k", abs / 1000));
            out.push(format!("{sign}{}.{:03}M", abs / 1_000_000, abs / 1000 % 1000));
        }
        if abs.is_multiple_of(1024) {
            out.push(format!("{sign}{}Ki", abs / 1024));
        }
        if abs % 1024 == 512 {
            out.push(format!("{sign}{}.5Ki", abs / 1024));
        }
        out
    }

    #[test]
    fn ordering_matches_integers_across_spellings() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let units = [1, 1000, 1024, 512, 1_024_000];
        let pick = |next: &mut dyn FnMut() -> u64| {
            let unit = units[(next() % units.len() as u64) as usize];
            ((next() % 4001) as i64 - 2000) * unit
        };
        for _ in 0..3000 {
            let a = pick(&mut next);
            let b = match next() % 4 {
                0 => a,
                1 => a + 1,
                2 => a - 1,
                _ => pick(&mut next),
            };
            let (sa, sb) = (spellings(a), spellings(b));
            let wa = &sa[(next() % sa.len() as u64) as usize];
            let wb = &sb[(next() % sb.len() as u64) as usize];
            let (qa, qb) = (q(wa), q(wb));
            assert_eq!(qa.cmp(&qb), a.cmp(&b), "{wa} vs {wb}");
            assert_eq!(plain(&qa), a.to_string(), "value of {wa}");
        }
    }

    #[test]
    fn json_values() {
        assert_eq!(Quantity::from_json(&json!("500m")).unwrap(), q("0.5"));
        assert_eq!(Quantity::from_json(&json!(2)).unwrap(), q("2000m"));
        assert_eq!(Quantity::from_json(&json!(-3)).unwrap(), q("-3"));
        assert_eq!(Quantity::from_json(&json!(1.5)).unwrap(), q("1500m"));
        assert_eq!(Quantity::from_json(&json!(0.1)).unwrap(), q("100m"));
        assert_eq!(Quantity::from_json(&json!(1e20)).unwrap(), q("100E"));
        assert_eq!(Quantity::from_json(&json!(2)).unwrap().as_written(), "2");
        assert_eq!(Quantity::from_json(&json!(true)), Err(QuantityError::NotStringOrNumber { found: "a boolean" }));
        assert!(Quantity::from_json(&json!(null)).is_err());
        assert!(Quantity::from_json(&json!("1 Gi")).is_err());
    }

    #[test]
    fn predicates_and_messages() {
        assert!(q("-1m").is_negative());
        assert!(!q("-0").is_negative());
        assert!(q("-0.0Gi").is_zero());
        assert!(!q("1n").is_zero());
        assert_eq!("4Gi".parse::<Quantity>().unwrap(), q("4096Mi"));
        assert_eq!(
            Quantity::parse("1 Gi").unwrap_err().to_string(),
            "\"1 Gi\" is not a valid quantity: it contains whitespace"
        );
        assert_eq!(
            Quantity::parse("1Gb").unwrap_err().to_string(),
            format!("\"1Gb\" is not a valid quantity: {FORMAT}")
        );
        assert_eq!(QuantityError::Empty.to_string(), "a quantity must not be empty");
    }
}
