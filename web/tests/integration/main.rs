//! The playground's tests in one binary: its export called as plain Rust (`export`), the built
//! module's imports and exports (`module`), and the built page in headless Chromium (`page`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../support/mod.rs"]
mod support;

mod export;
mod module;
mod page;
