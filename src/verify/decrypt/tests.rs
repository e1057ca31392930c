//! The payload decryption here against the `age` crate's own, on the same files:
//! every size around the chunk and block edges, and every kind of damage, must get
//! the same plaintext or the same refusal.

use super::*;
use std::io::Write;

fn key() -> age::x25519::Identity {
    age::x25519::Identity::generate()
}

fn encrypt(plain: &[u8], to: &age::x25519::Identity) -> Vec<u8> {
    let r = to.to_public();
    let e = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("recipients");
    let mut out = Vec::new();
    let mut w = e.wrap_output(&mut out).expect("wrap");
    w.write_all(plain).expect("write");
    w.finish().expect("finish");
    out
}

/// A plaintext that is not a zip (so the pass keeps all of it) of `n` bytes.
fn plain(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8 | 1).collect()
}

/// What the pass makes of `bytes`: the plaintext, or why not.
fn ours(bytes: &[u8], id: &age::x25519::Identity) -> Result<Vec<u8>, String> {
    let mut f = tempfile::tempfile().expect("temp");
    f.write_all(bytes).expect("write");
    let f = Arc::new(f);
    let pass = match one_pass(f, Arc::new(vec![id.clone()])) {
        Ok(p) => p,
        Err(HeaderError::NoMatchingKeys) => return Err("no matching keys".into()),
        Err(HeaderError::Damaged(why)) => return Err(format!("header: {why}")),
    };
    let sha: [u8; 32] = Sha256::digest(bytes).into();
    assert_eq!(pass.sha256, Some(hex::encode(sha)), "the file's SHA-256");
    let d = Arc::new(pass.zip?);
    let mut got = Vec::new();
    ZipReader::new(d).read_to_end(&mut got).expect("read back");
    Ok(got)
}

/// What the `age` crate makes of `bytes`.
fn theirs(bytes: &[u8], id: &age::x25519::Identity) -> Result<Vec<u8>, String> {
    let d = age::Decryptor::new_buffered(bytes).map_err(|e| e.to_string())?;
    let mut s = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    s.read_to_end(&mut got).map_err(|e| e.to_string())?;
    Ok(got)
}

/// Where the payload starts (after the header and the 16-byte nonce).
fn payload_start(bytes: &[u8]) -> usize {
    let mac = bytes.windows(5).position(|w| w == b"\n--- ").expect("mac");
    let end = mac
        + 1
        + bytes[mac + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("eol");
    end + 1 + 16
}

const SIZES: [usize; 11] = [
    0,
    1,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK,
    16 * CHUNK - 1,
    16 * CHUNK,
    16 * CHUNK + 1,
    32 * CHUNK,
    33 * CHUNK + 5,
];

#[test]
fn every_size_around_the_chunk_and_block_edges_decrypts_as_age_does() {
    let id = key();
    for n in SIZES {
        let p = plain(n);
        let file = encrypt(&p, &id);
        assert_eq!(theirs(&file, &id).as_deref(), Ok(&p[..]), "age, {n} bytes");
        assert_eq!(ours(&file, &id).as_deref(), Ok(&p[..]), "ours, {n} bytes");
    }
}

#[test]
fn every_kind_of_damage_is_refused_where_age_refuses_it_and_said_plainly() {
    let id = key();
    for n in SIZES {
        let p = plain(n);
        let file = encrypt(&p, &id);
        let start = payload_start(&file);
        let chunks = (file.len() - start).div_ceil(SEALED_CHUNK);
        let mut cases: Vec<(String, Vec<u8>, &str)> = Vec::new();
        // The first chunks, the middle one, the last two (and the block edges in them).
        let mut some: Vec<usize> = [
            0,
            1,
            15,
            16,
            chunks / 2,
            chunks.saturating_sub(2),
            chunks - 1,
        ]
        .into_iter()
        .filter(|&c| c < chunks)
        .collect();
        some.sort_unstable();
        some.dedup();
        for &c in &some {
            // A byte changed in chunk c (its first, and its tag's last).
            for at in [
                start + c * SEALED_CHUNK,
                (start + (c + 1) * SEALED_CHUNK).min(file.len()) - 1,
            ] {
                let mut f = file.clone();
                f[at] ^= 0x20;
                cases.push((format!("byte {at} changed"), f, "was changed"));
            }
        }
        // Cut at each chunk's end but the last: the rest is missing.
        for c in some.iter().copied().filter(|&c| c >= 1) {
            let f = file[..start + c * SEALED_CHUNK].to_vec();
            cases.push((
                format!("cut after {c} chunks"),
                f,
                "the rest of it is missing",
            ));
        }
        // Cut inside the last chunk, and the whole payload cut off.
        if file.len() - start > TAG {
            let f = file[..file.len() - 1].to_vec();
            cases.push(("last byte cut".into(), f, ""));
        }
        cases.push((
            "payload cut off".into(),
            file[..start].to_vec(),
            "should begin",
        ));
        cases.push((
            "cut in the nonce".into(),
            file[..start - 5].to_vec(),
            "header",
        ));
        // Something after the end: a byte, or a whole chunk copied again.
        let mut f = file.clone();
        f.push(0);
        cases.push(("one byte appended".into(), f, ""));
        if chunks >= 2 {
            let mut f = file.clone();
            f.extend_from_slice(&file[start..start + SEALED_CHUNK]);
            cases.push(("first chunk appended".into(), f, ""));
            // Two chunks swapped, and one dropped from the middle.
            let second = start + SEALED_CHUNK..(start + 2 * SEALED_CHUNK).min(file.len());
            let mut f = file[..start].to_vec();
            f.extend_from_slice(&file[second.clone()]);
            f.extend_from_slice(&file[start..start + SEALED_CHUNK]);
            f.extend_from_slice(&file[second.end..]);
            cases.push(("first two chunks swapped".into(), f, "part 1 "));
            let mut f = file[..start].to_vec();
            f.extend_from_slice(&file[start + SEALED_CHUNK..]);
            cases.push(("first chunk dropped".into(), f, "part 1 "));
        }
        for (what, f, says) in cases {
            let age_says = theirs(&f, &id);
            let we_say = ours(&f, &id);
            assert!(age_says.is_err(), "{n} bytes, {what}: age accepted it");
            let why = we_say.expect_err(&format!("{n} bytes, {what}: we accepted it"));
            assert!(why.contains(says), "{n} bytes, {what}: {why}");
            assert!(!why.is_empty());
        }
    }
}

#[test]
fn the_part_that_was_changed_is_named_and_a_cut_is_not_called_a_change() {
    let id = key();
    let p = plain(5 * CHUNK + 100);
    let file = encrypt(&p, &id);
    let start = payload_start(&file);
    let mut f = file.clone();
    f[start + 3 * SEALED_CHUNK + 7] ^= 1;
    assert_eq!(
        ours(&f, &id),
        Err("part 4 of its encrypted contents (of 64 KiB each) was changed".into())
    );
    let cut = file[..start + 3 * SEALED_CHUNK].to_vec();
    assert_eq!(
        ours(&cut, &id),
        Err("it ends early and the rest of it is missing".into())
    );
    let mut longer = file.clone();
    longer.extend_from_slice(&[0; 40]);
    assert_eq!(
        ours(&longer, &id),
        Err("part 6 of its encrypted contents (of 64 KiB each) was changed".into()),
    );
    let short = file[..file.len() - (file.len() - start) % SEALED_CHUNK + 3].to_vec();
    assert_eq!(
        ours(&short, &id),
        Err("it ends early, in the middle of a part of its encrypted contents".into())
    );
}

#[test]
fn a_chunk_that_was_the_last_followed_by_more_is_said_so() {
    // Two files' payloads under one header would need the key; instead, a file
    // whose last (full) chunk is followed by a copy of itself.
    let id = key();
    let p = plain(2 * CHUNK);
    let file = encrypt(&p, &id);
    let start = payload_start(&file);
    let mut f = file.clone();
    f.extend_from_slice(&file[start + SEALED_CHUNK..]);
    assert_eq!(
        ours(&f, &id),
        Err("there is something after the end of its encrypted contents".into())
    );
    assert!(theirs(&f, &id).is_err());
}

/// A payload made here under a real file's header: `chunks` are (plaintext, last flag).
fn forged(id: &age::x25519::Identity, chunks: &[(&[u8], bool)]) -> Vec<u8> {
    let real = encrypt(&plain(10), id);
    let mut f = tempfile::tempfile().expect("temp");
    f.write_all(&real).expect("write");
    let Ok(p) = open_header(&Arc::new(f), std::slice::from_ref(id)) else {
        panic!("header")
    };
    let mut out = real[..p.start as usize].to_vec();
    for (i, (text, last)) in chunks.iter().enumerate() {
        let mut c = text.to_vec();
        p.key
            .seal_in_place_append_tag(chunk_nonce(i as u64, *last), Aad::empty(), &mut c)
            .expect("seal");
        out.extend_from_slice(&c);
    }
    out
}

#[test]
fn forged_streams_that_age_refuses_are_refused_here_too() {
    let id = key();
    let full = plain(CHUNK);
    // As age writes them: accepted by both.
    for good in [
        forged(&id, &[(&[], true)]),
        forged(&id, &[(&full, false), (b"end", true)]),
        forged(&id, &[(&full, true)]),
    ] {
        assert!(theirs(&good, &id).is_ok());
        assert!(ours(&good, &id).is_ok());
    }
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "an empty last chunk after a full one",
            forged(&id, &[(&full, false), (&[], true)]),
            "its last part is empty",
        ),
        (
            "a short chunk that is not marked last, at the end",
            forged(&id, &[(&full, false), (b"end", false)]),
            "the rest of it is missing",
        ),
        (
            "a last chunk followed by another",
            forged(&id, &[(&full, true), (b"more", true)]),
            "something after the end",
        ),
        (
            "a short chunk in the middle",
            forged(&id, &[(b"short", false), (&full, true)]),
            "part 1 ",
        ),
        (
            "no last chunk at all, ending on a full one",
            forged(&id, &[(&full, false)]),
            "the rest of it is missing",
        ),
    ];
    for (what, file, says) in cases {
        assert!(theirs(&file, &id).is_err(), "{what}: age accepted it");
        let why = ours(&file, &id).expect_err(what);
        assert!(why.contains(says), "{what}: {why}");
    }
}

#[test]
fn another_key_and_a_header_beyond_the_limit_are_refused_before_any_payload() {
    let id = key();
    let file = encrypt(&plain(1000), &id);
    assert_eq!(ours(&file, &key()), Err("no matching keys".into()));
    // A header line after line past the limit (age would parse it again for each).
    let mut long = b"age-encryption.org/v1\n-> X25519 abc\n".to_vec();
    while long.len() < MAX_HEADER + 10 {
        long.extend_from_slice(&[b'A'; 64]);
        long.push(b'\n');
    }
    let why = ours(&long, &id).expect_err("refused");
    assert!(why.contains("longer than 64 KiB"), "{why}");
}
