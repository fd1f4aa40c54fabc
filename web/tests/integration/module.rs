//! The module the page loads: it must run in any browser, so it imports nothing from waPC (no
//! `wapc` module, no `__guest_call` export: the SDK is left out with the policy's `guest`
//! feature) and nothing from WASI; only wasm-bindgen's own glue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use wasmparser::{Parser, Payload};

#[test]
fn the_page_module_has_no_wapc_or_wasi_imports() {
    let path = support::browser::playground_dir().join("pkg/tempo_policy_web_bg.wasm");
    let bytes = std::fs::read(&path).unwrap();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    imports.push(format!("{}::{}", import.module, import.name));
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    exports.push(export.unwrap().name.to_owned());
                }
            }
            _ => {}
        }
    }
    for import in &imports {
        assert!(
            import.starts_with("./tempo_policy_web_bg.js::") || import.starts_with("wbg::"),
            "unexpected import {import}"
        );
    }
    assert!(exports.iter().any(|e| e == "check"), "no `check` export: {exports:?}");
    for forbidden in ["__guest_call", "wapc_init", "_start"] {
        assert!(!exports.iter().any(|e| e == forbidden), "the page module exports {forbidden}: {exports:?}");
    }
}
