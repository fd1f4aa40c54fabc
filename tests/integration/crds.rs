//! Test objects and shipped manifests are real objects: valid against the upstream CRDs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::support;

use support::crd;

/// Objects that are broken on purpose say so in their first line.
const INVALID_MARKER: &str = "Not valid against the CRD on purpose";

fn yaml_docs(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde_json::to_value(<serde_yaml_ng::Value as serde::Deserialize>::deserialize(d).unwrap()).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn test_objects_are_valid_against_the_tempo_crds() {
    let dir = support::scenarios::test_data().join("objects");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let meant_invalid = text.lines().next().is_some_and(|l| l.contains(INVALID_MARKER));
        for doc in yaml_docs(&path) {
            match (crd::validate(&doc), meant_invalid) {
                (Ok(true), false) => checked += 1,
                (Ok(true), true) => failures.push(format!("{}: marked invalid but validates", path.display())),
                (Err(e), false) => failures.push(format!("{}: {e}", path.display())),
                (Err(_), true) | (Ok(false), _) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} CR objects checked");
}

#[test]
fn shipped_policies_are_valid_cluster_admission_policies() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        for doc in yaml_docs(&path) {
            assert_eq!(crd::validate(&doc), Ok(true), "{}", path.display());
            names.push(doc["metadata"]["name"].as_str().unwrap().to_string());
            // The settings they carry are valid settings.
            let settings = serde_json::to_vec(&doc["spec"]["settings"]).unwrap();
            let parsed = tempo_policy::parse_settings(&settings).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(parsed.validate(), Ok(()), "{}", path.display());
        }
    }
    names.sort();
    assert_eq!(names, ["tempo-storage-baseline", "tempo-storage-monitor", "tempo-storage-production"]);
}

#[test]
fn a_broken_object_is_caught() {
    let obj = serde_json::json!({"apiVersion": "tempo.grafana.com/v1alpha1", "kind": "TempoStack", "metadata": {"name": "x"},
        "spec": {"storage": {"secret": {"name": "s", "type": "minio"}}}});
    assert!(crd::validate(&obj).is_err());
}

// `make crds` (scripts/crds.sh) and the message of a test that finds no CRD.

mod fetch {
    use super::support::crd;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    /// sha256 of "hello\n".
    const HELLO_SHA256: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    fn scratch(name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crds-fetch").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Runs the script on a lock naming one file, `a.yaml`, pinned at "hello\n" and fetched from `url`.
    fn run(dir: &Path, url: &str, source_dir: Option<&Path>) -> Output {
        let lock = dir.join("crds.lock");
        std::fs::write(&lock, format!("# a comment\n\na.yaml  {HELLO_SHA256}  {url}\n")).unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/crds.sh"))
            .arg(&lock)
            .env("TEMPO_POLICY_CRDS_CACHE", dir.join("cache"))
            .env_remove("TEMPO_POLICY_CRDS_DIR");
        if let Some(source) = source_dir {
            cmd.env("TEMPO_POLICY_CRDS_DIR", source);
        }
        cmd.output().unwrap()
    }

    fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    const NO_NETWORK: &str = "https://tempo-policy.invalid/a.yaml";

    #[test]
    fn local_folder_is_used_and_checked() {
        let dir = scratch("local");
        std::fs::create_dir_all(dir.join("shared")).unwrap();
        std::fs::write(dir.join("shared/a.yaml"), "hello\n").unwrap();
        let o = run(&dir, NO_NETWORK, Some(&dir.join("shared")));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(dir.join("cache/a.yaml")).unwrap(), "hello\n");
        // Once cached and intact, neither the folder nor the network is needed.
        std::fs::remove_dir_all(dir.join("shared")).unwrap();
        let o = run(&dir, NO_NETWORK, None);
        assert!(o.status.success(), "{}", stderr(&o));
    }

    #[test]
    fn a_file_with_another_checksum_is_refused_and_not_cached() {
        let dir = scratch("mismatch");
        std::fs::create_dir_all(dir.join("shared")).unwrap();
        std::fs::write(dir.join("shared/a.yaml"), "hello, world\n").unwrap();
        let o = run(&dir, NO_NETWORK, Some(&dir.join("shared")));
        assert!(!o.status.success());
        assert!(stderr(&o).contains(&format!("crds.lock pins {HELLO_SHA256}: not using it")), "{}", stderr(&o));
        assert!(!dir.join("cache/a.yaml").exists());
        // A cached file that no longer matches is replaced, never trusted.
        std::fs::write(dir.join("cache/a.yaml"), "tampered\n").unwrap();
        std::fs::write(dir.join("shared/a.yaml"), "hello\n").unwrap();
        let o = run(&dir, NO_NETWORK, Some(&dir.join("shared")));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(dir.join("cache/a.yaml")).unwrap(), "hello\n");
    }

    #[test]
    fn a_missing_local_file_says_so() {
        let dir = scratch("missing");
        std::fs::create_dir_all(dir.join("shared")).unwrap();
        let o = run(&dir, NO_NETWORK, Some(&dir.join("shared")));
        assert!(!o.status.success());
        assert!(stderr(&o).contains("a.yaml is missing (TEMPO_POLICY_CRDS_DIR="), "{}", stderr(&o));
    }

    #[test]
    fn without_a_local_folder_the_pinned_url_is_fetched() {
        // curl reads file:// URLs as it reads https:// ones: this runs the fetch path offline.
        let dir = scratch("url");
        std::fs::create_dir_all(dir.join("upstream")).unwrap();
        std::fs::write(dir.join("upstream/a.yaml"), "hello\n").unwrap();
        let o = run(&dir, &format!("file://{}", dir.join("upstream/a.yaml").display()), None);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(dir.join("cache/a.yaml")).unwrap(), "hello\n");

        let dir = scratch("url-unreachable");
        let o = run(&dir, &format!("file://{}", dir.join("nowhere.yaml").display()), None);
        assert!(!o.status.success());
        assert!(stderr(&o).contains("without network, set TEMPO_POLICY_CRDS_DIR"), "{}", stderr(&o));
    }

    #[test]
    fn the_lock_pins_every_crd_at_a_release_tag() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/crds.lock")).unwrap();
        let rows: Vec<Vec<&str>> = lock
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().collect())
            .collect();
        let files: Vec<&str> = rows.iter().map(|r| r[0]).collect();
        for kind in ["TempoStack", "TempoMonolithic", "ClusterAdmissionPolicy", "AdmissionPolicy"] {
            let file = crd::crd_file(kind).unwrap();
            assert!(files.contains(&file), "crds.lock lacks {file}");
        }
        for row in &rows {
            assert_eq!(row.len(), 3, "{row:?}");
            assert!(row[1].len() == 64 && row[1].chars().all(|c| c.is_ascii_hexdigit()), "{row:?}");
            assert!(row[2].starts_with("https://raw.githubusercontent.com/") && row[2].ends_with(row[0]), "{row:?}");
            let tag =
                if row[0].starts_with("tempo.") { "/grafana/tempo-operator/v0.22.0/" } else { "/v1.36.0-beta.1/" };
            assert!(row[2].contains(tag), "{row:?}");
        }
    }

    #[test]
    fn a_test_without_crds_says_how_to_get_them() {
        let dir = scratch("empty");
        let message = crd::crd_path_in(&dir, "tempo.grafana.com_tempostacks.yaml").unwrap_err();
        assert!(message.contains("tempo.grafana.com_tempostacks.yaml is not in"), "{message}");
        assert!(message.contains("run `make crds`"), "{message}");
        assert!(message.contains("TEMPO_POLICY_CRDS_DIR"), "{message}");
    }
}
