//! Which policy `check` (and `run`, `inspect` without a POLICY) evaluates.
//!
//! Search order (the first that applies wins):
//! 1. `--policy PATH`;
//! 2. `$TEMPO_POLICY_WASM` (must exist when set);
//! 3. the policy embedded in the binary (`build.rs`, feature `embedded-policy`, on by default):
//!    an installed tool needs nothing else;
//! 4. only in a binary built without it: `annotated-policy.wasm` beside the executable, two
//!    directories up from it (`target/release/tempo-policy` in a checkout), or in the current
//!    directory.

use std::path::{Path, PathBuf};

/// The environment variable naming the policy.
pub const POLICY_ENV: &str = "TEMPO_POLICY_WASM";

/// The file name searched for.
pub const POLICY_FILE: &str = "annotated-policy.wasm";

/// Where the policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    File(PathBuf),
    /// The bytes built into the binary.
    Embedded(&'static [u8]),
}

impl PolicySource {
    /// How reports and messages name it.
    pub fn name(&self) -> String {
        match self {
            PolicySource::File(path) => path.display().to_string(),
            PolicySource::Embedded(_) => crate::embedded::ORIGIN.to_owned(),
        }
    }

    /// The module's bytes.
    pub fn read(&self) -> Result<std::borrow::Cow<'static, [u8]>, crate::host::HostError> {
        match self {
            PolicySource::File(path) => crate::host::read_policy(path).map(std::borrow::Cow::Owned),
            PolicySource::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }
}

/// Find the policy to run; the error says where it looked and how to get one.
pub fn locate_policy(flag: Option<&str>) -> Result<PolicySource, String> {
    let embedded =
        || crate::embedded::policy().map(|p| p.as_ref().map(|e| e.module.as_slice()).map_err(String::as_str));
    locate(flag, std::env::var_os(POLICY_ENV).filter(|v| !v.is_empty()).map(PathBuf::from), embedded)
}

fn locate(
    flag: Option<&str>,
    env: Option<PathBuf>,
    embedded: impl FnOnce() -> Option<Result<&'static [u8], &'static str>>,
) -> Result<PolicySource, String> {
    if let Some(flag) = flag {
        let path = crate::host::policy_path(flag).map_err(|e| e.to_string())?;
        return if path.is_file() {
            Ok(PolicySource::File(path))
        } else {
            Err(format!("--policy {flag}: no such file"))
        };
    }
    if let Some(path) = env {
        return if path.is_file() {
            Ok(PolicySource::File(path))
        } else {
            Err(format!("${POLICY_ENV} names {}, which does not exist", path.display()))
        };
    }
    if let Some(embedded) = embedded() {
        return embedded.map(PolicySource::Embedded).map_err(str::to_owned);
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
        return Ok(PolicySource::File(found.clone()));
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "no policy found: this tempo-policy was built without the embedded policy, --policy is not given, \
         ${POLICY_ENV} is not set, and there is no {POLICY_FILE} at {}. Build it in the tempo-policy repository \
         with `make annotated-policy.wasm` (or fetch a released one with `kwctl pull`), then pass --policy PATH \
         or set ${POLICY_ENV}",
        tried.join(", ")
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const BYTES: &[u8] = b"\0asm\x01\0\0\0";

    #[test]
    fn flag_then_variable_then_embedded() {
        let file = std::env::temp_dir().join(format!("tempo-policy-locate-{}.wasm", std::process::id()));
        std::fs::write(&file, BYTES).unwrap();
        let flag = file.display().to_string();
        let embedded = || Some(Ok(BYTES));
        assert_eq!(locate(Some(&flag), None, embedded), Ok(PolicySource::File(file.clone())));
        assert_eq!(locate(None, Some(file.clone()), embedded), Ok(PolicySource::File(file.clone())));
        assert_eq!(locate(None, None, embedded), Ok(PolicySource::Embedded(BYTES)));
        let missing = file.with_extension("missing");
        let err = locate(None, Some(missing), embedded).unwrap_err();
        assert!(err.contains("$TEMPO_POLICY_WASM names"), "{err}");
        assert_eq!(locate(None, None, || Some(Err("broken"))), Err("broken".to_owned()));
        let err = locate(Some("/nonexistent/p.wasm"), None, embedded).unwrap_err();
        assert_eq!(err, "--policy /nonexistent/p.wasm: no such file");
    }

    #[test]
    fn without_an_embedded_policy_the_error_says_how_to_get_one() {
        // Tests run in cli/, and the test binary lives in target/release/deps: no
        // annotated-policy.wasm in either place.
        let err = locate(None, None, || None).unwrap_err();
        assert!(err.starts_with("no policy found: this tempo-policy was built without the embedded policy"), "{err}");
        assert!(err.contains("make annotated-policy.wasm"), "{err}");
    }
}
