//! Rendering a [`Report`](super::outcome::Report): `text` for people, `json` for scripts (the
//! shared crate's, as the playground shows it), `junit` for CI dashboards, `sarif` for
//! code-scanning UIs.

pub mod junit;
pub mod sarif;
pub mod text;

pub use tempo_policy_check::report::{count, json, patch_lines, patch_op_line};
