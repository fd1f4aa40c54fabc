//! Defaults by mutation, end to end: the patch only adds, the mutated object is valid against the
//! CRDs, and evaluating it again adds nothing more. Over every mutation scenario of test-data, and
//! over many generated TempoStacks and TempoMonolithics with random settings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use serde_json::{Value, json};
use support::native_cluster::NativeCluster;
use support::{crd, scenarios};
use tempo_policy::cluster::{Cluster, NoCluster};

struct Answer {
    accepted: bool,
    rules: Vec<String>,
    mutated: Option<Value>,
}

fn evaluate(request: &Value, settings: &Value, cluster: &dyn Cluster) -> Answer {
    let payload = serde_json::to_vec(&json!({"request": request, "settings": settings})).unwrap();
    let bytes = tempo_policy::validate_with(&payload, cluster).unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let mut rules: Vec<String> = v["message"]
        .as_str()
        .map(|m| m.split("; ").map(|f| format!("reject {}", f.split(": ").next().unwrap())).collect())
        .unwrap_or_default();
    for w in v["warnings"].as_array().into_iter().flatten() {
        rules.push(format!("warn {}", w.as_str().unwrap().split(": ").next().unwrap()));
    }
    rules.sort();
    Answer {
        accepted: v["accepted"].as_bool().unwrap(),
        rules,
        mutated: v.get("mutated_object").filter(|m| !m.is_null()).cloned(),
    }
}

/// Every operation of the patch from `before` to `after` is an `add`, but for the one `replace`
/// the policy makes: a TempoStack `spec.storageSize` that is not positive, which the operator's
/// defaulter would replace too (issue 10, item 4).
fn only_adds(before: &Value, after: &Value) -> Result<(), String> {
    let patch = serde_json::to_value(json_patch::diff(before, after)).unwrap();
    let replaces_non_positive_size = |op: &Value| {
        op["op"] == "replace"
            && op["path"] == "/spec/storageSize"
            && before["kind"] == "TempoStack"
            && tempo_policy::quantity::Quantity::from_json(&before["spec"]["storageSize"])
                .is_ok_and(|q| q.is_zero() || q.is_negative())
    };
    let other: Vec<&Value> =
        patch.as_array().unwrap().iter().filter(|op| op["op"] != "add" && !replaces_non_positive_size(op)).collect();
    if other.is_empty() { Ok(()) } else { Err(format!("the patch does more than add: {other:?}")) }
}

/// Issue 10, item 13: no container of the mutated object has a limit below its request.
fn no_limit_below_request(obj: &Value) -> Result<(), String> {
    use tempo_policy::quantity::Quantity;
    let mut stack = vec![obj];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let (Some(Value::Object(limits)), Some(Value::Object(requests))) =
                    (m.get("limits"), m.get("requests"))
                {
                    for (key, limit) in limits {
                        let (Ok(l), Some(Ok(r))) =
                            (Quantity::from_json(limit), requests.get(key).map(Quantity::from_json))
                        else {
                            continue;
                        };
                        if l < r {
                            return Err(format!("limit {key} {l} below its request {r}"));
                        }
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn every_mutation_scenario_is_idempotent_and_valid() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for sc in scenarios::load() {
        if sc.expect.patch.is_none() {
            continue;
        }
        let request = sc.request_json();
        let settings = sc.settings_json();
        let first = evaluate(&request, &settings, &NativeCluster(&sc.replay()));
        let Some(mutated) = first.mutated else {
            failures.push(format!("{}: no mutated object", sc.name));
            continue;
        };
        if let Err(e) = only_adds(&request["object"], &mutated) {
            failures.push(format!("{}: {e}", sc.name));
        }
        if let Err(e) = crd::validate(&mutated) {
            failures.push(format!("{}: the mutated object is not valid against the CRD: {e}", sc.name));
        }
        let mut again = request.clone();
        again["object"] = mutated;
        let second = evaluate(&again, &settings, &NativeCluster(&sc.replay()));
        if second.mutated.is_some() || second.accepted != first.accepted || second.rules != first.rules {
            failures.push(format!(
                "{}: evaluating the mutated object changed the verdict: {:?} -> {:?}, patch again: {:?}",
                sc.name, first.rules, second.rules, second.mutated
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 5, "only {checked} mutation scenarios");
}

/// A small linear congruential generator: reproducible, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    /// One of `items`, `percent` of the time.
    fn some_of(&mut self, percent: u64, items: &[&str]) -> Option<Value> {
        if self.chance(percent) { Some(json!(self.pick(items))) } else { None }
    }
    /// `true` or `false` (`truth` percent true), `percent` of the time.
    fn some_bool(&mut self, percent: u64, truth: u64) -> Option<Value> {
        if self.chance(percent) { Some(json!(self.chance(truth))) } else { None }
    }
}

const CPUS: [&str; 5] = ["500m", "1", "2000m", "4", "16"];
const MEMORIES: [&str; 6] = ["256Mi", "1Gi", "2Gi", "4Gi", "8Gi", "64Gi"];
const SIZES: [&str; 8] = ["200M", "512Mi", "1Gi", "2Gi", "10Gi", "50Gi", "1Ti", "0"];

fn limits(r: &mut Lcg) -> Value {
    let mut m = serde_json::Map::new();
    if r.chance(60) {
        m.insert("cpu".into(), json!(r.pick(&CPUS)));
    }
    if r.chance(60) {
        m.insert("memory".into(), json!(r.pick(&MEMORIES)));
    }
    Value::Object(m)
}

/// `resources` with limits and/or requests, or nothing at all.
fn resources(r: &mut Lcg) -> Option<Value> {
    if !r.chance(30) {
        return None;
    }
    let mut m = serde_json::Map::new();
    if r.chance(70) {
        m.insert("limits".into(), limits(r));
    }
    if r.chance(30) {
        m.insert("requests".into(), limits(r));
    }
    Some(Value::Object(m))
}

fn put(obj: &mut Value, path: &[&str], value: Option<Value>) {
    let Some(value) = value else { return };
    let mut cur = obj;
    for key in &path[..path.len() - 1] {
        cur = cur.as_object_mut().unwrap().entry(key.to_string()).or_insert_with(|| json!({}));
    }
    cur.as_object_mut().unwrap().insert(path[path.len() - 1].to_string(), value);
}

fn tempostack(r: &mut Lcg) -> Value {
    let mut o = json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack",
        "metadata": {"name": "gen", "namespace": "observability"},
        "spec": {"storage": {"secret": {"name": "minio", "type": "s3"}}}});
    let size = r.some_of(40, &SIZES);
    put(&mut o, &["spec", "storageSize"], size);
    let profile = r.some_of(20, &["1x.demo", "1x.pico", "1x.small", "1x.medium"]);
    put(&mut o, &["spec", "size"], profile);
    if r.chance(50) {
        let mut total = serde_json::Map::new();
        if r.chance(80) {
            total.insert("limits".into(), limits(r));
        }
        if r.chance(20) {
            total.insert("requests".into(), limits(r));
        }
        put(&mut o, &["spec", "resources", "total"], Some(Value::Object(total)));
    }
    for path in [
        &["spec", "template", "distributor", "component", "resources"][..],
        &["spec", "template", "ingester", "resources"],
        &["spec", "template", "querier", "resources"],
        &["spec", "template", "compactor", "resources"],
        &["spec", "template", "queryFrontend", "component", "resources"],
        &["spec", "template", "queryFrontend", "jaegerQuery", "resources"],
        &["spec", "template", "gateway", "component", "resources"],
    ] {
        let res = resources(r);
        put(&mut o, path, res);
    }
    let ui = r.some_bool(40, 70);
    put(&mut o, &["spec", "template", "queryFrontend", "jaegerQuery", "enabled"], ui);
    let gw = r.some_bool(20, 50);
    put(&mut o, &["spec", "template", "gateway", "enabled"], gw);
    o
}

fn monolithic(r: &mut Lcg) -> Value {
    let mut o = json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoMonolithic",
        "metadata": {"name": "gen", "namespace": "observability"}, "spec": {}});
    if r.chance(80) {
        let mut traces = json!({"backend": r.pick(&["memory", "pv", "s3"])});
        if traces["backend"] == "s3" {
            traces["s3"] = json!({"secret": "s3-secret"});
        }
        if r.chance(40) {
            traces["size"] = json!(r.pick(&SIZES));
        }
        o["spec"]["storage"] = json!({"traces": traces});
    }
    let res = match resources(r) {
        Some(res) => Some(res),
        None if r.chance(30) => Some(json!({"limits": limits(r)})),
        None => None,
    };
    put(&mut o, &["spec", "resources"], res);
    o
}

fn settings(r: &mut Lcg) -> Value {
    let mut s = json!({});
    if r.chance(40) {
        s["resources"] = json!({"requireLimits": r.chance(50)});
    }
    if r.chance(60) {
        let cpu = r.some_of(70, &["1", "2"]);
        let memory = r.some_of(70, &["1Gi", "4Gi"]);
        put(&mut s, &["resources", "defaultLimits", "cpu"], cpu);
        put(&mut s, &["resources", "defaultLimits", "memory"], memory);
    }
    if r.chance(30) {
        put(&mut s, &["resources", "maxLimits"], Some(json!({"cpu": "8", "memory": "32Gi"})));
    }
    if r.chance(60) {
        put(&mut s, &["storageSize", "default"], Some(json!(r.pick(&["1Gi", "5Gi", "10Gi"]))));
    }
    if r.chance(30) {
        put(&mut s, &["storageSize", "min"], Some(json!("1Gi")));
        put(&mut s, &["storageSize", "max"], Some(json!("500Gi")));
    }
    s
}

/// `obj` as an API server sends it after `kubectl apply`: with the managedFields entry of the
/// fields applied, and the status the operator wrote. The policy reads neither; a mutated object
/// must still carry both, or the host's patch would remove them.
fn as_applied(obj: &mut Value) {
    fn fields(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut out = serde_json::Map::from_iter([(".".to_owned(), json!({}))]);
                out.extend(m.iter().map(|(k, v)| (format!("f:{k}"), fields(v))));
                Value::Object(out)
            }
            _ => json!({}),
        }
    }
    obj["metadata"]["managedFields"] = json!([{"apiVersion": "tempo.grafana.com/v1alpha1",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": fields(&obj["spec"])},
        "manager": "kubectl-client-side-apply", "operation": "Update", "time": "2026-12-04T09:12:41Z"}]);
    obj["status"] = json!({"tempoVersion": "2.10.8", "conditions": [{"type": "Ready", "status": "True",
        "reason": "Ready", "message": "All components are operational", "lastTransitionTime": "2026-12-04T09:13:02Z"}]});
}

fn request(obj: &Value, old: Option<&Value>) -> Value {
    let kind = obj["kind"].as_str().unwrap();
    let resource = if kind == "TempoStack" { "tempostacks" } else { "tempomonolithics" };
    let mut req = json!({"uid": "gen", "kind": {"group": "tempo.grafana.com", "version": "v1alpha1", "kind": kind},
        "resource": {"group": "tempo.grafana.com", "version": "v1alpha1", "resource": resource},
        "name": "gen", "namespace": "observability", "operation": "CREATE", "object": obj});
    if let Some(old) = old {
        req["operation"] = json!("UPDATE");
        req["oldObject"] = old.clone();
    }
    req
}

#[test]
fn generated_crs_mutate_idempotently_and_validly() {
    let mut r = Lcg(0x5eed_7e39_0000_0005);
    // Its own sequence, so that the objects of the first stay as they were.
    let mut applied = Lcg(0x5eed_7e39_0000_0006);
    let (mut mutated_count, mut rejected_count, mut crd_checked, mut applied_mutated) = (0, 0, 0, 0);
    for i in 0..1500 {
        let mut obj = if r.chance(50) { tempostack(&mut r) } else { monolithic(&mut r) };
        let is_applied = applied.chance(30);
        if is_applied {
            as_applied(&mut obj);
        }
        let old = if r.chance(25) {
            let mut old = if obj["kind"] == "TempoStack" { tempostack(&mut r) } else { monolithic(&mut r) };
            old["spec"]["storage"] = obj["spec"]["storage"].clone();
            if old["spec"]["storage"].is_null() {
                old["spec"].as_object_mut().unwrap().remove("storage");
            }
            Some(old)
        } else {
            None
        };
        let settings = settings(&mut r);
        let parsed = tempo_policy::parse_settings(&serde_json::to_vec(&settings).unwrap()).unwrap();
        if parsed.validate().is_err() {
            continue; // e.g. a default above a maximum: the policy would not start.
        }
        let req = request(&obj, old.as_ref());
        let first = evaluate(&req, &settings, &NoCluster);
        let case = format!("case {i}: {obj}\nold: {old:?}\nsettings: {settings}");
        let Some(mutated) = first.mutated else {
            if !first.accepted {
                rejected_count += 1;
            }
            continue;
        };
        mutated_count += 1;
        applied_mutated += usize::from(is_applied);
        assert!(first.accepted, "a rejected request was mutated: {case}");
        assert!(
            settings.get("storageSize").is_some() || settings["resources"].get("defaultLimits").is_some(),
            "{case}"
        );
        only_adds(&obj, &mutated).unwrap_or_else(|e| panic!("{e}: {case}"));
        // A limit below a request the user wrote is the harmful mutation; one the user wrote
        // themselves is theirs.
        if no_limit_below_request(&obj).is_ok() {
            no_limit_below_request(&mutated).unwrap_or_else(|e| panic!("{e}: {case}\nmutated: {mutated}"));
        }
        // Compiling the CRD schema is slow in debug builds: a sample is enough.
        if crd_checked < 100 && crd::validate(&obj) == Ok(true) {
            assert_eq!(crd::validate(&mutated), Ok(true), "{case}\nmutated: {mutated}");
            crd_checked += 1;
        }
        let second = evaluate(&request(&mutated, old.as_ref()), &settings, &NoCluster);
        assert_eq!(second.mutated, None, "not idempotent: {case}\nmutated: {mutated}");
        assert_eq!((second.accepted, &second.rules), (first.accepted, &first.rules), "{case}");
    }
    assert!(
        mutated_count > 200 && rejected_count > 50 && crd_checked >= 100 && applied_mutated > 50,
        "too few interesting cases: {mutated_count} mutated ({applied_mutated} with managedFields and status), {rejected_count} rejected, {crd_checked} checked against the CRDs"
    );
}

#[test]
fn no_defaults_no_mutation() {
    let mut r = Lcg(7);
    for _ in 0..300 {
        let obj = if r.chance(50) { tempostack(&mut r) } else { monolithic(&mut r) };
        let settings = json!({"resources": {"requireLimits": r.chance(50), "maxLimits": {"memory": "32Gi"}}, "storageSize": {"min": "1Gi"}});
        assert_eq!(evaluate(&request(&obj, None), &settings, &NoCluster).mutated, None, "{obj}");
    }
}
