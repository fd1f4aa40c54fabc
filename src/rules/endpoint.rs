//! `endpoint`: the S3 `endpoint` must be a URL Tempo can use as `scheme://host[:port]`.
//!
//! ## What it checks
//! An absolute `http` or `https` URL with a host; no path other than `/`, no query, no fragment,
//! no user-info (`user:password@`), no surrounding whitespace, a lowercase scheme. A non-UTF-8
//! value is refused too. The user-info is never repeated in the message.
//!
//! The host name must be one that every parser on the way accepts, judged as written (the
//! policy's own URL parser follows the WHATWG standard, which decodes `%41` and lets `{`, `*`,
//! `$` through): only letters, digits, `-`, `_` and `.`; no percent-encoding; no leading `-`,
//! `_` or `.`, no trailing `-` or `_`; no empty label, no label starting or ending with `-`,
//! labels of at most 63 characters. Go's `url.ParseRequestURI` (the operator,
//! `internal/handlers/storage/s3_secret.go`) refuses percent-encoded ASCII and characters such as
//! braces in a host; minio-go's `s3utils.IsValidDomain` (Tempo's S3 client, checked when Tempo
//! starts) refuses the leading and trailing characters and `*`, `$` and the like; Go's resolver
//! refuses the rest.
//!
//! Hosts minio-go's `isValidEndpointURL` (`utils.go`) refuses when Tempo starts are rejected as
//! well: a virtual-hosted name on the global endpoint (`<bucket>.s3.amazonaws.com`: it wants
//! `s3.amazonaws.com`), any `*.googleapis.com` host other than `storage.googleapis.com` (the
//! virtual-hosted `<bucket>.storage.googleapis.com`, the regional
//! `storage.<region>.rep.googleapis.com`), and an S3 on Outposts host not of the form
//! `<prefix>.s3-outposts.<region>.amazonaws.com`.
//!
//! ## Why
//! The operator only checks that the value parses as a URL with some scheme. A bare host
//! (grafana/tempo-operator#632) is refused late; a path breaks Tempo at run time ("Endpoint url
//! cannot have fully qualified paths", grafana/tempo#3696); a trailing newline from `echo` is
//! refused by Go's URL parser; an upper-case `HTTPS://` is not stripped and ends up in the host.
//! A host minio-go refuses stops Tempo at start-up (`minio.New` fails), after the operator has
//! rolled the stack out.
//!
//! ## Example
//! Rejected: `endpoint: s3.eu-west-1.amazonaws.com/tempo-traces`;
//! `endpoint: https://tempo-traces.s3.amazonaws.com`; `endpoint: https://-minio.minio.svc:9000`.
//! Accepted: `endpoint: https://s3.eu-west-1.amazonaws.com` with `bucket: tempo-traces`.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::location::endpoint::EndpointNote;
use crate::registry::Rule;

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
