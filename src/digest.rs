//! SHA-256 streaming and block hashes: the digest primitives that capture, `check`,
//! sealing and `verify` share. Imports nothing from the crate.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Bytes read and written per step while capturing.
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// Fewest bytes in a block of [`Blocks`].
pub const MIN_BLOCK_BYTES: u64 = 4096;
/// Most blocks per object (the block size doubles until it fits).
pub const MAX_BLOCKS: u64 = 1024;

/// The block size for an object of `size` bytes: a power of two of at least 4 KiB,
/// small enough to locate a change, large enough for at most 1,024 blocks.
pub fn block_size_for(size: u64) -> u64 {
    let mut b = MIN_BLOCK_BYTES;
    while size.div_ceil(b) > MAX_BLOCKS {
        b *= 2;
    }
    b
}

/// SHA-256 of each consecutive block of an object (the last may be short).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocks {
    /// Bytes per block.
    pub size: u64,
    /// One digest per block.
    pub digests: Vec<[u8; 32]>,
    /// CRC-32 (zip's) of the whole object.
    pub crc32: u32,
}

impl Blocks {
    /// The digests as lower-case hex.
    pub fn hex(&self) -> Vec<String> {
        self.digests.iter().map(hex::encode).collect()
    }
}

/// Computes [`Blocks`] over a stream fed in arbitrary pieces.
pub struct BlockHasher {
    crc: crc32fast::Hasher,
    size: u64,
    in_block: u64,
    current: Sha256,
    digests: Vec<[u8; 32]>,
}

impl BlockHasher {
    /// Blocks of `block_size` bytes.
    pub fn new(block_size: u64) -> Self {
        BlockHasher {
            crc: crc32fast::Hasher::new(),
            size: block_size.max(1),
            in_block: 0,
            current: Sha256::new(),
            digests: Vec::new(),
        }
    }

    /// Feed bytes.
    pub fn update(&mut self, mut data: &[u8]) {
        self.crc.update(data);
        while !data.is_empty() {
            let room = (self.size - self.in_block) as usize;
            let take = room.min(data.len());
            self.current.update(&data[..take]);
            self.in_block += take as u64;
            data = &data[take..];
            if self.in_block == self.size {
                let d = std::mem::replace(&mut self.current, Sha256::new()).finalize();
                self.digests.push(d.into());
                self.in_block = 0;
            }
        }
    }

    /// The digests (a final short block included).
    pub fn finish(mut self) -> Blocks {
        if self.in_block > 0 {
            self.digests.push(self.current.finalize().into());
        }
        Blocks {
            size: self.size,
            digests: self.digests,
            crc32: self.crc.finalize(),
        }
    }
}

/// Read a file in [`CHUNK_BYTES`] pieces, handing each to `f`.
pub fn read_chunks(path: &Path, f: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => f(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// SHA-256 of a file and of its blocks of `block_size`, in one streamed pass.
pub fn hash_file_blocks(path: &Path, block_size: u64) -> std::io::Result<(String, Blocks)> {
    let mut hasher = Sha256::new();
    let mut blocks = BlockHasher::new(block_size);
    read_chunks(path, &mut |c| {
        hasher.update(c);
        blocks.update(c);
    })?;
    Ok((hex::encode(hasher.finalize()), blocks.finish()))
}

/// Every run of consecutive blocks where two block lists differ, in order, each as a
/// byte range `(start, end)` (end exclusive, capped at `len`, the altered length; a
/// run past the end of a shortened file is the one byte at its start). Empty when they
/// do not differ; `None` when their block sizes differ (nothing can be located). At
/// most one range per two blocks, so no more than the lists themselves hold.
pub fn changed_ranges(expected: &Blocks, actual: &Blocks, len: u64) -> Option<Vec<(u64, u64)>> {
    if expected.size != actual.size {
        return None;
    }
    let size = expected.size;
    let n = expected.digests.len().max(actual.digests.len());
    let range = |first: usize, end: usize| {
        let start = first as u64 * size;
        (start, (end as u64 * size).min(len.max(start + 1)))
    };
    let mut ranges = Vec::new();
    let mut run = None;
    for i in 0..=n {
        let differs = i < n && expected.digests.get(i) != actual.digests.get(i);
        match (differs, run) {
            (true, None) => run = Some(i),
            (false, Some(first)) => {
                ranges.push(range(first, i));
                run = None;
            }
            _ => {}
        }
    }
    Some(ranges)
}

/// SHA-256 of a file, streamed.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    read_chunks(path, &mut |c| hasher.update(c))?;
    Ok(hex::encode(hasher.finalize()))
}
