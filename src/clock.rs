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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A user-given time normalised to RFC 3339 in UTC (`2026-11-25T14:30:00Z`).
pub fn normalise(value: &str) -> Option<String> {
    parse_rfc3339(value).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Parse a user-given time (RFC 3339, with an offset) into a UTC instant.
pub fn parse_rfc3339(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
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
