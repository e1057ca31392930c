//! The index of accounts named across every case received: usernames, e-mail
//! addresses, phone numbers and profile addresses, from the "who from" details the
//! staff member gave and the `From:` of captured e-mails. Each is normalised so that
//! the same account written two ways is one entry: `@Name` and `name` are the same
//! username; e-mail addresses compare in lower case; `07700 900123` and
//! `+44 7700 900123` are the same number (a leading 0 is read as a UK number); a
//! profile address loses its scheme, `www.`, query and trailing `/`, and its host is
//! lower-cased. Withdrawn and removed items are not indexed, nor bundles that did not
//! verify (changed, or signed by a key not yet trusted) until they do.

use super::{Register, RegisterError, db};
use crate::bundle::CaseFile;
use crate::case::Item;
use rusqlite::params;
use serde::Serialize;

/// Where an account is named.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Mention {
    /// The case reference.
    pub case_ref: String,
    /// The item's number in that case.
    pub item_id: i64,
    /// The item's file name.
    pub item_name: String,
    /// When the item was seen (local time, as recorded).
    pub seen: String,
}

/// One account and everywhere it is named.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Account {
    /// `username`, `e-mail`, `phone` or `profile`.
    pub kind: String,
    /// As last written by a staff member.
    pub shown: String,
    /// The normalised form it is matched by.
    pub value: String,
    /// The cases naming it, in order of first mention.
    pub cases: Vec<String>,
    /// Each item naming it, earliest seen first.
    pub mentions: Vec<Mention>,
    /// When first seen (local time).
    pub first_seen: String,
    /// When last seen (local time).
    pub last_seen: String,
}

impl Register {
    /// Index the accounts named in a bundle's items, in place of what an earlier seal of
    /// the same case said (an item withdrawn since no longer counts).
    pub(super) fn index_accounts(&self, case_ref: &str, c: &CaseFile) -> Result<(), RegisterError> {
        let tx = self.conn.unchecked_transaction().map_err(db(&self.root))?;
        tx.execute("DELETE FROM accounts WHERE case_ref = ?1", [case_ref])
            .map_err(db(&self.root))?;
        for b in &c.items {
            let it = &b.item;
            if it.withdrawn.is_some() || it.removed.is_some() {
                continue;
            }
            let (seen_utc, seen_local) = seen(it);
            for (kind, value, shown) in named(it) {
                tx.execute(
                    "INSERT OR IGNORE INTO accounts
                        (kind, value, shown, case_ref, item_id, item_name, seen_utc, seen_local)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        kind,
                        value,
                        shown,
                        case_ref,
                        it.id,
                        it.original_name,
                        seen_utc,
                        seen_local
                    ],
                )
                .map_err(db(&self.root))?;
            }
        }
        tx.commit().map_err(db(&self.root))?;
        Ok(())
    }

    /// Every account named, those in the most cases first, then the most recently seen.
    pub fn accounts(&self) -> Result<Vec<Account>, RegisterError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT kind, value, shown, case_ref, item_id, item_name, seen_local
                 FROM accounts ORDER BY kind, value, seen_utc, id",
            )
            .map_err(db(&self.root))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    Mention {
                        case_ref: r.get(3)?,
                        item_id: r.get(4)?,
                        item_name: r.get(5)?,
                        seen: r.get(6)?,
                    },
                ))
            })
            .map_err(db(&self.root))?;
        let mut out: Vec<Account> = Vec::new();
        for row in rows {
            let (kind, value, shown, m) = row.map_err(db(&self.root))?;
            let same = out
                .last()
                .is_some_and(|a| a.kind == kind && a.value == value);
            if !same {
                out.push(Account {
                    kind,
                    value,
                    shown: shown.clone(),
                    cases: Vec::new(),
                    mentions: Vec::new(),
                    first_seen: m.seen.clone(),
                    last_seen: m.seen.clone(),
                });
            }
            if let Some(a) = out.last_mut() {
                if !a.cases.contains(&m.case_ref) {
                    a.cases.push(m.case_ref.clone());
                }
                a.shown = shown;
                a.last_seen = m.seen.clone();
                a.mentions.push(m);
            }
        }
        out.sort_by(|a, b| {
            b.cases
                .len()
                .cmp(&a.cases.len())
                .then_with(|| b.mentions.len().cmp(&a.mentions.len()))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.value.cmp(&b.value))
        });
        Ok(out)
    }
}

/// When an item was seen: (UTC for ordering, local as recorded).
fn seen(it: &Item) -> (String, String) {
    it.seen
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| (s, t)))
        .map(|(s, t)| {
            (
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                s.to_string(),
            )
        })
        .unwrap_or_else(|| (it.captured.utc.clone(), it.captured.local.clone()))
}

/// The accounts an item names: (kind, normalised value, as written).
pub(crate) fn named(it: &Item) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut add = |kind: &'static str, raw: &str, norm: Option<String>| {
        if let Some(v) = norm.filter(|v| !v.is_empty())
            && !out.iter().any(|(k, x, _)| *k == kind && *x == v)
        {
            out.push((kind, v, raw.trim().chars().take(200).collect()));
        }
    };
    let f = &it.from;
    if let Some(h) = &f.handle {
        // A username (no spaces, maybe an @), else a display name as the person saw it.
        match username(h) {
            Some(u) => add("username", h, Some(u)),
            None => add("name", h, display_name(h)),
        }
    }
    if let Some(e) = &f.email {
        add("e-mail", e, email(e));
    }
    if let Some(e) = it.email.as_ref().and_then(|e| e.from.as_deref()) {
        add("e-mail", e, email(e));
    }
    if let Some(p) = &f.phone {
        add("phone", p, phone(p));
    }
    if let Some(p) = &f.profile {
        add("profile", p, profile(p));
    }
    out
}

/// A display name ("Angry Parent 99"): lower-cased, its spaces made single.
fn display_name(s: &str) -> Option<String> {
    let t = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!t.is_empty()).then_some(t)
}

fn username(s: &str) -> Option<String> {
    let t = s.trim().trim_start_matches('@').trim().to_lowercase();
    (!t.is_empty() && !t.contains(char::is_whitespace)).then(|| format!("@{t}"))
}

/// The address in `Name <a@b>` or a bare `a@b`, lower-cased.
fn email(s: &str) -> Option<String> {
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    inner
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find(|t| t.contains('@'))
        .map(|t| {
            t.trim_matches(|c: char| c == '"' || c == '\'')
                .to_lowercase()
        })
        .filter(|t| {
            let (local, domain) = t.split_once('@').unwrap_or(("", ""));
            !local.is_empty() && domain.contains('.')
        })
}

/// Digits with a leading `+`; `0…` read as a UK number (+44); `00…` as international.
fn phone(s: &str) -> Option<String> {
    let plus = s.trim().starts_with('+');
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return None;
    }
    Some(if plus {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("+44{rest}")
    } else {
        digits
    })
}

/// `host/path` without scheme, `www.`, query, fragment or trailing `/`; host lower-cased.
fn profile(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let t = t.split(['?', '#']).next().unwrap_or("");
    let (host, path) = t.split_once('/').unwrap_or((t, ""));
    let host = host.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let path = path.trim_end_matches('/');
    Some(if path.is_empty() {
        host.to_string()
    } else {
        format!("{host}/{path}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_account_written_two_ways_is_one() {
        assert_eq!(username("@Bully_99"), username(" bully_99 "));
        assert_eq!(username("@"), None);
        assert_eq!(
            email("\"Someone\" <Someone@Example.org>").as_deref(),
            Some("someone@example.org")
        );
        assert_eq!(email("someone@example.org"), email("SOMEONE@example.org"));
        assert_eq!(email("not an address"), None);
        assert_eq!(phone("07700 900123"), phone("+44 7700 900123"));
        assert_eq!(phone("0044 7700 900123").as_deref(), Some("+447700900123"));
        assert_eq!(phone("12"), None);
        assert_eq!(
            profile("https://www.Instagram.com/someone/?hl=en").as_deref(),
            Some("instagram.com/someone")
        );
        assert_eq!(
            profile("instagram.com/someone"),
            profile("http://instagram.com/someone/")
        );
        assert_eq!(profile("someone"), None);
    }

    /// Staff type who it came from as they see it: often a display name with spaces
    /// ("Angry Parent 99"), which is an account too (the walk found it left out).
    #[test]
    fn a_name_with_spaces_typed_as_who_it_came_from_is_named() {
        let mut it: Item = serde_json::from_value(serde_json::json!({
            "id": 1, "case_id": "EK-1", "sha256": "ab", "size": 1, "media_type": "image/png",
            "original_name": "a.png", "source": "file",
            "captured": {"utc": "2026-12-01T10:00:00Z", "local": "2026-12-01T10:00:00+00:00", "zone": "UTC"},
            "captured_by": "A", "site": null, "url": null,
            "from": {"handle": "Angry  Parent 99", "email": null, "phone": null, "profile": null},
            "seen": null, "note": null, "email": null, "withdrawn": null
        }))
        .expect("item");
        let named_once = named(&it);
        assert_eq!(
            named_once
                .iter()
                .map(|(k, v, raw)| (*k, v.as_str(), raw.as_str()))
                .collect::<Vec<_>>(),
            vec![("name", "angry parent 99", "Angry  Parent 99")]
        );
        it.from.handle = Some("angry parent 99".into());
        assert_eq!(
            named(&it)[0].1,
            named_once[0].1,
            "the same name written two ways is one"
        );
        it.from.handle = Some("@angry_parent".into());
        assert_eq!(named(&it)[0].0, "username");
    }
}
