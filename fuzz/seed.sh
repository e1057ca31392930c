#!/usr/bin/env bash
# Make the fuzz targets' seeds and fixtures with the CLI (target/debug/evidence-kit) and the
# test vectors. Run it by hand when the bundle format changes, and commit what it writes
# (scripts/fuzz adds every test vector to the working corpus itself, each run).
#
#   fuzz/seed.sh [EVIDENCE-KIT-BINARY]
#
# Writes:
#   fuzz/seeds/TARGET/*    small seeds made by the CLI, committed (well under 1 MB in all)
#   fuzz/fixtures/*        the plain vector's custody.jsonl and case.json; intact.sha256, the
#                          SHA-256 of every plain bundle (vector or seed) that verifies intact
#                          with the TEST-ONLY staff key: the verifier targets' oracle
#
# Uses only TEST-ONLY keys (tests/vectors/keys/); nothing real is signed or encrypted.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${1:-$ROOT/target/debug/evidence-kit}
[ -x "$B" ] || { echo "seed.sh: no CLI at $B (cargo build -p evidence-kit)" >&2; exit 2; }
V=$ROOT/tests/vectors
K=$V/keys
F=$ROOT/fuzz
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

rm -rf "$F/seeds"
mkdir -p "$F/fixtures"
for t in verify verify_age bag casejson custody receipt keys; do
  mkdir -p "$F/seeds/$t"
done

# with_byte N FILE OUT: OUT is the byte N followed by FILE (a target's choice of parser).
with_byte() { { printf "\\$(printf '%03o' "$1")"; cat "$2"; } >"$3"; }

# --- Bundles made by today's CLI, signed with the TEST-ONLY staff key ---------------
cp -r "$K/staff" "$T/staff"
cp -r "$K/dsl" "$T/dsl"
cp "$K/staff/signing.key" "$K/staff/signing.pub" "$K/staff/signing.json" "$T/dsl/"
ek() { "$B" --store "$T/store" --config "$T/staff" "$@"; }
printf 'Posted in the parents group at 21:14.\n' >"$T/notes.txt"
printf 'From: Someone <someone@example.org>\r\nSubject: You will regret this\r\n\r\nHello.\r\n' >"$T/message.eml"
C=$(ek case new --title "Fuzz seed (TEST ONLY)" --staff "A. Teacher")
ek capture file --case "$C" "$T/notes.txt" --site Facebook --from @someone --note "a note" >/dev/null
ek capture file --case "$C" "$T/message.eml" >/dev/null
ek case report --case "$C" --description "They wrote: you will regret this" --responsible parent >/dev/null
set -- $(ek items --case "$C" --json | python3 -c 'import json,sys; print(" ".join(str(i["id"]) for i in json.load(sys.stdin)))')
ek edit --item "$1" --field note --value "the note, corrected" >/dev/null
ek seal --case "$C" --out "$T/seed.evidence" >/dev/null
DSL=$(sed -n 's/.*"recipient": *"\(age1[a-z0-9]*\)".*/\1/p' "$K/dsl/identity.json")
ek seal --case "$C" --to "$DSL" --out "$T/seed.evidence.age" >/dev/null
cp "$T/seed.evidence" "$F/seeds/verify/seed.evidence"
with_byte 0 "$T/seed.evidence" "$F/seeds/verify_age/plain-seed"
with_byte 1 "$T/seed.evidence.age" "$F/seeds/verify_age/age-seed"

# A receipt for it, signed by the designated person (here: the TEST-ONLY staff key).
dsl() { "$B" --store "$T/dslstore" --config "$T/dsl" "$@"; }
dsl dsl receive "$T/seed.evidence.age" --identity "$K/dsl/identity.age" --trust "$K/staff/signing.pub" >/dev/null
dsl dsl receipt --case "$C" --out "$T/receipt.json" >/dev/null
with_byte 0 "$T/receipt.json" "$F/seeds/receipt/receipt"

# --- Tag files of the seed bundle and of the plain vector --------------------------
for b in seed:"$T/seed.evidence" plain:"$V/plain.evidence"; do
  name=${b%%:*}
  mkdir -p "$T/x-$name"
  (cd "$T/x-$name" && unzip -q "${b#*:}")
  x=$T/x-$name
  with_byte 0 "$x/manifest-sha256.txt" "$F/seeds/bag/$name-manifest"
  with_byte 1 "$x/tagmanifest-sha256.txt" "$F/seeds/bag/$name-tagmanifest"
  with_byte 2 "$x/bag-info.txt" "$F/seeds/bag/$name-bag-info"
  with_byte 3 "$x/bagit.txt" "$F/seeds/bag/$name-bagit"
  [ -f "$x/blocks-sha256.txt" ] && with_byte 6 "$x/blocks-sha256.txt" "$F/seeds/bag/$name-blocks"
  cp "$x/case.json" "$F/seeds/casejson/$name-case.json"
  cp "$x/custody.jsonl" "$F/seeds/custody/$name-custody.jsonl"
  with_byte 1 "$x/tagmanifest-sha256.txt.minisig" "$F/seeds/receipt/$name-signature"
  with_byte 0 "$x/signer.pub" "$F/seeds/keys/$name-signer.pub"
done
cp "$T/x-plain/custody.jsonl" "$F/fixtures/plain-custody.jsonl"
cp "$T/x-plain/case.json" "$F/fixtures/plain-case.json"
printf '\x04%s' "$(grep -o 'Payload-Oxum: .*' "$T/x-seed/bag-info.txt" | cut -d' ' -f2)" >"$F/seeds/bag/oxum"
printf '\x05data/001-a%%0Ab%%25c%%0d.txt' >"$F/seeds/bag/path"

# --- Key files: the kinds a keys folder holds ---------------------------------------
with_byte 0 "$K/staff/signing.pub" "$F/seeds/keys/pub"
"$B" --config "$T/dsl" keys share >"$T/share.txt"
with_byte 0 "$T/share.txt" "$F/seeds/keys/share-pub"
with_byte 1 "$T/share.txt" "$F/seeds/keys/share-recipient"
with_byte 2 "$K/staff/signing.pub" "$F/seeds/keys/trusted"
with_byte 3 "$K/staff/signing.pub" "$F/seeds/keys/receipt-key"
with_byte 4 "$K/dsl/identity.age" "$F/seeds/keys/identity"
with_byte 5 "$K/staff/signing.json" "$F/seeds/keys/signing.json"
with_byte 6 "$K/staff/signing.pub" "$F/seeds/keys/signing.pub"
printf '\x07{"name":"A. Teacher","role":"Teacher","school":"Test School","show_previews":false,"mode":"staff"}' >"$F/seeds/keys/settings.json"
with_byte 8 "$K/staff/signing.key" "$F/seeds/keys/signing.key"
with_byte 8 "$K/untrusted/signing.key" "$F/seeds/keys/cli-signing.key"

# --- The oracle: every plain bundle that verifies intact with the staff key ---------
: >"$T/intact"
EMPTY=$T/empty-config
mkdir -p "$EMPTY"
intact() { "$B" --config "$EMPTY" verify "$@" --trust "$K/staff/signing.pub" >/dev/null 2>&1; }
for f in "$V"/*.evidence "$T/seed.evidence"; do
  intact "$f" && sha256sum "$f" | sed "s|  .*/|  |" >>"$T/intact"
done
for f in "$V"/*.evidence.age "$T/seed.evidence.age"; do
  id=$K/dsl/identity.age
  n=$(basename "$f" .evidence.age)
  if [ -f "$V/$n.expect" ] && grep -q '^identity:' "$V/$n.expect"; then
    id=$V/$(sed -n 's/^identity: *//p' "$V/$n.expect")
  fi
  if intact "$f" --identity "$id"; then
    age -d -i "$id" "$f" >"$T/plain.zip"
    echo "$(sha256sum <"$T/plain.zip" | cut -d' ' -f1)  $(basename "$f") (decrypted)" >>"$T/intact"
  fi
done
sort -u "$T/intact" >"$F/fixtures/intact.sha256"
echo "seed.sh: $(find "$F/seeds" -type f | wc -l) seeds ($(du -sk "$F/seeds" | cut -f1) KiB), $(wc -l <"$F/fixtures/intact.sha256") intact bundles known" >&2
