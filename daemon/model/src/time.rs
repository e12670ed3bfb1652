//! GDSN timestamps (`xsd:dateTime`), read leniently.
//!
//! Real data pools send timestamps without a zone and with more than nine
//! fraction digits; both are accepted and reported. A timestamp without a
//! zone is read as UTC.

use std::fmt;

use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time from a message, normalised to UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(OffsetDateTime);

/// What was tolerated while reading a timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimestampNotes {
    /// No zone was given; UTC was assumed.
    pub zone_assumed: bool,
    /// The fraction had more than nine digits and was truncated.
    pub fraction_truncated: bool,
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(OffsetDateTime::UNIX_EPOCH);

    /// Reads `YYYY-MM-DD[THH:MM:SS[.fraction]][Z|±HH:MM]`. A bare date is
    /// midnight; a time without a zone is UTC.
    pub fn parse(text: &str) -> Result<(Timestamp, TimestampNotes), String> {
        Timestamp::parse_in(text, |_| UtcOffset::UTC)
    }

    /// Like [`Timestamp::parse`], but a time without a zone is local time
    /// at the offset `naive_offset` gives for it (a pool's own zone, with
    /// its daylight saving time).
    pub fn parse_in(
        text: &str,
        naive_offset: impl FnOnce(PrimitiveDateTime) -> UtcOffset,
    ) -> Result<(Timestamp, TimestampNotes), String> {
        let text = text.trim();
        let bad = || format!("`{text}` is not an xsd:dateTime");
        let (date_part, rest) = text.split_at(text.find('T').unwrap_or(text.len()));
        // A bare date may carry a zone too (`2015-06-01Z`); its own dashes are
        // not one, hence the length check.
        let (date_part, date_zone) =
            if date_part.len() > 10 { split_zone(date_part) } else { (date_part, None) };
        let date = parse_date(date_part).ok_or_else(bad)?;
        let mut notes = TimestampNotes::default();
        let (time, zone) = if let Some(rest) = rest.strip_prefix('T') {
            let (clock, zone) = split_zone(rest);
            (parse_clock(clock, &mut notes).ok_or_else(bad)?, zone)
        } else {
            (Time::MIDNIGHT, date_zone)
        };
        let offset = match zone {
            None => {
                notes.zone_assumed = true;
                naive_offset(PrimitiveDateTime::new(date, time))
            }
            Some(z) => parse_offset(z).ok_or_else(bad)?,
        };
        let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
        // In UTC the instant must still be a four-digit year, or it cannot
        // be written back as RFC 3339 (9999-12-31T23:00:00-05:00 is 10000).
        let utc = at.checked_to_offset(UtcOffset::UTC).filter(|t| (1..=9999).contains(&t.year()));
        let utc = utc.ok_or_else(|| format!("`{text}` is outside years 0001-9999 in UTC"))?;
        Ok((Timestamp(utc), notes))
    }

    /// The instant `nanos` after the Unix epoch, if it is within years
    /// 0001-9999 (the binary uses it for "now"; libraries take times as input).
    pub fn from_unix_nanos(nanos: i128) -> Option<Timestamp> {
        let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
        (1..=9999).contains(&at.year()).then_some(Timestamp(at))
    }

    /// Nanoseconds since the Unix epoch (used for ordering versions).
    pub fn unix_nanos(&self) -> i128 {
        self.0.unix_timestamp_nanos()
    }

    /// RFC 3339 in UTC (`2026-01-05T10:00:00Z`).
    pub fn to_rfc3339(&self) -> String {
        self.0.format(&Rfc3339).unwrap_or_default()
    }
}

fn split_zone(s: &str) -> (&str, Option<&str>) {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return (body, Some("Z"));
    }
    // A zone offset is the last `+HH:MM` or `-HH:MM`; dates also contain `-`,
    // so only a sign six bytes from the end counts.
    if s.len() > 6 {
        let idx = s.len() - 6;
        if s.is_char_boundary(idx) && matches!(s.as_bytes()[idx], b'+' | b'-') {
            return (&s[..idx], Some(&s[idx..]));
        }
    }
    (s, None)
}

fn num<T: std::str::FromStr>(s: &str, len: usize) -> Option<T> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.splitn(3, '-');
    let year: i32 = num(it.next()?, 4)?;
    let month: u8 = num(it.next()?, 2)?;
    let day: u8 = num(it.next()?, 2)?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

fn parse_clock(s: &str, notes: &mut TimestampNotes) -> Option<Time> {
    let (hms, fraction) = match s.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (s, None),
    };
    let mut it = hms.splitn(3, ':');
    let h: u8 = num(it.next()?, 2)?;
    let m: u8 = num(it.next()?, 2)?;
    let sec: u8 = num(it.next()?, 2)?;
    let nanos = match fraction {
        None => 0,
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(f) => {
            if f.len() > 9 {
                notes.fraction_truncated = true;
            }
            let kept = &f[..f.len().min(9)];
            let scale = 10u32.pow(9 - kept.len() as u32);
            kept.parse::<u32>().ok()? * scale
        }
    };
    // 24:00:00 is allowed by xsd:dateTime but rare; refuse rather than guess.
    Time::from_hms_nano(h, m, sec, nanos).ok()
}

fn parse_offset(z: &str) -> Option<UtcOffset> {
    if z == "Z" {
        return Some(UtcOffset::UTC);
    }
    let sign: i8 = if z.starts_with('-') { -1 } else { 1 };
    let (h, m) = z.get(1..)?.split_once(':')?;
    let h: i8 = num(h, 2)?;
    let m: i8 = num(m, 2)?;
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_zones_fractions_and_bare_dates() {
        let cases = [
            ("2026-03-29T01:30:00Z", "2026-03-29T01:30:00Z", false, false),
            ("2026-03-29T03:30:00+02:00", "2026-03-29T01:30:00Z", false, false),
            ("2015-06-01T10:00:00.12345", "2015-06-01T10:00:00.12345Z", true, false),
            ("2015-06-01T10:00:00.123456789012-05:00", "2015-06-01T15:00:00.123456789Z", false, true),
            ("2015-06-01", "2015-06-01T00:00:00Z", true, false),
            (" 2015-06-01T10:00:00 ", "2015-06-01T10:00:00Z", true, false),
        ];
        for (input, want, zone, frac) in cases {
            let (ts, notes) = Timestamp::parse(input).unwrap();
            assert_eq!(ts.to_rfc3339(), want, "{input}");
            assert_eq!(notes.zone_assumed, zone, "{input}");
            assert_eq!(notes.fraction_truncated, frac, "{input}");
        }
    }

    #[test]
    fn refuses_garbage_without_panicking() {
        for bad in [
            "",
            "T",
            "2015-13-01",
            "2015-06-01T25:00:00",
            "2015-06-01T10:00",
            "é",
            "2015-06-01T10:00:00.",
            "2015-06-01T10:00:00+5",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }
}
