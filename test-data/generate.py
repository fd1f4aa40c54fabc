#!/usr/bin/env python3
"""Writes the admission requests and kwctl replay sessions of test-data/ from scenarios.yml.

scenarios.yml is the source: each scenario names the object under review, the operation,
the settings, and the cluster look-ups the policy makes, in the order it makes them (kwctl
consumes replay files in order). The generated files are committed, so that `kwctl run` and
the project's own tests read the same bytes; `make test-data` rewrites them, and the scenario
tests fail when a replay file is not consumed exactly.

Needs PyYAML (python3 -m pip install pyyaml).
"""

import base64
import copy
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

RESOURCES = {
    "Secret": ("v1", "", "secrets", True),
    "ConfigMap": ("v1", "", "configmaps", True),
    "Namespace": ("v1", "", "namespaces", False),
    "TempoStack": ("tempo.grafana.com/v1alpha1", "tempo.grafana.com", "tempostacks", True),
    "TempoMonolithic": ("tempo.grafana.com/v1alpha1", "tempo.grafana.com", "tempomonolithics", True),
    "Pod": ("v1", "", "pods", True),
}

# What the policy asks the host to keep of each CR when it lists them (review/secret.rs).
CR_FIELD_MASKS = ["metadata.deletionTimestamp", "metadata.name", "metadata.namespace", "spec.storage"]


def load_object(path):
    with open(os.path.join(HERE, "objects", path)) as f:
        return yaml.safe_load(f)


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: what `kubectl patch --type merge` and the operator's
    client.MergeFrom send. `null` removes a field."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# Who sends the request (`user:` in scenarios.yml): the default is a GitOps controller applying a
# user's manifest; the others are the writers the policy must never wedge.
USERS = {
    "argocd": {"username": "system:serviceaccount:argocd:argocd-application-controller",
               "uid": "7d3c1b7e-2f4a-4c61-9a0e-4b2f8f1c9d10",
               "groups": ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"]},
    # The Tempo Operator (config/overlays/community: namespace tempo-operator-system, namePrefix
    # tempo-operator-, ServiceAccount controller-manager): finalizers, upgrades, status.
    "operator": {"username": "system:serviceaccount:tempo-operator-system:tempo-operator-controller-manager",
                 "uid": "5b0f2c2e-7d43-4a1e-9a55-0d2b7c1e9f10",
                 "groups": ["system:serviceaccounts", "system:serviceaccounts:tempo-operator-system",
                            "system:authenticated"]},
    # kube-controller-manager's namespace controller deleting a Terminating namespace's content.
    "namespace-controller": {"username": "system:serviceaccount:kube-system:namespace-controller",
                             "uid": "0c4e2a7b-9d1f-4e3a-8b6c-2f5d7e9a1c3b",
                             "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system",
                                        "system:authenticated"]},
}


def as_cluster_object(obj):
    """What the API server stores: stringData merged into base64 data."""
    obj = copy.deepcopy(obj)
    if obj.get("kind") == "Secret" and "stringData" in obj:
        data = obj.setdefault("data", {}) or {}
        for k, v in obj.pop("stringData").items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        obj["data"] = data
    return obj


def prune(obj, masks):
    """The host's field masks: keep only the dot paths (through lists)."""

    def keep(node, parts):
        if not parts:
            return copy.deepcopy(node)
        if isinstance(node, list):
            return [keep(item, parts) for item in node]
        if not isinstance(node, dict) or parts[0] not in node:
            return None
        return {parts[0]: keep(node[parts[0]], parts[1:])}

    def merge(a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            out = dict(a)
            for k, v in b.items():
                out[k] = merge(out[k], v) if k in out else v
            return out
        return b if a is None else a

    out = {}
    for m in masks:
        part = keep(obj, m.split("."))
        if part is not None:
            out = merge(out, part)
    return out


def storage_secret(cr):
    """The storage section naming a CR's Secret (TempoStack's, or TempoMonolithic's backend)."""
    storage = cr.get("spec", {}).get("storage", {}) or {}
    if "secret" in storage:
        return storage["secret"]
    traces = storage.get("traces", {}) or {}
    return traces.get(traces.get("backend", ""))


def cluster_objects(entries):
    """A scenario's cluster: object files, and `{copies: N, of: file}` for a namespace of many
    CRs: N copies named `<name>-001`... each reading its own Secret `<secret>-001`..."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(as_cluster_object(load_object(entry)))
            continue
        base = as_cluster_object(load_object(entry["of"]))
        for i in range(1, entry["copies"] + 1):
            obj = copy.deepcopy(base)
            obj["metadata"]["name"] = f'{obj["metadata"]["name"]}-{i:03d}'
            ref = storage_secret(obj)
            if ref and ref.get("secret" if "secret" in ref else "name"):
                key = "secret" if "secret" in ref else "name"
                ref[key] = f"{ref[key]}-{i:03d}"
            out.append(obj)
    return out


def admission_request(name, sc):
    obj = load_object(sc["object"]) if sc.get("object") else None
    old = load_object(sc["oldObject"]) if sc.get("oldObject") else None
    if obj is not None and "objectPatch" in sc:
        obj = merge_patch(obj, sc["objectPatch"])
    if old is not None and "oldObjectPatch" in sc:
        old = merge_patch(old, sc["oldObjectPatch"])
    ref = obj or old
    kind = ref["kind"]
    api_version, group, resource, namespaced = RESOURCES[kind]
    version = api_version.split("/")[-1]
    operation = sc.get("operation", "CREATE")
    meta = ref.get("metadata", {})
    namespace = sc.get("namespace", meta.get("namespace", "observability"))
    if obj is not None and not sc.get("keepStringData"):
        obj = as_cluster_object(obj)
    if old is not None:
        old = as_cluster_object(old)
    options = sc.get("options", f"{operation.capitalize()}Options")
    req = {
        "uid": f"{name}-0000-4000-8000-000000000000"[:36],
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        # DELETECOLLECTION admits each object with an empty name (`requestName: ""`).
        "name": sc.get("requestName", meta.get("name", "")),
        "operation": operation,
        "userInfo": USERS[sc.get("user", "argocd")],
        "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": options},
    }
    if sc.get("subResource"):
        req["subResource"] = sc["subResource"]
        req["requestSubResource"] = sc["subResource"]
    if options == "DeleteOptions" and sc.get("user") == "namespace-controller":
        req["options"]["propagationPolicy"] = "Background"
    if namespaced:
        req["namespace"] = namespace
    if obj is not None:
        req["object"] = obj
    if old is not None:
        req["oldObject"] = old
    return req, namespace


def exchange(lookup, namespace, cluster):
    if "get" in lookup:
        kind, name = lookup["get"].split("/", 1)
        api_version, _, _, namespaced = RESOURCES[kind]
        ns = lookup.get("namespace", namespace) if namespaced else None
        request = {"api_version": api_version, "kind": kind, "name": name, "namespace": ns,
                   "disable_cache": False}
        tag = "!KubernetesGetResource"
        found = [o for o in cluster if o["kind"] == kind and o["metadata"]["name"] == name
                 and (not namespaced or o["metadata"].get("namespace", namespace) == ns)]
        payload = json.dumps(found[0], separators=(",", ":")) if found else None
        # policy-evaluator's answer for a missing object (callback_handler/kubernetes/client.rs,
        # `get_opt`), the namespace in Rust's Debug form.
        ns_debug = f'Some("{ns}")' if ns is not None else "None"
        not_found = f"Cannot find {api_version}/{kind} named '{name}' inside of namespace '{ns_debug}'"
    else:
        kind = lookup["list"]
        api_version = RESOURCES[kind][0]
        ns = lookup.get("namespace", namespace)
        request = {"api_version": api_version, "kind": kind, "namespace": ns,
                   "label_selector": None, "field_selector": None, "field_masks": CR_FIELD_MASKS}
        tag = "!KubernetesListResourceNamespace"
        items = [prune(o, CR_FIELD_MASKS) for o in cluster
                 if o["kind"] == kind and o["metadata"].get("namespace", namespace) == ns]
        payload = json.dumps({"apiVersion": api_version, "kind": f"{kind}List", "metadata": {},
                              "items": items}, separators=(",", ":"))
        not_found = None
    text = tag + "\n" + yaml.safe_dump(request, sort_keys=False, default_flow_style=False)
    if "error" in lookup:
        response = {"type": "Error", "message": lookup["error"]}
    elif payload is None:
        response = {"type": "Error", "message": not_found}
    else:
        response = {"type": "Success", "payload": payload}
    return {"type": "Exchange", "request": text, "response": response}


class Literal(str):
    pass


def literal_presenter(dumper, data):
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")


yaml.add_representer(Literal, literal_presenter)


def main():
    with open(os.path.join(HERE, "scenarios.yml")) as f:
        scenarios = yaml.safe_load(f)
    written = 0
    for sc in scenarios:
        name = sc["name"]
        if sc.get("handwritten"):
            continue
        req, namespace = admission_request(name, sc)
        with open(os.path.join(HERE, "requests", f"{name}.json"), "w") as f:
            json.dump(req, f, indent=2)
            f.write("\n")
        written += 1
        lookups = sc.get("lookups") or []
        replay_path = os.path.join(HERE, "replay", f"{name}.yml")
        if lookups:
            cluster = cluster_objects(sc.get("cluster", []))
            session = [exchange(l, namespace, cluster) for l in lookups]
            for e in session:
                e["request"] = Literal(e["request"])
            with open(replay_path, "w") as f:
                f.write(f"# Replay session for scenario {name}: generated by test-data/generate.py\n")
                yaml.dump(session, f, sort_keys=False, width=1 << 20)
        elif os.path.exists(replay_path):
            os.remove(replay_path)
    print(f"wrote {written} requests", file=sys.stderr)


if __name__ == "__main__":
    main()
