//! The designated persons a staff member seals to: `recipients.json`.

use super::{KeyDir, check_name};
use crate::keys::format::{
    KeyError, MAX_KEY_FILE_BYTES, RecipientInfo, not_found, parse_recipient, read_regular_text,
};

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

    /// Add (or rename) a designated person.
    pub fn add_recipient(&self, name: &str, recipient: &str) -> Result<RecipientInfo, KeyError> {
        let name = check_name(name)?;
        let recipient = parse_recipient(recipient)?.to_string();
        let mut list = self.recipients()?;
        list.retain(|r| r.name != name && r.recipient != recipient);
        let info = RecipientInfo { name, recipient };
        list.push(info.clone());
        self.write_json("recipients.json", &list)?;
        Ok(info)
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
