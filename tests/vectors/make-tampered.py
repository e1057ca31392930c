#!/usr/bin/env python3
"""Make the TAMPERED test vectors of tests/vectors/ from the genuine ones.

    python3 tests/vectors/make-tampered.py        (from anywhere; needs /usr/bin/minisign and age)

Python 3 standard library only, plus the minisign CLI (to re-sign, with the TEST-ONLY key in
keys/staff/, which has no passphrase) and the age CLI (to encrypt). It is also an independent
implementation of docs/bundle-format.md: before changing anything it rebuilds every genuine
bundle from its entries (zip headers, case.json text, custody hashes, tag manifest) and stops
unless the result is byte for byte the genuine file. So the spec's container, JSON and hash
rules are checked against real bundles every time this runs.

Each vector NAME.evidence(.age) gets NAME.expect (format: see tests/vectors/README.md).
minisign 0.11 signatures are not deterministic, so re-running gives new bytes for the re-signed
vectors (same expectations).
"""

import base64
import binascii
import copy
import datetime as dt
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
SECRET_KEY = os.path.join(KEYS, "staff", "signing.key")
UNTRUSTED_SECRET_KEY = os.path.join(KEYS, "untrusted", "signing.key")
MINISIGN = "/usr/bin/minisign"

ZIP_ORDER = [
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha256.txt.minisig",
    "case.json",
    "custody.jsonl",
    "signer.pub",
    "blocks-sha256.txt",
]
TAG_COVERED = [n for n in ZIP_ORDER if not n.startswith("tagmanifest")]
MAX32 = 0xFFFFFFFF


# ---------------------------------------------------------------- the canonical zip


def dos_time(sealed):
    """(time, date) of an RFC 3339 instant in UTC: seconds halved, year clamped."""
    t = dt.datetime.fromisoformat(sealed.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    year = min(max(t.year, 1980), 2107)
    return ((t.hour << 11) | (t.minute << 5) | (t.second // 2),
            ((year - 1980) << 9) | (t.month << 5) | t.day)


def local_header(name, size, crc, dos, method=0, csize=None):
    n = name.encode("utf-8")
    csize = size if csize is None else csize
    z64 = size >= MAX32
    h = struct.pack("<IHHHHHI", 0x04034B50, 45 if z64 else 20, 0x0800, method, dos[0], dos[1], crc)
    h += struct.pack("<IIHH", MAX32 if z64 else csize, MAX32 if z64 else size, len(n), 20 if z64 else 0)
    h += n
    if z64:
        h += struct.pack("<HHQQ", 1, 16, size, size)
    return h


def central_header(name, size, crc, offset, dos, method=0, csize=None):
    n = name.encode("utf-8")
    csize = size if csize is None else csize
    big_size, big_off = size >= MAX32, offset >= MAX32
    extra = b""
    if big_size:
        extra += struct.pack("<QQ", size, size)
    if big_off:
        extra += struct.pack("<Q", offset)
    h = struct.pack("<IHHHHHHI", 0x02014B50, (3 << 8) | 45, 45 if (big_size or big_off) else 20,
                    0x0800, method, dos[0], dos[1], crc)
    h += struct.pack("<IIHHHHHII", MAX32 if big_size else csize, MAX32 if big_size else size,
                     len(n), 4 + len(extra) if extra else 0, 0, 0, 0, 0o100644 << 16,
                     MAX32 if big_off else offset)
    h += n
    if extra:
        h += struct.pack("<HH", 1, len(extra)) + extra
    return h


def directory_end(count, cd_offset, cd_size):
    out = b""
    z64 = count >= 0xFFFF or cd_offset >= MAX32 or cd_size >= MAX32
    if z64:
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0,
                           count, count, cd_size, cd_offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, cd_offset + cd_size, 1)
    c16 = 0xFFFF if z64 else count
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, c16, c16,
                       MAX32 if z64 else cd_size, MAX32 if z64 else cd_offset, 0)
    return out


def write_zip(entries, dos, deflate=()):
    """entries: [(name, bytes)] in zip order; names in `deflate` are deflated (not canonical)."""
    out, central = bytearray(), []
    for name, data in entries:
        crc = binascii.crc32(data)
        method, stored = 0, data
        if name in deflate:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            method, stored = 8, c.compress(data) + c.flush()
        offset = len(out)
        out += local_header(name, len(data), crc, dos, method, len(stored)) + stored
        central.append(central_header(name, len(data), crc, offset, dos, method, len(stored)))
    cd_offset = len(out)
    for h in central:
        out += h
    out += directory_end(len(central), cd_offset, len(out) - cd_offset)
    return bytes(out)


def read_zip(path):
    """[(name, bytes)] in directory order (the genuine bundles are stored and canonical)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


# ---------------------------------------------------------------- the tag files


def sha(b):
    return hashlib.sha256(b).hexdigest()


def compact(v):
    """serde_json's compact text: no white space, raw UTF-8, only " \\ and U+0000-U+001F escaped."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def entry_hash(e):
    canonical = {
        "seq": e["seq"], "utc": e["at"]["utc"], "local": e["at"]["local"], "zone": e["at"]["zone"],
        "actor": e["actor"], "action": e["action"], "case_id": e["case_id"], "item_id": e["item_id"],
        "details": e["details"], "clock_anomaly": e["clock_anomaly"], "prev_hash": e["prev_hash"],
    }
    return sha(compact(canonical).encode("utf-8"))


def details_text(v):
    """`details`: compact JSON with every object's keys sorted."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def parse_custody(b):
    return [json.loads(line) for line in b.decode("utf-8").split("\n") if line]


def custody_text(lines):
    return "".join(compact(l) + "\n" for l in lines).encode("utf-8")


def rechain(lines):
    """Renumber and re-hash every line after a change (redacted lines keep their own hash)."""
    prev = "0" * 64
    for i, l in enumerate(lines):
        l["seq"] = i + 1
        l["prev_hash"] = prev
        if not l.get("redacted"):
            l["hash"] = entry_hash(l)
        prev = l["hash"]


def case_text(c):
    """serde_json::to_string_pretty (two-space indent) plus one LF."""
    return (json.dumps(c, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def manifest_text(pairs):
    return "".join(f"{h}  {p}\n" for p, h in sorted(pairs)).encode("utf-8")


def fingerprint(pub_b64):
    """First 8 bytes of SHA-256 of the 42-byte key blob, upper-case hex, groups of four."""
    h = hashlib.sha256(base64.b64decode(pub_b64)).hexdigest().upper()[:16]
    return " ".join(h[i:i + 4] for i in range(0, 16, 4))


def key_id(pub_b64):
    """minisign's display of the key id: the 8 id bytes reversed, upper-case hex."""
    return base64.b64decode(pub_b64)[2:10][::-1].hex().upper()


class Bundle:
    def __init__(self, entries):
        self.entries = [[n, b] for n, b in entries]

    @classmethod
    def load(cls, name):
        return cls(read_zip(os.path.join(HERE, name)))

    def copy(self):
        return Bundle(copy.deepcopy(self.entries))

    def get(self, name):
        return next(b for n, b in self.entries if n == name)

    def set(self, name, data):
        for e in self.entries:
            if e[0] == name:
                e[1] = data
                return
        self.entries.append([name, data])

    def text(self, name):
        return self.get(name).decode("utf-8")

    def rename(self, old, new):
        for e in self.entries:
            if e[0] == old:
                e[0] = new

    def facts(self):
        sig = self.text("tagmanifest-sha256.txt.minisig").split("\n")
        return json.loads(sig[2][len("trusted comment: "):])

    def sealed(self):
        for line in self.text("bag-info.txt").splitlines():
            if line.startswith("EK-Sealed-At: "):
                return line[len("EK-Sealed-At: "):]
        raise ValueError("no EK-Sealed-At")

    def case(self):
        return json.loads(self.get("case.json"))

    def custody(self):
        return parse_custody(self.get("custody.jsonl"))

    def bag_info_set(self, label, value):
        out = []
        for line in self.text("bag-info.txt").splitlines():
            if line.startswith(label + ": "):
                line = f"{label}: {value}"
            out.append(line)
        self.set("bag-info.txt", ("\n".join(out) + "\n").encode("utf-8"))

    def payload(self):
        return [(n, b) for n, b in self.entries if n.startswith("data/")]

    def remanifest(self):
        self.set("manifest-sha256.txt", manifest_text([(n, sha(b)) for n, b in self.payload()]))

    def tagmanifest(self, extra=()):
        names = [n for n, _ in self.entries if n in TAG_COVERED or n in extra]
        self.set("tagmanifest-sha256.txt", manifest_text([(n, sha(self.get(n))) for n in names]))

    def resign(self, facts=None, key=SECRET_KEY, extra=(), untrusted=None):
        """Rebuild the tag manifest and sign it again, the trusted comment updated."""
        self.tagmanifest(extra)
        f = facts if facts is not None else self.facts()
        f["tagmanifest_sha256"] = sha(self.get("tagmanifest-sha256.txt"))
        tc = compact(f)
        if untrusted is None:
            pub = self.text("signer.pub").split("\n")[1]
            untrusted = f"Evidence Kit seal of {f['case']} by {fingerprint(pub)}"
        with tempfile.TemporaryDirectory() as d:
            m, s = os.path.join(d, "tm"), os.path.join(d, "tm.minisig")
            with open(m, "wb") as fh:
                fh.write(self.get("tagmanifest-sha256.txt"))
            subprocess.run([MINISIGN, "-S", "-s", key, "-m", m, "-x", s, "-t", tc, "-c", untrusted],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
            with open(s, "rb") as fh:
                self.set("tagmanifest-sha256.txt.minisig", fh.read())

    def zip(self, dos=None, deflate=(), sealed=None):
        return write_zip([(n, b) for n, b in self.entries], dos or dos_time(sealed or self.sealed()), deflate)


# ---------------------------------------------------------------- self-check


def self_check(name):
    """Rebuild a genuine bundle from its parts; every byte must come out the same."""
    path = os.path.join(HERE, name)
    raw = open(path, "rb").read()
    b = Bundle.load(name)
    names = [n for n, _ in b.entries]
    assert names[:9] == ZIP_ORDER, f"{name}: entry order {names[:9]}"
    c = b.case()
    assert [i["path"] for i in c["items"]] == names[9:], f"{name}: data/ not in item order"
    assert case_text(c) == b.get("case.json"), f"{name}: case.json is not pretty JSON + LF"
    lines = b.custody()
    assert custody_text(lines) == b.get("custody.jsonl"), f"{name}: custody line layout"
    for l in lines:
        if not l.get("redacted"):
            assert entry_hash(l) == l["hash"], f"{name}: hash of entry {l['seq']}"
            assert details_text(json.loads(l["details"])) == l["details"], f"{name}: details text"
    t = b.copy()
    t.remanifest()
    t.tagmanifest()
    assert t.get("manifest-sha256.txt") == b.get("manifest-sha256.txt"), f"{name}: manifest"
    assert t.get("tagmanifest-sha256.txt") == b.get("tagmanifest-sha256.txt"), f"{name}: tag manifest"
    f = b.facts()
    assert f["tagmanifest_sha256"] == sha(b.get("tagmanifest-sha256.txt"))
    pub = b.text("signer.pub").split("\n")[1]
    assert f["key_id"] == key_id(pub)
    first = b.text("tagmanifest-sha256.txt.minisig").split("\n")[0]
    assert first == f"untrusted comment: Evidence Kit seal of {f['case']} by {fingerprint(pub)}", first
    assert b.zip() == raw, f"{name}: the canonical zip rebuilt differs from the genuine file"


# ---------------------------------------------------------------- the vectors


def write(name, data, expect, lines, why):
    with open(os.path.join(HERE, name), "wb") as fh:
        fh.write(data)
    base = name.removesuffix(".age").removesuffix(".evidence")
    with open(os.path.join(HERE, base + ".expect"), "w", encoding="utf-8") as fh:
        fh.write(f"expect: {expect}\n")
        for l in lines:
            fh.write(l + "\n")
        fh.write(f"# {why}\n")


def age_encrypt(data, identity):
    recipient = json.load(open(os.path.join(KEYS, identity, "identity.json")))["recipient"]
    return subprocess.run(["age", "-r", recipient], input=data, capture_output=True, check=True).stdout


def age_decrypt(path, identity):
    return subprocess.run(["age", "-d", "-i", os.path.join(KEYS, identity, "identity.age"), path],
                          capture_output=True, check=True).stdout


def main():
    genuine = ["plain.evidence", "withdrawn.evidence", "tab-title.evidence", "unicode.evidence",
               "long-name.evidence", "indecent.evidence"]
    for g in genuine:
        self_check(g)
    with tempfile.TemporaryDirectory() as d:
        plain_zip = os.path.join(d, "encrypted.zip")
        with open(plain_zip, "wb") as fh:
            fh.write(age_decrypt(os.path.join(HERE, "encrypted.evidence.age"), "dsl"))
        self_check(os.path.relpath(plain_zip, HERE))
        encrypted_inner = open(plain_zip, "rb").read()

    plain = Bundle.load("plain.evidence")
    sealed = plain.sealed()
    dos = dos_time(sealed)
    NOTES = "data/002-notes.txt"

    # --- no key needed ---------------------------------------------------------------
    t = plain.copy()
    e = t.entries
    e[9], e[10] = e[10], e[9]
    write("swap-data.evidence", t.zip(), "failed", [f"finding: container {NOTES}"],
          "two payload entries swapped, every header rebuilt canonically (no key needed; B2/G8)")

    t = plain.copy()
    e = t.entries
    e[5], e[6] = e[6], e[5]
    write("swap-tags.evidence", t.zip(), "failed", ["finding: container custody.jsonl"],
          "case.json and custody.jsonl swapped, headers rebuilt canonically (no key needed; B2/G8)")

    t = plain.copy()
    sig = t.text("tagmanifest-sha256.txt.minisig").split("\n")
    sig[0] = "untrusted comment: signature from minisign secret key"
    t.set("tagmanifest-sha256.txt.minisig", "\n".join(sig).encode())
    write("untrusted-comment.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the signature file's untrusted comment changed, CRC and headers fixed (no key needed; G15)")

    t = plain.copy()
    sig = t.text("tagmanifest-sha256.txt.minisig").split("\n")
    sig[3] = base64.b64encode(base64.b64decode(sig[3])[:57]).decode()
    t.set("tagmanifest-sha256.txt.minisig", "\n".join(sig).encode())
    write("short-global-signature.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the global signature re-encoded as 57 bytes, not 64: refused, never a panic (F1)")

    t = plain.copy()
    sig = t.text("tagmanifest-sha256.txt.minisig").split("\n")
    sig[1] = base64.b64encode(base64.b64decode(sig[1])[:70]).decode()
    t.set("tagmanifest-sha256.txt.minisig", "\n".join(sig).encode())
    write("short-signature-line.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the signature line re-encoded as 70 bytes, not 74: refused before minisign sees it")

    t = plain.copy()
    sig = t.text("tagmanifest-sha256.txt.minisig").split("\n")
    sig[3] = base64.b64encode(base64.b64decode(sig[3]) + b"\0").decode()
    t.set("tagmanifest-sha256.txt.minisig", "\n".join(sig).encode())
    write("long-global-signature.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the global signature with one byte appended (65 bytes): minisign 0.10 ignores the extra byte")

    t = plain.copy()
    sig = t.text("tagmanifest-sha256.txt.minisig").split("\n")
    sig[1] = base64.b64encode(base64.b64decode(sig[1]) + b"\0").decode()
    t.set("tagmanifest-sha256.txt.minisig", "\n".join(sig).encode())
    write("long-signature-line.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the signature line with one byte appended (75 bytes): minisign 0.10 ignores the extra byte")

    raw = bytearray(open(os.path.join(HERE, "plain.evidence"), "rb").read())
    at = raw.index(plain.get(NOTES))
    raw[at + 5] ^= 0x01
    write("payload-flip.evidence", bytes(raw), "failed", [f"finding: altered {NOTES}"],
          "one bit of a payload file flipped, nothing else fixed")

    write("deflated.evidence", plain.zip(deflate={NOTES}), "failed", [f"finding: container {NOTES}"],
          "a payload entry deflated instead of stored (bytes unchanged), headers rebuilt")

    write("appended.evidence", plain.zip() + b"\0" * 100, "failed", ["finding: container -"],
          "100 bytes appended after the end record")

    # --- re-signed by the signer: bag defects ------------------------------------------
    t = plain.copy()
    t.set("fetch.txt", b"https://example.org/more.png 10 data/004-more.png\n")
    t.resign(extra=["fetch.txt"])
    write("fetch-txt.evidence", t.zip(), "failed", ["finding: extra fetch.txt"],
          "fetch.txt added (last entry) and listed in the tag manifest, re-signed")

    t = plain.copy()
    md5 = "".join(f"{hashlib.md5(b).hexdigest()}  {n}\n" for n, b in t.payload())
    t.set("manifest-md5.txt", md5.encode())
    t.resign(extra=["manifest-md5.txt"])
    write("manifest-md5.evidence", t.zip(), "failed", ["finding: extra manifest-md5.txt"],
          "a second payload manifest (MD5) added and listed in the tag manifest, re-signed")

    t = plain.copy()
    t.set("data", b"a root file named data\n")
    t.resign(extra=["data"])
    write("root-data.evidence", t.zip(), "failed", ["finding: extra data"],
          "a root file named `data` added and listed in the tag manifest, re-signed")

    t = plain.copy()
    t.set("bagit.txt", b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n")
    t.resign()
    write("bagit-space.evidence", t.zip(), "failed", ["finding: malformed bagit.txt"],
          "bagit.txt with a space before the colon (LoC invalid/bagit-with-invalid-whitespace), re-signed")

    t = plain.copy()
    size = sum(len(b) for _, b in t.payload())
    t.bag_info_set("Payload-Oxum", f"+{size}.+3")
    t.resign()
    write("oxum-plus.evidence", t.zip(), "failed", ["finding: malformed bag-info.txt"],
          "Payload-Oxum with '+' signs (right numbers, wrong grammar), re-signed")

    def unparseable(t):
        f = t.facts()
        f["sealed"] = "yesterday"
        t.bag_info_set("EK-Sealed-At", "yesterday")
        c = t.case()
        c["sealed"]["utc"] = "yesterday"
        t.set("case.json", case_text(c))
        t.resign(f)

    t = plain.copy()
    unparseable(t)
    write("sealed-unparseable.evidence", t.zip(dos=dos), "failed",
          ["finding: malformed tagmanifest-sha256.txt.minisig"],
          "the seal time `yesterday` in the trusted comment, bag-info and case.json, re-signed")
    write("sealed-unparseable-appended.evidence", t.zip(dos=dos) + b"\0" * 120, "failed",
          ["finding: malformed tagmanifest-sha256.txt.minisig", "finding: container -"],
          "as sealed-unparseable, plus 120 bytes appended: the container is still checked (F8)")

    t = plain.copy()
    new = "data/002-other.txt"
    t.rename(NOTES, new)
    c = t.case()
    c["items"][1]["path"] = new
    t.set("case.json", case_text(c))
    t.set("blocks-sha256.txt", t.get("blocks-sha256.txt").replace(NOTES.encode(), new.encode()))
    t.remanifest()
    t.resign()
    write("path-renamed.evidence", t.zip(), "failed", ["finding: mismatch case.json"],
          "data/002-notes.txt renamed data/002-other.txt everywhere (against the payload-name rule), re-signed (G10)")

    t = plain.copy()
    c = t.case()
    c["items"][1]["note"] = "Typed up a week later"
    t.set("case.json", case_text(c))
    t.resign()
    write("casejson-note.evidence", t.zip(), "failed", ["finding: mismatch case.json"],
          "an item's note changed in case.json only (its custody log says otherwise), re-signed")

    w = Bundle.load("withdrawn.evidence")
    t = w.copy()
    c = t.case()
    c["items"][1]["withdrawn"] = None
    t.set("case.json", case_text(c))
    t.resign()
    write("casejson-withdrawal-erased.evidence", t.zip(), "failed", ["finding: mismatch case.json"],
          "a withdrawal erased from case.json (the custody log still records it), re-signed")

    def capture_2031(t, anomaly):
        c = t.case()
        item = c["items"][0]
        stamp = {"utc": "2031-01-01T09:00:00.000Z", "local": "2031-01-01T09:00:00.000+00:00",
                 "zone": item["captured"]["zone"]}
        item["captured"] = stamp
        t.set("case.json", case_text(c))
        lines = t.custody()
        k = next(i for i, l in enumerate(lines)
                 if l.get("action") == "captured" and l["item_id"] == item["id"])
        lines[k]["at"] = dict(stamp)
        d = json.loads(lines[k]["details"])
        d["captured"] = {"local": stamp["local"], "utc": stamp["utc"], "zone": stamp["zone"]}
        lines[k]["details"] = details_text(d)
        if anomaly:
            lines[k + 1]["clock_anomaly"] = True
        rechain(lines)
        t.set("custody.jsonl", custody_text(lines))
        t.resign()

    t = plain.copy()
    capture_2031(t, anomaly=False)
    write("captured-2031.evidence", t.zip(), "failed", ["finding: mismatch case.json", "finding: mismatch custody.jsonl"],
          "an item captured in 2031 (case.json and its custody entry, chain re-hashed), sealed 2026, re-signed")

    t = plain.copy()
    capture_2031(t, anomaly=True)
    write("captured-2031-clock.evidence", t.zip(), "intact", ["note: clock"],
          "as captured-2031, but the next entry records clock_anomaly: a note, not a finding")

    t = plain.copy()
    lines = t.text("blocks-sha256.txt").split("\n")
    k = next(i for i, l in enumerate(lines) if l.startswith(NOTES + "\t"))
    p, size, hexes = lines[k].split("\t")
    lines[k] = f"{p}\t{size}\t{'0' * 64}{hexes[64:]}"
    t.set("blocks-sha256.txt", "\n".join(lines).encode())
    t.resign()
    write("blocks-wrong.evidence", t.zip(), "intact", [],
          "a block hash in blocks-sha256.txt that does not match the (unchanged) file, re-signed (G9): "
          "block hashes only locate a change in a file whose SHA-256 differs (spec 3.5), so a signer's "
          "wrong list is not a finding")

    t = plain.copy()
    t.bag_info_set("Contact-Name", "B. Colleague")
    t.resign()
    write("contact-name.evidence", t.zip(), "failed", ["finding: mismatch bag-info.txt"],
          "Contact-Name differs from case.json's staff, re-signed")

    t = plain.copy()
    f = t.facts()
    f["note"] = "an extra key"
    t.resign(f)
    write("tc-extra-key.evidence", t.zip(), "failed",
          ["finding: signature tagmanifest-sha256.txt.minisig"],
          "the trusted comment carries a key the format does not have, re-signed (G12)")

    t = plain.copy()
    f = t.facts()
    f["signer"] = "Mr B. Colleague"
    t.bag_info_set("EK-Signer", "Mr B. Colleague")
    t.resign(f)
    write("signer-name-claimed.evidence", t.zip(), "intact", ['note: Mr B. Colleague'],
          "signed by the trusted key, claiming another signer name (trusted comment and bag-info): a note (F6)")

    t = plain.copy()
    lines = t.text("manifest-sha256.txt").split("\n")
    t.set("manifest-sha256.txt", "\n".join(l.replace("  ", " ", 1) for l in lines).encode())
    t.resign()
    write("manifest-one-space.evidence", t.zip(), "intact", [],
          "manifest lines with one space (RFC 8493 allows it; seal writes two), re-signed (G11)")

    # --- forward compatibility (must stay intact) --------------------------------------
    t = plain.copy()
    lines = t.custody()
    case_id = t.case()["case"]["id"]
    k = max(i for i, l in enumerate(lines) if l.get("action") == "captured")
    last = lines[k]
    new_line = {
        "seq": 0, "at": dict(last["at"]), "actor": "evidence-kit", "action": "timestamped",
        "case_id": case_id, "item_id": last["item_id"],
        "details": details_text({"authority": "https://tsa.example.org", "token": "MIIB…"}),
        "clock_anomaly": False, "prev_hash": "", "hash": "",
    }
    lines.insert(k + 1, new_line)
    rechain(lines)
    t.set("custody.jsonl", custody_text(lines))
    t.resign()
    write("unknown-action.evidence", t.zip(), "intact", [],
          "a custody entry with an action this version does not know, chain re-hashed, re-signed")

    t = plain.copy()
    c = t.case()
    item = c["items"][2]
    item["source"] = "phone"
    item["location"] = {"lat": 51.58, "lon": -2.99}
    t.set("case.json", case_text(c))
    lines = t.custody()
    k = next(i for i, l in enumerate(lines)
             if l.get("action") == "captured" and l["item_id"] == item["id"])
    d = json.loads(lines[k]["details"])
    d["source"] = "phone"
    d["location"] = {"lat": 51.58, "lon": -2.99}
    lines[k]["details"] = details_text(d)
    rechain(lines)
    t.set("custody.jsonl", custody_text(lines))
    t.resign()
    write("unknown-item-field-and-source.evidence", t.zip(), "intact", [],
          "an item with an unknown field and the unknown source \"phone\" (case.json and custody), re-signed")

    # --- another signer --------------------------------------------------------------
    t = plain.copy()
    pub_lines = open(os.path.join(KEYS, "untrusted", "signing.pub")).read().split("\n")
    pub = pub_lines[1]
    t.set("signer.pub", f"untrusted comment: Evidence Kit signing key of Someone Else (TEST ONLY) ({fingerprint(pub)})\n{pub}\n".encode())
    f = t.facts()
    f["key_id"] = key_id(pub)
    f["signer"] = "Someone Else (TEST ONLY)"
    t.bag_info_set("EK-Signer", f["signer"])
    t.bag_info_set("EK-Signer-Key-Id", f["key_id"])
    t.resign(f, key=UNTRUSTED_SECRET_KEY)
    write("untrusted-signer.evidence", t.zip(), "failed", ["finding: untrusted_key signer.pub"],
          "re-sealed consistently with a key that is not trusted (keys/untrusted, made by minisign -G -W)")

    # --- encryption --------------------------------------------------------------------
    write("encrypted-after.evidence.age", age_encrypt(plain.zip(), "dsl"), "intact",
          ["note: encrypted afterwards"],
          "plain.evidence (sealed unencrypted) encrypted to the designated person afterwards: a note (G16)")
    write("reencrypted-other.evidence.age", age_encrypt(encrypted_inner, "other"), "failed",
          ["identity: keys/other/identity.age", "finding: signature tagmanifest-sha256.txt.minisig"],
          "encrypted.evidence.age decrypted and re-encrypted to someone its signed recipients do not name (G16)")


if __name__ == "__main__":
    sys.exit(main())
