//! The designated person's identity in the folder: `identity.age` and `identity.json`.

use super::{KeyDir, check_name, write_private};
use crate::keys::format::{
    KeyError, MAX_KEY_FILE_BYTES, RecipientInfo, check_new_passphrase, io, not_found, one_line,
    read_regular_text,
};
use std::io::Write;
use std::path::{Path, PathBuf};

impl KeyDir {
    /// Make the designated person's age identity; returns their recipient. With a
    /// passphrase the file is itself age-encrypted to it (scrypt), which the `age` tool
    /// also opens (`age -d -i identity.age` asks for the passphrase).
    pub fn new_identity(
        &self,
        name: &str,
        passphrase: Option<&str>,
        replace: bool,
    ) -> Result<RecipientInfo, KeyError> {
        let name = check_name(name)?;
        if let Some(p) = passphrase {
            check_new_passphrase(p)?;
        }
        if !replace && let Ok(existing) = self.identity_info() {
            return Err(KeyError::SigningKeyExists {
                fingerprint: existing.fingerprint(),
            });
        }
        self.ensure()?;
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        use age::secrecy::ExposeSecret;
        let text = format!(
            "# Evidence Kit designated-person key of {}\n# created: {}\n# public key: {}\n{}\n",
            one_line(&name),
            crate::clock::now().utc,
            recipient,
            identity.to_string().expose_secret()
        );
        let bytes = match passphrase {
            None => text.into_bytes(),
            Some(p) => {
                let enc = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(
                    p.to_string(),
                ));
                let mut out = Vec::new();
                let sealed = enc
                    .wrap_output(&mut out)
                    .and_then(|mut w| w.write_all(text.as_bytes()).and_then(|()| w.finish()));
                sealed.map_err(io("protect", &self.root))?;
                out
            }
        };
        write_private(&self.path("identity.age"), &bytes)?;
        let info = RecipientInfo { name, recipient };
        self.write_json("identity.json", &info)?;
        Ok(info)
    }

    /// The designated person's own name and recipient.
    pub fn identity_info(&self) -> Result<RecipientInfo, KeyError> {
        let p = self.path("identity.json");
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) => KeyError::NoIdentity,
            e => e,
        })?;
        serde_json::from_str(&text).map_err(|_| KeyError::BadIdentityFile { path: p })
    }

    /// The identity file: `path`, or `identity.age` here.
    pub fn identity_path(&self, path: Option<&Path>) -> PathBuf {
        path.map_or_else(|| self.path("identity.age"), Path::to_path_buf)
    }
}
