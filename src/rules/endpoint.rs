//! `endpoint`: the S3 `endpoint` must be a URL Tempo can use as `scheme://host[:port]`.
//!
//! ## What it checks
//! An absolute `http` or `https` URL with a host; no path other than `/`, no query, no fragment,
//! no user-info (`user:password@`), no surrounding whitespace, a lowercase scheme. A non-UTF-8
//! value is refused too. The user-info is never repeated in the message.
//!
//! ## Why
//! The operator only checks that the value parses as a URL with some scheme. A bare host
//! (grafana/tempo-operator#632) is refused late; a path breaks Tempo at run time ("Endpoint url
//! cannot have fully qualified paths", grafana/tempo#3696); a trailing newline from `echo` is
//! refused by Go's URL parser; an upper-case `HTTPS://` is not stripped and ends up in the host.
//!
//! ## Example
//! Rejected: `endpoint: s3.eu-west-1.amazonaws.com/tempo-traces`.
//! Accepted: `endpoint: https://s3.eu-west-1.amazonaws.com` with `bucket: tempo-traces`.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::location::endpoint::EndpointNote;
use crate::rules::Rule;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let path = c.key_path("endpoint");
    if c.secret.bytes("endpoint").is_some() && c.secret.text("endpoint").is_none() {
        out.reject(Rule::Endpoint, path, format!("{}: endpoint is not UTF-8 text", c.subject()));
        return;
    }
    match &c.endpoint {
        None => {}
        Some(Err(problems)) => {
            for p in problems {
                out.reject(Rule::Endpoint, path.clone(), format!("{}: endpoint {p}", c.subject()));
            }
        }
        Some(Ok(endpoint)) => {
            for note in &endpoint.notes {
                match note {
                    EndpointNote::SurroundingWhitespace | EndpointNote::SchemeNotLowercase => {
                        out.reject(Rule::Endpoint, path.clone(), format!("{}: endpoint {note}", c.subject()))
                    }
                    EndpointNote::HostTrailingDot => {
                        out.warn(Rule::Endpoint, path.clone(), format!("{}: endpoint {note}", c.subject()))
                    }
                }
            }
        }
    }
}
