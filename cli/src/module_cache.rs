//! A cache of compiled policy modules: `run`, `check` and `bench` compile a policy once per
//! machine instead of once per call (0.5 to 1.5 s for the policy on two cores, which a pre-commit
//! hook or an editor would otherwise pay on every file).
//!
//! An entry is one file, `<key>.cwasm`, in the cache directory (by default
//! `<user cache dir>/tempo-policy/modules`). The key is the SHA-256 of a format tag, the
//! engine's fingerprint and the module's SHA-256. The fingerprint is the artifact this engine
//! produces for an empty module: its header carries the wasmtime version, the target, and every
//! compiler setting and WebAssembly feature that `Module::deserialize` compares, and wasmtime's
//! API exposes the version in no other way. So a module, a wasmtime upgrade or another engine
//! setting each make another key.
//!
//! An entry is native code that `Module::deserialize` maps as executable, so it is loaded only
//! when this machine's user wrote it. The file is `MAGIC`, an HMAC-SHA256 of the entry's key and
//! the artifact, then the artifact (`Module::serialize`). The HMAC key is 32 random bytes in the
//! user's config directory, never in the cache directory ([`key`]): a checksum anyone can
//! recompute would let whoever can write the cache directory (a shared `--cache-dir`, a CI cache
//! restored from another branch) run code as the user. Before anything is read:
//! - the key file must be a regular file owned by the user, with no access for group or others
//!   (mode 0600), not a symbolic link;
//! - the cache directory, if it exists, must be owned by the user and not writable by group or
//!   others;
//! - entries are opened without following symbolic links, and must be owned by the user.
//!
//! When the key or the directory fails these checks the cache is not used at all: the policy is
//! compiled, nothing is read or written, and the caller prints a one-line note
//! ([`CacheOutcome::Refused`]). An entry that fails its HMAC (altered, truncated, from another
//! machine or another key, from an older format) or that wasmtime refuses (another version or
//! engine setting) is compiled again and replaced. Entries are written to a temporary file and
//! renamed, so concurrent runs never see half a file; the oldest entries are removed beyond
//! [`MAX_ENTRIES`].
//!
//! Why not wasmtime's own cache (`Config::cache`, compiled in through wasmtime-provider): it keys
//! entries well but stores them zstd-compressed without any authentication, so an altered entry
//! that still decompresses is loaded as machine code; its API is safe only because it declares
//! its directory trusted.

pub mod key;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use wasmtime_provider::wasmtime::{Engine, Module};

use key::{CacheKey, not_private, private_options, refused_link};

/// First bytes of an entry: the format, bumped whenever the layout changes (2: HMAC instead of
/// a plain SHA-256, so entries of format 1 are never loaded).
const MAGIC: &[u8; 8] = b"tpmc\x00\x02\r\n";

/// Entries kept; older ones (by modification time) are removed when a new one is written.
pub const MAX_ENTRIES: usize = 16;

/// The smallest module: what the engine fingerprint is computed from.
const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

/// Bytes of the HMAC-SHA256 tag.
const TAG_LEN: usize = 32;

/// What happened to the cache when a module was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from a valid entry; nothing compiled.
    Hit,
    /// No entry: compiled and stored.
    Stored,
    /// An entry was there but unusable (the reason): compiled and replaced.
    Replaced(String),
    /// Compiled, but the entry could not be written (the reason); the run goes on.
    NotStored(String),
    /// The cache directory or its key is not this user's alone (the reason): compiled, and
    /// nothing read from or written to the cache.
    Refused(String),
}

impl CacheOutcome {
    /// The one-line note a command prints on stderr, for an outcome the user should know of.
    pub fn note(&self) -> Option<String> {
        match self {
            CacheOutcome::Refused(why) => Some(format!("note: the compiled-module cache was not used: {why}")),
            _ => None,
        }
    }
}

/// A directory of compiled modules, and the file holding the key that authenticates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCache {
    dir: PathBuf,
    key_file: Option<PathBuf>,
}

impl ModuleCache {
    /// A cache in `dir` (created on first write), authenticated with the user's key
    /// ([`key::default_key_file`]).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), key_file: key::default_key_file() }
    }

    /// The same cache with its key in `path` instead.
    pub fn with_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.key_file = Some(path.into());
        self
    }

    /// `<user cache dir>/tempo-policy/modules`: `$XDG_CACHE_HOME` or `~/.cache` on Linux,
    /// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows; `None` when there is no home.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|dir| dir.join("tempo-policy").join("modules"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the entry of `wasm` compiled by `engine` lives.
    pub fn entry_path(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<PathBuf> {
        Ok(self.dir.join(format!("{}.cwasm", key(engine, wasm)?)))
    }

    /// The key, when both it and the directory are the user's alone; else why not.
    fn trusted_key(&self) -> Result<CacheKey, String> {
        let key_file = self.key_file.as_deref().ok_or("there is no config directory to keep its key in")?;
        let key = key::load_or_create(key_file)?;
        match std::fs::metadata(&self.dir) {
            Ok(meta) if !meta.is_dir() => Err(format!("{} is not a directory", self.dir.display())),
            Ok(meta) => match not_private(&meta, 0o022) {
                Some(problem) => Err(format!("the cache directory {}: {problem}", self.dir.display())),
                None => Ok(key),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(key),
            Err(e) => Err(format!("cannot read the cache directory {}: {e}", self.dir.display())),
        }
    }

    /// The compiled module, from a valid entry or compiled now (and stored).
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<(Module, CacheOutcome)> {
        let compile = || Module::new(engine, wasm).map_err(|e| anyhow::anyhow!("{e:#}"));
        let key = match self.trusted_key() {
            Ok(key) => key,
            Err(why) => return Ok((compile()?, CacheOutcome::Refused(why))),
        };
        let name = self.entry_name(engine, wasm)?;
        let path = self.dir.join(&name);
        let mut replaced = None;
        match read_entry(&path) {
            Ok(bytes) => match load(engine, &key, &name, &bytes) {
                Ok(module) => {
                    // A hit refreshes the entry's age, so that eviction removes unused ones.
                    let _ = private_options().append(true).open(&path).and_then(|f| f.set_modified(SystemTime::now()));
                    return Ok((module, CacheOutcome::Hit));
                }
                Err(reason) => replaced = Some(reason),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => replaced = Some(format!("cannot read {}: {e}", path.display())),
        }
        let module = compile()?;
        let outcome = match self.store(&key, &name, &module) {
            Ok(()) => replaced.map_or(CacheOutcome::Stored, CacheOutcome::Replaced),
            Err(e) => CacheOutcome::NotStored(format!("{e:#}")),
        };
        Ok((module, outcome))
    }

    fn entry_name(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<String> {
        Ok(format!("{}.cwasm", key(engine, wasm)?))
    }

    fn store(&self, key: &CacheKey, name: &str, module: &Module) -> anyhow::Result<()> {
        let artifact = module.serialize().map_err(|e| anyhow::anyhow!("cannot serialize the module: {e:#}"))?;
        create_private_dir(&self.dir)?;
        let path = self.dir.join(name);
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let tmp = self.dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut file = private_options().write(true).create_new(true).open(&tmp)?;
            file.write_all(MAGIC)?;
            file.write_all(&tag(key, name, &artifact)?)?;
            file.write_all(&artifact)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            anyhow::bail!("cannot write {}: {e}", path.display());
        }
        self.evict();
        Ok(())
    }

    /// Removes the oldest entries beyond [`MAX_ENTRIES`] (best effort).
    fn evict(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        let mut found: Vec<(SystemTime, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
            .map(|p| (p.symlink_metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH), p))
            .collect();
        if found.len() <= MAX_ENTRIES {
            return;
        }
        found.sort();
        for (_, path) in found.iter().take(found.len() - MAX_ENTRIES) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The entry's key: format, engine fingerprint, module hash.
fn key(engine: &Engine, wasm: &[u8]) -> anyhow::Result<String> {
    let fingerprint =
        engine.precompile_module(EMPTY_MODULE).map_err(|e| anyhow::anyhow!("cannot fingerprint the engine: {e:#}"))?;
    let mut hasher = Sha256::new();
    hasher.update(MAGIC);
    hasher.update(Sha256::digest(&fingerprint));
    hasher.update(Sha256::digest(wasm));
    Ok(hex(&hasher.finalize()))
}

/// The entry's HMAC: over its name (the engine and the module it is for, so that a valid entry
/// renamed to another module's name does not verify) and the artifact.
fn tag(key: &CacheKey, name: &str, artifact: &[u8]) -> std::io::Result<[u8; TAG_LEN]> {
    Ok(mac(key, name, artifact)?.finalize().into_bytes().into())
}

fn mac(key: &CacheKey, name: &str, artifact: &[u8]) -> std::io::Result<Hmac<Sha256>> {
    // HMAC takes a key of any length, so this never fails for the 32 bytes given.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).map_err(|e| std::io::Error::other(e.to_string()))?;
    mac.update(MAGIC);
    mac.update(&(name.len() as u64).to_le_bytes());
    mac.update(name.as_bytes());
    mac.update(artifact);
    Ok(mac)
}

/// An entry's bytes: a regular file owned by the user and writable by no one else, opened
/// without following a symbolic link.
fn read_entry(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = private_options().read(true).open(path).map_err(|e| refused_link(path, e))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if let Some(problem) = not_private(&meta, 0o022) {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, problem));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Checks an entry and loads its artifact; the reason when it is unusable.
fn load(engine: &Engine, key: &CacheKey, name: &str, bytes: &[u8]) -> Result<Module, String> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not an entry of this cache format")?;
    let (tag, artifact) = rest.split_at_checked(TAG_LEN).ok_or("truncated entry")?;
    mac(key, name, artifact)
        .map_err(|e| e.to_string())?
        .verify_slice(tag)
        .map_err(|_| "the entry's HMAC does not verify under this user's key (altered, or written elsewhere)")?;
    // SAFETY: `Module::deserialize` maps the bytes as executable code and trusts them to be an
    // artifact of a compatible wasmtime. What is trusted here: the HMAC-SHA256 verified above,
    // keyed with 32 random bytes that exist only in this user's key file (mode 0600, owned by the
    // user, refused when anyone else can read or write it, never in the cache directory). Only a
    // process that read that file can produce a tag that verifies: this user's own
    // `tempo-policy`, which wrote these bytes from `Module::serialize` under this entry's name
    // (the engine fingerprint and the module's hash, both inside the tag), or someone who already
    // acts as this user and could replace the executable itself. Whoever can only write the cache
    // directory (a shared --cache-dir, a restored CI cache) cannot: their entries fail the check
    // and are compiled again. wasmtime still refuses an artifact of another version or setting.
    #[allow(unsafe_code)]
    let module = unsafe { Module::deserialize(engine, artifact) };
    module.map_err(|e| format!("wasmtime refused the entry: {e:#}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use wasmtime_provider::wasmtime::Config;

    fn engine(epoch: bool) -> Engine {
        let mut config = Config::default();
        config.epoch_interruption(epoch);
        Engine::new(&config).unwrap()
    }

    /// A cache in a fresh scratch directory, its key beside it (never in the user's config).
    fn scratch(name: &str) -> ModuleCache {
        let root = std::env::temp_dir().join(format!("tempo-policy-module-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        ModuleCache::new(root.join("modules")).with_key_file(root.join("config/module-cache.key"))
    }

    fn key_of(cache: &ModuleCache) -> CacheKey {
        key::load_or_create(cache.key_file.as_deref().unwrap()).unwrap()
    }

    /// An entry as the cache writes it, with `key`.
    fn entry(key: &CacheKey, name: &str, artifact: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&tag(key, name, artifact).unwrap());
        bytes.extend_from_slice(artifact);
        bytes
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }

    const ANSWER: &str = r#"(module (func (export "answer") (result i32) i32.const 42))"#;

    fn answer(engine: &Engine, module: &Module) -> i32 {
        let mut store = wasmtime_provider::wasmtime::Store::new(engine, ());
        store.set_epoch_deadline(1000);
        let instance = wasmtime_provider::wasmtime::Instance::new(&mut store, module, &[]).unwrap();
        instance.get_typed_func::<(), i32>(&mut store, "answer").unwrap().call(&mut store, ()).unwrap()
    }

    #[test]
    fn the_key_follows_the_module_and_the_engine_settings() {
        let cache = scratch("key");
        let (a, b) = (wat::parse_str(ANSWER).unwrap(), wat::parse_str("(module)").unwrap());
        let e = engine(true);
        assert_eq!(cache.entry_path(&e, &a).unwrap(), cache.entry_path(&engine(true), &a).unwrap());
        assert_ne!(cache.entry_path(&e, &a).unwrap(), cache.entry_path(&e, &b).unwrap());
        assert_ne!(cache.entry_path(&e, &a).unwrap(), cache.entry_path(&engine(false), &a).unwrap());
    }

    #[test]
    fn first_call_stores_then_hits() {
        let cache = scratch("hit");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
        assert_eq!(outcome, CacheOutcome::Stored);
        assert_eq!(answer(&e, &module), 42);
        let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
        assert_eq!(outcome, CacheOutcome::Hit);
        assert_eq!(answer(&e, &module), 42);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777, 0o700);
            let key_file = cache.key_file.as_deref().unwrap();
            assert_eq!(std::fs::metadata(key_file).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::read(key_file).unwrap().len(), key::KEY_LEN);
            // The key is never in the cache directory.
            assert!(!key_file.starts_with(cache.dir()));
        }
    }

    #[test]
    fn broken_entries_are_replaced_never_loaded() {
        let cache = scratch("broken");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        cache.load_or_compile(&e, &wasm).unwrap();
        let path = cache.entry_path(&e, &wasm).unwrap();
        let good = std::fs::read(&path).unwrap();

        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        let truncated = good[..good.len() - 100].to_vec();
        let foreign = b"\x7fELF not an entry".to_vec();
        // A well-formed entry whose artifact comes from an engine with other settings.
        let other = engine(false);
        let stale = Module::new(&other, &wasm).unwrap().serialize().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let stale_entry = entry(&key_of(&cache), &name, &stale);
        // Issue 20: another module's artifact with a checksum anyone can compute, as format 1
        // stored it (SHA-256 of the artifact): an attacker's code, never loaded.
        let evil =
            Module::new(&e, wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 7))"#).unwrap())
                .unwrap()
                .serialize()
                .unwrap();
        let mut sha_only = MAGIC.to_vec();
        sha_only.extend_from_slice(&Sha256::digest(&evil));
        sha_only.extend_from_slice(&evil);
        // The same, tagged under another key, or tagged for another entry's name.
        let other_key = CacheKey([7; key::KEY_LEN]);
        let foreign_key = entry(&other_key, &name, &evil);
        let renamed = entry(&key_of(&cache), "another-module.cwasm", &evil);

        for (what, bytes, reason) in [
            ("one bit flipped", flipped, "HMAC does not verify"),
            ("truncated", truncated, "HMAC does not verify"),
            ("foreign", foreign, "not an entry of this cache format"),
            ("empty", Vec::new(), "not an entry of this cache format"),
            ("other engine settings", stale_entry, "wasmtime refused the entry"),
            ("another artifact, its SHA-256 recomputed", sha_only, "HMAC does not verify"),
            ("another artifact, another key", foreign_key, "HMAC does not verify"),
            ("another entry's artifact", renamed, "HMAC does not verify"),
        ] {
            std::fs::write(&path, &bytes).unwrap();
            let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
            match &outcome {
                CacheOutcome::Replaced(why) => assert!(why.contains(reason), "{what}: {why}"),
                other => panic!("{what}: {other:?}"),
            }
            assert_eq!(answer(&e, &module), 42, "{what}");
            assert_eq!(std::fs::read(&path).unwrap(), good, "{what}: the entry is rewritten");
            assert_eq!(cache.load_or_compile(&e, &wasm).unwrap().1, CacheOutcome::Hit, "{what}");
        }
    }

    #[test]
    fn an_unwritable_cache_still_compiles() {
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        // A file where the directory should be: not a cache at all.
        let cache = scratch("not-a-dir");
        std::fs::create_dir_all(cache.dir().parent().unwrap()).unwrap();
        std::fs::write(cache.dir(), "a file where the directory should be").unwrap();
        let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
        assert!(matches!(&outcome, CacheOutcome::Refused(why) if why.contains("is not a directory")), "{outcome:?}");
        assert_eq!(answer(&e, &module), 42);
        // A directory where the entry should be: it cannot be replaced, and the run goes on.
        let cache = scratch("unwritable");
        let path = cache.entry_path(&e, &wasm).unwrap();
        std::fs::create_dir_all(path.join("occupied")).unwrap();
        let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
        assert!(matches!(outcome, CacheOutcome::NotStored(_)), "{outcome:?}");
        assert_eq!(answer(&e, &module), 42);
    }

    /// Issue 20: a cache directory others can write, or that another user owns, is not read and
    /// not written: the policy is compiled and the outcome says why.
    #[cfg(unix)]
    #[test]
    fn a_directory_others_can_write_is_not_used() {
        let cache = scratch("shared");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        cache.load_or_compile(&e, &wasm).unwrap();
        let path = cache.entry_path(&e, &wasm).unwrap();
        // An attacker who can write the directory plants another module's code under the key
        // a run would read.
        let evil = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 7))"#).unwrap();
        let planted = entry(&CacheKey([0; key::KEY_LEN]), "x", &Module::new(&e, evil).unwrap().serialize().unwrap());
        std::fs::write(&path, &planted).unwrap();
        for mode in [0o777, 0o775, 0o722] {
            chmod(cache.dir(), mode);
            let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
            match &outcome {
                CacheOutcome::Refused(why) => assert!(why.contains("can be written by others"), "{mode:o}: {why}"),
                other => panic!("{mode:o}: {other:?}"),
            }
            assert!(outcome.note().unwrap().starts_with("note: the compiled-module cache was not used: "));
            assert_eq!(answer(&e, &module), 42, "{mode:o}");
            assert_eq!(std::fs::read(&path).unwrap(), planted, "{mode:o}: nothing written");
        }
        // Owned by another user: as root, hand it to uid 1; otherwise a directory root owns.
        let other_owned = if rustix::process::geteuid().is_root() {
            chmod(cache.dir(), 0o700);
            std::os::unix::fs::chown(cache.dir(), Some(1), None).unwrap();
            cache.clone()
        } else {
            ModuleCache { dir: PathBuf::from("/"), key_file: cache.key_file.clone() }
        };
        let (_, outcome) = other_owned.load_or_compile(&e, &wasm).unwrap();
        match &outcome {
            CacheOutcome::Refused(why) => assert!(why.contains("not by this user"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// Issue 20: a key file others can read (or write), or a symbolic link in its place, is
    /// refused: the cache is not used.
    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_or_a_link_is_refused() {
        let cache = scratch("key-perms");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        assert_eq!(cache.load_or_compile(&e, &wasm).unwrap().1, CacheOutcome::Stored);
        let key_file = cache.key_file.clone().unwrap();
        for (mode, reason) in [(0o644, "read or written by others (mode 0644)"), (0o620, "(mode 0620)")] {
            chmod(&key_file, mode);
            match cache.load_or_compile(&e, &wasm).unwrap().1 {
                CacheOutcome::Refused(why) => assert!(why.contains(reason), "{mode:o}: {why}"),
                other => panic!("{mode:o}: {other:?}"),
            }
        }
        chmod(&key_file, 0o600);
        assert_eq!(cache.load_or_compile(&e, &wasm).unwrap().1, CacheOutcome::Hit);
        // A link to a key elsewhere (which an attacker might control) is not followed.
        let elsewhere = key_file.with_file_name("elsewhere.key");
        std::fs::rename(&key_file, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &key_file).unwrap();
        match cache.load_or_compile(&e, &wasm).unwrap().1 {
            CacheOutcome::Refused(why) => assert!(why.contains("symbolic link"), "{why}"),
            other => panic!("{other:?}"),
        }
        // A short key file is refused too, and the entries are not read.
        std::fs::remove_file(&key_file).unwrap();
        std::fs::write(&key_file, b"short").unwrap();
        chmod(&key_file, 0o600);
        match cache.load_or_compile(&e, &wasm).unwrap().1 {
            CacheOutcome::Refused(why) => assert!(why.contains("not 32 bytes long"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// An entry that is a symbolic link is not followed: it is replaced by a real entry.
    #[cfg(unix)]
    #[test]
    fn an_entry_that_is_a_link_is_not_followed() {
        let cache = scratch("entry-link");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        cache.load_or_compile(&e, &wasm).unwrap();
        let path = cache.entry_path(&e, &wasm).unwrap();
        let target = cache.dir().join("target.bin");
        std::fs::rename(&path, &target).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        match cache.load_or_compile(&e, &wasm).unwrap().1 {
            CacheOutcome::Replaced(why) => assert!(why.contains("symbolic link"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
    }

    /// Two caches with their own keys (two users, or one machine and a CI cache restored onto
    /// another): each compiles the other's entries again.
    #[test]
    fn an_entry_written_under_another_key_is_compiled_again() {
        let mine = scratch("mine");
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        mine.load_or_compile(&e, &wasm).unwrap();
        let theirs = scratch("theirs");
        let theirs = ModuleCache { dir: mine.dir.clone(), key_file: theirs.key_file };
        match theirs.load_or_compile(&e, &wasm).unwrap().1 {
            CacheOutcome::Replaced(why) => assert!(why.contains("HMAC does not verify"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn old_entries_are_evicted() {
        let cache = scratch("evict");
        let e = engine(true);
        for i in 0..MAX_ENTRIES + 3 {
            let wasm = wat::parse_str(format!(r#"(module (func (export "f{i}")))"#)).unwrap();
            cache.load_or_compile(&e, &wasm).unwrap();
        }
        let count = std::fs::read_dir(cache.dir()).unwrap().count();
        assert_eq!(count, MAX_ENTRIES);
    }
}
