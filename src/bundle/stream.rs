//! The I/O plumbing of sealing: a file flushed to disk as it is written, and threads
//! that read the objects ahead of the zip writer, in batches, from a pool of buffers.

use super::SealError;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Bytes written between background flushes to disk.
const SYNC_EVERY_BYTES: u64 = 64 * 1024 * 1024;

/// A file whose written data is flushed to disk by a second thread as it goes, so the
/// final fsync (which the seal must wait for) has little left to do.
pub(super) struct SyncingFile {
    file: File,
    since: u64,
    tx: Option<std::sync::mpsc::SyncSender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl SyncingFile {
    pub(super) fn new(file: File) -> std::io::Result<Self> {
        let other = file.try_clone()?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let handle = std::thread::spawn(move || {
            for () in rx {
                // Best effort: the final sync_all reports any error.
                let _ = other.sync_data();
            }
        });
        Ok(SyncingFile {
            file,
            since: 0,
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    pub(super) fn finish(mut self) -> File {
        drop(self.tx.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.file
    }
}

impl Write for SyncingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since += n as u64;
        if self.since >= SYNC_EVERY_BYTES {
            self.since = 0;
            if let Some(tx) = &self.tx {
                // If a flush is still running, skip this one: it will catch up.
                let _ = tx.try_send(());
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Threads reading objects ahead while sealing.
pub(super) const READERS: usize = 3;

/// What a prefetching thread sends for each of its objects, in order.
pub(super) enum Prefetched {
    /// The next bytes; `last`: the file ended right after them.
    Chunk {
        data: Vec<u8>,
        last: bool,
    },
    /// The file ended (it was empty).
    End,
    Failed(std::io::Error),
}

/// Chunk buffers handed back by the writer for the readers to fill again: reusing
/// them keeps memory flat however many bytes pass (allocating and freeing a megabyte
/// per chunk across threads makes the allocator's arenas grow with the bytes).
#[derive(Default)]
pub(super) struct BufferPool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// Most buffers kept for reuse; any beyond are freed.
    const KEEP: usize = 16;

    /// A buffer of `len` zero-or-stale bytes (pooled when chunk-sized).
    fn take(&self, len: usize) -> Vec<u8> {
        if len >= POOLED_MIN
            && let Some(mut b) = self.free.lock().ok().and_then(|mut f| f.pop())
        {
            b.resize(len, 0);
            return b;
        }
        vec![0u8; len]
    }

    /// Give a buffer back.
    pub(super) fn give(&self, b: Vec<u8>) {
        if b.capacity() >= POOLED_MIN
            && let Ok(mut f) = self.free.lock()
            && f.len() < Self::KEEP
        {
            f.push(b);
        }
    }
}

/// Buffers at least this large are reused; smaller ones are cheap to allocate.
const POOLED_MIN: usize = 64 * 1024;

/// Small pieces are sent together, up to this many bytes: one hand-over (and one
/// thread wake-up) per batch rather than per file, which is what sealing thousands
/// of small files spends most of its time on otherwise.
const BATCH_BYTES: usize = 256 * 1024;

/// Read each (object, recorded size) in turn and send its bytes, in batches. Buffers
/// are sized to what is left of the file (a 2 KB file costs 2 KB, not a whole chunk);
/// a file that grew past its recorded size is sent on so that the writer sees it.
pub(super) fn prefetch(
    objects: impl Iterator<Item = (PathBuf, u64)>,
    tx: &std::sync::mpsc::SyncSender<Vec<Prefetched>>,
    pool: &BufferPool,
) {
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    // Queue one piece; send the batch once it is big enough. False: the writer is gone.
    let mut push = |piece: Prefetched, flush: bool| -> bool {
        if let Prefetched::Chunk { data, .. } = &piece {
            batch_bytes += data.len();
        }
        let failed = matches!(piece, Prefetched::Failed(_));
        batch.push(piece);
        if flush || failed || batch_bytes >= BATCH_BYTES {
            batch_bytes = 0;
            return tx.send(std::mem::take(&mut batch)).is_ok() && !failed;
        }
        true
    };
    for (p, size) in objects {
        let mut f = match File::open(&p) {
            Ok(f) => f,
            Err(e) => {
                push(Prefetched::Failed(e), true);
                return;
            }
        };
        let mut left = size;
        let mut held: Option<Vec<u8>> = None;
        loop {
            // At the recorded end, a one-byte read tells whether the file ends there.
            let cap = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .clamp(1, crate::digest::CHUNK_BYTES);
            let mut buf = pool.take(cap);
            match f.read(&mut buf) {
                Ok(0) => {
                    pool.give(buf);
                    break;
                }
                Ok(n) => {
                    buf.truncate(n);
                    left = left.saturating_sub(n as u64);
                    if let Some(data) = held.replace(buf)
                        && !push(Prefetched::Chunk { data, last: false }, false)
                    {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    push(Prefetched::Failed(e), true);
                    return;
                }
            }
        }
        let end = match held {
            Some(data) => Prefetched::Chunk { data, last: true },
            None => Prefetched::End,
        };
        if !push(end, false) {
            return;
        }
    }
    push(Prefetched::End, true);
}

/// The pieces one prefetching thread has sent and the writer not yet used.
pub(super) struct Pieces {
    pub(super) rx: std::sync::mpsc::Receiver<Vec<Prefetched>>,
    pub(super) queue: std::collections::VecDeque<Prefetched>,
}

impl Pieces {
    fn next(&mut self) -> Option<Prefetched> {
        if self.queue.is_empty() {
            self.queue.extend(self.rx.recv().ok()?);
        }
        self.queue.pop_front()
    }
}

/// Reads one object's bytes from the prefetching thread.
pub(super) struct ChannelReader<'a> {
    pub(super) pieces: &'a mut Pieces,
    pub(super) pool: &'a BufferPool,
    pub(super) chunk: Vec<u8>,
    pub(super) pos: usize,
    /// The object's last bytes have arrived.
    pub(super) ended: bool,
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.pieces.next() {
                Some(Prefetched::Chunk { data, last }) => {
                    self.pool.give(std::mem::replace(&mut self.chunk, data));
                    self.pos = 0;
                    self.ended = last;
                }
                Some(Prefetched::End) => {
                    self.ended = true;
                    return Ok(0);
                }
                Some(Prefetched::Failed(e)) => return Err(e),
                None => {
                    return Err(std::io::Error::other("the reading thread stopped"));
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Where a file is written before it is renamed into place.
pub(super) fn partial_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(".partial");
    PathBuf::from(s)
}

/// The CRC-32 of a file, read in chunks.
pub(super) fn crc_of(path: &Path) -> std::io::Result<u32> {
    let mut h = crc32fast::Hasher::new();
    crate::digest::read_chunks(path, &mut |c| h.update(c))?;
    Ok(h.finalize())
}

/// Rename `from` to `to` unless `to` exists, then fsync the folder.
pub(super) fn rename_new(from: &Path, to: &Path) -> Result<(), super::SealError> {
    if to.exists() {
        return Err(super::SealError::OutputExists { path: to.into() });
    }
    std::fs::rename(from, to).map_err(super::seal::werr(to))?;
    #[cfg(unix)]
    if let Some(dir) = to.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(super::seal::werr(dir))?;
    }
    Ok(())
}

/// Copy the sealed file `from` into `folder` ("Save a copy to…", a USB stick): never over
/// a file there (`NAME-2.evidence…` then), flushed to disk, then read back: the copy is
/// said to be saved only when its SHA-256 is the original's. A copy that differs, or is
/// cut short by a full disk, is removed again. Returns the copy's path.
pub fn copy_sealed(from: &Path, folder: &Path) -> Result<PathBuf, SealError> {
    let write_err = |_: &Path, source: std::io::Error| SealError::Copy {
        folder: folder.to_path_buf(),
        source,
    };
    let name = from
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("sealed.evidence")
        .to_string();
    let (stem, ext) = match name.find(".evidence") {
        Some(i) => (&name[..i], &name[i..]),
        None => (name.as_str(), ""),
    };
    let mut n = 1;
    let (to, mut out) = loop {
        let candidate = folder.join(if n == 1 {
            name.clone()
        } else {
            format!("{stem}-{n}{ext}")
        });
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(write_err(&candidate, e)),
        }
    };
    let copied = (|| -> std::io::Result<String> {
        let mut src = File::open(from)?;
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let got = src.read(&mut buf)?;
            if got == 0 {
                break;
            }
            hash.update(&buf[..got]);
            out.write_all(&buf[..got])?;
        }
        out.sync_all()?;
        Ok(hex::encode(hash.finalize()))
    })();
    let original = match copied {
        Ok(h) => h,
        Err(e) => {
            let _ = std::fs::remove_file(&to);
            let full = matches!(
                e.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            );
            return Err(if full {
                SealError::Full {
                    folder: folder.to_path_buf(),
                }
            } else {
                write_err(&to, e)
            });
        }
    };
    let _ = crate::fsutil::sync_dir(folder);
    let back = crate::digest::hash_file(&to).map_err(|e| write_err(&to, e))?;
    if back != original {
        let _ = std::fs::remove_file(&to);
        return Err(SealError::CopyDiffers {
            folder: folder.to_path_buf(),
        });
    }
    Ok(to)
}
