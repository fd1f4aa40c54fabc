"""Hand classification of the types that go.yaml.in/yaml/v2 does not decode
field by field: types with a yaml.v2 UnmarshalYAML (func(interface{}) error)
method, types with encoding.TextUnmarshaler (used by yaml.v2 for scalars only),
and standard-library types (no source here).

Each entry was reviewed by reading the method at the tag named in the
generated TSV header. `fp` is a fingerprint of the method's tokens
(goparse.Method.fingerprint); generate.py warns when it no longer matches,
so a rerun on another tag flags methods that changed and need a new review.

Types (the second TSV column):
  string, bool, int, uint, float  - plain scalars (see REPORT.md for the yaml.v2 rules)
  duration        - time.Duration: string for time.ParseDuration ("1h30m", "500ms"), or an integer = nanoseconds
  model-duration  - prometheus common/model.Duration: string "0" or <int><unit>... with units y w d h m s ms,
                    biggest first ("1d12h", "2w"); no sign, no fraction, no plain number except "0"
  bytes           - dskit flagext.Bytes: string with a base-2 unit (B, KB, KiB, MB, MiB, GB, GiB, ...; "0" alone ok),
                    decimals allowed ("1.5MiB"); a plain number other than 0 is rejected
  secret          - a scalar decoded into a string and kept secret (credential)
  csv             - flagext.StringSliceCSV: one scalar string, comma separated; a YAML list is rejected
  csv-or-list     - flagext.StringSliceCSVMulti: a comma separated string or a list of strings
  enum:a|b|c      - scalar string that must be one of the values (exact match)
  enum-ci:a|b|c   - same, case-insensitive
  timestamp       - time.Time: YAML timestamp (2006-01-02, 2006-01-02T15:04:05Z, ...) or an RFC 3339 string
  url             - a string parsed with net/url.Parse
  regexp          - a string compiled as a regular expression
  any             - not judged
Special handling kinds (not written to the TSV):
  walk            - the method decodes into the plain struct (after setting defaults / before validating):
                    walk the struct's fields as usual
  union           - the method accepts several alternative shapes; the TSV holds the union of their keys
"""

CUSTOM = {
    # ---------------------------------------------------------------- dskit
    "github.com/grafana/dskit/flagext.Secret": {
        "type": "secret", "fp": "38b938c5f1d4",
        "why": "UnmarshalYAML decodes into a string, then Set(s): any scalar"},
    "github.com/grafana/dskit/flagext.Bytes": {
        "type": "bytes", "fp": "d1f2c4008513",
        "why": "UnmarshalYAML decodes into a string, then units.ParseBase2Bytes (unit required, except \"0\")"},
    "github.com/grafana/dskit/flagext.StringSliceCSV": {
        "type": "csv", "fp": "38b938c5f1d4",
        "why": "UnmarshalYAML decodes into a string and splits on commas; a list fails"},
    "github.com/grafana/dskit/flagext.StringSliceCSVMulti": {
        "type": "csv-or-list", "fp": "7b274d86f955",
        "why": "UnmarshalYAML tries a string (split on commas), then a []string"},
    "github.com/grafana/dskit/log.Level": {
        "type": "enum:debug|info|warn|error", "fp": "289d6417a1fe",
        "why": "UnmarshalYAML decodes into a string, Set() accepts debug, info, warn, error"},
    # ---------------------------------------------------------------- tempo
    "github.com/grafana/tempo/tempodb/backend.Encoding": {
        "type": "enum-ci:none|gzip|lz4-64k|lz4-256k|lz4-1M|lz4|snappy|zstd|s2", "fp": "b0fd310f641d",
        "why": "UnmarshalYAML decodes into a string, ParseEncoding compares with strings.EqualFold"},
    "github.com/grafana/tempo/modules/overrides.Config": {
        "type": "union", "fp": "0cd688d60fc8",
        "why": "UnmarshalYAML first tries the plain Config (new format: defaults, per_tenant_override_config, "
               "per_tenant_override_period, user_configurable_overrides); if that fails it retries a local "
               "legacyConfig{LegacyOverrides ,inline; per_tenant_override_config; per_tenant_override_period; "
               "user_configurable_overrides}. A mix of new and legacy keys fails both.",
        "members": [
            {"name": "new", "parts": [["github.com/grafana/tempo/modules/overrides", "Config", None]]},
            {"name": "legacy", "parts": [
                ["github.com/grafana/tempo/modules/overrides", "LegacyOverrides", None],
                ["github.com/grafana/tempo/modules/overrides", "Config",
                 ["per_tenant_override_config", "per_tenant_override_period", "user_configurable_overrides"]]]},
        ]},
    # ---------------------------------------------------------------- prometheus
    "github.com/prometheus/common/model.Duration": {
        "type": "model-duration", "fp": "f0e7108ec350",
        "why": "UnmarshalYAML decodes into a string, then model.ParseDuration"},
    "github.com/prometheus/common/config.Secret": {
        "type": "secret", "fp": "952a92f0e65e",
        "why": "UnmarshalYAML decodes into the plain string type"},
    "github.com/prometheus/prometheus/config.RemoteWriteConfig": {
        "type": "walk", "fp": "131520ed23ad",
        "why": "UnmarshalYAML sets defaults, decodes the plain struct, then validates (url required, "
               "at most one auth method, valid headers / protobuf_message)"},
    "github.com/prometheus/prometheus/model/relabel.Config": {
        "type": "walk", "fp": "1f1e15f636e7",
        "why": "UnmarshalYAML sets DefaultRelabelConfig, decodes the plain struct; empty regex replaced"},
    "github.com/prometheus/sigv4.SigV4Config": {
        "type": "walk", "fp": "e0aae8fb0dfa",
        "why": "UnmarshalYAML decodes the plain struct then Validate (access_key and secret_key together; external_id needs role_arn)"},
    "github.com/prometheus/prometheus/storage/remote/azuread.AzureADConfig": {
        "type": "walk", "fp": "8ae6ae2cd29b",
        "why": "UnmarshalYAML decodes the plain struct then Validate (cloud, exactly one auth method...)"},
    "github.com/prometheus/common/config.TLSConfig": {
        "type": "walk", "fp": "fbdd40ff0e35",
        "why": "UnmarshalYAML decodes the plain struct then Validate (at most one of ca/ca_file/ca_ref, cert+key pairs)"},
    "github.com/prometheus/common/config.OAuth2": {
        "type": "walk", "fp": "2ea12d9f39f6",
        "why": "UnmarshalYAML decodes the plain struct then Validate"},
    "github.com/prometheus/common/config.BasicAuth": {
        "type": "walk", "fp": "3f644be73fd2",
        "why": "UnmarshalYAML decodes the plain struct"},
    "github.com/prometheus/common/config.URL": {
        "type": "url", "fp": "343f144f7a78",
        "why": "UnmarshalYAML decodes into a string, then net/url.Parse"},
    "github.com/grafana/tempo/pkg/util/listtomap.ListToMap": {
        "type": "list-of-string", "fp": "a14ef298e804",
        "why": "UnmarshalYAML decodes into []string (a YAML list of scalars); a mapping or a scalar fails"},
    "github.com/prometheus/common/config.TLSVersion": {
        "type": "enum:TLS13|TLS12|TLS11|TLS10", "fp": "8fe98e4271af",
        "why": "UnmarshalYAML decodes into a string and looks it up in TLSVersions"},
    "github.com/prometheus/prometheus/model/relabel.Regexp": {
        "type": "regexp", "fp": "d6bd69986b4b",
        "why": "UnmarshalYAML decodes into a string, compiled anchored with regexp.Compile"},
    "github.com/prometheus/prometheus/model/relabel.Action": {
        "type": "enum-ci:replace|keep|drop|keepequal|dropequal|hashmod|labelmap|labeldrop|labelkeep|lowercase|uppercase",
        "fp": "028c05eca0bb",
        "why": "UnmarshalYAML decodes into a string, lower-cases it and checks the known actions"},
    "github.com/prometheus/common/model.LabelName": {
        "type": "string", "fp": "de4c5a069ee1",
        "why": "UnmarshalYAML decodes into a string and checks it is a valid label name (UTF-8 by default)"},
}

STDLIB = {
    "time.Duration": {
        "type": "duration",
        "why": "yaml.v2 decode.go special case: a string goes through time.ParseDuration, an integer is nanoseconds"},
    "time.Time": {
        "type": "timestamp",
        "why": "yaml.v2 resolves unquoted timestamps to time.Time; other strings go to time.Time.UnmarshalText (RFC 3339)"},
}
