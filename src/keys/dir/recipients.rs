//! The designated persons a staff member seals to: `recipients.json`.

use super::{KeyDir, check_name};
use crate::keys::format::{
    KeyError, MAX_KEY_FILE_BYTES, RecipientInfo, io, not_found, parse_recipient, read_regular_text,
};
use serde::{Deserialize, Serialize};

/// Where removed and replaced designated persons are kept.
const RETIRED_RECIPIENTS: &str = "retired/recipients.json";

/// A designated person no longer sealed to, kept (never deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredRecipient {
    /// Their name.
    pub name: String,
    /// Their `age1…` recipient.
    pub recipient: String,
    /// `removed` or `replaced`.
    pub why: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

impl KeyDir {
    /// Designated persons this staff member can seal to.
    pub fn recipients(&self) -> Result<Vec<RecipientInfo>, KeyError> {
        let p = self.path("recipients.json");
        match read_regular_text(&p, MAX_KEY_FILE_BYTES) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
                path: p,
                reason: e.to_string(),
            }),
            Err(e) if not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Add (or rename) a designated person. A name kept with a different key is
    /// refused ([`KeyError::RecipientExists`]) unless `replace`: the old key is then
    /// kept aside in `retired/recipients.json`, never deleted. The same name and key
    /// again changes nothing.
    pub fn add_recipient(
        &self,
        name: &str,
        recipient: &str,
        replace: bool,
    ) -> Result<RecipientInfo, KeyError> {
        let name = check_name(name)?;
        let recipient = parse_recipient(recipient)?.to_string();
        let mut list = self.recipients()?;
        let info = RecipientInfo { name, recipient };
        if list.contains(&info) {
            return Ok(info);
        }
        if let Some(kept) = list
            .iter()
            .find(|r| r.name == info.name && r.recipient != info.recipient)
        {
            if !replace {
                return Err(KeyError::RecipientExists {
                    name: info.name.clone(),
                    kept: kept.fingerprint(),
                    given: info.fingerprint(),
                });
            }
            self.retire_recipient(kept, "replaced")?;
        }
        list.retain(|r| r.name != info.name && r.recipient != info.recipient);
        list.push(info.clone());
        self.write_json("recipients.json", &list)?;
        Ok(info)
    }

    /// Remove the designated person `name` (exactly as listed, case folded): their key
    /// is kept aside in `retired/recipients.json`; sealing to them is then refused as
    /// for anyone unknown.
    pub fn remove_recipient(&self, name: &str) -> Result<RecipientInfo, KeyError> {
        let wanted = name.trim();
        let mut list = self.recipients()?;
        let Some(at) = list
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(wanted))
        else {
            return Err(KeyError::UnknownRecipient {
                name: wanted.into(),
            });
        };
        let gone = list.remove(at);
        self.retire_recipient(&gone, "removed")?;
        self.write_json("recipients.json", &list)?;
        Ok(gone)
    }

    /// Designated persons removed or replaced, oldest first (`retired/recipients.json`).
    pub fn retired_recipients(&self) -> Result<Vec<RetiredRecipient>, KeyError> {
        let p = self.path(RETIRED_RECIPIENTS);
        match read_regular_text(&p, MAX_KEY_FILE_BYTES) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
                path: p,
                reason: e.to_string(),
            }),
            Err(e) if not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn retire_recipient(&self, r: &RecipientInfo, why: &str) -> Result<(), KeyError> {
        let mut retired = self.retired_recipients()?;
        retired.push(RetiredRecipient {
            name: r.name.clone(),
            recipient: r.recipient.clone(),
            why: why.into(),
            at: crate::clock::now().utc,
        });
        self.ensure()?;
        let dir = self.path("retired");
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        self.write_json(RETIRED_RECIPIENTS, &retired)
    }

    /// `--to NAME|age1…` → the recipient.
    pub fn resolve_recipient(&self, to: &str) -> Result<RecipientInfo, KeyError> {
        let to = to.trim();
        if to.starts_with("age1") {
            let r = parse_recipient(to)?;
            let name = self
                .recipients()?
                .into_iter()
                .find(|i| i.recipient == to)
                .map(|i| i.name)
                .unwrap_or_else(|| "unnamed designated person".into());
            return Ok(RecipientInfo {
                name,
                recipient: r.to_string(),
            });
        }
        self.recipients()?
            .into_iter()
            .find(|i| i.name.eq_ignore_ascii_case(to))
            .ok_or_else(|| KeyError::UnknownRecipient { name: to.into() })
    }
}
