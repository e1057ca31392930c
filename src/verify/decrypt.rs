//! An encrypted bundle, decrypted and read in one streaming pass with nothing written
//! anywhere: three threads joined by bounded channels — one reads the ciphertext and
//! takes the file's SHA-256, one decrypts it (age authenticates each 64 KiB chunk
//! before handing it on), and the caller's parses the plaintext as it goes by, in the
//! canonical layout's order (local header, entry bytes, …, the directory last). Each
//! stored entry's bytes are hashed (SHA-256, CRC-32) there; the payload's are then
//! dropped, and the rest of the zip (headers, small tag files, the directory, and
//! anything unexpected), up to [`MAX_KEPT_BYTES`], is kept in memory. The checks of `verify` then run over that,
//! only once the last chunk has authenticated. What was not kept (an altered file's
//! blocks, a bundle opened to be read or printed) is decrypted again, in memory, from
//! the same open file.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Most bytes of an encrypted bundle's zip kept in memory by the first pass (headers,
/// tag files, the directory). Beyond it, the rest is decrypted again when read.
pub const MAX_KEPT_BYTES: usize = 64 * 1024 * 1024;

/// Largest entry other than the payload whose bytes the pass keeps (the small tag
/// files: `bagit.txt`, `bag-info.txt`, the tag manifest, the signature, `signer.pub`,
/// and a small case's `case.json`, manifests and log).
const KEEP_ENTRY_BYTES: u64 = 1024 * 1024;

/// Bytes handed from one thread to the next at a time.
const BLOCK: usize = 1 << 20;

/// Blocks in flight between two threads (with as many on their way back): bounded, so
/// memory stays flat whichever thread is slower.
const IN_FLIGHT: usize = 4;

/// A reader of a file at its own position (`pread`), so that several readers of one
/// open file do not move each other.
pub struct AtFile {
    file: Arc<File>,
    pos: u64,
}

impl AtFile {
    pub fn new(file: Arc<File>) -> AtFile {
        AtFile { file, pos: 0 }
    }
}

impl Read for AtFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for AtFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let base = match to {
            SeekFrom::Start(n) => {
                self.pos = n;
                return Ok(n);
            }
            SeekFrom::Current(d) => (self.pos, d),
            SeekFrom::End(d) => (self.file.metadata()?.len(), d),
        };
        self.pos = base
            .0
            .checked_add_signed(base.1)
            .ok_or_else(|| io::Error::other("a seek before the start of the file"))?;
        Ok(self.pos)
    }
}

/// A buffer handed on, or why there are no more.
enum Msg {
    Data(Vec<u8>),
    End,
    Failed(io::Error),
}

/// The receiving end of a thread's blocks, read as a `BufRead`; each block read is
/// handed back to be filled again.
struct ChannelReader {
    rx: Receiver<Msg>,
    back: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let have = self.fill_buf()?;
        let n = have.len().min(buf.len());
        buf[..n].copy_from_slice(&have[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.cur.len() && !self.done {
            match self.rx.recv() {
                Ok(Msg::Data(v)) => {
                    let old = std::mem::replace(&mut self.cur, v);
                    let _ = self.back.try_send(old);
                    self.pos = 0;
                }
                Ok(Msg::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Ok(Msg::End) | Err(_) => self.done = true,
            }
        }
        Ok(&self.cur[self.pos..])
    }
    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.cur.len());
    }
}

/// A block to fill: one handed back, or a new one.
fn spare(back: &Receiver<Vec<u8>>) -> Vec<u8> {
    back.try_recv().unwrap_or_default()
}

/// Read `from` into `buf` until it holds [`BLOCK`] bytes or `from` ends (a block
/// handed back keeps its length: it is not zeroed again).
fn fill(from: &mut dyn Read, buf: &mut Vec<u8>) -> io::Result<()> {
    if buf.len() != BLOCK {
        buf.resize(BLOCK, 0);
    }
    let mut n = 0;
    let res = loop {
        if n == BLOCK {
            break Ok(());
        }
        match from.read(&mut buf[n..]) {
            Ok(0) => break Ok(()),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buf.truncate(n);
    res
}

/// The ciphertext, read on its own thread and hashed: its blocks go to `ChannelReader`.
struct CipherThread {
    handle: std::thread::JoinHandle<io::Result<[u8; 32]>>,
    stop: Arc<AtomicBool>,
}

impl CipherThread {
    fn start(file: Arc<File>) -> (CipherThread, ChannelReader) {
        let (tx, rx) = sync_channel::<Msg>(IN_FLIGHT);
        let (back_tx, back_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut f = AtFile::new(file);
            let mut h = Sha256::new();
            // Once nobody reads the blocks (decryption failed), the rest is still
            // hashed: the report gives the SHA-256 of the whole file as given.
            let mut listening = true;
            let mut own = Vec::new();
            loop {
                if stopping.load(Ordering::Relaxed) {
                    return Err(io::Error::other("stopped"));
                }
                let mut buf = if listening {
                    spare(&back_rx)
                } else {
                    std::mem::take(&mut own)
                };
                if let Err(e) = fill(&mut f, &mut buf) {
                    let _ = tx.send(Msg::Failed(io::Error::new(e.kind(), e.to_string())));
                    return Err(e);
                }
                if buf.is_empty() {
                    let _ = tx.send(Msg::End);
                    return Ok(h.finalize().into());
                }
                h.update(&buf);
                if listening {
                    if let Err(e) = tx.send(Msg::Data(buf)) {
                        listening = false;
                        if let Msg::Data(v) = e.0 {
                            own = v;
                        }
                    }
                } else {
                    own = buf;
                }
            }
        });
        let reader = ChannelReader {
            rx,
            back: back_tx,
            cur: Vec::new(),
            pos: 0,
            done: false,
        };
        (CipherThread { handle, stop }, reader)
    }

    /// The SHA-256 of the whole file.
    fn finish(self) -> io::Result<[u8; 32]> {
        self.handle
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")))
    }

    /// Not wanted after all (the header could not be opened).
    fn abandon(self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Why the header could not be opened.
pub enum HeaderError {
    /// None of the identities opens it.
    NoMatchingKeys,
    /// Damaged, or not a form of age read here (what age said).
    Damaged(String),
}

/// The outcome of the one pass.
pub struct Pass {
    /// SHA-256 of the file as given (hex), when it could be read to the end.
    pub sha256: Option<String>,
    /// The zip as read, or why decryption failed (what age said).
    pub zip: Result<Decrypted, String>,
}

/// Decrypt `file` with `identities` and read the zip inside in one pass (see the
/// module's notes). `Err` when the header cannot be opened; a failure after it (a
/// changed or cut-short ciphertext) is in [`Pass::zip`], with nothing of it kept.
pub fn one_pass(
    file: Arc<File>,
    identities: Arc<Vec<age::x25519::Identity>>,
) -> Result<Pass, HeaderError> {
    let (cipher, reader) = CipherThread::start(file.clone());
    let detail = |e: &dyn std::fmt::Display| super::age_detail(e);
    let stream = match age::Decryptor::new_buffered(reader) {
        Ok(d) => {
            let ids = identities.iter().map(|k| k as &dyn age::Identity);
            match d.decrypt(ids) {
                Ok(s) => s,
                Err(age::DecryptError::NoMatchingKeys) => {
                    cipher.abandon();
                    return Err(HeaderError::NoMatchingKeys);
                }
                Err(e) => {
                    cipher.abandon();
                    return Err(HeaderError::Damaged(detail(&e)));
                }
            }
        }
        Err(e) => {
            cipher.abandon();
            return Err(HeaderError::Damaged(detail(&e)));
        }
    };
    // Decrypted on a second thread; each block holds only chunks whose tags verified.
    let (tx, rx) = sync_channel::<Msg>(IN_FLIGHT);
    let (back_tx, back_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    let decrypting = std::thread::spawn(move || {
        let mut stream = stream;
        loop {
            let mut buf = spare(&back_rx);
            match fill(&mut stream, &mut buf) {
                Ok(()) if buf.is_empty() => {
                    let _ = tx.send(Msg::End);
                    return;
                }
                Ok(()) => {
                    if tx.send(Msg::Data(buf)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Msg::Failed(e));
                    return;
                }
            }
        }
    });
    let mut scan = Scanner::default();
    let failed = loop {
        match rx.recv() {
            Ok(Msg::Data(v)) => {
                scan.feed(&v);
                let _ = back_tx.try_send(v);
            }
            Ok(Msg::End) => break None,
            Ok(Msg::Failed(e)) => break Some(detail(&e)),
            Err(_) => break Some("decryption stopped".to_string()),
        }
    };
    drop(rx);
    let _ = decrypting.join();
    let sha256 = cipher.finish().ok().map(hex::encode);
    let zip = match failed {
        // Nothing read is kept: no verdict and nothing extracted from a stream whose
        // last chunk did not authenticate.
        Some(why) => Err(why),
        None => Ok(scan.finish(file, identities)),
    };
    Ok(Pass { sha256, zip })
}

/// Where the parser of the plaintext is.
#[derive(Default)]
enum State {
    /// Reading a local header (30 bytes, then its name and extra field).
    #[default]
    Header,
    /// Inside an entry's bytes.
    Data {
        left: u64,
        hashing: Option<Box<Hashing>>,
        keep: bool,
    },
    /// Past the last local header: the directory, the end records, anything else.
    Rest,
}

struct Hashing {
    start: u64,
    size: u64,
    sha: Sha256,
    crc: crc32fast::Hasher,
}

/// The plaintext parser: the canonical layout, read front to back.
#[derive(Default)]
struct Scanner {
    at: u64,
    state: State,
    header: Vec<u8>,
    header_start: u64,
    kept: Vec<(u64, Vec<u8>)>,
    kept_bytes: usize,
    hashed: HashMap<(u64, u64), ([u8; 32], u32)>,
}

impl Scanner {
    fn keep(&mut self, at: u64, bytes: &[u8]) {
        if bytes.is_empty() || self.kept_bytes + bytes.len() > MAX_KEPT_BYTES {
            return;
        }
        self.kept_bytes += bytes.len();
        match self.kept.last_mut() {
            Some((start, v)) if *start + v.len() as u64 == at => v.extend_from_slice(bytes),
            _ => self.kept.push((at, bytes.to_vec())),
        }
    }

    fn feed(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            let at = self.at;
            let n = match &mut self.state {
                State::Rest => b.len(),
                State::Header => {
                    let need = if self.header.len() < 30 {
                        30
                    } else {
                        30 + u16le(&self.header, 26) as usize + u16le(&self.header, 28) as usize
                    };
                    let n = (need - self.header.len()).min(b.len());
                    if self.header.is_empty() {
                        self.header_start = at;
                    }
                    self.header.extend_from_slice(&b[..n]);
                    n
                }
                State::Data { left, .. } => {
                    usize::try_from(*left).unwrap_or(usize::MAX).min(b.len())
                }
            };
            let (now, later) = b.split_at(n);
            match &mut self.state {
                State::Rest => self.keep(at, now),
                State::Header => {
                    self.keep(at, now);
                    self.header_read();
                }
                State::Data {
                    left,
                    hashing,
                    keep,
                } => {
                    if let Some(h) = hashing {
                        h.sha.update(now);
                        h.crc.update(now);
                    }
                    *left -= n as u64;
                    let (done, keep) = (*left == 0, *keep);
                    if keep {
                        self.keep(at, now);
                    }
                    if done {
                        self.entry_read();
                    }
                }
            }
            self.at += n as u64;
            b = later;
        }
    }

    /// After bytes of a local header: once it is whole, what follows it.
    fn header_read(&mut self) {
        let h = &self.header;
        if h.len() < 30 {
            return;
        }
        if h[..4] != 0x0403_4b50u32.to_le_bytes() {
            self.state = State::Rest;
            return;
        }
        let (n, x) = (u16le(h, 26) as usize, u16le(h, 28) as usize);
        if h.len() < 30 + n + x {
            return;
        }
        let flags = u16le(h, 6);
        let method = u16le(h, 8);
        let mut compressed = u32le(h, 18) as u64;
        let mut size = u32le(h, 22) as u64;
        if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF {
            match zip64_sizes(&h[30 + n..]) {
                Some((s, c)) => (size, compressed) = (s, c),
                None => {
                    self.state = State::Rest;
                    return;
                }
            }
        }
        let data_start = self.header_start + h.len() as u64;
        let payload = h[30..30 + n].starts_with(b"data/");
        self.header.clear();
        if flags & 0x08 != 0 {
            // Sizes after the data: not the canonical layout; kept as it is.
            self.state = State::Rest;
            return;
        }
        // Every stored entry is hashed as it goes by; only small ones other than the
        // payload are kept (the large tag files grow with the case: they are read
        // again, decrypted, a line or an item at a time, as from a plain zip).
        let hashing = (method == 0 && size == compressed).then(|| {
            Box::new(Hashing {
                start: data_start,
                size,
                sha: Sha256::new(),
                crc: crc32fast::Hasher::new(),
            })
        });
        let keep = !payload && compressed <= KEEP_ENTRY_BYTES;
        self.state = State::Data {
            left: compressed,
            hashing,
            keep,
        };
        if compressed == 0 {
            self.entry_read();
        }
    }

    /// At the end of an entry's bytes.
    fn entry_read(&mut self) {
        if let State::Data {
            hashing: Some(h), ..
        } = std::mem::take(&mut self.state)
        {
            self.hashed.insert(
                (h.start, h.size),
                (h.sha.finalize().into(), h.crc.finalize()),
            );
        }
        self.state = State::Header;
    }

    fn finish(self, file: Arc<File>, identities: Arc<Vec<age::x25519::Identity>>) -> Decrypted {
        let mut kept = self.kept;
        kept.shrink_to_fit();
        Decrypted {
            file,
            identities,
            len: self.at,
            kept,
            hashed: self.hashed,
        }
    }
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The (size, compressed size) of a local header's zip64 extra field.
fn zip64_sizes(mut extra: &[u8]) -> Option<(u64, u64)> {
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

/// An encrypted bundle's zip after the one pass: what was kept of it, the hashes of
/// the payload entries that streamed by, and the means to decrypt it again.
pub struct Decrypted {
    file: Arc<File>,
    identities: Arc<Vec<age::x25519::Identity>>,
    len: u64,
    kept: Vec<(u64, Vec<u8>)>,
    hashed: HashMap<(u64, u64), ([u8; 32], u32)>,
}

impl Decrypted {
    /// The zip's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// SHA-256 and CRC-32 of the `size` bytes from `start`, when they were an entry's
    /// bytes hashed in the pass.
    pub fn hashed(&self, start: u64, size: u64) -> Option<([u8; 32], u32)> {
        self.hashed.get(&(start, size)).copied()
    }
}

/// A reader of the zip inside: from memory where the pass kept it, else decrypted
/// again (age authenticates each chunk again; nothing is written).
pub struct ZipReader {
    d: Arc<Decrypted>,
    pos: u64,
    again: Option<(age::stream::StreamReader<io::BufReader<AtFile>>, u64)>,
}

impl ZipReader {
    pub fn new(d: Arc<Decrypted>) -> ZipReader {
        ZipReader {
            d,
            pos: 0,
            again: None,
        }
    }

    fn decrypt_again(
        &mut self,
    ) -> io::Result<&mut age::stream::StreamReader<io::BufReader<AtFile>>> {
        let pos = self.pos;
        if self.again.as_ref().is_none_or(|(_, p)| *p != pos) {
            if self.again.is_none() {
                let inner = io::BufReader::with_capacity(1 << 17, AtFile::new(self.d.file.clone()));
                let d = age::Decryptor::new_buffered(inner)
                    .map_err(|e| io::Error::other(super::age_detail(&e)))?;
                let ids = self.d.identities.iter().map(|k| k as &dyn age::Identity);
                let s = d
                    .decrypt(ids)
                    .map_err(|e| io::Error::other(super::age_detail(&e)))?;
                self.again = Some((s, 0));
            }
            if let Some((s, p)) = &mut self.again {
                s.seek(SeekFrom::Start(pos))?;
                *p = pos;
            }
        }
        match &mut self.again {
            Some((s, _)) => Ok(s),
            None => Err(io::Error::other("the bundle could not be decrypted again")),
        }
    }
}

impl Read for ZipReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.d.len || buf.is_empty() {
            return Ok(0);
        }
        let i = self.d.kept.partition_point(|(s, _)| *s <= self.pos);
        if i > 0 {
            let (s, v) = &self.d.kept[i - 1];
            let off = (self.pos - s) as usize;
            if off < v.len() {
                let n = (v.len() - off).min(buf.len());
                buf[..n].copy_from_slice(&v[off..off + n]);
                self.pos += n as u64;
                return Ok(n);
            }
        }
        // Up to the next kept bytes, or the end.
        let until = self.d.kept.get(i).map_or(self.d.len, |(s, _)| *s);
        let room = usize::try_from(until - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let s = self.decrypt_again()?;
        let n = s.read(&mut buf[..room])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the bundle ended early when decrypted again",
            ));
        }
        self.pos += n as u64;
        if let Some((_, p)) = &mut self.again {
            *p = self.pos;
        }
        Ok(n)
    }
}

impl Seek for ZipReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let (base, d) = match to {
            SeekFrom::Start(n) => (n, 0),
            SeekFrom::Current(d) => (self.pos, d),
            SeekFrom::End(d) => (self.d.len, d),
        };
        self.pos = base.checked_add_signed(d).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start")
        })?;
        Ok(self.pos)
    }
}
