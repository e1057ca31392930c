//! The designated person's identity file (`identity.age`): age's own format, itself
//! age-encrypted (scrypt) when it has a passphrase.

use super::{KeyError, MAX_KEY_FILE_BYTES, not_found, open_regular, read_regular};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

/// Whether the identity file at `path` is protected by a passphrase (false for anything
/// but an ordinary file, which [`read_identities`] then refuses).
pub fn identity_is_protected(path: &Path) -> bool {
    let mut head = [0u8; 21];
    open_regular(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok())
        && head == *b"age-encryption.org/v1"
}

/// Read the X25519 identities in an age identity file, opening it with `passphrase`
/// when it is protected by one.
pub fn read_identities(
    path: &Path,
    passphrase: Option<&str>,
) -> Result<Vec<age::x25519::Identity>, KeyError> {
    let raw = read_regular(path, MAX_KEY_FILE_BYTES).map_err(|e| match e {
        e if not_found(&e) => KeyError::NoIdentity,
        e => e,
    })?;
    let text = if raw.starts_with(b"age-encryption.org/v1") {
        let Some(p) = passphrase.filter(|p| !p.is_empty()) else {
            return Err(KeyError::IdentityLocked);
        };
        let d = age::Decryptor::new(&raw[..])
            .map_err(|_| KeyError::BadIdentityFile { path: path.into() })?;
        let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(p.to_string()));
        let mut r = d
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .map_err(|_| KeyError::WrongIdentityPassphrase)?;
        let mut plain = String::new();
        r.read_to_string(&mut plain)
            .map_err(|_| KeyError::WrongIdentityPassphrase)?;
        plain
    } else {
        String::from_utf8(raw).map_err(|_| KeyError::BadIdentityFile { path: path.into() })?
    };
    let ids: Vec<_> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
        .filter_map(|l| age::x25519::Identity::from_str(l).ok())
        .collect();
    if ids.is_empty() {
        return Err(KeyError::BadIdentityFile { path: path.into() });
    }
    Ok(ids)
}
