//! kwctl's replay sessions as a look-up contract for native tests: the policy's requests must
//! match the recorded ones in order, and the recorded answers are read as the host's would be.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource, classify_host_error};

/// kwctl's replay format: a FIFO of exchanges whose recorded request must match the policy's.
pub struct Replay {
    pub exchanges: RefCell<VecDeque<serde_yaml_ng::Value>>,
    pub log: RefCell<Vec<String>>,
}

impl Replay {
    pub fn load(path: Option<std::path::PathBuf>) -> Self {
        let exchanges = match path {
            Some(p) => serde_yaml_ng::from_str(&std::fs::read_to_string(p).unwrap()).unwrap(),
            None => VecDeque::new(),
        };
        Replay { exchanges: RefCell::new(exchanges), log: RefCell::default() }
    }

    fn next(&self, tag: &str, actual: Value) -> Result<Option<String>, String> {
        let exchange = self.exchanges.borrow_mut().pop_front();
        let Some(exchange) = exchange else {
            self.log.borrow_mut().push(format!("unexpected {tag} {actual}"));
            return Err("the list of recorded responses is empty".into());
        };
        let text = exchange["request"].as_str().unwrap();
        let (recorded_tag, body) = text.split_once('\n').unwrap();
        let recorded: Value =
            serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(body).unwrap()).unwrap();
        if recorded_tag.trim() != tag || recorded != actual {
            self.log.borrow_mut().push(format!("expected {recorded_tag} {recorded}, got {tag} {actual}"));
            return Err(format!("Replay error: unexpected request. Was expecting {recorded}, got {actual} instead"));
        }
        let response = &exchange["response"];
        match response["type"].as_str().unwrap() {
            "Success" => Ok(Some(response["payload"].as_str().unwrap().to_string())),
            _ => Err(response["message"].as_str().unwrap().to_string()),
        }
    }
}

impl JsonCluster for Replay {
    fn get_json(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<String> {
        let actual = serde_json::json!({"api_version": resource.api_version(), "kind": resource.kind(), "name": name, "namespace": namespace, "disable_cache": false});
        match self.next("!KubernetesGetResource", actual) {
            Ok(payload) => Ok(payload),
            Err(message) => classify_host_error(&message, resource, name).map(|()| None),
        }
    }

    fn list_json(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<String, LookupError> {
        let mut masks: Vec<&str> = field_masks.to_vec();
        masks.sort();
        let actual = serde_json::json!({"api_version": resource.api_version(), "kind": resource.kind(), "namespace": namespace,
            "label_selector": null, "field_selector": null, "field_masks": masks});
        match self.next("!KubernetesListResourceNamespace", actual) {
            Ok(payload) => Ok(payload.unwrap_or_else(|| EMPTY_LIST.to_string())),
            Err(message) => classify_host_error(&message, resource, "").map(|()| EMPTY_LIST.to_string()),
        }
    }
}

const EMPTY_LIST: &str = r#"{"items":[]}"#;
