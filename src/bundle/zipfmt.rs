//! The canonical zip layout of a bundle: stored (uncompressed) entries, UTF-8 names,
//! one fixed timestamp, mode 0644, entries back to back from offset 0, then the central
//! directory and the end records, no comments, no extra bytes.
//!
//! We write it ourselves (a stored zip is a few headers) so that the layout is fully
//! determined by the entries' names, sizes, CRCs and the seal time. The verifier reads
//! bundles with the `zip` crate, then re-derives every header byte with the functions
//! here and compares: so a changed byte anywhere in the file — content, header, or
//! directory — is detected and named, not only in the files the manifests cover.
//!
//! Zip64 records are used exactly when a size or offset does not fit in 32 bits (or
//! there are more than 65,535 entries).

use sha2::Digest;
use std::io::{self, Write};

/// A local header's signature (the reader in [`read`] and the encrypted pass look for it).
pub(crate) const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// General purpose flag: names are UTF-8.
const FLAG_UTF8: u16 = 0x0800;
/// Unix, spec version 4.5 (zip64).
const VERSION_MADE_BY: u16 = (3 << 8) | 45;
const VERSION_NEEDED: u16 = 20;
const VERSION_NEEDED_ZIP64: u16 = 45;
/// Regular file, rw-r--r--.
const EXTERNAL_ATTRS: u32 = 0o100644 << 16;
const MAX32: u64 = 0xFFFF_FFFF;

/// One entry as the directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMeta {
    /// Name inside the zip (UTF-8, `/`-separated).
    pub name: String,
    /// Bytes (stored, so compressed = uncompressed).
    pub size: u64,
    /// CRC-32 of the bytes.
    pub crc32: u32,
    /// Offset of the local header.
    pub offset: u64,
}

/// MS-DOS time and date for a UTC instant (2-second resolution, 1980–2107).
pub fn dos_time(t: &chrono::DateTime<chrono::Utc>) -> (u16, u16) {
    use chrono::{Datelike, Timelike};
    let year = t.year().clamp(1980, 2107) as u16;
    let time = ((t.hour() as u16) << 11) | ((t.minute() as u16) << 5) | (t.second() as u16 / 2);
    let date = ((year - 1980) << 9) | ((t.month() as u16) << 5) | t.day() as u16;
    (time, date)
}

fn needs_zip64_size(size: u64) -> bool {
    size >= MAX32
}

/// The local header of an entry whose data is `size` bytes with `crc32`.
pub fn local_header(name: &str, size: u64, crc32: u32, dos: (u16, u16)) -> Vec<u8> {
    let zip64 = needs_zip64_size(size);
    let mut h = Vec::with_capacity(30 + name.len() + 20);
    put32(&mut h, LOCAL_SIG);
    put16(
        &mut h,
        if zip64 {
            VERSION_NEEDED_ZIP64
        } else {
            VERSION_NEEDED
        },
    );
    put16(&mut h, FLAG_UTF8);
    put16(&mut h, 0); // stored
    put16(&mut h, dos.0);
    put16(&mut h, dos.1);
    put32(&mut h, crc32);
    let s32 = if zip64 { MAX32 as u32 } else { size as u32 };
    put32(&mut h, s32);
    put32(&mut h, s32);
    put16(&mut h, name.len() as u16);
    put16(&mut h, if zip64 { 20 } else { 0 });
    h.extend_from_slice(name.as_bytes());
    if zip64 {
        put16(&mut h, 0x0001);
        put16(&mut h, 16);
        put64(&mut h, size);
        put64(&mut h, size);
    }
    h
}

/// The central directory header of an entry.
pub fn central_header(e: &EntryMeta, dos: (u16, u16)) -> Vec<u8> {
    let big_size = needs_zip64_size(e.size);
    let big_offset = e.offset >= MAX32;
    let mut extra = Vec::new();
    if big_size {
        put64(&mut extra, e.size);
        put64(&mut extra, e.size);
    }
    if big_offset {
        put64(&mut extra, e.offset);
    }
    let mut h = Vec::with_capacity(46 + e.name.len() + 4 + extra.len());
    put32(&mut h, CENTRAL_SIG);
    put16(&mut h, VERSION_MADE_BY);
    put16(
        &mut h,
        if big_size || big_offset {
            VERSION_NEEDED_ZIP64
        } else {
            VERSION_NEEDED
        },
    );
    put16(&mut h, FLAG_UTF8);
    put16(&mut h, 0);
    put16(&mut h, dos.0);
    put16(&mut h, dos.1);
    put32(&mut h, e.crc32);
    let s32 = if big_size {
        MAX32 as u32
    } else {
        e.size as u32
    };
    put32(&mut h, s32);
    put32(&mut h, s32);
    put16(&mut h, e.name.len() as u16);
    put16(
        &mut h,
        if extra.is_empty() {
            0
        } else {
            4 + extra.len() as u16
        },
    );
    put16(&mut h, 0); // comment
    put16(&mut h, 0); // disk
    put16(&mut h, 0); // internal attributes
    put32(&mut h, EXTERNAL_ATTRS);
    put32(
        &mut h,
        if big_offset {
            MAX32 as u32
        } else {
            e.offset as u32
        },
    );
    h.extend_from_slice(e.name.as_bytes());
    if !extra.is_empty() {
        put16(&mut h, 0x0001);
        put16(&mut h, extra.len() as u16);
        h.extend_from_slice(&extra);
    }
    h
}

/// The end records after a central directory of `count` headers, `cd_size` bytes,
/// starting at `cd_offset`. The directory itself is each entry's [`central_header`] in
/// turn, written (and checked) one at a time, never built whole.
pub fn directory_end(count: u64, cd_offset: u64, cd_size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let zip64 = count >= 0xFFFF || cd_offset >= MAX32 || cd_size >= MAX32;
    if zip64 {
        let z64_offset = cd_offset + cd_size;
        put32(&mut out, ZIP64_EOCD_SIG);
        put64(&mut out, 44);
        put16(&mut out, VERSION_MADE_BY);
        put16(&mut out, VERSION_NEEDED_ZIP64);
        put32(&mut out, 0);
        put32(&mut out, 0);
        put64(&mut out, count);
        put64(&mut out, count);
        put64(&mut out, cd_size);
        put64(&mut out, cd_offset);
        put32(&mut out, ZIP64_LOCATOR_SIG);
        put32(&mut out, 0);
        put64(&mut out, z64_offset);
        put32(&mut out, 1);
    }
    put32(&mut out, EOCD_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    let c16 = if zip64 { 0xFFFF } else { count as u16 };
    put16(&mut out, c16);
    put16(&mut out, c16);
    put32(&mut out, if zip64 { MAX32 as u32 } else { cd_size as u32 });
    put32(
        &mut out,
        if zip64 {
            MAX32 as u32
        } else {
            cd_offset as u32
        },
    );
    put16(&mut out, 0);
    out
}

/// Bytes handed to the hashing thread at a time.
const PIECE_BYTES: usize = 256 * 1024;

/// SHA-256 computed on a thread of its own: the bytes are handed over in pieces, so
/// hashing the output runs on the second core while the first reads and writes.
pub struct BackgroundSha256 {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    /// Pieces the hashing thread is done with, to fill again (no allocation churn).
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
    /// Small writes gathered into one piece: a hand-over per piece, not per write.
    pending: Vec<u8>,
    handle: Option<std::thread::JoinHandle<String>>,
}

impl Default for BackgroundSha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl BackgroundSha256 {
    /// Start the hashing thread.
    pub fn new() -> Self {
        // A few chunks in flight at most: memory stays flat whatever the size.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (spare_tx, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let handle = std::thread::spawn(move || {
            let mut h = sha2::Sha256::new();
            for mut piece in rx {
                h.update(&piece);
                piece.clear();
                let _ = spare_tx.try_send(piece);
            }
            hex::encode(h.finalize())
        });
        BackgroundSha256 {
            tx: Some(tx),
            spare,
            pending: Vec::new(),
            handle: Some(handle),
        }
    }

    /// Hash these bytes next.
    pub fn update(&mut self, data: &[u8]) {
        if self.pending.capacity() == 0
            && let Ok(b) = self.spare.try_recv()
        {
            self.pending = b;
        }
        self.pending.extend_from_slice(data);
        if self.pending.len() >= PIECE_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        let piece = std::mem::take(&mut self.pending);
        if let Some(tx) = &self.tx
            && !piece.is_empty()
        {
            let _ = tx.send(piece);
        }
    }

    /// The hex digest of everything given.
    pub fn finish(mut self) -> String {
        self.send();
        drop(self.tx.take());
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

/// A writer that hashes what passes through it (on a background thread).
pub struct HashingWriter<W: Write> {
    /// Where the bytes go.
    pub inner: W,
    hasher: BackgroundSha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Hash what is written to `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: BackgroundSha256::new(),
            size: 0,
        }
    }

    /// The writer, the SHA-256 and the number of bytes written.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, self.hasher.finish(), self.size)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a canonical zip front to back, never seeking: every entry's CRC-32 is known
/// before its bytes (taken at capture), so the zip can stream straight into a file or
/// into the age encryptor.
pub struct Writer<W: Write> {
    out: W,
    pos: u64,
    dos: (u16, u16),
    entries: Vec<EntryMeta>,
    /// Reused for every entry's bytes.
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Start a zip whose entries all carry `dos` as their time.
    pub fn new(out: W, dos: (u16, u16)) -> Self {
        Writer {
            out,
            pos: 0,
            dos,
            entries: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Add an entry of `size` bytes with CRC-32 `crc32`, read from `data`. `on_chunk`
    /// sees every chunk as it passes (to hash it). Fails with `InvalidData` if the
    /// bytes do not match `size` and `crc32`.
    pub fn add(
        &mut self,
        name: &str,
        size: u64,
        crc32: u32,
        data: &mut dyn io::Read,
        on_chunk: &mut dyn FnMut(&[u8]),
    ) -> io::Result<()> {
        // Room for the whole entry and one byte more (to see a file that grew), up to
        // a chunk: a 2 KB entry does not cost a megabyte.
        let cap = usize::try_from(size.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(crate::digest::CHUNK_BYTES);
        let mut buf = std::mem::take(&mut self.buf);
        if buf.len() < cap {
            buf.resize(cap, 0);
        }
        let buf_len = cap;
        let mut done: u64 = 0;
        let r = self.add_with(name, size, crc32, &mut |w| {
            let buf = &mut buf[..buf_len];
            loop {
                let n = match data.read(buf) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                done += n as u64;
                if done > size {
                    // Stop early: a growing file must not run on.
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{name} is longer than its recorded size"),
                    ));
                }
                on_chunk(&buf[..n]);
                w.write_all(&buf[..n])?;
            }
        });
        self.buf = buf;
        r
    }

    /// Add an entry whose bytes `fill` writes (generated on the fly, e.g. from the
    /// store); `size` and `crc32` must have been computed by an earlier identical pass.
    pub fn add_with(
        &mut self,
        name: &str,
        size: u64,
        crc32: u32,
        fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let offset = self.pos;
        let header = local_header(name, size, crc32, self.dos);
        self.out.write_all(&header)?;
        let mut counting = Counting {
            inner: &mut self.out,
            crc: crc32fast::Hasher::new(),
            n: 0,
        };
        fill(&mut counting)?;
        let (n, crc) = (counting.n, counting.crc.finalize());
        if n != size || crc != crc32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name} does not match its recorded size and CRC-32"),
            ));
        }
        self.pos = offset + header.len() as u64 + size;
        self.entries.push(EntryMeta {
            name: name.to_string(),
            size,
            crc32,
            offset,
        });
        Ok(())
    }

    /// Add a small entry from memory.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut r = bytes;
        let crc = crc32fast::hash(bytes);
        self.add(name, bytes.len() as u64, crc, &mut r, &mut |_| {})
    }

    /// Write the directory and return the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        let mut cd_size = 0;
        for e in &self.entries {
            let h = central_header(e, self.dos);
            self.out.write_all(&h)?;
            cd_size += h.len() as u64;
        }
        let end = directory_end(self.entries.len() as u64, self.pos, cd_size);
        self.out.write_all(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Counts and CRCs what passes through.
pub struct Counting<W: Write> {
    /// Where the bytes go.
    pub inner: W,
    /// CRC-32 so far.
    pub crc: crc32fast::Hasher,
    /// Bytes so far.
    pub n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// The reader beside the writer: the headers `verify` parses itself (the `zip` crate
/// reads the rest), and an entry's bytes through a reader that trusts no declared size.
pub(crate) mod read {
    use super::{CENTRAL_SIG, LOCAL_SIG};
    use std::io::{BufReader, Read, Seek, SeekFrom};

    /// Every name in the zip's central directory from `start`, duplicates included (at
    /// most `limit`).
    pub fn central_names(f: impl Read + Seek, start: u64, limit: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut r = BufReader::new(f);
        if r.seek(SeekFrom::Start(start)).is_err() {
            return out;
        }
        let mut h = [0u8; 46];
        while out.len() < limit
            && r.read_exact(&mut h).is_ok()
            && h[..4] == CENTRAL_SIG.to_le_bytes()
        {
            let n = u16::from_le_bytes([h[28], h[29]]) as usize;
            let skip = u16::from_le_bytes([h[30], h[31]]) as i64
                + u16::from_le_bytes([h[32], h[33]]) as i64;
            let mut name = vec![0u8; n];
            if r.read_exact(&mut name).is_err() || r.seek_relative(skip).is_err() {
                break;
            }
            out.push(name);
        }
        out
    }

    /// Read the local header at `at`; returns where the entry's data starts.
    pub fn local_data_start<R: Read + Seek + ?Sized>(f: &mut R, at: u64) -> Option<u64> {
        let mut h = [0u8; 30];
        f.seek(SeekFrom::Start(at)).ok()?;
        f.read_exact(&mut h).ok()?;
        if h[..4] != LOCAL_SIG.to_le_bytes() {
            return None;
        }
        let n = u16::from_le_bytes([h[26], h[27]]) as u64;
        let x = u16::from_le_bytes([h[28], h[29]]) as u64;
        Some(at + 30 + n + x)
    }

    /// An entry's bytes as a reader: stored entries straight from the file, deflated ones
    /// through `flate2` (no trust in any zip library's CRC handling). Fails as soon as the
    /// bytes run past the declared size (a zip bomb), and at the end if they fall short.
    pub struct EntryReader {
        inner: Box<dyn Read>,
        crc: crc32fast::Hasher,
        total: u64,
        size: u64,
    }

    impl EntryReader {
        /// The entry whose data starts at `data_start` in `f`: `size` bytes, `stored`
        /// or deflated into `compressed` bytes.
        pub fn new(
            mut f: impl Read + Seek + 'static,
            data_start: u64,
            stored: bool,
            size: u64,
            compressed: u64,
        ) -> std::io::Result<Self> {
            f.seek(SeekFrom::Start(data_start))?;
            let raw = BufReader::with_capacity(crate::digest::CHUNK_BYTES.min(1 << 16), f);
            let inner: Box<dyn Read> = if stored {
                Box::new(raw.take(size))
            } else {
                Box::new(flate2::bufread::DeflateDecoder::new(raw.take(compressed)))
            };
            Ok(EntryReader {
                inner,
                crc: crc32fast::Hasher::new(),
                total: 0,
                size,
            })
        }

        /// The CRC-32 of what was read.
        pub fn crc32(&self) -> u32 {
            self.crc.clone().finalize()
        }
    }

    impl Read for EntryReader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            // Never ask for more than one byte past the declared size.
            let room = (self.size - self.total.min(self.size)).saturating_add(1);
            let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            let n = self.inner.read(&mut buf[..want])?;
            if n == 0 {
                if self.total != self.size {
                    return Err(std::io::Error::other(format!(
                        "it is {} bytes, not the {} its header says",
                        self.total, self.size
                    )));
                }
                return Ok(0);
            }
            self.total += n as u64;
            if self.total > self.size {
                return Err(std::io::Error::other(
                    "it expands past its declared size (a zip bomb?)",
                ));
            }
            self.crc.update(&buf[..n]);
            Ok(n)
        }
    }

    /// The little-endian `u16` at `at` of `b`.
    pub fn u16le(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    /// The little-endian `u32` at `at` of `b`.
    pub fn u32le(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// The (size, compressed size) of a local header's zip64 extra field.
    pub fn zip64_sizes(mut extra: &[u8]) -> Option<(u64, u64)> {
        while extra.len() >= 4 {
            let (tag, len) = (u16le(extra, 0), u16le(extra, 2) as usize);
            let body = extra.get(4..4 + len)?;
            if tag == 1 && len >= 16 {
                let size = u64::from_le_bytes(body[..8].try_into().ok()?);
                let compressed = u64::from_le_bytes(body[8..16].try_into().ok()?);
                return Some((size, compressed));
            }
            extra = &extra[4 + len..];
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_zip_crate_reads_what_we_write() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-25T14:32:06Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let mut w = Writer::new(HashingWriter::new(Vec::new()), dos_time(&t));
        w.add_bytes("bagit.txt", b"BagIt-Version: 1.0\n")
            .expect("add");
        w.add_bytes("data/001-caf\u{e9}.txt", b"hello")
            .expect("add");
        let (bytes, sha, size) = w.finish().expect("finish").finish();
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(sha, hex::encode(sha2::Sha256::digest(&bytes)));
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        assert_eq!(z.len(), 2);
        let mut f = z.by_name("data/001-caf\u{e9}.txt").expect("entry");
        let mut s = String::new();
        f.read_to_string(&mut s).expect("read");
        assert_eq!(s, "hello");
        assert_eq!(f.compression(), zip::CompressionMethod::Stored);
        assert_eq!(f.unix_mode(), Some(0o100644));
    }

    #[test]
    fn the_reader_finds_what_the_writer_wrote() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-25T14:32:06Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let mut w = Writer::new(HashingWriter::new(Vec::new()), dos_time(&t));
        w.add_bytes("bagit.txt", b"BagIt-Version: 1.0\n")
            .expect("add");
        w.add_bytes("data/001-caf\u{e9}.txt", b"hello")
            .expect("add");
        let (bytes, _, _) = w.finish().expect("finish").finish();
        let cd = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone()))
            .expect("zip")
            .central_directory_start();
        assert_eq!(
            read::central_names(std::io::Cursor::new(bytes.clone()), cd, 10),
            vec![
                b"bagit.txt".to_vec(),
                "data/001-caf\u{e9}.txt".as_bytes().to_vec()
            ]
        );
        assert!(read::central_names(std::io::Cursor::new(bytes.clone()), cd, 1).len() == 1);
        let mut c = std::io::Cursor::new(bytes.clone());
        let first = read::local_data_start(&mut c, 0).expect("first header");
        assert_eq!(&bytes[first as usize..][..19], b"BagIt-Version: 1.0\n");
        let second = read::local_data_start(&mut c, first + 19).expect("second header");
        assert_eq!(&bytes[second as usize..][..5], b"hello");
        assert_eq!(read::local_data_start(&mut c, 1), None, "not a header");
        let mut r = read::EntryReader::new(std::io::Cursor::new(bytes.clone()), second, true, 5, 5)
            .expect("entry");
        let mut got = Vec::new();
        r.read_to_end(&mut got).expect("read");
        assert_eq!(
            (got.as_slice(), r.crc32()),
            (&b"hello"[..], crc32fast::hash(b"hello"))
        );
        // Fewer bytes than declared (the central directory is not the entry's) is refused.
        let mut short = read::EntryReader::new(
            std::io::Cursor::new(bytes[..second as usize + 3].to_vec()),
            second,
            true,
            5,
            5,
        )
        .expect("entry");
        assert!(short.read_to_end(&mut Vec::new()).is_err());
    }
}
