//! An encrypted bundle, decrypted and read in one streaming pass with nothing written
//! anywhere: three threads joined by bounded channels — one reads the ciphertext and
//! takes the file's SHA-256, one decrypts it (each 64 KiB chunk of age's payload is
//! handed on only once its own tag has verified), and the caller's parses the
//! plaintext as it goes by, in the canonical layout's order (local header, entry
//! bytes, …, the directory last). Each stored entry's bytes are hashed (SHA-256,
//! CRC-32) there; the payload's are then dropped, and the rest of the zip (headers,
//! small tag files, the directory, and anything unexpected), up to [`MAX_KEPT_BYTES`],
//! is kept in memory. The checks of `verify` then run over that, only once the last
//! chunk has authenticated. What was not kept (an altered file's blocks, a bundle
//! opened to be read or printed) is decrypted again, in memory, from the same open file.
//!
//! The header is opened by the `age` crate (it parses it, unwraps the file key with
//! the identities and checks the header's MAC). The payload is then decrypted here,
//! following age's STREAM construction (C2SP age, "Payload"): payload key =
//! HKDF-SHA-256(salt = the 16-byte nonce after the header, ikm = the file key,
//! info = "payload"); chunks of 64 KiB of plaintext + a 16-byte Poly1305 tag; chunk
//! *i*'s nonce is *i* as 11 bytes big-endian, then 0x01 for the chunk that ends the
//! file and 0x00 for every other; the last chunk may be short, and is empty only when
//! the whole payload is. ring's ChaCha20-Poly1305 does the decryption: about twice as
//! fast here as the one `age` uses, which is the whole of the difference between this
//! pass and `age -d` (see `make bench`).

use crate::bundle::zipfmt::{
    self,
    read::{u16le, u32le, zip64_sizes},
};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use zeroize::Zeroizing;

/// Most bytes of an encrypted bundle's zip kept in memory by the first pass (headers,
/// tag files, the directory). Beyond it, the rest is decrypted again when read.
pub const MAX_KEPT_BYTES: usize = 64 * 1024 * 1024;

/// Largest entry other than the payload whose bytes the pass keeps (the small tag
/// files: `bagit.txt`, `bag-info.txt`, the tag manifest, the signature, `signer.pub`,
/// and a small case's `case.json`, manifests and log).
const KEEP_ENTRY_BYTES: u64 = 1024 * 1024;

/// Plaintext bytes in one age chunk, and with its tag.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SEALED_CHUNK: usize = CHUNK + TAG;

/// Ciphertext handed from one thread to the next at a time: whole chunks (16, so the
/// plaintext of a block is 1 MiB).
const BLOCK: usize = 16 * SEALED_CHUNK;

/// Blocks in flight from the reading thread to decryption, and from decryption to the
/// parser: bounded, so memory stays flat (about 30 MB in all) whichever is slower. The
/// second is the longer: three threads share two cores, and a parser that falls behind
/// for a moment then still has blocks to hash (measured: 0.96 s against 1.05 s with 4).
const IN_FLIGHT: usize = 4;
const IN_FLIGHT_PLAIN: usize = 16;

/// The most of an encrypted bundle's first bytes read to find its header and nonce. A
/// header is about 100 bytes for each person it is encrypted to; `age` parses a header
/// again after each line it reads, so its time grows with the square of the length
/// (measured, release build: 64 KiB in 0.04 s, 1 MiB in 9 s): a longer one is refused.
pub const MAX_HEADER: usize = 64 * 1024;

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

/// A block handed on, or why there are no more.
enum Msg {
    /// Bytes; `last` when they end the file.
    Data {
        bytes: Vec<u8>,
        last: bool,
    },
    End,
    /// Why the bytes stopped (a sentence clause: "it ends early: …").
    Failed(String),
}

/// A block to fill: one handed back, or a new one.
fn spare(back: &Receiver<Vec<u8>>) -> Vec<u8> {
    back.try_recv().unwrap_or_default()
}

/// Read `from` into `buf` until it holds `want` bytes or `from` ends (a block handed
/// back keeps its length: it is not zeroed again).
fn fill(from: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
    if buf.len() != want {
        buf.resize(want, 0);
    }
    let mut n = 0;
    let res = loop {
        if n == want {
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

/// Why the header could not be opened.
pub enum HeaderError {
    /// None of the identities opens it.
    NoMatchingKeys,
    /// Damaged, or not a form of age read here (what age said).
    Damaged(String),
}

/// An identity that keeps a copy of the file key it unwraps: `age` checks the header's
/// MAC with that key, and the payload is then decrypted here with it.
struct KeepingKey<'a> {
    id: &'a age::x25519::Identity,
    kept: &'a std::cell::RefCell<Option<Zeroizing<[u8; 16]>>>,
}

impl age::Identity for KeepingKey<'_> {
    fn unwrap_stanza(
        &self,
        stanza: &age_core::format::Stanza,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        let got = self.id.unwrap_stanza(stanza);
        if let Some(Ok(key)) = &got {
            use age::secrecy::ExposeSecret;
            *self.kept.borrow_mut() = Some(Zeroizing::new(*key.expose_secret()));
        }
        got
    }
}

/// The payload's key and where it starts, from a header `age` opened.
struct Payload {
    start: u64,
    key: LessSafeKey,
}

fn open_header(
    file: &Arc<File>,
    identities: &[age::x25519::Identity],
) -> Result<Payload, HeaderError> {
    let detail = |e: &dyn std::fmt::Display| super::age_detail(e);
    let mut first = Vec::new();
    fill(&mut AtFile::new(file.clone()), &mut first, MAX_HEADER)
        .map_err(|e| HeaderError::Damaged(detail(&e)))?;
    // A slice is read exactly: what `age` leaves of it starts the payload.
    let mut rest: &[u8] = &first;
    let kept = std::cell::RefCell::new(None);
    let opened = {
        let d = age::Decryptor::new_buffered(&mut rest).map_err(|e| {
            HeaderError::Damaged(if first.len() == MAX_HEADER {
                format!(
                    "{}; or it is longer than 64 KiB, which no bundle's is",
                    detail(&e)
                )
            } else {
                detail(&e)
            })
        })?;
        let ids: Vec<KeepingKey> = identities
            .iter()
            .map(|id| KeepingKey { id, kept: &kept })
            .collect();
        d.decrypt(ids.iter().map(|k| k as &dyn age::Identity))
            .map(drop)
    };
    match opened {
        Ok(()) => {}
        Err(age::DecryptError::NoMatchingKeys) => return Err(HeaderError::NoMatchingKeys),
        Err(e) => return Err(HeaderError::Damaged(detail(&e))),
    }
    let start = first.len() - rest.len();
    let file_key = kept
        .into_inner()
        .ok_or_else(|| HeaderError::Damaged("its file key was not found".into()))?;
    // `age` read the 16-byte nonce just before the payload.
    let nonce = first
        .get(start.saturating_sub(16)..start)
        .filter(|n| n.len() == 16)
        .ok_or_else(|| HeaderError::Damaged("it has no payload nonce".into()))?;
    let key = Zeroizing::new(age_core::primitives::hkdf(nonce, b"payload", &*file_key));
    let key = UnboundKey::new(&CHACHA20_POLY1305, &*key)
        .map_err(|_| HeaderError::Damaged("its payload key could not be made".into()))?;
    Ok(Payload {
        start: start as u64,
        key: LessSafeKey::new(key),
    })
}

/// Chunk `counter`'s nonce: the counter as 11 bytes big-endian, then the last-chunk flag.
fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

/// Whether `sealed` (one chunk and its tag) decrypts as chunk `counter`, `last` or not:
/// on a copy, for explaining a chunk that did not.
fn opens_as(key: &LessSafeKey, counter: u64, last: bool, sealed: &[u8]) -> bool {
    let mut copy = sealed.to_vec();
    key.open_in_place(chunk_nonce(counter, last), Aad::empty(), &mut copy)
        .is_ok()
}

/// The ciphertext, read from the start on its own thread and hashed; the payload's
/// blocks go on to decryption, each marked when it ends the file (a block is held back
/// until the next read shows whether anything follows).
fn read_and_hash(
    file: Arc<File>,
    payload_start: u64,
    tx: SyncSender<Msg>,
    back: Receiver<Vec<u8>>,
) -> io::Result<[u8; 32]> {
    let mut f = AtFile::new(file);
    let mut h = Sha256::new();
    let fail = |tx: &SyncSender<Msg>, e: &io::Error| {
        let _ = tx.send(Msg::Failed(format!("it could not be read ({e})")));
    };
    let mut head = Vec::new();
    let want = usize::try_from(payload_start).unwrap_or(usize::MAX);
    if let Err(e) = fill(&mut f, &mut head, want) {
        fail(&tx, &e);
        return Err(e);
    }
    h.update(&head);
    // Once nobody reads the blocks (decryption failed), the rest is still hashed: the
    // report gives the SHA-256 of the whole file as given.
    let mut listening = true;
    let mut held: Option<Vec<u8>> = None;
    let mut own = Vec::new();
    loop {
        let mut buf = if listening {
            spare(&back)
        } else {
            std::mem::take(&mut own)
        };
        if let Err(e) = fill(&mut f, &mut buf, BLOCK) {
            fail(&tx, &e);
            return Err(e);
        }
        h.update(&buf);
        let ended = buf.is_empty();
        let (send, last) = if ended {
            (held.take(), true)
        } else {
            (held.replace(buf), false)
        };
        if let Some(bytes) = send.filter(|_| listening)
            && let Err(e) = tx.send(Msg::Data { bytes, last })
        {
            listening = false;
            if let Msg::Data { bytes, .. } = e.0 {
                own = bytes;
            }
        }
        if !listening && let Some(b) = held.take() {
            own = b;
        }
        if ended {
            let _ = tx.send(Msg::End);
            return Ok(h.finalize().into());
        }
    }
}

/// Decrypt each block of whole chunks in place (the plaintext moved down over the
/// tags), chunk by chunk, and hand it on; stop at the first chunk that does not
/// authenticate, saying why.
fn decrypt_blocks(
    key: LessSafeKey,
    file: Arc<File>,
    payload_start: u64,
    rx: Receiver<Msg>,
    tx: SyncSender<Msg>,
) {
    let mut counter: u64 = 0;
    let mut ended = false;
    loop {
        let msg = match rx.recv() {
            Ok(Msg::Data { mut bytes, last }) => {
                match open_block(&key, &mut counter, &mut bytes, last, &file, payload_start) {
                    Ok(()) => {
                        ended = last;
                        Msg::Data { bytes, last }
                    }
                    Err(why) => Msg::Failed(why),
                }
            }
            Ok(Msg::End) if ended => Msg::End,
            Ok(Msg::End) => Msg::Failed(if counter == 0 {
                "it ends where its encrypted contents should begin".into()
            } else {
                "it ends early and the rest of it is missing".into()
            }),
            Ok(Msg::Failed(why)) => Msg::Failed(why),
            Err(_) => Msg::Failed("it could not be read to the end".into()),
        };
        let stop = !matches!(msg, Msg::Data { .. });
        if tx.send(msg).is_err() || stop {
            return;
        }
    }
}

fn open_block(
    key: &LessSafeKey,
    counter: &mut u64,
    buf: &mut Vec<u8>,
    last: bool,
    file: &Arc<File>,
    payload_start: u64,
) -> Result<(), String> {
    let n = buf.len();
    let chunks = n.div_ceil(SEALED_CHUNK);
    let mut out = 0;
    for i in 0..chunks {
        let (start, end) = (i * SEALED_CHUNK, ((i + 1) * SEALED_CHUNK).min(n));
        let final_chunk = last && i + 1 == chunks;
        if end - start < TAG {
            return Err("it ends early, in the middle of a part of its encrypted contents".into());
        }
        match key.open_within(
            chunk_nonce(*counter, final_chunk),
            Aad::empty(),
            &mut buf[out..end],
            (start - out)..,
        ) {
            Ok(plain) if plain.is_empty() && final_chunk && *counter > 0 => {
                return Err("its last part is empty, which age never writes".into());
            }
            Ok(plain) => out += plain.len(),
            Err(_) => {
                return Err(explain_chunk(
                    key,
                    *counter,
                    final_chunk,
                    file,
                    payload_start,
                ));
            }
        }
        *counter += 1;
    }
    buf.truncate(out);
    Ok(())
}

/// Why chunk `counter` did not authenticate: read again from the file (the block's
/// copy was decrypted over), and tried as the other kind of chunk.
fn explain_chunk(
    key: &LessSafeKey,
    counter: u64,
    was_final: bool,
    file: &Arc<File>,
    payload_start: u64,
) -> String {
    let changed = format!(
        "part {} of its encrypted contents (of 64 KiB each) was changed",
        counter.saturating_add(1)
    );
    let at = counter
        .checked_mul(SEALED_CHUNK as u64)
        .and_then(|o| o.checked_add(payload_start));
    let mut sealed = Vec::new();
    let mut f = AtFile::new(file.clone());
    let read = at.is_some_and(|at| {
        f.pos = at;
        fill(&mut f, &mut sealed, SEALED_CHUNK).is_ok()
    });
    if !read || sealed.len() < TAG {
        return changed;
    }
    match (was_final, opens_as(key, counter, !was_final, &sealed)) {
        (true, true) => "it ends early and the rest of it is missing".into(),
        (false, true) => "there is something after the end of its encrypted contents".into(),
        _ => changed,
    }
}

/// The outcome of the one pass.
pub struct Pass {
    /// SHA-256 of the file as given (hex), when it could be read to the end.
    pub sha256: Option<String>,
    /// The zip as read, or why decryption failed (a clause: "it ends early: …").
    pub zip: Result<Decrypted, String>,
}

/// Decrypt `file` with `identities` and read the zip inside in one pass (see the
/// module's notes). `Err` when the header cannot be opened; a failure after it (a
/// changed or cut-short ciphertext) is in [`Pass::zip`], with nothing of it kept.
pub fn one_pass(
    file: Arc<File>,
    identities: Arc<Vec<age::x25519::Identity>>,
) -> Result<Pass, HeaderError> {
    let payload = open_header(&file, &identities)?;
    let (cipher_tx, cipher_rx) = sync_channel::<Msg>(IN_FLIGHT);
    let (plain_tx, plain_rx) = sync_channel::<Msg>(IN_FLIGHT_PLAIN);
    // Every block goes round: read, decrypted in place, parsed, handed back to be read into.
    let (back_tx, back_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + IN_FLIGHT_PLAIN + 2);
    let reading = {
        let file = file.clone();
        std::thread::spawn(move || read_and_hash(file, payload.start, cipher_tx, back_rx))
    };
    let decrypting = {
        let file = file.clone();
        std::thread::spawn(move || {
            decrypt_blocks(payload.key, file, payload.start, cipher_rx, plain_tx)
        })
    };
    let mut scan = Scanner::default();
    let failed = loop {
        match plain_rx.recv() {
            Ok(Msg::Data { bytes, .. }) => {
                scan.feed(&bytes);
                let _ = back_tx.try_send(bytes);
            }
            Ok(Msg::End) => break None,
            Ok(Msg::Failed(why)) => break Some(why),
            Err(_) => break Some("it could not be decrypted to the end".to_string()),
        }
    };
    drop(plain_rx);
    drop(back_tx);
    let _ = decrypting.join();
    let sha256 = reading.join().ok().and_then(|r| r.ok()).map(hex::encode);
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
        if h[..4] != zipfmt::LOCAL_SIG.to_le_bytes() {
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

#[cfg(test)]
mod tests;
