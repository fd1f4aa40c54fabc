//! tempo-policy: a Kubewarden policy guarding Grafana Tempo's object storage. This file declares the modules and holds the entry points: the waPC functions (decode, call the engine, encode), `answer_with` (one payload judged with any look-up contract) and settings parsing.
//!
//! The `guest` feature (on by default) is the policy as Kubewarden runs it: the SDK's waPC guest,
//! host capabilities and logger. Without it the crate is the engine alone, with no waPC import or
//! export, for the browser playground (`web/`), which answers look-ups from pasted manifests.

pub mod cluster;
pub mod context;
pub mod credential;
pub mod engine;
pub mod finding;
#[cfg(feature = "guest")]
pub mod host_cluster;
pub mod json;
pub mod keys;
pub mod location;
pub mod mutation;
pub mod objects;
pub mod quantity;
pub mod ratchet;
pub mod registry;
pub mod request;
pub mod response;
pub mod review;
pub mod rules;
pub mod selector;
pub mod settings;
pub mod tempo_config;
pub mod verdict;

#[cfg(feature = "guest")]
use cluster::Cluster;
#[cfg(feature = "guest")]
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
#[cfg(feature = "guest")]
use kubewarden_policy_sdk::wapc_guest::CallResult;
use settings::Settings;

#[cfg(all(target_arch = "wasm32", feature = "guest"))]
#[allow(unsafe_code)] // `no_mangle` is how waPC finds the init function.
#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    use kubewarden_policy_sdk::wapc_guest::register_function;
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function("protocol_version", kubewarden_policy_sdk::protocol_version_guest);
}

#[cfg(feature = "guest")]
pub fn validate(payload: &[u8]) -> CallResult {
    validate_with(payload, &host_cluster::HostCluster)
}

/// `validate` with any look-up contract: the wasm entry uses the host's, native tests their own.
#[cfg(feature = "guest")]
pub fn validate_with(payload: &[u8], cluster: &dyn Cluster) -> CallResult {
    response::write(answer_with(payload, cluster)?)
}

/// One `validate` payload (request and settings) judged with any look-up contract: the answer
/// before any protocol. The browser playground calls this with look-ups from pasted manifests.
pub fn answer_with(payload: &[u8], cluster: &dyn cluster::Cluster) -> Result<response::Answer, String> {
    let payload = request::parse(payload)?;
    let settings = match payload.settings {
        Some(raw) => parse_settings(raw.get().as_bytes())?,
        None => Settings::default(),
    };
    Ok(response::answer(engine::evaluate(&payload.request, &settings, cluster)))
}

/// The SDK's `validate_settings::<T>` reads settings with plain serde, whose errors do not say
/// which setting was wrong; this one names its path (`storage.allowedRegions[1]: ...`).
#[cfg(feature = "guest")]
pub fn validate_settings(payload: &[u8]) -> CallResult {
    // Valid settings may still carry advice (unanchored allow-list patterns): in the message.
    // Printable, as every finding is: the texts quote what the user wrote.
    let printable = |text: String| finding::printable(&text).into_owned();
    let answer = match parse_settings(payload).and_then(|s| s.validate().map(|()| s.warnings())) {
        Ok(w) => SettingsValidationResponse { valid: true, message: (!w.is_empty()).then(|| printable(w.join("; "))) },
        Err(message) => SettingsValidationResponse { valid: false, message: Some(printable(message)) },
    };
    Ok(serde_json::to_vec(&answer)?)
}

/// Settings from JSON; `null` and empty mean defaults. Errors name the setting's path.
pub fn parse_settings(payload: &[u8]) -> Result<Settings, String> {
    let text = std::str::from_utf8(payload).map_err(|_| "settings are not UTF-8".to_string())?.trim();
    if text.is_empty() || text == "null" {
        return Ok(Settings::default());
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path.is_empty() || path == "." { String::new() } else { format!("{path}: ") };
        // serde's text ends with "at line 1 column 42", which says nothing in a one-line JSON.
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        format!("{at}{msg}")
    })
}
