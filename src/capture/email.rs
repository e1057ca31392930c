//! Headers of captured e-mails (`.eml`), read at capture, and an e-mail item to read
//! ([`crate::mail`] does the reading).

use crate::case::EmailHeaders;
use crate::mail::{self, EmailView};
use crate::store::Store;

/// Header bytes read at most (headers come first; large bodies are not read).
const HEADER_BYTES: u64 = 1024 * 1024;

/// Parse the headers of the stored e-mail `sha256`; `None` if it has none we read.
pub(crate) fn headers(store: &Store, sha256: &str) -> Option<EmailHeaders> {
    let raw = super::read_head(store, sha256, HEADER_BYTES)?;
    mail::headers(&raw)
}

/// Item `item_id` to read as an e-mail (see [`crate::mail`]); `None` when it is not an
/// e-mail, or its bytes were removed (a possible indecent image).
pub fn email_view(store: &Store, item_id: i64) -> Result<Option<EmailView>, crate::StoreError> {
    let item = store.item(item_id)?;
    if item.media_type != super::sniff::EMAIL || item.removed.is_some() {
        return Ok(None);
    }
    let f = store.open_object(&item.sha256)?;
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(f, mail::MAX_EMAIL_BYTES), &mut raw)
        .map_err(|e| crate::StoreError::io("read", store.object_path(&item.sha256), e))?;
    Ok(mail::view(&raw))
}
