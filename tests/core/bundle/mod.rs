//! Sealed bundles: stock tools read them (bagit.py, minisign, sha256sum, unzip, age),
//! every kind of tampering is named, hostile zips are refused without harm, and the
//! properties hold for arbitrary evidence, any changed byte and any truncation.
//!
//! One file per concern: `fixture` (what the others share), `interop` (stock tools),
//! `tamper` (changes found and named), `hostile` (unsafe zips refused without harm),
//! `limits` (bombs and sizes), `open` (extraction; no plaintext on disk), `keys`
//! (trust, wrong keys, several designated persons), `properties` (proptests) and
//! `seal` (what seal makes and reads).

mod fixture;

mod hostile;
mod interop;
mod keys;
mod limits;
mod open;
mod properties;
mod seal;
mod tamper;
