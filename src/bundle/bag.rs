//! BagIt 1.0 (RFC 8493) text files: writing them, and reading them strictly.
//!
//! Stricter than bagit-python, which logs and skips a malformed manifest line: every
//! malformed line here is an error naming the file and line.

use std::collections::{BTreeMap, BTreeSet};

/// `bagit.txt`, exactly.
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// Largest manifest we read, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// Longest manifest line, in bytes.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// Labels that may appear once only in `bag-info.txt`.
const NON_REPEATABLE: &[&str] = &[
    "Payload-Oxum",
    "Bagging-Date",
    "Bag-Size",
    "Bag-Group-Identifier",
    "Bag-Count",
    "External-Identifier",
    "EK-Bundle-Id",
    "EK-Sealed-At",
    "EK-Signer",
    "EK-Signer-Key-Id",
    "EK-Recipient",
];

/// A problem in a tag file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The file.
    pub file: String,
    /// 1-based line, when one line is at fault.
    pub line: Option<usize>,
    /// What is wrong, in plain words.
    pub what: String,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{} line {}: {}", self.file, l, self.what),
            None => write!(f, "{}: {}", self.file, self.what),
        }
    }
}

fn bad(file: &str, line: Option<usize>, what: impl Into<String>) -> Malformed {
    Malformed {
        file: file.into(),
        line,
        what: what.into(),
    }
}

/// Percent-encode a manifest path as RFC 8493 §2.1.3 asks (CR, LF and `%`).
pub fn encode_path(p: &str) -> String {
    p.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

/// Decode a path written by [`encode_path`] (`file` and `line` name a bad escape).
pub fn decode_path(file: &str, line: usize, p: &str) -> Result<String, Malformed> {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).unwrap_or("").to_ascii_uppercase();
        out.push(match code.as_str() {
            "0A" => '\n',
            "0D" => '\r',
            "25" => '%',
            _ => {
                return Err(bad(
                    file,
                    Some(line),
                    "a '%' that is not one of the escapes %0A, %0D, %25",
                ));
            }
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A manifest line for each (path, sha256), sorted by path.
pub fn write_manifest(entries: &BTreeMap<String, String>) -> String {
    let mut s = String::new();
    for (path, sha) in entries {
        s.push_str(sha);
        s.push_str("  ");
        s.push_str(&encode_path(path));
        s.push('\n');
    }
    s
}

/// Split a tag file into lines: no BOM, no NUL, LF or CRLF endings (a lone CR is
/// refused), valid UTF-8.
fn lines<'a>(file: &str, bytes: &'a [u8]) -> Result<Vec<&'a str>, Malformed> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(bad(file, None, "it starts with a byte-order mark (BOM)"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad(file, None, "it is not UTF-8"))?;
    if text.contains('\0') {
        return Err(bad(file, None, "it contains a NUL character"));
    }
    let mut out = Vec::new();
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let l = raw.strip_suffix('\n').unwrap_or(raw);
        let l = l.strip_suffix('\r').unwrap_or(l);
        if l.contains('\r') {
            return Err(bad(file, Some(i + 1), "a line ends with a lone CR"));
        }
        out.push(l);
    }
    Ok(out)
}

/// A parsed manifest: each path with its SHA-256, sorted by path. Compact (a path
/// and 32 bytes a line), since a bundle's manifest can list many thousand files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    lines: Vec<(Box<str>, [u8; 32])>,
}

impl Manifest {
    /// The SHA-256 listed for `path`.
    pub fn get(&self, path: &str) -> Option<&[u8; 32]> {
        self.lines
            .binary_search_by(|(p, _)| (**p).cmp(path))
            .ok()
            .map(|i| &self.lines[i].1)
    }

    /// Whether `path` is listed.
    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// The paths, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|(p, _)| &**p)
    }

    /// (path, SHA-256), sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8; 32])> {
        self.lines.iter().map(|(p, h)| (&**p, h))
    }

    /// How many files it lists.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Parse a SHA-256 manifest strictly. `payload`: every path must be under `data/`
/// (the payload manifest); otherwise no path may be (the tag manifest).
pub fn parse_manifest(file: &str, bytes: &[u8], payload: bool) -> Result<Manifest, Malformed> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(bad(file, None, "it is larger than 16 MiB"));
    }
    // (path, hash, line), sorted afterwards; the line names a repeated path.
    let mut out: Vec<(Box<str>, [u8; 32], u32)> = Vec::new();
    for (i, l) in lines(file, bytes)?.into_iter().enumerate() {
        let n = i + 1;
        if l.len() > MAX_LINE_BYTES {
            return Err(bad(file, Some(n), "the line is too long"));
        }
        if l.is_empty() {
            return Err(bad(file, Some(n), "an empty line"));
        }
        let Some((hash, path)) = l.split_once([' ', '\t']) else {
            return Err(bad(
                file,
                Some(n),
                "no space between checksum and file name",
            ));
        };
        let path = path.trim_start_matches([' ', '\t']);
        let mut sha = [0u8; 32];
        if hash.len() != 64 || hex::decode_to_slice(hash, &mut sha).is_err() {
            return Err(bad(
                file,
                Some(n),
                "the checksum is not 64 hexadecimal digits",
            ));
        }
        if path.is_empty() {
            return Err(bad(file, Some(n), "no file name"));
        }
        let path = decode_path(file, n, path)?;
        if payload != path.starts_with("data/") {
            return Err(bad(
                file,
                Some(n),
                if payload {
                    format!("{path} is not under data/")
                } else {
                    format!("the tag manifest lists a payload file ({path})")
                },
            ));
        }
        out.push((path.into_boxed_str(), sha, n as u32));
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
    if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(bad(
            file,
            Some(w[1].2 as usize),
            format!("{} is listed twice", w[1].0),
        ));
    }
    Ok(Manifest {
        lines: out.into_iter().map(|(p, h, _)| (p, h)).collect(),
    })
}

/// A value as `bag-info.txt` carries it: each control character (Unicode Cc) becomes
/// a space, then surrounding white space is trimmed. The verifier applies the same
/// clean-up to the signed value before comparing.
pub fn clean_value(v: &str) -> String {
    let v: String = v
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    v.trim().to_string()
}

/// `bag-info.txt` as ordered (label, value) pairs.
pub fn write_bag_info(fields: &[(&str, String)]) -> String {
    let mut s = String::new();
    for (k, v) in fields {
        s.push_str(k);
        s.push_str(": ");
        s.push_str(&clean_value(v));
        s.push('\n');
    }
    s
}

/// Check `bagit.txt`: exactly the two lines Evidence Kit writes.
pub fn check_bagit_txt(bytes: &[u8]) -> Result<(), Malformed> {
    if bytes == BAGIT_TXT.as_bytes() {
        return Ok(());
    }
    // Name the first line that differs.
    let want: Vec<&str> = BAGIT_TXT.lines().collect();
    let text = String::from_utf8_lossy(bytes);
    let have: Vec<&str> = text.split('\n').collect();
    let line = (0..want.len())
        .find(|&i| have.get(i) != Some(&want[i]))
        .unwrap_or(want.len());
    Err(bad(
        "bagit.txt",
        Some(line + 1),
        format!(
            "it must be exactly the two lines \"BagIt-Version: 1.0\" and \"Tag-File-Character-Encoding: UTF-8\", each ended by a line feed (line {} differs)",
            line + 1
        ),
    ))
}

/// Parse `bag-info.txt` strictly (RFC 8493 §2.2.2): `Label: value` lines, the label
/// without white space at either end and one space or tab after the colon;
/// continuation lines (indented) joined with one space; non-repeatable labels once,
/// compared without regard to letter case.
pub fn parse_bag_info(file: &str, bytes: &[u8]) -> Result<BTreeMap<String, String>, Malformed> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut last: Option<String> = None;
    for (i, l) in lines(file, bytes)?.into_iter().enumerate() {
        let n = i + 1;
        if l.is_empty() {
            return Err(bad(file, Some(n), "an empty line"));
        }
        if l.starts_with([' ', '\t']) {
            let Some(k) = &last else {
                return Err(bad(
                    file,
                    Some(n),
                    "a continuation line with nothing before it",
                ));
            };
            if let Some(v) = out.get_mut(k) {
                v.push(' ');
                v.push_str(l.trim());
            }
            continue;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(bad(file, Some(n), "a line without 'Label: value'"));
        };
        if k.is_empty() {
            return Err(bad(file, Some(n), "an empty label"));
        }
        if k.trim() != k {
            return Err(bad(
                file,
                Some(n),
                "a label starts or ends with white space",
            ));
        }
        let Some(v) = v.strip_prefix([' ', '\t']) else {
            return Err(bad(
                file,
                Some(n),
                "no space after the colon of 'Label: value'",
            ));
        };
        let k = k.to_string();
        let folded = k.to_ascii_lowercase();
        if !seen.insert(folded.clone()) {
            if NON_REPEATABLE
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&folded))
            {
                return Err(bad(file, Some(n), format!("{k} appears more than once")));
            }
            if let Some(existing) = out.get_mut(&k) {
                existing.push_str("; ");
                existing.push_str(v.trim_end());
            }
        } else {
            out.insert(k.clone(), v.trim_end().to_string());
        }
        last = Some(k);
    }
    Ok(out)
}

/// Parse `bytes.count`: ASCII digits, a dot, ASCII digits, nothing else.
pub fn parse_oxum(s: &str) -> Option<(u64, u64)> {
    let (b, c) = s.split_once('.')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|x| x.is_ascii_digit());
    if !digits(b) || !digits(c) {
        return None;
    }
    Some((b.parse().ok()?, c.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    #[test]
    fn manifests_round_trip_and_odd_names_are_escaped() {
        let mut m = BTreeMap::new();
        m.insert("data/a b%c\nd.txt".to_string(), H.to_string());
        let text = write_manifest(&m);
        assert_eq!(text, format!("{H}  data/a b%25c%0Ad.txt\n"));
        let parsed = parse_manifest("m", text.as_bytes(), true).expect("ok");
        let back: Vec<(String, String)> = parsed
            .iter()
            .map(|(p, h)| (p.to_string(), hex::encode(h)))
            .collect();
        assert_eq!(back, m.into_iter().collect::<Vec<_>>());
        let upper = parse_manifest(
            "m",
            text.to_uppercase().replace("DATA/", "data/").as_bytes(),
            true,
        );
        assert_eq!(upper.expect("upper-case hex").len(), 1);
    }

    #[test]
    fn malformed_manifest_lines_are_refused_not_skipped() {
        let cases: Vec<(String, &str)> = vec![
            (format!("\u{feff}{H}  data/a\n"), "byte-order mark"),
            (format!("{H}  data/a\r{H}  data/b\n"), "lone CR"),
            (format!("{}  data/a\n", &H[..63]), "64 hexadecimal"),
            (format!("{}x  data/a\n", &H[..63]), "64 hexadecimal"),
            (format!("{H}data/a\n"), "no space"),
            (format!("{H}  data/a\n{H}  data/a\n"), "listed twice"),
            (format!("{H}  data/a\n\n"), "empty line"),
            (format!("{H}  other/a\n"), "not under data/"),
            (format!("{H}  data/%41\n"), "escapes"),
            (format!("{H}  data/a\0\n"), "NUL"),
        ];
        for (text, want) in cases {
            let e = parse_manifest("manifest-sha256.txt", text.as_bytes(), true)
                .expect_err(&format!("{text:?} must be refused"));
            assert!(e.to_string().contains(want), "{e} should say {want}");
        }
        let e = parse_manifest(
            "tagmanifest-sha256.txt",
            format!("{H}  data/a\n").as_bytes(),
            false,
        )
        .expect_err("tag manifest listing data/");
        assert!(e.to_string().contains("lists a payload file"));
    }

    #[test]
    fn bag_info_refuses_repeated_oxum() {
        let e = parse_bag_info("bag-info.txt", b"Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n")
            .expect_err("repeat");
        assert!(e.to_string().contains("more than once"));
        let ok = parse_bag_info(
            "bag-info.txt",
            b"Contact-Name: A\n  Teacher\nPayload-Oxum: 5.1\n",
        )
        .expect("ok");
        assert_eq!(ok["Contact-Name"], "A Teacher");
        assert_eq!(parse_oxum(&ok["Payload-Oxum"]), Some((5, 1)));
    }

    #[test]
    fn bag_info_labels_and_separators_are_strict() {
        for (text, want) in [
            (&b"EK-Signer : A\n"[..], "white space"),
            (b" EK-Signer: A\n", "continuation"),
            (b"EK-Signer:A\n", "no space after"),
            (b"Payload-Oxum: 1.1\npayload-oxum: 1.1\n", "more than once"),
        ] {
            let e = parse_bag_info("bag-info.txt", text).expect_err("refused");
            assert!(e.to_string().contains(want), "{e} should say {want}");
        }
        let ok = parse_bag_info("bag-info.txt", b"A:\tb\nC: d e\n").expect("tab or space");
        assert_eq!((ok["A"].as_str(), ok["C"].as_str()), ("b", "d e"));
    }

    #[test]
    fn oxum_is_digits_only() {
        for bad in [
            "+100020.+3",
            "1.2 ",
            " 1.2",
            "1.",
            ".2",
            "1.2.3",
            "١.٢",
            "0x1.2",
        ] {
            assert_eq!(parse_oxum(bad), None, "{bad}");
        }
        assert_eq!(parse_oxum("100020.3"), Some((100020, 3)));
    }

    #[test]
    fn bagit_txt_must_be_exact() {
        assert!(check_bagit_txt(BAGIT_TXT.as_bytes()).is_ok());
        for bad in [
            "BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n",
            "BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\n",
            "Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n",
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nX: y\n",
            "BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n",
        ] {
            assert!(check_bagit_txt(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }
}
