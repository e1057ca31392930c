#!/bin/sh
# Makes tests/vectors/registers/efcc59f/: a designated person's register as the Evidence Kit
# CLI built at commit efcc59f left it (register version 2, before the register knew a seal by
# its bundle id and tag manifest). It is committed: this script documents how it was made;
# the tests never run it. tests/core/register.rs
# (a_register_made_before_seal_keys_gets_them_from_its_kept_copies) copies it and opens it
# with the code under test.
#
#   tests/vectors/registers/make-efcc59f.sh [/path/to/efcc59f/evidence-kit]
#
# The default binary is /work/efcc59f-bin/evidence-kit. The two keys folders are TEST-ONLY keys
# (no passphrase), made by the first run and reused after, so a remade fixture keeps its keys;
# nothing real is ever signed or encrypted with them. Everything else is made again.
set -eu
B=${1:-/work/efcc59f-bin/evidence-kit}
[ -x "$B" ] || { echo "no efcc59f evidence-kit at $B" >&2; exit 2; }
F=$(cd "$(dirname "$0")" && pwd)/efcc59f
STAFF=$F/staff-keys-TEST-ONLY
DSL=$F/dsl-keys-TEST-ONLY
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=Europe/London

mkdir -p "$F"
if [ ! -f "$STAFF/signing.key" ]; then
  "$B" --config "$STAFF" keys new --name "A. Teacher (TEST ONLY)" --no-passphrase
fi
if [ ! -f "$DSL/identity.age" ]; then
  "$B" --config "$DSL" keys new-recipient --name "Mrs D. Lead (TEST ONLY)" --no-passphrase
fi
RECIPIENT=$(sed -n 's/.*"recipient": *"\(age1[a-z0-9]*\)".*/\1/p' "$DSL/identity.json")

# What the rest of this script makes, made again from nothing (received/ is read-only).
[ -d "$F/store" ] && chmod -R u+w "$F/store"
rm -rf "$F/store" "$F/x.evidence.age" "$F/y.evidence" "$F/z.evidence"

# The staff member: a case with one message, sealed three times (the note changed between).
staff() { "$B" --store "$T/staff-store" --config "$STAFF" "$@"; }
CASE=$(staff case new --title "Posts about me" --staff "A. Teacher" | tail -n 1)
printf 'a message' >"$T/a.txt"
staff capture file --case "$CASE" "$T/a.txt"
# X: encrypted to the designated person.
staff seal --case "$CASE" --to "$RECIPIENT" --out "$F/x.evidence"
staff edit --item 1 --field note --value y
staff seal --case "$CASE" --out "$F/y.evidence"
staff edit --item 1 --field note --value z
staff seal --case "$CASE" --out "$F/z.evidence"

# The designated person receives each one (from the fixture folder, so the register records
# the bare file names, not a path on this computer). The old CLI unpacks every bundle it
# receives into received/SHA/, read-only.
cd "$F"
for b in x.evidence.age y.evidence z.evidence; do
  "$B" --store store --config "$DSL" dsl receive "$b" --trust "$STAFF/signing.pub"
done
sha() { sha256sum "$1" | cut -d ' ' -f 1; }
# Y: its unpacked copy gone since, and none kept: nothing to read its seal from.
chmod -R u+w "store/received/$(sha y.evidence)"
rm -rf "store/received/$(sha y.evidence)"
# Z: not unpacked, but kept as the window keeps a bundle (bundles/SHA/NAME).
Z=$(sha z.evidence)
chmod -R u+w "store/received/$Z"
rm -rf "store/received/$Z"
mkdir -p "store/bundles/$Z"
cp z.evidence "store/bundles/$Z/z.evidence"

# Committed writable (git keeps no read-only bit; the test makes received/ read-only again).
chmod -R u+w store
[ "$(sqlite3 store/register.sqlite 'PRAGMA user_version')" = 2 ] || {
  echo "the register is not version 2: is $B the efcc59f CLI?" >&2
  exit 1
}
echo "Made $F ($(find "$F" -type f -exec cat {} + | wc -c) bytes in files)."
