//! The tool's integration tests in one binary: each links wasmtime, so one link instead of seven.
//! The scenario table through policy.wasm has a binary of its own (`scenarios_wasm`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../common/mod.rs"]
mod common;

mod annotate;
mod bench;
mod cache;
mod check;
mod doc_samples;
mod embedded;
mod library;
mod run;
