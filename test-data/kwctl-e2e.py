#!/usr/bin/env python3
"""Runs every scenario of scenarios.yml through a real `kwctl run` (make e2e-kwctl).

The same table runs through the project's own host in `make test`; this proves the files are
accepted by kwctl as they are. Usage: KWCTL=kwctl test-data/kwctl-e2e.py [annotated-policy.wasm]
"""

import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def rule_ids(findings):
    return sorted({f.split(": ", 1)[0] for f in findings if ": " in f})


def main():
    kwctl = os.environ.get("KWCTL", "kwctl")
    policy = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "annotated-policy.wasm")
    with open(os.path.join(HERE, "scenarios.yml")) as f:
        scenarios = yaml.safe_load(f)
    failed = 0
    for sc in scenarios:
        name = sc["name"]
        cmd = [kwctl, "run", "-r", os.path.join(HERE, "requests", f"{name}.json")]
        if sc.get("settings"):
            cmd += ["-s", os.path.join(HERE, "settings", sc["settings"])]
        replay = os.path.join(HERE, "replay", f"{name}.yml")
        # Context-aware calls only with the recorded answers: without a replay file, kwctl given
        # --allow-context-aware builds a Kubernetes client and stops for want of a kubeconfig
        # ("failed to read kubeconfig"); a scenario without one makes no look-up.
        if os.path.exists(replay):
            cmd += ["--allow-context-aware", "--replay-host-capabilities-interactions", replay]
        cmd.append(policy)
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "RUST_BACKTRACE": "0"})
        problems = []
        if out.returncode != 0:
            problems.append(f"exit {out.returncode}: {out.stderr.strip()[-300:]}")
        else:
            resp = json.loads(out.stdout.strip().splitlines()[-1])
            exp = sc["expect"]
            message = (resp.get("status") or {}).get("message") or ""
            if resp["allowed"] != exp["allowed"]:
                problems.append(f"allowed {resp['allowed']}")
            if rule_ids(message.split("; ") if message else []) != sorted(exp.get("rejects", [])):
                problems.append(f"message {message!r}")
            if rule_ids(resp.get("warnings") or []) != sorted(exp.get("warns", [])):
                problems.append(f"warnings {resp.get('warnings')!r}")
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {name}" + ("" if not problems else ": " + "; ".join(problems)))
        failed += bool(problems)
    print(f"{len(scenarios) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
