//! Reading and writing WebAssembly custom sections.
//!
//! Kubewarden stores a policy's metadata as JSON in the custom section
//! `io.kubewarden.metadata`. A custom section is valid anywhere in a module:
//! byte `0x00`, LEB128 u32 content size, then the content, which starts with
//! the LEB128 length of the name and the name itself.

use std::ops::Range;

/// Name of the custom section holding the policy metadata.
pub const METADATA_SECTION: &str = "io.kubewarden.metadata";

const MAGIC: &[u8; 4] = b"\0asm";
const VERSION_1: &[u8; 4] = &[1, 0, 0, 0];

/// Why bytes could not be walked as a core WebAssembly module.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WasmError {
    #[error("not a WebAssembly module (no `\\0asm` magic number)")]
    NotWasm,
    #[error("unsupported WebAssembly binary version {0:?}: only core modules (version 1) are policies")]
    UnsupportedVersion([u8; 4]),
    #[error("truncated or malformed WebAssembly module: {0} at byte offset {1}")]
    Malformed(&'static str, usize),
}

/// One section of a module, as byte ranges into the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Section id (0 = custom).
    pub id: u8,
    /// The whole section, id byte included.
    pub whole: Range<usize>,
    /// For custom sections: the name.
    pub name: Option<String>,
    /// For custom sections: the content after the name; otherwise the payload.
    pub content: Range<usize>,
}

fn read_leb_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, WasmError> {
    let start = *pos;
    let mut result: u64 = 0;
    let mut shift = 0u32;
    loop {
        let byte = *bytes.get(*pos).ok_or(WasmError::Malformed("unterminated LEB128 integer", start))?;
        *pos += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 28 {
            return Err(WasmError::Malformed("LEB128 integer too long", start));
        }
    }
    u32::try_from(result).map_err(|_| WasmError::Malformed("LEB128 integer overflows u32", start))
}

fn write_leb_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
}

/// Walk the sections of a core module.
pub fn sections(bytes: &[u8]) -> Result<Vec<Section>, WasmError> {
    if bytes.get(0..4) != Some(MAGIC.as_slice()) {
        return Err(WasmError::NotWasm);
    }
    let version = bytes.get(4..8).ok_or(WasmError::Malformed("missing version", 4))?;
    if version != VERSION_1.as_slice() {
        let mut v = [0u8; 4];
        v.copy_from_slice(version);
        return Err(WasmError::UnsupportedVersion(v));
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let start = pos;
        let id = bytes.get(pos).copied().ok_or(WasmError::Malformed("missing section id", pos))?;
        pos += 1;
        let size = read_leb_u32(bytes, &mut pos)? as usize;
        let payload_start = pos;
        let end = payload_start
            .checked_add(size)
            .filter(|end| *end <= bytes.len())
            .ok_or(WasmError::Malformed("section runs past the end", start))?;
        let (name, content) = if id == 0 {
            let mut p = payload_start;
            let name_len = read_leb_u32(bytes, &mut p)? as usize;
            let name_end = p
                .checked_add(name_len)
                .filter(|e| *e <= end)
                .ok_or(WasmError::Malformed("custom section name too long", start))?;
            let name = bytes
                .get(p..name_end)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .ok_or(WasmError::Malformed("custom section name", start))?;
            (Some(name), name_end..end)
        } else {
            (None, payload_start..end)
        };
        out.push(Section { id, whole: start..end, name, content });
        pos = end;
    }
    Ok(out)
}

/// Content of the last custom section called `name`, if any.
pub fn read_custom_section<'a>(bytes: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, WasmError> {
    Ok(sections(bytes)?
        .into_iter()
        .rfind(|s| s.id == 0 && s.name.as_deref() == Some(name))
        .and_then(|s| bytes.get(s.content)))
}

/// The module without any custom section called `name`.
pub fn remove_custom_section(bytes: &[u8], name: &str) -> Result<Vec<u8>, WasmError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(VERSION_1);
    for section in sections(bytes)? {
        if section.id == 0 && section.name.as_deref() == Some(name) {
            continue;
        }
        if let Some(raw) = bytes.get(section.whole) {
            out.extend_from_slice(raw);
        }
    }
    Ok(out)
}

/// Append a custom section called `name` holding `content`.
pub fn append_custom_section(module: &mut Vec<u8>, name: &str, content: &[u8]) {
    let mut payload = Vec::with_capacity(name.len() + content.len() + 5);
    // Names and sizes above u32::MAX cannot occur in a valid module; saturate
    // rather than panic, the resulting module would then fail to load.
    write_leb_u32(&mut payload, u32::try_from(name.len()).unwrap_or(u32::MAX));
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(content);
    module.push(0);
    write_leb_u32(module, u32::try_from(payload.len()).unwrap_or(u32::MAX));
    module.extend_from_slice(&payload);
}

/// Replace (or add) the custom section `name`: every existing copy is dropped
/// and a single new one is appended.
pub fn replace_custom_section(bytes: &[u8], name: &str, content: &[u8]) -> Result<Vec<u8>, WasmError> {
    let mut out = remove_custom_section(bytes, name)?;
    append_custom_section(&mut out, name, content);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

    #[test]
    fn leb_round_trip() {
        for v in [0u32, 1, 127, 128, 300, 16_384, u32::MAX] {
            let mut buf = Vec::new();
            write_leb_u32(&mut buf, v);
            let mut pos = 0;
            assert_eq!(read_leb_u32(&buf, &mut pos), Ok(v));
            assert_eq!(pos, buf.len());
        }
    }

    #[test]
    fn append_read_replace() {
        let big = vec![b'x'; 300];
        let once = replace_custom_section(EMPTY_MODULE, METADATA_SECTION, &big).unwrap();
        assert_eq!(read_custom_section(&once, METADATA_SECTION), Ok(Some(big.as_slice())));
        let twice = replace_custom_section(&once, METADATA_SECTION, b"{}").unwrap();
        let count = sections(&twice).unwrap().iter().filter(|s| s.name.as_deref() == Some(METADATA_SECTION)).count();
        assert_eq!(count, 1);
        assert_eq!(read_custom_section(&twice, METADATA_SECTION), Ok(Some(b"{}".as_slice())));
    }

    #[test]
    fn rejects_non_wasm_and_truncation() {
        assert_eq!(sections(b"hello world"), Err(WasmError::NotWasm));
        let mut truncated = EMPTY_MODULE.to_vec();
        truncated.extend_from_slice(&[0, 10, 3]);
        assert!(matches!(sections(&truncated), Err(WasmError::Malformed(..))));
    }
}
