//! Values with a fixed set of spellings, as clap `ValueEnum`s over the core's enums,
//! so the CLI copies no spelling by hand where the core has one.
//!
//! - [`Spelled<T>`] takes a core enum's own table of spellings (`Responsible::ALL`,
//!   `PoliceDecision::ALL`) and adds `""`, which clears the field (`--responsible ""`).
//!   Matching is exact, as it was with clap's string lists: `Pupil` is refused.
//! - [`parse_field`] names the item fields `edit --field` may change, spelt as their
//!   columns (`from_handle`), from the core's own table (`ItemField::ALL`, `name`,
//!   `parse`); `tests/core/cli.rs` pins every spelling. `--field` stays a string for clap
//!   so a wrong one is refused, as before, in the CLI's own sentence after the store and
//!   the item are found.
//!
//! `dsl status --set` is not here: the core (`register::STATUSES`) checks it, trimming
//! and folding case, and words its own refusal.

use clap::ValueEnum;
use clap::builder::PossibleValue;
use evidence_kit::case::{PoliceDecision, Responsible};
use evidence_kit::store::ItemField;
use std::sync::OnceLock;

/// One spelling of a value, or `""` (`value: None`), which clears the field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spelled<T: 'static> {
    name: &'static str,
    /// The value, or `None` to clear the field.
    pub(crate) value: Option<T>,
}

/// A core enum whose spellings the CLI accepts, each once, then `""`.
pub(crate) trait Spellings: Copy + Send + Sync + 'static {
    /// Every spelling, in the order `--help` lists them, `""` last.
    fn spellings() -> &'static [Spelled<Self>];
}

/// A table of spellings and `""` at the end.
fn with_clear<T: Copy>(all: &[(&'static str, T)]) -> Vec<Spelled<T>> {
    all.iter()
        .map(|&(name, v)| Spelled {
            name,
            value: Some(v),
        })
        .chain([Spelled {
            name: "",
            value: None,
        }])
        .collect()
}

impl<T: Spellings> ValueEnum for Spelled<T> {
    fn value_variants<'a>() -> &'a [Self] {
        T::spellings()
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name))
    }
}

impl Spellings for Responsible {
    fn spellings() -> &'static [Spelled<Self>] {
        static ALL: OnceLock<Vec<Spelled<Responsible>>> = OnceLock::new();
        ALL.get_or_init(|| with_clear(Responsible::ALL))
    }
}

impl Spellings for PoliceDecision {
    fn spellings() -> &'static [Spelled<Self>] {
        static ALL: OnceLock<Vec<Spelled<PoliceDecision>>> = OnceLock::new();
        ALL.get_or_init(|| with_clear(PoliceDecision::ALL))
    }
}

/// `--continuing`: the report keeps a yes/no (`Option<bool>`), which the core has no
/// table of spellings for; these are the CLI's.
impl Spellings for bool {
    fn spellings() -> &'static [Spelled<Self>] {
        static ALL: OnceLock<Vec<Spelled<bool>>> = OnceLock::new();
        ALL.get_or_init(|| with_clear(&[("yes", true), ("no", false)]))
    }
}

/// The item field `edit --field` names, spelt exactly as its column (no trimming, no
/// folding of case); the core's own table (`ItemField::ALL`, `ItemField::parse`).
pub(crate) fn parse_field(s: &str) -> Option<ItemField> {
    ItemField::parse(s)
}

/// Every field's spelling, in order, joined with ", " (for the refusal).
pub(crate) fn fields_listed() -> String {
    ItemField::ALL.map(ItemField::name).join(", ")
}
