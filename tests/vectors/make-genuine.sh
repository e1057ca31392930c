#!/bin/sh
# Makes the GENUINE test vectors of tests/vectors/ with the Evidence Kit binary built at
# commit efcc59f (the last release of the format before issue 12). They are committed:
# this script documents how they were made; the tests never run it.
#
#   tests/vectors/make-genuine.sh /path/to/efcc59f/evidence-kit
#
# The keys in tests/vectors/keys/ are TEST-ONLY keys, made once with the same binary
# (`keys new --no-passphrase`, `keys new-recipient --no-passphrase`) and committed on
# purpose; nothing real is ever signed or encrypted with them.
set -eu
B=${1:?usage: make-genuine.sh EVIDENCE-KIT-BINARY}
V=$(cd "$(dirname "$0")" && pwd)
K=$V/keys
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -f "$K/staff/signing.key" ]; then
  "$B" --config "$K/staff" keys new --name "Test Signer (TEST ONLY)" --no-passphrase
fi
for who in dsl other; do
  if [ ! -f "$K/$who/identity.age" ]; then
    "$B" --config "$K/$who" keys new-recipient --name "Test $who (TEST ONLY)" --no-passphrase
  fi
done
DSL=$(sed -n 's/.*"recipient": *"\(age1[a-z0-9]*\)".*/\1/p' "$K/dsl/identity.json")

# The evidence files: a tiny PNG, a text file, an e-mail, odd names.
python3 - "$T" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
def png(rgb):
    raw = b"".join(b"\0" + bytes(rgb * 4) for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(f"{d}/screenshot.png", "wb").write(png([255, 0, 0]))
open(f"{d}/notes.txt", "wb").write(b"Posted in the Year 6 parents' group at 21:14.\nThree replies by 21:30.\n")
open(f"{d}/message.eml", "wb").write(
    b"From: Someone <someone@example.org>\r\nTo: a.teacher@example.school\r\n"
    b"Date: Tue, 24 Nov 2026 21:14:00 +0000\r\nSubject: You will regret this\r\n"
    b"Message-ID: <test-vector-1@example.org>\r\n\r\nYou will regret this.\r\n")
for name, text in [("café résumé.txt", "accents\n"), ("日本語", "no Latin letters\n"),
                   ("😀 smile.txt", "emoji first\n"),
                   ("a" * 79 + "-b.txt", "80 characters after clean-up, ending in '-'\n"),
                   ("second.txt", "a second file\n"), ("removed.png", None)]:
    if text is None:
        open(f"{d}/{name}", "wb").write(png([0, 0, 255]))
    else:
        open(f"{d}/{name}", "w", encoding="utf-8").write(text)
PY

S=$T/store
ek() { "$B" --store "$S" --config "$K/staff" "$@"; }
new_case() { ek case new --title "$1" --staff "$2"; }
item_ids() { ek items --case "$1" --json | python3 -c 'import json,sys; print(" ".join(str(i["id"]) for i in json.load(sys.stdin)))'; }

# plain: three items (PNG with site and sender, text with a note, e-mail), a report.
export TZ=Europe/London
C=$(new_case "Posts about me" "A. Teacher")
ek capture file --case "$C" "$T/screenshot.png" --site Instagram --from @someone \
  --seen 2026-11-24T21:14:00+00:00 >/dev/null
ek capture file --case "$C" "$T/notes.txt" --note "Typed up the same evening" >/dev/null
ek capture file --case "$C" "$T/message.eml" >/dev/null
ek case report --case "$C" --description 'They wrote: "you will regret this"' \
  --responsible parent --continuing yes >/dev/null
ek seal --case "$C" --out "$V/plain.evidence" >/dev/null

# withdrawn: a withdrawn item, a note edit, a details edit.
C=$(new_case "Messages on the class app" "A. Teacher")
ek capture file --case "$C" "$T/notes.txt" --note "first note" >/dev/null
ek capture file --case "$C" "$T/second.txt" >/dev/null
set -- $(item_ids "$C")
ek edit --item "$1" --field note --value "the note, corrected" >/dev/null
ek edit --item "$1" --field site --value "ClassDojo" >/dev/null
ek withdraw --item "$2" --reason "captured twice by mistake" >/dev/null
ek seal --case "$C" --out "$V/withdrawn.evidence" >/dev/null

# tab-title: bag-info clean-up (a tab and a DEL in the title, a tab in the staff name).
C=$(new_case "$(printf 'Group chat\tscreenshots\177 (Year 6)')" "$(printf 'A.\tTeacher')")
ek capture file --case "$C" "$T/notes.txt" >/dev/null
ek seal --case "$C" --out "$V/tab-title.evidence" >/dev/null

# unicode: non-ASCII title, staff and file names; a zone east of UTC.
export TZ=Europe/Paris
C=$(new_case "Commentaires — café, 日本語, 😀" "Zoë Ångström")
ek capture file --case "$C" "$T/café résumé.txt" "$T/日本語" "$T/😀 smile.txt" >/dev/null
ek seal --case "$C" --out "$V/unicode.evidence" >/dev/null
export TZ=Europe/London

# long-name: a name 80 characters long after clean-up that ends in '-' (format 1 keeps
# it; seal after issue 12 trims it again).
C=$(new_case "A long file name" "A. Teacher")
ek capture file --case "$C" "$T/$(printf 'a%.0s' $(seq 79))-b.txt" >/dev/null
ek seal --case "$C" --out "$V/long-name.evidence" >/dev/null

# encrypted: to the test designated person.
C=$(new_case "Sealed for the designated person" "A. Teacher")
ek capture file --case "$C" "$T/screenshot.png" "$T/notes.txt" >/dev/null
ek seal --case "$C" --out "$V/encrypted.evidence" --to "$DSL" >/dev/null

# indecent: one item removed as a possible indecent image of a child.
C=$(new_case "Image sent to a pupil" "A. Teacher")
ek capture file --case "$C" "$T/notes.txt" >/dev/null
ek capture file --case "$C" "$T/removed.png" >/dev/null
set -- $(item_ids "$C")
ek case safeguard --case "$C" --item "$2" --site "Snapchat" >/dev/null
ek seal --case "$C" --out "$V/indecent.evidence" >/dev/null

ls -l "$V"/*.evidence*
