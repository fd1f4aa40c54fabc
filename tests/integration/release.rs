//! What a release publishes is named in one place: the version, registry path and owner in
//! metadata.yml, the version again in the crates (`tempo-policy --version` and the CLI binaries
//! carry it). Everything else that names the release is checked against them here, so a tag
//! cannot ship manifests, an Artifact Hub package or docs that point at another version or
//! registry. `make release-check` and the release workflow run this file first, with
//! `RELEASE_TAG` (the tag being released), `RELEASE_OWNER` (the GitHub owner the workflow pushes
//! for) and `ARTIFACTHUB_SCAFFOLD` (a file `kwctl scaffold artifacthub` wrote) when they have them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_yaml_ng::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    serde_yaml_ng::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    let mut v = value;
    for key in path {
        v = v.get(*key).unwrap_or_else(|| panic!("missing {}", path.join(".")));
    }
    v.as_str().unwrap_or_else(|| panic!("{} is not a string", path.join(".")))
}

/// The release as metadata.yml names it.
struct Release {
    version: String,
    title: String,
    /// `ghcr.io/<owner>/policies/<title>`, without a tag.
    oci_url: String,
    owner: String,
    /// `https://github.com/<owner>/<repository>`.
    source: String,
    metadata: Value,
}

impl Release {
    fn load() -> Self {
        let metadata = yaml("metadata.yml");
        let annotation = |key: &str| str_at(&metadata, &["annotations", key]).to_owned();
        let oci_url = annotation("io.kubewarden.policy.ociUrl");
        let owner = oci_url
            .strip_prefix("ghcr.io/")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("ociUrl {oci_url} is not on ghcr.io, where the release workflow pushes"))
            .to_owned();
        Release {
            version: annotation("io.kubewarden.policy.version"),
            title: annotation("io.kubewarden.policy.title"),
            source: annotation("io.kubewarden.policy.source"),
            oci_url,
            owner,
            metadata,
        }
    }

    fn tag(&self) -> String {
        format!("v{}", self.version)
    }

    fn image(&self) -> String {
        format!("{}:{}", self.oci_url, self.tag())
    }
}

fn cargo_version(manifest: &str) -> String {
    let value: toml::Table = toml::from_str(&read(manifest)).unwrap();
    value["package"]["version"].as_str().unwrap().to_owned()
}

#[test]
fn version_is_the_same_in_metadata_and_both_crates() {
    let release = Release::load();
    let semver = Regex::new(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$").unwrap();
    assert!(semver.is_match(&release.version), "io.kubewarden.policy.version {:?} is not semver", release.version);
    assert_eq!(cargo_version("Cargo.toml"), release.version, "Cargo.toml version vs metadata.yml");
    assert_eq!(cargo_version("cli/Cargo.toml"), release.version, "cli/Cargo.toml version vs metadata.yml");
    assert_eq!(env!("CARGO_PKG_VERSION"), release.version);
}

/// Whether `tag` is the tag of `release`: `v` and the version metadata.yml names.
fn tag_problem(tag: &str, release: &Release) -> Option<String> {
    (tag != release.tag()).then(|| {
        format!(
            "tag {tag} does not match io.kubewarden.policy.version {} in metadata.yml (and the crate versions)",
            release.version
        )
    })
}

#[test]
fn only_the_metadata_version_is_a_release_tag() {
    let release = Release::load();
    assert_eq!(tag_problem(&format!("v{}", release.version), &release), None);
    for wrong in [release.version.clone(), format!("v{}.1", release.version), "v0.0.0-dev".to_string(), String::new()] {
        let problem =
            tag_problem(&wrong, &release).unwrap_or_else(|| panic!("{wrong:?} was taken for the release tag"));
        assert!(problem.contains(&release.version), "{problem}");
    }
}

/// The tag being released (`github.ref_name` in the release workflow, `make release-check
/// RELEASE_TAG=...`; `.ci/release-check` runs it with `--ignored`).
#[test]
#[ignore = "release check: needs RELEASE_TAG, the tag being released (.ci/release-check sets it)"]
fn release_tag_names_the_version() {
    let tag = std::env::var("RELEASE_TAG").expect("RELEASE_TAG names the tag being released");
    if let Some(problem) = tag_problem(&tag, &Release::load()) {
        panic!("{problem}");
    }
}

#[test]
fn registry_path_and_source_name_the_same_owner() {
    let release = Release::load();
    // ghcr.io refuses upper-case repository names.
    assert_eq!(release.oci_url, release.oci_url.to_lowercase(), "ociUrl must be lower case");
    assert_eq!(release.oci_url, format!("ghcr.io/{}/policies/{}", release.owner, release.title));
    let source_owner = release
        .source
        .strip_prefix("https://github.com/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("io.kubewarden.policy.source {} is not a GitHub repository", release.source));
    assert_eq!(source_owner.to_lowercase(), release.owner, "source and ociUrl name different owners");
    assert_eq!(str_at(&release.metadata, &["annotations", "io.kubewarden.policy.url"]), release.source);
    // Without it kwctl links releases/download/v<version>/; with it, the two must agree.
    if let Some(tag) = release.metadata["annotations"].get("com.github.release.tag") {
        assert_eq!(tag.as_str(), Some(release.tag().as_str()), "com.github.release.tag");
    }
    // The workflow pushes for the repository owner it runs under (a fork's own registry):
    // metadata.yml must say so before the release is built.
    if let Ok(owner) = std::env::var("RELEASE_OWNER") {
        assert_eq!(
            owner.to_lowercase(),
            release.owner,
            "the release is pushed to ghcr.io/{}/policies/{} but metadata.yml's ociUrl says {}: \
             set io.kubewarden.policy.ociUrl, .url and .source to the new owner, then run \
             `cargo test --test integration release::` for the other files that name it",
            owner.to_lowercase(),
            release.title,
            release.oci_url
        );
    }
}

#[test]
fn shipped_policies_run_the_released_module() {
    let release = Release::load();
    let expected = format!("registry://{}", release.image());
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let doc = <Value as serde::Deserialize>::deserialize(doc).unwrap();
            if doc.is_null() {
                continue;
            }
            assert_eq!(str_at(&doc, &["spec", "module"]), expected, "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} policies checked");
}

/// `kwctl scaffold artifacthub`'s derivation (kwctl `src/scaffold/artifacthub.rs`, summarised in
/// the project's Kubewarden notes): the committed package must be what kwctl would write for
/// this version, `createdAt` aside.
#[test]
fn artifacthub_package_is_derived_from_metadata() {
    let release = Release::load();
    let pkg = yaml("artifacthub-pkg.yml");
    let meta = &release.metadata;
    let annotation = |key: &str| str_at(meta, &["annotations", key]);

    assert_eq!(str_at(&pkg, &["version"]), release.version);
    assert_eq!(str_at(&pkg, &["name"]), release.title);
    assert_eq!(str_at(&pkg, &["displayName"]), annotation("io.artifacthub.displayName"));
    assert_eq!(str_at(&pkg, &["description"]), annotation("io.kubewarden.policy.description"));
    assert_eq!(str_at(&pkg, &["license"]), annotation("io.kubewarden.policy.license"));
    assert_eq!(str_at(&pkg, &["homeURL"]), annotation("io.kubewarden.policy.url"));
    let created = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$").unwrap();
    assert!(created.is_match(str_at(&pkg, &["createdAt"])), "createdAt is not RFC 3339");

    let images = pkg["containersImages"].as_sequence().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(str_at(&images[0], &["name"]), "policy");
    assert_eq!(str_at(&images[0], &["image"]), release.image());

    let keywords: Vec<&str> = annotation("io.artifacthub.keywords").split(',').map(str::trim).collect();
    let pkg_keywords: Vec<&str> = pkg["keywords"].as_sequence().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(pkg_keywords, keywords);

    let links: Vec<(&str, &str)> =
        pkg["links"].as_sequence().unwrap().iter().map(|l| (str_at(l, &["name"]), str_at(l, &["url"]))).collect();
    let wasm_link = format!("{}/releases/download/{}/policy.wasm", release.source, release.tag());
    assert_eq!(links, vec![("policy", wasm_link.as_str()), ("source", release.source.as_str())]);

    let install = str_at(&pkg, &["install"]);
    assert!(install.contains(&format!("kwctl pull {}", release.image())), "install: {install}");
    assert!(install.contains(&format!("registry://{}", release.image())), "install: {install}");

    let (name, email) = annotation("io.kubewarden.policy.author").split_once(" <").unwrap();
    let maintainers = pkg["maintainers"].as_sequence().unwrap();
    assert_eq!(maintainers.len(), 1);
    assert_eq!(str_at(&maintainers[0], &["name"]), name.trim());
    assert_eq!(str_at(&maintainers[0], &["email"]), email.trim_end_matches('>'));
    assert_eq!(str_at(&pkg, &["provider", "name"]), "kubewarden");

    let annotations = &pkg["annotations"];
    let mutating = meta["mutating"].as_bool().unwrap();
    assert_eq!(str_at(annotations, &["kubewarden/mutation"]), mutating.to_string());
    assert_eq!(str_at(annotations, &["kubewarden/resources"]), annotation("io.artifacthub.resources"));
    assert_eq!(str_at(annotations, &["kubewarden/questions-ui"]), read("questions-ui.yml"));
    for (key, field) in [("kubewarden/rules", "rules"), ("kubewarden/contextAwareResources", "contextAwareResources")] {
        let embedded: Value = serde_yaml_ng::from_str(str_at(annotations, &[key])).unwrap();
        assert_eq!(embedded, meta[field], "{key}");
    }
}

/// An Artifact Hub package as compared with kwctl's: without `createdAt` (the time kwctl ran),
/// and with the annotations that hold YAML read as YAML (kwctl's quoting may differ).
fn normalised_package(mut v: Value) -> Value {
    let map = v.as_mapping_mut().unwrap();
    map.remove("createdAt");
    if let Some(Value::Mapping(annotations)) = map.get_mut("annotations") {
        for key in ["kubewarden/rules", "kubewarden/contextAwareResources"] {
            if let Some(Value::String(s)) = annotations.get(key) {
                let parsed: Value = serde_yaml_ng::from_str(s).unwrap();
                annotations.insert(Value::from(key), parsed);
            }
        }
    }
    v
}

#[test]
fn a_scaffold_differing_only_in_time_and_quoting_matches() {
    let committed = yaml("artifacthub-pkg.yml");
    // What kwctl writes at another moment, with the rules in flow style.
    let mut regenerated = committed.clone();
    let map = regenerated.as_mapping_mut().unwrap();
    map.insert(Value::from("createdAt"), Value::from("2030-01-01T00:00:00Z"));
    let annotations = map.get_mut("annotations").unwrap().as_mapping_mut().unwrap();
    let rules: Value = serde_yaml_ng::from_str(annotations["kubewarden/rules"].as_str().unwrap()).unwrap();
    let flow = serde_json::to_string(&rules).unwrap();
    annotations.insert(Value::from("kubewarden/rules"), Value::from(flow));
    assert_eq!(normalised_package(regenerated.clone()), normalised_package(committed.clone()));
    // Another version is a difference.
    regenerated.as_mapping_mut().unwrap().insert(Value::from("version"), Value::from("9.9.9"));
    assert_ne!(normalised_package(regenerated), normalised_package(committed));
}

/// In the release workflow and `make release-check` with kwctl on PATH: the file kwctl itself
/// generated says the same as the committed one.
#[test]
#[ignore = "release check: needs ARTIFACTHUB_SCAFFOLD, a file `kwctl scaffold artifacthub` wrote (.ci/release-check sets it)"]
fn artifacthub_package_matches_kwctl_scaffold() {
    let path = std::env::var("ARTIFACTHUB_SCAFFOLD").expect("ARTIFACTHUB_SCAFFOLD names kwctl's file");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let generated = normalised_package(serde_yaml_ng::from_str(&text).unwrap());
    let committed = normalised_package(yaml("artifacthub-pkg.yml"));
    assert_eq!(
        generated, committed,
        "artifacthub-pkg.yml differs from what kwctl generated ({path}): commit kwctl's version"
    );
}

fn docs() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    // The manual's pages, where the README links to them.
    let mut dirs = vec![root().join("docs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files
}

/// Every place the docs name the published artifact: the image, release downloads, the
/// repository, the signing workflow's identity and the version the tool prints.
#[test]
fn docs_name_the_released_version_and_registry() {
    let release = Release::load();
    let repo = release.source.trim_start_matches("https://");
    let image = Regex::new(r"ghcr\.io/[A-Za-z0-9._/-]+(:[A-Za-z0-9._-]+)?").unwrap();
    let download = Regex::new(r"/releases/download/([^/\s]+)/").unwrap();
    let github = Regex::new(r"github\.com/([A-Za-z0-9_.-]+)/tempo-policy\b").unwrap();
    let tag_ref = Regex::new(r"@refs/tags/([A-Za-z0-9._-]+)").unwrap();
    let printed = Regex::new(r"\(tempo-policy (\d+\.\d+\.\d+[^)]*)\)").unwrap();
    let signer = Regex::new(r"--github-(owner|repo) ([A-Za-z0-9_.-]+)").unwrap();
    let (source_owner, source_repo) = repo.trim_start_matches("github.com/").split_once('/').unwrap();
    let mut errors = Vec::new();
    let mut images = 0;
    for file in docs() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (n, line) in text.lines().enumerate() {
            let at = format!("{name}:{}", n + 1);
            for m in image.find_iter(line) {
                let found = m.as_str();
                // Other projects' images (Kubewarden's own policies) are not ours to pin.
                if !found.contains(&format!("/{}", release.title)) {
                    continue;
                }
                images += 1;
                if found != release.oci_url && found != release.image() {
                    errors.push(format!("{at}: {found} (expected {})", release.image()));
                }
            }
            for c in download.captures_iter(line) {
                if c[1] != release.tag() {
                    errors.push(format!("{at}: release download {} (expected {})", &c[1], release.tag()));
                }
            }
            for c in github.captures_iter(line) {
                if !c[0].eq_ignore_ascii_case(repo) {
                    errors.push(format!("{at}: {} (expected {repo})", &c[0]));
                }
            }
            for c in tag_ref.captures_iter(line) {
                if c[1] != release.tag() {
                    errors.push(format!("{at}: refs/tags/{} (expected {})", &c[1], release.tag()));
                }
            }
            for c in signer.captures_iter(line) {
                let expected = if &c[1] == "owner" { source_owner } else { source_repo };
                if !c[2].eq_ignore_ascii_case(expected) {
                    errors.push(format!("{at}: --github-{} {} (expected {expected})", &c[1], &c[2]));
                }
            }
            for c in printed.captures_iter(line) {
                if c[1] != release.version {
                    errors.push(format!("{at}: tempo-policy {} (expected {})", &c[1], release.version));
                }
            }
        }
    }
    assert!(errors.is_empty(), "docs name another release:\n{}", errors.join("\n"));
    assert!(images > 0, "the docs never say where the released policy is");
}

#[test]
fn changelog_has_the_release() {
    let release = Release::load();
    let changelog = read("CHANGELOG.md");
    let heading =
        Regex::new(&format!(r"(?m)^## \[{}\] - \d{{4}}-\d{{2}}-\d{{2}}$", regex::escape(&release.version))).unwrap();
    assert!(heading.is_match(&changelog), "CHANGELOG.md has no `## [{}] - YYYY-MM-DD` section", release.version);
    let link = format!("[{}]: {}/releases/tag/{}", release.version, release.source, release.tag());
    assert!(changelog.lines().any(|l| l == link), "CHANGELOG.md lacks the link `{link}`");
}

fn workflows() -> Vec<(String, String)> {
    let dir = root().join(".github/workflows");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// A tag moves; a commit does not. Every third-party action is pinned to a full commit SHA with
/// the version it was taken from beside it, so that an update is a reviewed diff.
#[test]
fn workflow_actions_are_pinned_to_commits() {
    let uses = Regex::new(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$").unwrap();
    let pinned = Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$").unwrap();
    let comment = Regex::new(r"^\s+#\s*\S").unwrap();
    let mut errors = Vec::new();
    let mut seen = 0;
    for (name, text) in workflows() {
        for (n, line) in text.lines().enumerate() {
            let Some(c) = uses.captures(line) else { continue };
            seen += 1;
            let target = &c[1];
            if target.starts_with("./") {
                continue;
            }
            if !pinned.is_match(target) || !comment.is_match(&c[2]) {
                errors.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(errors.is_empty(), "actions not pinned to a commit with a version comment:\n{}", errors.join("\n"));
    assert!(seen > 5, "no actions found in .github/workflows");
}

/// The default token is read-only; a job that writes says what it writes.
#[test]
fn workflow_permissions_are_explicit() {
    for (name, text) in workflows() {
        let workflow: Value = serde_yaml_ng::from_str(&text).unwrap();
        let top = workflow.get("permissions").unwrap_or_else(|| panic!("{name}: no top-level permissions"));
        let read_only = top
            .as_mapping()
            .is_some_and(|m| m.iter().all(|(_, v)| v.as_str() == Some("read") || v.as_str() == Some("none")));
        assert!(read_only, "{name}: top-level permissions must be read-only: {top:?}");
        for (job, body) in workflow["jobs"].as_mapping().unwrap() {
            let job = job.as_str().unwrap();
            // A reusable-workflow call gets no more than the caller grants it.
            if body.get("uses").is_none() {
                assert!(body.get("permissions").is_some(), "{name}: job {job} has no permissions block");
            }
        }
    }
}

/// The toolchain the workflows install is the crate's rust-version (nightly only for fuzzing).
#[test]
fn workflow_toolchain_is_the_crates_rust_version() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    let rust_version = manifest["package"]["rust-version"].as_str().unwrap();
    let toolchain = Regex::new(r"^\s*toolchain:\s*(\S+)").unwrap();
    let mut seen = 0;
    for (name, text) in workflows() {
        for line in text.lines() {
            if let Some(c) = toolchain.captures(line) {
                seen += 1;
                let t = c[1].trim_matches('"');
                assert!(
                    t == "nightly" || t == rust_version || t.starts_with(&format!("{rust_version}.")),
                    "{name}: toolchain {t} is not rust-version {rust_version}"
                );
            }
        }
    }
    assert!(seen > 0);
}
