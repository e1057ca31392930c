//! `case.json`, written and read one item at a time, so that neither seal nor verify
//! holds every item of a large case in memory at once.
//!
//! The text is exactly `serde_json::to_string_pretty(&CaseFile)` followed by a newline;
//! it is only produced in pieces: [`head_text`], one [`item_text`] per item, [`tail_text`].

use super::{BagItem, CaseFile};
use crate::case::Case;
use crate::clock::Stamp;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// `case.json` without its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHead {
    /// [`super::CASE_FORMAT`].
    pub format: String,
    /// The bundle's UUID.
    pub bundle: String,
    /// When it was sealed.
    pub sealed: Stamp,
    /// The case.
    pub case: Case,
}

/// Pretty JSON, each line after the first indented by `indent` more spaces. JSON
/// strings never hold a raw newline, so every newline is between tokens.
fn pretty_indented(value: &impl Serialize, indent: &str) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.replace('\n', &format!("\n{indent}"))
}

/// Everything before the first item: the head's fields and `"items": [`.
pub fn head_text(head: &CaseHead) -> String {
    let text = serde_json::to_string_pretty(head).unwrap_or_default();
    // `{ … }` with the closing brace on its own line: reopen it to add the items.
    let body = text.strip_suffix("\n}").unwrap_or(&text);
    format!("{body},\n  \"items\": [")
}

/// One item; `first` for the first one (no comma before it).
pub fn item_text(first: bool, item: &BagItem) -> String {
    let sep = if first { "" } else { "," };
    format!("{sep}\n    {}", pretty_indented(item, "    "))
}

/// Everything after the last item; `any`: whether there was one.
pub fn tail_text(any: bool) -> &'static str {
    if any { "\n  ]\n}\n" } else { "]\n}\n" }
}

/// Read `case.json` from `r`, handing each item to `on_item` as it is parsed (items are
/// never collected); returns the rest. The JSON must end after the object.
pub fn read(r: impl Read, on_item: &mut dyn FnMut(BagItem)) -> Result<CaseHead, serde_json::Error> {
    read_raw(r, &mut |item, _| on_item(item))
}

/// [`read`], each item also handed over as the JSON object it was (so that fields this
/// version does not know, and values it reads differently, such as an unknown
/// `source`, can be compared as they were written).
pub fn read_raw(
    r: impl Read,
    on_item: &mut dyn FnMut(BagItem, &serde_json::Value),
) -> Result<CaseHead, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(r));
    let head = CaseSeed { on_item }.deserialize(&mut de)?;
    de.end()?;
    Ok(head)
}

/// The whole file, items collected (small cases, tests).
pub fn read_all(r: impl Read) -> Result<CaseFile, serde_json::Error> {
    let mut items = Vec::new();
    let head = read(r, &mut |i| items.push(i))?;
    Ok(CaseFile {
        format: head.format,
        bundle: head.bundle,
        sealed: head.sealed,
        case: head.case,
        items,
    })
}

/// Where each item goes as it is read.
type OnItem<'a> = &'a mut dyn FnMut(BagItem, &serde_json::Value);

struct CaseSeed<'a> {
    on_item: OnItem<'a>,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_> {
    type Value = CaseHead;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CaseHead, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CaseSeed<'_> {
    type Value = CaseHead;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a case record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CaseHead, A::Error> {
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            if slot.is_some() {
                return Err(E::duplicate_field(name));
            }
            Ok(())
        }
        let mut format: Option<String> = None;
        let mut bundle: Option<String> = None;
        let mut sealed: Option<Stamp> = None;
        let mut case: Option<Case> = None;
        let mut items: Option<()> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    once::<_, A::Error>(&format, "format")?;
                    format = Some(map.next_value()?);
                }
                "bundle" => {
                    once::<_, A::Error>(&bundle, "bundle")?;
                    bundle = Some(map.next_value()?);
                }
                "sealed" => {
                    once::<_, A::Error>(&sealed, "sealed")?;
                    sealed = Some(map.next_value()?);
                }
                "case" => {
                    once::<_, A::Error>(&case, "case")?;
                    case = Some(map.next_value()?);
                }
                "items" => {
                    once::<_, A::Error>(&items, "items")?;
                    map.next_value_seed(ItemsSeed {
                        on_item: &mut *self.on_item,
                    })?;
                    items = Some(());
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        items.ok_or_else(|| de::Error::missing_field("items"))?;
        Ok(CaseHead {
            format: format.ok_or_else(|| de::Error::missing_field("format"))?,
            bundle: bundle.ok_or_else(|| de::Error::missing_field("bundle"))?,
            sealed: sealed.ok_or_else(|| de::Error::missing_field("sealed"))?,
            case: case.ok_or_else(|| de::Error::missing_field("case"))?,
        })
    }
}

struct ItemsSeed<'a> {
    on_item: OnItem<'a>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Each item's text is taken once and read twice: as the record (strictly:
        // a repeated field is an error) and as the JSON it was.
        while let Some(raw) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
            let item: BagItem = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
            let value: serde_json::Value =
                serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
            (self.on_item)(item, &value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Item, Sender, Source, Withdrawal};

    fn stamp(s: &str) -> Stamp {
        Stamp {
            utc: s.into(),
            local: s.into(),
            zone: "UTC+00:00".into(),
        }
    }

    fn item(id: i64, note: Option<&str>) -> BagItem {
        BagItem {
            path: format!("data/{id:03}-x.png"),
            item: Item {
                id,
                case_id: "EK-1".into(),
                sha256: "ab".repeat(32),
                size: 7,
                media_type: "image/png".into(),
                original_name: "x \"quoted\"\nline.png".into(),
                source: Source::File,
                captured: stamp("2026-11-25T14:32:05Z"),
                captured_by: "A. Teacher".into(),
                site: Some("Instagram".into()),
                url: None,
                from: Sender {
                    handle: Some("@x".into()),
                    ..Sender::default()
                },
                seen: None,
                note: note.map(str::to_string),
                email: None,
                withdrawn: (id == 2).then(|| Withdrawal {
                    at: stamp("2026-11-25T15:00:00Z"),
                    reason: "duplicate".into(),
                }),
                removed: None,
            },
        }
    }

    fn file(n: i64) -> CaseFile {
        CaseFile {
            format: super::super::CASE_FORMAT.into(),
            bundle: "b-1".into(),
            sealed: stamp("2026-11-25T16:00:00Z"),
            case: Case {
                id: "EK-1".into(),
                title: "Posts {about} me".into(),
                staff: "A. Teacher".into(),
                created: stamp("2026-11-25T14:00:00Z"),
                report: crate::case::IncidentReport {
                    description: Some("They wrote: \"you'll regret this\"\n\tsecond line".into()),
                    responsible: Some(crate::case::Responsible::Parent),
                    ..Default::default()
                },
            },
            items: (1..=n)
                .map(|i| item(i, (i % 2 == 0).then_some("ŵ ŷ\u{202e}")))
                .collect(),
        }
    }

    fn pieces(c: &CaseFile) -> String {
        let head = CaseHead {
            format: c.format.clone(),
            bundle: c.bundle.clone(),
            sealed: c.sealed.clone(),
            case: c.case.clone(),
        };
        let mut s = head_text(&head);
        for (i, it) in c.items.iter().enumerate() {
            s.push_str(&item_text(i == 0, it));
        }
        s.push_str(tail_text(!c.items.is_empty()));
        s
    }

    #[test]
    fn pieces_make_the_same_text_as_pretty_printing_the_whole() {
        for n in [0, 1, 3] {
            let c = file(n);
            let whole = serde_json::to_string_pretty(&c).expect("json") + "\n";
            assert_eq!(pieces(&c), whole, "{n} items");
            assert_eq!(read_all(whole.as_bytes()).expect("read"), c);
        }
    }

    #[test]
    fn items_are_handed_over_one_at_a_time_in_order() {
        let c = file(5);
        let mut ids = Vec::new();
        let head = read(pieces(&c).as_bytes(), &mut |i| ids.push(i.item.id)).expect("read");
        assert_eq!(ids, vec![1, 2, 3, 4, 5]);
        assert_eq!(head.case, c.case);
    }

    #[test]
    fn malformed_case_files_are_refused() {
        let good = pieces(&file(1));
        let twice = good.replacen("\"format\"", "\"bundle\": \"x\",\n  \"format\"", 1);
        let no_items = good.replacen("\"items\"", "\"other\"", 1);
        let trailing = format!("{good}{{}}");
        for bad in [&twice, &no_items, &trailing, &good[..good.len() / 2], "[]"] {
            assert!(read(bad.as_bytes(), &mut |_| {}).is_err(), "{bad}");
        }
    }
}
