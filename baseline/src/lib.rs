//! A do-nothing waPC guest: it accepts every request without reading it.
//!
//! It is the floor that benchmarks compare tempo-policy against: what remains
//! is the host's cost (instantiation, serialisation, copying the payload in
//! and the response out). It therefore must not parse anything.
//!
//! With the setting `{"lookupFloor": true}` it is the *look-up floor* instead
//! ([`floor`]): it makes the host look-ups tempo-policy makes for the request,
//! ignores their answers, and accepts.

mod floor;

use wapc_guest::{CallResult, host_call, register_function};

const ACCEPT: &[u8] =
    br#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#;
const SETTINGS_VALID: &[u8] = br#"{"valid":true,"message":null}"#;
const PROTOCOL_VERSION: &[u8] = br#""v1""#;

/// waPC entry point: registers the three operations a Kubewarden host calls.
#[allow(unsafe_code)] // `no_mangle` is how waPC finds the init function.
#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function("protocol_version", protocol_version);
}

fn validate(payload: &[u8]) -> CallResult {
    if floor::requested(payload) {
        for lookup in floor::lookups(payload) {
            let (operation, request) = lookup.host_call();
            // Answers and failures alike are ignored: the floor pays for the call, not the reading.
            let _ = host_call("kubewarden", "kubernetes", operation, &request);
        }
    }
    Ok(ACCEPT.to_vec())
}

fn validate_settings(_payload: &[u8]) -> CallResult {
    Ok(SETTINGS_VALID.to_vec())
}

fn protocol_version(_payload: &[u8]) -> CallResult {
    Ok(PROTOCOL_VERSION.to_vec())
}
