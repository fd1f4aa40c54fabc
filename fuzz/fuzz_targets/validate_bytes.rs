//! Arbitrary bytes into `validate`: every answer is `Ok` with JSON the host can parse, or a
//! clean `Err`, never a panic. The cluster answers every look-up after the input's last byte
//! (found, not found, not granted, failed), so that inputs that parse also reach the look-up paths.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource};

/// How an oracle reports a failure: libFuzzer sees one only as a panic (the one place a fuzz
/// target may panic; the lints deny it everywhere else).
#[allow(clippy::panic)]
fn failed(what: String) -> ! {
    panic!("{what}")
}

/// Answers chosen by one byte of the input; found objects are the payload's own object, so that
/// whatever the fuzzer builds is read once as a request and once as a look-up answer.
struct ByteCluster<'a> {
    choice: u8,
    object: &'a str,
}

impl JsonCluster for ByteCluster<'_> {
    fn get_json(&self, _: Resource, _: Option<&str>, _: &str) -> Lookup<String> {
        match self.choice % 4 {
            0 => Ok(Some(self.object.to_string())),
            1 => Ok(None),
            2 => Err(LookupError::NotGranted("not granted".into())),
            _ => Err(LookupError::Failed("connection refused".into())),
        }
    }

    fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
        match self.choice % 4 {
            0 => Ok(format!(r#"{{"items":[{}]}}"#, self.object)),
            1 => Ok(r#"{"items":[]}"#.to_string()),
            2 => Err(LookupError::NotGranted("not granted".into())),
            _ => Err(LookupError::Failed("connection refused".into())),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let choice = data.last().copied().unwrap_or(0);
    // The object the payload carries, if any, doubles as the cluster's answer.
    let object = serde_json::from_slice::<Value>(data)
        .ok()
        .and_then(|v| v.pointer("/request/object").map(Value::to_string))
        .unwrap_or_default();
    let cluster = ByteCluster { choice, object: &object };
    // The host parses the answer with serde_json's default limits: it must parse.
    if let Ok(out) = tempo_policy::validate_with(data, &cluster)
        && let Err(e) = serde_json::from_slice::<Value>(&out)
    {
        failed(format!("the response does not parse: {e}"));
    }
});
