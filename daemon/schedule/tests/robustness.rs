//! No input makes a schedule panic or hang: odd time zones, the ends of chrono's range, generated
//! expressions. Also the most extreme DST on record, Samoa skipping 2011-12-30 entirely.

use chrono::{DateTime, Utc};
use gdsn_schedule::{RandomSource, Schedule, SplitMix64};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a test instant in RFC 3339")
}

/// Zones with unusual rules: 30-minute DST, +14 hours, a skipped day, DST at midnight, negative DST, a
/// 2-hour DST, a half-hour offset.
const ZONES: [&str; 11] = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "America/Santiago",
    "Asia/Tehran",
    "Europe/Dublin",
    "Antarctica/Troll",
    "America/St_Johns",
];

#[test]
fn extreme_instants_in_odd_zones_never_panic() {
    let exprs =
        ["* * * * * *", "0 30 2 * * *", "*/15 * * * *", "0 0 0 31 2 *", "0 0 0 29 2 * 2100", "@yearly"];
    let instants = [
        DateTime::<Utc>::MIN_UTC,
        at("1969-12-31T23:59:59Z"),
        at("1970-01-01T00:00:00Z"),
        at("2011-12-30T09:59:59Z"),
        at("2026-10-25T01:30:00Z"),
        at("2100-12-31T23:59:59Z"),
        at("2101-01-01T12:00:00Z"),
        DateTime::<Utc>::MAX_UTC,
    ];
    for zone in ZONES {
        for expr in exprs {
            let schedule = Schedule::parse(expr, Some(zone)).expect("a valid test schedule");
            for instant in instants {
                if let Some(next) = schedule.next_after(instant) {
                    assert!(next > instant, "{zone} {expr} after {instant}: {next}");
                }
                for last_run in [None, Some(DateTime::<Utc>::MIN_UTC), Some(instant)] {
                    if let Some(missed) = schedule.missed(last_run, instant) {
                        assert!(missed <= instant && Some(missed) > last_run, "{zone} {expr} at {instant}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_day_samoa_skipped_fires_once_when_the_clocks_jump() {
    // Pacific/Apia went from 2011-12-29 24:00 (-10:00) straight to 2011-12-31 00:00 (+14:00) at 10:00Z.
    let schedule = Schedule::parse("0 9 * * *", Some("Pacific/Apia")).expect("a valid test schedule");
    let fires: Vec<_> = schedule.upcoming(at("2011-12-29T12:00:00Z")).take(3).collect();
    let expected = [at("2011-12-29T19:00:00Z"), at("2011-12-30T10:00:00Z"), at("2011-12-30T19:00:00Z")];
    assert_eq!(fires, expected);
}

#[test]
fn ones_beyond_2100_never_fire() {
    let schedule = Schedule::parse("@daily", None).expect("a valid test schedule");
    assert_eq!(schedule.next_after(at("2100-12-31T00:00:00Z")), None);
    assert_eq!(schedule.next_after(at("2100-12-30T12:00:00Z")), Some(at("2100-12-31T00:00:00Z")));
    assert_eq!(schedule.next_after(DateTime::<Utc>::MIN_UTC), Some(at("1970-01-01T00:00:00Z")));
    let latest = schedule.missed(Some(at("2026-01-01T00:00:00Z")), DateTime::<Utc>::MAX_UTC);
    assert_eq!(latest, Some(at("2100-12-31T00:00:00Z")));
}

#[test]
fn generated_expressions_never_panic() {
    const PLAIN: [&str; 7] = ["*", "*", "1", "5", "*/7", "1-5", "2,3"];
    const ODD: [&str; 22] = [
        "0",
        "59",
        "60",
        "*/0",
        "5-1",
        "Mon",
        "sun-sat",
        "?",
        "L",
        "-",
        ",",
        "1,2,",
        "*/",
        "99999999999999999999",
        "ä",
        "/",
        "1-",
        "@daily",
        "Jan-Dec",
        "3/4",
        "2100",
        "7",
    ];
    let mut random = SplitMix64::new(2026);
    let mut pick = |bound: usize| usize::try_from(random.next_u64() % bound as u64).unwrap_or(0);
    let start = at("2026-03-29T00:30:00Z");
    let mut valid = 0;
    for _ in 0..3000 {
        let count = 4 + pick(4);
        let expr: Vec<&str> = (0..count)
            .map(|_| if pick(8) == 0 { ODD[pick(ODD.len())] } else { PLAIN[pick(PLAIN.len())] })
            .collect();
        let expr = expr.join(" ");
        let zone = ZONES[pick(ZONES.len())];
        if let Ok(schedule) = Schedule::parse(&expr, Some(zone)) {
            valid += 1;
            let next = schedule.next_after(start);
            assert!(next.is_none_or(|next| next > start), "{expr} in {zone}");
            let missed = schedule.missed(Some(at("2025-01-01T00:00:00Z")), start);
            assert!(missed.is_none_or(|missed| missed <= start), "{expr} in {zone}");
        }
    }
    assert!(valid > 50, "only {valid} generated expressions were valid");
}
