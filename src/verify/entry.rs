//! The zip's entries as `verify` reads them: where each is, and its bytes streamed
//! through an [`EntryReader`] from either kind of [`Source`].

use super::Source;
use crate::bundle::zipfmt::read::{self as zipread, EntryReader};
use std::io::{BufReader, Read};

/// An entry as found in the zip's directory.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) compressed: u64,
    pub(super) crc32: u32,
    pub(super) stored: bool,
    pub(super) header_start: u64,
    pub(super) data_start: u64,
}

/// An entry's bytes as a reader (see [`EntryReader`]).
pub(super) fn open_entry(src: &Source, e: &Entry) -> std::io::Result<EntryReader> {
    let f = src.open()?;
    EntryReader::new(f, e.data_start, e.stored, e.size, e.compressed)
}

/// Read a (small) entry whole, checking it does not expand past its declared size.
pub(super) fn read_entry(src: &Source, e: &Entry) -> Result<(Vec<u8>, u32), String> {
    let mut out = Vec::with_capacity(e.size.min(1 << 20) as usize);
    stream_entry(src, e, &mut |c| out.extend_from_slice(c)).map(|crc| (out, crc))
}

/// Stream an entry's bytes; returns their CRC-32.
pub(super) fn stream_entry(
    src: &Source,
    e: &Entry,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u32, String> {
    stream_entry_buf(src, e, &mut Vec::new(), sink)
}

/// [`stream_entry`] reading through `buf` (kept by the caller and reused, so that
/// hashing thousands of entries does not allocate a chunk for each).
pub(super) fn stream_entry_buf(
    src: &Source,
    e: &Entry,
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u32, String> {
    let mut r = open_entry(src, e).map_err(|x| x.to_string())?;
    // Room for the whole entry and a byte more, up to a chunk.
    let cap = usize::try_from(e.size.saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(crate::digest::CHUNK_BYTES);
    if buf.len() < cap {
        buf.resize(cap, 0);
    }
    let buf = &mut buf[..cap];
    loop {
        match r.read(buf) {
            Ok(0) => return Ok(r.crc32()),
            Ok(n) => sink(&buf[..n]),
            Err(x) if x.kind() == std::io::ErrorKind::Interrupted => {}
            Err(x) => return Err(x.to_string()),
        }
    }
}

/// Where the entry `name` is in the zip.
pub(super) fn find_entry(src: &Source, name: &str) -> Option<Entry> {
    let f = src.open().ok()?;
    let mut z = zip::ZipArchive::new(BufReader::new(f)).ok()?;
    let index = z.index_for_name(name)?;
    let offset = z.offset();
    let f = z.by_index_raw(index).ok()?;
    let stored = match f.compression() {
        zip::CompressionMethod::Stored => true,
        zip::CompressionMethod::Deflated => false,
        _ => return None,
    };
    let (size, compressed, crc32, header_start) =
        (f.size(), f.compressed_size(), f.crc32(), f.header_start());
    drop(f);
    let mut raw = src.open().ok()?;
    let data_start = zipread::local_data_start(&mut raw, header_start + offset)?;
    Some(Entry {
        index,
        name: name.to_string(),
        size,
        compressed,
        crc32,
        stored,
        header_start,
        data_start,
    })
}
