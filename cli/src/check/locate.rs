//! Which policy `check` runs when `--policy` is not given.
//!
//! Search order (the first that applies wins):
//! 1. `--policy PATH`;
//! 2. `$TEMPO_POLICY_WASM` (must exist when set);
//! 3. `annotated-policy.wasm` beside the executable (an installed copy of both);
//! 4. `../../annotated-policy.wasm` from the executable (`target/release/tempo-policy` in a
//!    checkout: the repository root, where `make annotated-policy.wasm` writes it);
//! 5. `annotated-policy.wasm` in the current directory.
//!
//! The policy is not embedded into the binary: `make` builds the tool before it can annotate
//! the policy with it, so an embedded copy would lag one build behind the policy sources.

use std::path::{Path, PathBuf};

/// The environment variable naming the policy.
pub const POLICY_ENV: &str = "TEMPO_POLICY_WASM";

/// The file name searched for.
pub const POLICY_FILE: &str = "annotated-policy.wasm";

/// Find the policy to run; the error says where it looked and how to build one.
pub fn locate_policy(flag: Option<&str>) -> Result<PathBuf, String> {
    if let Some(flag) = flag {
        let path = crate::host::policy_path(flag).map_err(|e| e.to_string())?;
        return if path.is_file() { Ok(path) } else { Err(format!("--policy {flag}: no such file")) };
    }
    if let Some(env) = std::env::var_os(POLICY_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(env);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("${POLICY_ENV} names {}, which does not exist", path.display()))
        };
    }
    let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf));
    let mut candidates = Vec::new();
    if let Some(dir) = &exe_dir {
        candidates.push(dir.join(POLICY_FILE));
        if let Some(root) = dir.parent().and_then(Path::parent) {
            candidates.push(root.join(POLICY_FILE));
        }
    }
    candidates.push(PathBuf::from(POLICY_FILE));
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "no policy found: --policy not given, ${POLICY_ENV} not set, and no {POLICY_FILE} at {}. \
         Build it in the tempo-policy repository with `make annotated-policy.wasm` (or fetch a released one \
         with `kwctl pull`), then pass --policy PATH or set ${POLICY_ENV}",
        tried.join(", ")
    ))
}
