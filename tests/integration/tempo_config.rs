//! The Tempo configuration data (`src/tempo_config/*.tree`) is what its generator wrote: the
//! header records the SHA-256 of the generator's files and of the body, checked here, so that a
//! change to the generator without new data, or data edited by hand, fails. Regenerating needs
//! Tempo's source, which is not part of this project: the ignored test does it where a bare
//! Tempo repository is at hand (`TEMPO_SRC=/path/to/tempo.git cargo test -- --ignored tempo_config`).

use sha2::{Digest, Sha256};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The data's header value for `key`.
fn header<'d>(data: &'d str, key: &str) -> &'d str {
    data.lines()
        .find_map(|l| l.strip_prefix("# ").and_then(|l| l.strip_prefix(key)).and_then(|l| l.strip_prefix(": ")))
        .unwrap_or_else(|| panic!("no {key} in the data's header"))
}

/// As generate.py's `generator_sha256`: each file as `<name>\n<length>\n<bytes>`.
fn generator_sha256() -> String {
    let mut h = Sha256::new();
    for name in ["generate.py", "goparse.py", "custom_types.py"] {
        let bytes = std::fs::read(root().join("scripts/tempo-config").join(name)).unwrap();
        h.update(format!("{name}\n{}\n", bytes.len()).as_bytes());
        h.update(&bytes);
    }
    hex(&h.finalize())
}

fn body(data: &str) -> String {
    data.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_data_is_what_the_committed_generator_wrote() {
    let data = tempo_policy::tempo_config::DATA;
    assert_eq!(
        header(data, "generator-sha256"),
        generator_sha256(),
        "scripts/tempo-config changed since the data was generated: run it again (docs/extra-config.md)"
    );
    assert_eq!(
        header(data, "content-sha256"),
        hex(&Sha256::digest(body(data).as_bytes())),
        "src/tempo_config's data was edited by hand: regenerate it instead (docs/extra-config.md)"
    );
    assert_eq!(header(data, "tag"), "v2.10.8");
    assert_eq!(header(data, "commit"), "f0f3ed59197bfe9f54f3b0f8015ccca112f9e544");
}

#[test]
fn the_hashes_catch_an_edit() {
    let data = tempo_policy::tempo_config::DATA;
    let edited = data.replacen("\tbool\n", "\tstring\n", 1);
    assert_ne!(hex(&Sha256::digest(body(&edited).as_bytes())), header(data, "content-sha256"));
}

#[test]
#[ignore = "needs Tempo's source: TEMPO_SRC=<bare tempo repository> (docs/extra-config.md)"]
fn the_generator_writes_the_committed_data_again() {
    let src = std::env::var("TEMPO_SRC").expect("TEMPO_SRC names a bare clone of grafana/tempo");
    let out = std::env::temp_dir().join(format!("tempo-config-{}.tree", std::process::id()));
    let status = std::process::Command::new("python3")
        .arg(root().join("scripts/tempo-config/generate.py"))
        .args(["--git-dir", &src, "--tag", "v2.10.8", "--quiet", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "the generator failed: {status}");
    let written = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(
        written == tempo_policy::tempo_config::DATA,
        "the generator's output differs from src/tempo_config/tempo-v2.10.8.tree"
    );
}
