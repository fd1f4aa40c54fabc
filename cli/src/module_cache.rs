//! A cache of compiled policy modules: `run`, `check` and `bench` compile a policy once per
//! machine instead of once per call (0.5 to 1.5 s for the 0.7 MB policy on two cores, which a
//! pre-commit hook or an editor would otherwise pay on every file).
//!
//! An entry is one file, `<key>.cwasm`, in the cache directory (by default
//! `<user cache dir>/tempo-policy/modules`). The key is the SHA-256 of a format tag, the
//! engine's fingerprint and the module's SHA-256. The fingerprint is the artifact this engine
//! produces for an empty module: its header carries the wasmtime version, the target, and every
//! compiler setting and WebAssembly feature that `Module::deserialize` compares, and wasmtime's
//! API exposes the version in no other way. So a module, a wasmtime upgrade or another engine
//! setting each make another key.
//!
//! The file is `MAGIC`, the SHA-256 of the artifact, then the artifact (`Module::serialize`).
//! An entry is never trusted: one that is truncated, altered, from another format or refused by
//! wasmtime's own version and settings check is ignored, compiled again and replaced. Entries
//! are written to a temporary file and renamed, so concurrent runs never see half a file; the
//! oldest entries are removed beyond [`MAX_ENTRIES`].
//!
//! Why not wasmtime's own cache (`Config::cache`, compiled in through wasmtime-provider): it keys
//! entries well but stores them zstd-compressed without any checksum, so an altered entry that
//! still decompresses is loaded as machine code; its API is safe only because it declares its
//! directory trusted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use wasmtime_provider::wasmtime::{Engine, Module};

/// First bytes of an entry: the format, bumped whenever the layout changes.
const MAGIC: &[u8; 8] = b"tpmc\x00\x01\r\n";

/// Entries kept; older ones (by modification time) are removed when a new one is written.
pub const MAX_ENTRIES: usize = 16;

/// The smallest module: what the engine fingerprint is computed from.
const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

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
}

/// A directory of compiled modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
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

    /// The compiled module, from a valid entry or compiled now (and stored).
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<(Module, CacheOutcome)> {
        let path = self.entry_path(engine, wasm)?;
        let mut replaced = None;
        match std::fs::read(&path) {
            Ok(bytes) => match load(engine, &bytes) {
                Ok(module) => {
                    // A hit refreshes the entry's age, so that eviction removes unused ones.
                    let _ = std::fs::File::options()
                        .append(true)
                        .open(&path)
                        .and_then(|f| f.set_modified(SystemTime::now()));
                    return Ok((module, CacheOutcome::Hit));
                }
                Err(reason) => replaced = Some(reason),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => replaced = Some(format!("cannot read {}: {e}", path.display())),
        }
        let module = Module::new(engine, wasm).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let outcome = match self.store(&path, &module) {
            Ok(()) => replaced.map_or(CacheOutcome::Stored, CacheOutcome::Replaced),
            Err(e) => CacheOutcome::NotStored(format!("{e:#}")),
        };
        Ok((module, outcome))
    }

    fn store(&self, path: &Path, module: &Module) -> anyhow::Result<()> {
        let artifact = module.serialize().map_err(|e| anyhow::anyhow!("cannot serialize the module: {e:#}"))?;
        create_private_dir(&self.dir)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let tmp = self.dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut file = std::fs::File::options().write(true).create_new(true).open(&tmp)?;
            file.write_all(MAGIC)?;
            file.write_all(&Sha256::digest(&artifact))?;
            file.write_all(&artifact)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
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
            .map(|p| (p.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH), p))
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

/// Checks an entry and loads its artifact; the reason when it is unusable.
fn load(engine: &Engine, bytes: &[u8]) -> Result<Module, String> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not an entry of this cache format")?;
    let (digest, artifact) = rest.split_at_checked(32).ok_or("truncated entry")?;
    if Sha256::digest(artifact).as_slice() != digest {
        return Err("the entry's checksum does not match its content".to_owned());
    }
    // SAFETY: `Module::deserialize` runs the machine code it is given, so the bytes must be an
    // artifact of a compatible wasmtime. These are exactly the bytes `store` wrote from
    // `Module::serialize` under a key naming this engine's fingerprint and this module's hash:
    // their SHA-256, written beside them, matches, so a truncated, altered or foreign file never
    // gets here, and wasmtime still refuses an artifact of another version or setting. The
    // directory is the user's own (created 0700), as trusted as the executable itself.
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

    fn scratch(name: &str) -> ModuleCache {
        let dir = std::env::temp_dir().join(format!("tempo-policy-module-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        ModuleCache::new(dir)
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
        let mut stale_entry = MAGIC.to_vec();
        stale_entry.extend_from_slice(&Sha256::digest(&stale));
        stale_entry.extend_from_slice(&stale);

        for (what, bytes, reason) in [
            ("one bit flipped", flipped, "checksum does not match"),
            ("truncated", truncated, "checksum does not match"),
            ("foreign", foreign, "not an entry of this cache format"),
            ("empty", Vec::new(), "not an entry of this cache format"),
            ("other engine settings", stale_entry, "wasmtime refused the entry"),
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
        let cache = scratch("unwritable");
        std::fs::write(cache.dir(), "a file where the directory should be").unwrap();
        let wasm = wat::parse_str(ANSWER).unwrap();
        let e = engine(true);
        let (module, outcome) = cache.load_or_compile(&e, &wasm).unwrap();
        assert!(matches!(outcome, CacheOutcome::NotStored(_)), "{outcome:?}");
        assert_eq!(answer(&e, &module), 42);
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
