//! The waPC host callback, following policy-evaluator `runtimes/callback.rs`.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::capabilities::{HostCapabilities, KubernetesRequest};
use crate::metadata::ContextAwareResource;

/// Where `tracing/log` records of the policy go.
#[derive(Clone, Default)]
pub enum PolicyLog {
    /// One line per record on stderr (what `kwctl run` does).
    #[default]
    Stderr,
    /// Dropped (benchmarks).
    Discard,
    /// Collected as parsed JSON (tests, `check`).
    Capture(Arc<Mutex<Vec<Value>>>),
}

impl std::fmt::Debug for PolicyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Stderr => "Stderr",
            Self::Discard => "Discard",
            Self::Capture(_) => "Capture",
        })
    }
}

/// The message a denied Kubernetes look-up fails with.
pub fn grant_denied_message(api_version: &str, kind: &str) -> String {
    format!(
        "Policy has not been granted access to Kubernetes {api_version}/{kind} resources. The violation has been reported."
    )
}

/// Everything the host callback of one instance needs.
#[derive(Clone)]
pub struct HostCallHandler {
    /// Granted `contextAwareResources` (empty unless `--allow-context-aware`).
    pub granted: Arc<[ContextAwareResource]>,
    pub capabilities: Arc<dyn HostCapabilities>,
    pub log: PolicyLog,
}

impl HostCallHandler {
    /// Handle one `host_call(binding, namespace, operation, payload)`.
    pub fn handle(&self, binding: &str, namespace: &str, operation: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        if binding != "kubewarden" {
            return Err(format!("unknown binding: {binding}"));
        }
        match namespace {
            "tracing" => match operation {
                "log" => {
                    self.log_record(payload);
                    Ok(Vec::new())
                }
                _ => Err(format!("unknown operation: {operation}")),
            },
            "kubernetes" => {
                let request = KubernetesRequest::from_wire(operation, payload)?
                    .ok_or_else(|| format!("unknown operation: {operation}"))?;
                if let Some((api_version, kind)) = request.resource() {
                    let granted = self.granted.iter().any(|r| r.api_version == api_version && r.kind == kind);
                    if !granted {
                        return Err(grant_denied_message(api_version, kind));
                    }
                }
                // policy-server hands look-ups to its callback handler and wraps what fails
                // (policy-evaluator `runtimes/callback.rs`, `send_request_and_wait_for_response`).
                self.capabilities.kubernetes(&request).map_err(|e| format!("Callback evaluation failure: {e}"))
            }
            _ => Err(format!("unknown namespace: {namespace}")),
        }
    }

    fn log_record(&self, payload: &[u8]) {
        match &self.log {
            PolicyLog::Discard => {}
            PolicyLog::Capture(sink) => {
                let value = serde_json::from_slice(payload)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()));
                if let Ok(mut records) = sink.lock() {
                    records.push(value);
                }
            }
            PolicyLog::Stderr => {
                let line = format_log_record(payload);
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }
}

/// `LEVEL policy_log: message {other fields}` for a JSON log record.
pub fn format_log_record(payload: &[u8]) -> String {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(mut record)) => {
            let level = record
                .remove("level")
                .and_then(|l| l.as_str().map(str::to_uppercase))
                .unwrap_or_else(|| "INFO".to_owned());
            let message = match record.remove("message") {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            if record.is_empty() {
                format!("{level} policy_log: {message}")
            } else {
                format!("{level} policy_log: {message} {}", Value::Object(record))
            }
        }
        _ => format!("WARN policy_log: unparsable log record: {}", String::from_utf8_lossy(payload)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::capabilities::NoCluster;

    struct Echo;
    impl HostCapabilities for Echo {
        fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
            Ok(request.to_string().into_bytes())
        }
    }

    fn handler(granted: &[(&str, &str)], caps: Arc<dyn HostCapabilities>) -> HostCallHandler {
        HostCallHandler {
            granted: granted
                .iter()
                .map(|(a, k)| ContextAwareResource { api_version: (*a).to_owned(), kind: (*k).to_owned() })
                .collect(),
            capabilities: caps,
            log: PolicyLog::Discard,
        }
    }

    const GET_SECRET: &[u8] =
        br#"{"api_version":"v1","kind":"Secret","name":"s","namespace":"ns","disable_cache":false}"#;

    #[test]
    fn grant_denied_exact_text() {
        let h = handler(&[], Arc::new(Echo));
        assert_eq!(
            h.handle("kubewarden", "kubernetes", "get_resource", GET_SECRET),
            Err("Policy has not been granted access to Kubernetes v1/Secret resources. The violation has been reported.".to_owned())
        );
        let h = handler(&[("v1", "ConfigMap")], Arc::new(Echo));
        assert!(
            h.handle("kubewarden", "kubernetes", "list_resources_all", br#"{"api_version":"v1","kind":"Secret"}"#)
                .unwrap_err()
                .starts_with("Policy has not been granted access to Kubernetes v1/Secret")
        );
    }

    #[test]
    fn granted_goes_to_capabilities() {
        let h = handler(&[("v1", "Secret")], Arc::new(Echo));
        let out = h.handle("kubewarden", "kubernetes", "get_resource", GET_SECRET).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("!KubernetesGetResource"));
        let h = handler(&[("v1", "Secret")], Arc::new(NoCluster));
        let err = h.handle("kubewarden", "kubernetes", "get_resource", GET_SECRET).unwrap_err();
        // Wrapped as policy-server's callback handler wraps a failed look-up.
        assert!(err.starts_with("Callback evaluation failure: failed to infer config"), "{err}");
    }

    #[test]
    fn unknown_names_and_logging() {
        let h = handler(&[], Arc::new(Echo));
        assert_eq!(h.handle("other", "tracing", "log", b"{}"), Err("unknown binding: other".into()));
        assert_eq!(h.handle("kubewarden", "oci", "v1/verify", b"{}"), Err("unknown namespace: oci".into()));
        assert_eq!(
            h.handle("kubewarden", "kubernetes", "delete_everything", b"{}"),
            Err("unknown operation: delete_everything".into())
        );
        assert_eq!(h.handle("kubewarden", "tracing", "log", b"not json"), Ok(Vec::new()));
        assert_eq!(
            format_log_record(br#"{"level":"info","message":"hi","policy":"p"}"#),
            r#"INFO policy_log: hi {"policy":"p"}"#
        );
        let sink = Arc::new(Mutex::new(Vec::new()));
        let h = HostCallHandler { log: PolicyLog::Capture(sink.clone()), ..handler(&[], Arc::new(Echo)) };
        h.handle("kubewarden", "tracing", "log", br#"{"level":"debug","message":"m"}"#).unwrap();
        assert_eq!(sink.lock().unwrap().len(), 1);
    }
}
