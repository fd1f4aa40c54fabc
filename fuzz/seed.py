#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from test-data (fuzz/corpus/<target>/, not committed).

validate_bytes: every test-data request as a `validate` payload, with each settings file.
validate_settings: every settings file as JSON, plus the full example of the spec.
validate_request: the request files too (the target reads its input as choices, so these are
just varied starting bytes), plus a few fixed byte patterns.
"""

import glob
import hashlib
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.path.join(HERE, "..", "test-data")

FULL_SETTINGS = {
    "production": {"namespaces": ["^prod-", "-prod$"], "namespaceLabels": {"environment": "production"},
                   "staticCredentialsAllowedFor": ["^http://minio\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?(:\\d+)?$"],
                   "allowInsecureEndpoints": False},
    "storage": {"allowedRegions": ["eu-west-1", "eu-central-1"], "bucketRegions": {"tempo-traces-prod": "eu-west-1"},
                "allowedEndpoints": [], "bucketNamePattern": "^tempo-", "requireSecret": False, "protectSecrets": True},
    "storageSecretSelector": {"matchLabels": {"app.kubernetes.io/part-of": "tempo"}},
    "resources": {"requireLimits": True, "maxLimits": {"cpu": "8", "memory": "32Gi"},
                  "defaultLimits": {"cpu": "2", "memory": "4Gi"}},
    "storageSize": {"default": "10Gi", "min": "1Gi", "max": "500Gi"},
}


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    settings = [{}, FULL_SETTINGS]
    for path in sorted(glob.glob(os.path.join(TEST_DATA, "settings", "*"))):
        with open(path) as f:
            settings.append(yaml.safe_load(f) or {})
    for s in settings:
        write("validate_settings", json.dumps(s).encode())
    for path in sorted(glob.glob(os.path.join(TEST_DATA, "requests", "*.json"))):
        with open(path, "rb") as f:
            raw = f.read()
        request = json.loads(raw)
        for s in settings:
            write("validate_bytes", json.dumps({"request": request, "settings": s}, separators=(",", ":")).encode())
        write("validate_request", raw)
    for pattern in [b"", b"\x00" * 64, b"\xff" * 64, bytes(range(256))]:
        write("validate_request", pattern)


if __name__ == "__main__":
    main()
