//! The key that authenticates cache entries, and the checks that make a file or directory the
//! user's own: owned by the user, not writable (for the key: not readable either) by anyone else,
//! never reached through a symbolic link.
//!
//! The key is 32 random bytes in `<user config dir>/tempo-policy/module-cache.key`
//! (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support` on macOS),
//! created 0600 on first use, and never in the cache directory: a cache directory copied to
//! another machine, or restored from a CI cache, arrives without it, so its entries do not verify
//! there and are compiled again.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Bytes of key.
pub const KEY_LEN: usize = 32;

/// The key, once read from a file that is the user's alone.
pub struct CacheKey(pub(super) [u8; KEY_LEN]);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(<hidden>)")
    }
}

/// `<user config dir>/tempo-policy/module-cache.key`; `None` without a home.
pub fn default_key_file() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("tempo-policy").join("module-cache.key"))
}

/// The key at `path`, created with fresh random bytes when there is none. An error says why the
/// cache must not be used (a key others can read or write, a link, a short file, ...).
pub fn load_or_create(path: &Path) -> Result<CacheKey, String> {
    match read_private(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(format!("cannot read the cache key {}: {e}", path.display())),
        Ok(bytes) => key_from(path, &bytes),
    }
}

fn key_from(path: &Path, bytes: &[u8]) -> Result<CacheKey, String> {
    <[u8; KEY_LEN]>::try_from(bytes).map(CacheKey).map_err(|_| {
        format!("the cache key {} is not {KEY_LEN} bytes long: remove it to get a new one", path.display())
    })
}

/// A new key, written to a temporary file and linked into place, so that two runs starting at
/// once agree on one key (the loser reads the winner's).
fn create(path: &Path) -> Result<CacheKey, String> {
    let dir = path.parent().ok_or_else(|| format!("{} has no parent directory", path.display()))?;
    super::create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(|e| format!("no random bytes for the cache key: {e}"))?;
    let tmp = dir.join(format!(".module-cache.key.{}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = private_options().write(true).create_new(true).open(&tmp)?;
        file.write_all(&key)?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(CacheKey(key)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match read_private(path) {
            Ok(bytes) => key_from(path, &bytes),
            Err(e) => Err(format!("cannot read the cache key {}: {e}", path.display())),
        },
        Err(e) => Err(format!("cannot write the cache key {}: {e}", path.display())),
    }
}

/// Open options that never follow a symbolic link at the last component, and create files 0600.
pub(super) fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        options.custom_flags(nofollow());
    }
    options
}

#[cfg(unix)]
fn nofollow() -> i32 {
    // The flag's bits fit an i32 on every Unix (0x20000 on Linux, 0x100 on macOS).
    i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0)
}

/// The whole content of a regular file that is the user's alone: owned by the user, neither
/// readable nor writable by group or others, not a symbolic link.
fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = private_options().read(true).open(path).map_err(|e| refused_link(path, e))?;
    let meta = file.metadata()?;
    if let Some(problem) = not_private(&meta, 0o077) {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, problem));
    }
    let mut bytes = Vec::new();
    Read::by_ref(&mut file).take(KEY_LEN as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opening a symbolic link with O_NOFOLLOW fails with ELOOP (Linux) or EMLINK (some BSDs): say so.
pub(super) fn refused_link(path: &Path, e: std::io::Error) -> std::io::Error {
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error()
        && (code == rustix::io::Errno::LOOP.raw_os_error() || code == rustix::io::Errno::MLINK.raw_os_error())
    {
        return std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} is a symbolic link, which is not followed", path.display()),
        );
    }
    e
}

/// Why `meta` is not the user's own: not a regular file or directory, another owner, or a mode
/// with any of the `forbidden` bits (0o077 for the key: no access for others; 0o022 for
/// directories and entries: no writing by others). `None` when it is.
pub(super) fn not_private(meta: &std::fs::Metadata, forbidden: u32) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Some(format!("it is owned by uid {}, not by this user (uid {me})", meta.uid()));
        }
        if meta.mode() & forbidden != 0 {
            let who = if forbidden & 0o044 != 0 { "read or written" } else { "written" };
            return Some(format!("it can be {who} by others (mode {:04o})", meta.mode() & 0o7777));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = (meta, forbidden);
        Some("its owner and permissions cannot be checked on this platform".to_owned())
    }
}
