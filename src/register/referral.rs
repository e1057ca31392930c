//! Who a case was referred to: the choices the form's "Referred to" boxes offer, kept
//! with the status entry that made the referral (`status.referred_to`, register
//! migration 4), and the three states a bundle has in the register's list.

use serde::{Deserialize, Serialize};

/// Someone a case can be referred to (the form's "Referred to" boxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum ReferralTo {
    /// The headteacher.
    Headteacher,
    /// The chair of governors.
    ChairOfGovernors,
    /// Human resources.
    Hr,
    /// The local authority designated officer.
    Lado,
    /// The police.
    Police,
    /// Someone else, named in the referral's text.
    Other,
}

impl ReferralTo {
    /// Every choice, in the form's order.
    pub const ALL: [ReferralTo; 6] = [
        ReferralTo::Headteacher,
        ReferralTo::ChairOfGovernors,
        ReferralTo::Hr,
        ReferralTo::Lado,
        ReferralTo::Police,
        ReferralTo::Other,
    ];

    /// How the CLI and the register spell it (`chair-of-governors`).
    pub fn spelling(self) -> &'static str {
        match self {
            ReferralTo::Headteacher => "headteacher",
            ReferralTo::ChairOfGovernors => "chair-of-governors",
            ReferralTo::Hr => "hr",
            ReferralTo::Lado => "lado",
            ReferralTo::Police => "police",
            ReferralTo::Other => "other",
        }
    }

    /// How a person reads it.
    pub fn words(self) -> &'static str {
        match self {
            ReferralTo::Headteacher => "headteacher",
            ReferralTo::ChairOfGovernors => "chair of governors",
            ReferralTo::Hr => "HR",
            ReferralTo::Lado => "LADO (local authority designated officer)",
            ReferralTo::Police => "police",
            ReferralTo::Other => "other",
        }
    }
}

/// One referral: to whom, and for `other`, who in the designated person's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Referral {
    /// To whom.
    pub to: ReferralTo,
    /// Who, for `other` (none for the others).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

/// A referral that cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferralError {
    /// Not one of the choices.
    #[error(
        "\"{0}\" is not someone a case can be referred to; use headteacher, chair-of-governors, hr, lado, police or other:WHO."
    )]
    Unknown(String),
    /// `other` without saying who.
    #[error(
        "Say who the case was referred to after \"other:\" (for example other:Early Help team)."
    )]
    OtherUnnamed,
    /// Referrals given with a status other than `referred`.
    #[error("Who a case was referred to goes with the status \"referred\" only.")]
    NotReferred,
}

impl ReferralError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            ReferralError::Unknown(_) => "bad_referral",
            ReferralError::OtherUnnamed => "referral_unnamed",
            ReferralError::NotReferred => "referral_needs_referred",
        }
    }
}

impl Referral {
    /// `headteacher`, `chair-of-governors`, `hr`, `lado`, `police` or `other:WHO`
    /// (trimmed, case folded; the text after `other:` kept as written, at most 200
    /// characters on one line).
    pub fn parse(s: &str) -> Result<Referral, ReferralError> {
        let t = s.trim();
        let (word, rest) = match t.split_once(':') {
            Some((w, r)) => (w.trim(), Some(r)),
            None => (t, None),
        };
        let to = ReferralTo::ALL
            .into_iter()
            .find(|r| r.spelling().eq_ignore_ascii_case(word))
            .ok_or_else(|| ReferralError::Unknown(t.chars().take(80).collect()))?;
        match (to, rest) {
            (ReferralTo::Other, Some(text)) => {
                let text: String = text
                    .trim()
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                if text.is_empty() {
                    return Err(ReferralError::OtherUnnamed);
                }
                if text.chars().count() > 200 {
                    return Err(ReferralError::Unknown(t.chars().take(80).collect()));
                }
                Ok(Referral {
                    to,
                    other: Some(text),
                })
            }
            (ReferralTo::Other, None) => Err(ReferralError::OtherUnnamed),
            (_, Some(_)) => Err(ReferralError::Unknown(t.chars().take(80).collect())),
            (_, None) => Ok(Referral { to, other: None }),
        }
    }

    /// As [`Referral::parse`] reads it (`other:WHO`).
    pub fn spelled(&self) -> String {
        match &self.other {
            Some(who) => format!("{}:{who}", self.to.spelling()),
            None => self.to.spelling().into(),
        }
    }

    /// How a person reads it ("chair of governors", "other: Early Help team").
    pub fn words(&self) -> String {
        match &self.other {
            Some(who) => format!("{}: {who}", self.to.words()),
            None => self.to.words().into(),
        }
    }
}

/// Referrals as kept in `status.referred_to`: a JSON list of their spellings (none is
/// NULL, as every row written before migration 4 has).
pub(super) fn to_column(referred: &[Referral]) -> Option<String> {
    (!referred.is_empty()).then(|| {
        serde_json::to_string(&referred.iter().map(Referral::spelled).collect::<Vec<_>>())
            .unwrap_or_default()
    })
}

/// [`to_column`] read back; a spelling no longer understood is left out.
pub(super) fn from_column(text: Option<String>) -> Vec<Referral> {
    text.and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| Referral::parse(s).ok())
        .collect()
}

/// A bundle's state in the register's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ListState {
    /// Intact, signed by a trusted key: every check passed.
    Intact,
    /// As sealed (the signature is valid, nothing changed), but the signer's key is not
    /// trusted yet: its fingerprint has not been checked with the staff member.
    IntactKeyNotChecked,
    /// Changed, unreadable, or otherwise failed: its own entry, never the case's status.
    NotIntact,
}

impl ListState {
    /// From a row's verdict: `intact`, else `as_sealed` (NULL for a row the register
    /// could not tell, counted as not intact).
    pub(super) fn of(intact: bool, as_sealed: Option<bool>) -> ListState {
        match (intact, as_sealed) {
            (true, _) => ListState::Intact,
            (false, Some(true)) => ListState::IntactKeyNotChecked,
            _ => ListState::NotIntact,
        }
    }

    /// How the list shows it.
    pub fn words(self) -> &'static str {
        match self {
            ListState::Intact => "Intact",
            ListState::IntactKeyNotChecked => "Intact, key not checked yet",
            ListState::NotIntact => "NOT intact",
        }
    }
}
