//! The policy crate's integration tests in one binary (one link instead of one per file); the
//! scenario table has a binary of its own (`scenarios_native`, one test per scenario).
//! `cargo nextest run -E 'binary(integration) & test(/^docs::/)'` runs one file's tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod crds;
mod docs;
mod layers;
mod lookup_errors;
mod mutation;
mod release;
mod sdk_testcase;
mod settings_patterns;
mod tempo_config;
mod toolchain;
