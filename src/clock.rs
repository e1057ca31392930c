//! The time of an event: a UTC instant, the local UTC offset and the IANA zone name
//! in force at that moment.
//!
//! Why chrono: `chrono::Local` parses the zone database itself, so it returns the
//! right offset in a multi-threaded process (the desktop app is one). The `time`
//! crate's `now_local()` refuses there (time-rs #293).

use chrono::{DateTime, FixedOffset, Local, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// When something happened, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Stamp {
    /// The instant, RFC 3339 in UTC with milliseconds (`2026-11-25T14:32:05.123Z`).
    pub utc: String,
    /// The same instant in local time with its offset (`2026-11-25T14:32:05.123+00:00`).
    pub local: String,
    /// The IANA zone name (`Europe/London`), or `unknown`.
    pub zone: String,
}

impl Stamp {
    /// Build a stamp from an instant and the offset to show it in.
    pub fn from_parts(utc: DateTime<Utc>, offset: FixedOffset, zone: &str) -> Stamp {
        Stamp {
            utc: utc.to_rfc3339_opts(SecondsFormat::Millis, true),
            local: utc
                .with_timezone(&offset)
                .to_rfc3339_opts(SecondsFormat::Millis, false),
            zone: zone.to_string(),
        }
    }

    /// The UTC instant, parsed back.
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.utc)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// A source of stamps. The real one reads the system clock; tests inject others.
pub type Clock = Arc<dyn Fn() -> Stamp + Send + Sync>;

/// The system clock, with the local offset and zone name read at each call.
pub fn system() -> Clock {
    Arc::new(now)
}

/// Now, from the system clock.
pub fn now() -> Stamp {
    let local = Local::now();
    Stamp::from_parts(local.with_timezone(&Utc), *local.offset(), &zone_name())
}

/// The IANA name of the local zone: `$TZ` when it names one, else what the system
/// says (`/etc/localtime` on Linux), else `unknown`.
pub fn zone_name() -> String {
    if let Ok(tz) = std::env::var("TZ") {
        let tz = tz.trim_start_matches(':');
        if (!tz.starts_with('/') && tz.contains('/')) || tz == "UTC" {
            return tz.to_string();
        }
    }
    iana_time_zone::get_timezone().unwrap_or_else(|_| "unknown".to_string())
}

/// A user-given time normalised to RFC 3339 in UTC (`2026-11-25T14:30:00Z`). RFC 3339
/// with an offset, or a local wall-clock time without one (`2026-11-25T14:30`, what a
/// date-and-time field gives), read in this computer's time zone.
pub fn normalise(value: &str) -> Option<String> {
    parse_rfc3339(value)
        .or_else(|| parse_local(value))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// `2026-11-25T14:30` or `2026-11-25T14:30:05` as local time (the earlier instant when
/// the clocks go back; none when that wall-clock time does not exist).
fn parse_local(value: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let v = value.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M"))
        .ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Parse a user-given time (RFC 3339, with an offset) into a UTC instant.
pub fn parse_rfc3339(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// "25 Nov 2026, 14:32:05 (UTC+00:00)" from an RFC 3339 time; as given if unreadable.
pub fn in_words(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.format("%-d %b %Y, %H:%M:%S (UTC%:z)").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// "12 Dec 2026, 14:02": an RFC 3339 time in words, for the log. Shown in `offset` when
/// one is given (the local offset recorded with the entry that names the time), else in
/// the time's own offset: a time is said as the clock on the wall said it, and a test
/// or a machine elsewhere reads the same words. `None` if it does not read.
pub fn short_words(rfc3339: &str, offset: Option<FixedOffset>) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(rfc3339.trim()).ok()?;
    let t = offset.map_or(t, |o| t.with_timezone(&o));
    Some(t.format("%-d %b %Y, %H:%M").to_string())
}

/// The offset of an RFC 3339 time (`+01:00` of `2026-07-01T13:00:00+01:00`).
pub fn offset_of(rfc3339: &str) -> Option<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339.trim())
        .ok()
        .map(|t| *t.offset())
}

/// "1 Dec 2026 14.02": a stamp's local time as part of a file name (no colon, which
/// some systems refuse in names); the UTC time when the local one does not read.
pub fn name_words(at: &Stamp) -> String {
    [&at.local, &at.utc]
        .into_iter()
        .find_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.format("%-d %b %Y %H.%M").to_string())
        .unwrap_or_else(|| "at an unknown time".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_read_in_a_multithreaded_process() {
        // Other threads alive while we read the local offset, as in the desktop app.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        std::thread::yield_now();
                    }
                })
            })
            .collect();
        let s = std::thread::spawn(now).join().expect("thread");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in workers {
            w.join().expect("worker");
        }
        let local = DateTime::parse_from_rfc3339(&s.local).expect("local is RFC 3339");
        let utc = DateTime::parse_from_rfc3339(&s.utc).expect("utc is RFC 3339");
        assert_eq!(local, utc, "same instant");
        assert!(s.utc.ends_with('Z'));
        assert!(!s.zone.is_empty());
    }

    #[test]
    fn a_local_time_without_offset_is_read_in_the_local_zone() {
        let utc = normalise("2026-11-25T14:30").expect("local time");
        let back = parse_rfc3339(&utc).expect("utc");
        let local = back
            .with_timezone(&Local)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        assert_eq!(local, "2026-11-25T14:30");
        assert_eq!(
            normalise("2026-11-25T14:30:00+01:00").as_deref(),
            Some("2026-11-25T13:30:00Z")
        );
        assert!(normalise("last Tuesday").is_none());
        assert!(normalise("2026-13-25T14:30").is_none());
    }

    #[test]
    fn times_in_words_are_local_and_have_no_seconds_or_iso() {
        let bst = FixedOffset::east_opt(3600).expect("offset");
        assert_eq!(
            short_words("2026-07-01T12:00:05Z", Some(bst)).as_deref(),
            Some("1 Jul 2026, 13:00")
        );
        assert_eq!(
            short_words("2026-12-12T14:02:59.999+00:00", None).as_deref(),
            Some("12 Dec 2026, 14:02")
        );
        assert_eq!(short_words("yesterday", None), None);
        let s = Stamp::from_parts(
            DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z")
                .expect("t")
                .with_timezone(&Utc),
            bst,
            "Europe/London",
        );
        assert_eq!(name_words(&s), "1 Jul 2026 13.00");
    }

    #[test]
    fn stamp_shows_the_offset() {
        let t = DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let bst = FixedOffset::east_opt(3600).expect("offset");
        let s = Stamp::from_parts(t, bst, "Europe/London");
        assert_eq!(s.utc, "2026-07-01T12:00:00.000Z");
        assert_eq!(s.local, "2026-07-01T13:00:00.000+01:00");
    }
}
