//! Fire times on the 2026 DST days of Europe/Paris and America/New_York, UTC by default, crontab lines,
//! errors, missed runs and a year of daily and hourly runs. Tables first: a new case is a new row.
//!
//! The transitions: Europe/Paris springs forward 2026-03-29 at 01:00Z (02:00 CET → 03:00 CEST) and falls
//! back 2026-10-25 at 01:00Z (03:00 CEST → 02:00 CET); America/New_York springs forward 2026-03-08 at 07:00Z
//! (02:00 EST → 03:00 EDT) and falls back 2026-11-01 at 06:00Z (02:00 EDT → 01:00 EST).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use gdsn_schedule::{Schedule, ScheduleError};

const PARIS: Option<&str> = Some("Europe/Paris");
const NEW_YORK: Option<&str> = Some("America/New_York");

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a test instant in RFC 3339")
}

fn schedule(expr: &str, zone: Option<&str>) -> Schedule {
    Schedule::parse(expr, zone).expect("a valid test schedule")
}

/// A schedule, a start, and the fire times strictly after it, in order.
struct Case {
    what: &'static str,
    zone: Option<&'static str>,
    expr: &'static str,
    after: &'static str,
    fires: &'static [&'static str],
}

const DST_CASES: &[Case] = &[
    // Europe/Paris, spring forward: 02:00–02:59 CET does not exist on 2026-03-29.
    Case {
        what: "paris daily in the gap fires when the clocks jump",
        zone: PARIS,
        expr: "30 2 * * *",
        after: "2026-03-27T12:00:00Z",
        fires: &["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
    },
    Case {
        what: "paris daily in the gap, asked at the jump, does not fire again",
        zone: PARIS,
        expr: "0 30 2 * * *",
        after: "2026-03-29T01:00:00Z",
        fires: &["2026-03-30T00:30:00Z"],
    },
    Case {
        what: "paris hourly across spring forward: 02:00 and 03:00 are one run",
        zone: PARIS,
        expr: "0 0 * * * *",
        after: "2026-03-28T23:30:00Z",
        fires: &["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"],
    },
    Case {
        what: "paris every 15 minutes across spring forward",
        zone: PARIS,
        expr: "*/15 * * * *",
        after: "2026-03-29T00:30:00Z",
        fires: &[
            "2026-03-29T00:45:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T01:15:00Z",
            "2026-03-29T01:30:00Z",
        ],
    },
    Case {
        what: "paris normal time around spring forward",
        zone: PARIS,
        expr: "0 0 9 * * *",
        after: "2026-03-27T12:00:00Z",
        fires: &["2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"],
    },
    // Europe/Paris, fall back: 02:00–02:59 happens twice on 2026-10-25, at 00:xxZ (CEST) and 01:xxZ (CET).
    Case {
        what: "paris daily in the repeated hour fires at the first pass only",
        zone: PARIS,
        expr: "0 30 2 * * *",
        after: "2026-10-23T12:00:00Z",
        fires: &["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
    },
    Case {
        what: "paris daily, asked in the second pass, waits for the next day",
        zone: PARIS,
        expr: "30 2 * * *",
        after: "2026-10-25T01:15:00Z",
        fires: &["2026-10-26T01:30:00Z"],
    },
    Case {
        what: "paris hourly across fall back: the repeated 02:00 runs once",
        zone: PARIS,
        expr: "@hourly",
        after: "2026-10-24T22:30:00Z",
        fires: &[
            "2026-10-24T23:00:00Z",
            "2026-10-25T00:00:00Z",
            "2026-10-25T02:00:00Z",
            "2026-10-25T03:00:00Z",
        ],
    },
    Case {
        what: "paris every 15 minutes across fall back: first pass only",
        zone: PARIS,
        expr: "0 */15 * * * *",
        after: "2026-10-24T23:30:00Z",
        fires: &[
            "2026-10-24T23:45:00Z",
            "2026-10-25T00:00:00Z",
            "2026-10-25T00:15:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T00:45:00Z",
            "2026-10-25T02:00:00Z",
            "2026-10-25T02:15:00Z",
        ],
    },
    Case {
        what: "paris every 15 minutes, asked in the second pass, waits for 03:00 cet",
        zone: PARIS,
        expr: "*/15 * * * *",
        after: "2026-10-25T01:20:00.5Z",
        fires: &["2026-10-25T02:00:00Z", "2026-10-25T02:15:00Z"],
    },
    Case {
        what: "paris normal time around fall back",
        zone: PARIS,
        expr: "0 9 * * *",
        after: "2026-10-24T00:00:00Z",
        fires: &["2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z", "2026-10-26T08:00:00Z"],
    },
    // America/New_York, spring forward: 02:00–02:59 EST does not exist on 2026-03-08.
    Case {
        what: "new york daily in the gap fires when the clocks jump",
        zone: NEW_YORK,
        expr: "30 2 * * *",
        after: "2026-03-06T12:00:00Z",
        fires: &["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"],
    },
    Case {
        what: "new york hourly across spring forward",
        zone: NEW_YORK,
        expr: "0 * * * *",
        after: "2026-03-08T05:30:00Z",
        fires: &["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"],
    },
    Case {
        what: "new york every 15 minutes across spring forward",
        zone: NEW_YORK,
        expr: "*/15 * * * *",
        after: "2026-03-08T06:30:00Z",
        fires: &["2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"],
    },
    Case {
        what: "new york normal time around spring forward",
        zone: NEW_YORK,
        expr: "0 9 * * *",
        after: "2026-03-07T00:00:00Z",
        fires: &["2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"],
    },
    // America/New_York, fall back: 01:00–01:59 happens twice on 2026-11-01, at 05:xxZ (EDT) and 06:xxZ (EST).
    Case {
        what: "new york daily in the repeated hour fires at the first pass only",
        zone: NEW_YORK,
        expr: "30 1 * * *",
        after: "2026-10-30T12:00:00Z",
        fires: &["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
    },
    Case {
        what: "new york daily, asked in the second pass, waits for the next day",
        zone: NEW_YORK,
        expr: "0 30 1 * * *",
        after: "2026-11-01T06:10:00Z",
        fires: &["2026-11-02T06:30:00Z"],
    },
    Case {
        what: "new york hourly across fall back: the repeated 01:00 runs once",
        zone: NEW_YORK,
        expr: "0 * * * *",
        after: "2026-11-01T04:30:00Z",
        fires: &["2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"],
    },
    Case {
        what: "new york every 15 minutes across fall back: first pass only",
        zone: NEW_YORK,
        expr: "*/15 * * * *",
        after: "2026-11-01T04:30:00Z",
        fires: &[
            "2026-11-01T04:45:00Z",
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:15:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T05:45:00Z",
            "2026-11-01T07:00:00Z",
            "2026-11-01T07:15:00Z",
        ],
    },
    Case {
        what: "new york normal time around fall back",
        zone: NEW_YORK,
        expr: "0 0 9 * * *",
        after: "2026-10-31T00:00:00Z",
        fires: &["2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z"],
    },
    // UTC: no time zone configured (or "UTC"), DST days are ordinary days.
    Case {
        what: "utc default on the paris spring day",
        zone: None,
        expr: "30 2 * * *",
        after: "2026-03-28T12:00:00Z",
        fires: &["2026-03-29T02:30:00Z", "2026-03-30T02:30:00Z"],
    },
    Case {
        what: "utc default every 15 minutes through the paris fall-back hour",
        zone: None,
        expr: "*/15 * * * *",
        after: "2026-10-25T00:50:00Z",
        fires: &["2026-10-25T01:00:00Z", "2026-10-25T01:15:00Z", "2026-10-25T01:30:00Z"],
    },
    Case {
        what: "utc named explicitly",
        zone: Some("UTC"),
        expr: "0 30 1 * * *",
        after: "2026-11-01T00:00:00Z",
        fires: &["2026-11-01T01:30:00Z", "2026-11-02T01:30:00Z"],
    },
    Case {
        what: "next_after is strictly after",
        zone: None,
        expr: "0 0 12 * * *",
        after: "2026-06-01T12:00:00Z",
        fires: &["2026-06-02T12:00:00Z"],
    },
    Case {
        what: "a year field in the past never fires",
        zone: None,
        expr: "0 0 12 * * * 2020",
        after: "2026-06-01T12:00:00Z",
        fires: &[],
    },
    Case {
        what: "crontab: both day fields restricted, either matches (13th or friday)",
        zone: None,
        expr: "0 0 13 * 5",
        after: "2026-03-01T00:00:00Z",
        fires: &[
            "2026-03-06T00:00:00Z",
            "2026-03-13T00:00:00Z",
            "2026-03-20T00:00:00Z",
            "2026-03-27T00:00:00Z",
            "2026-04-03T00:00:00Z",
            "2026-04-10T00:00:00Z",
            "2026-04-13T00:00:00Z",
            "2026-04-17T00:00:00Z",
        ],
    },
];

#[test]
fn fire_times_across_dst_days() {
    for case in DST_CASES {
        let fires: Vec<DateTime<Utc>> =
            schedule(case.expr, case.zone).upcoming(at(case.after)).take(50).collect();
        let expected: Vec<DateTime<Utc>> = case.fires.iter().map(|text| at(text)).collect();
        assert_eq!(fires.get(..expected.len().min(fires.len())), Some(&expected[..]), "{}", case.what);
        if expected.is_empty() {
            assert!(fires.is_empty(), "{}", case.what);
        }
    }
}

#[test]
fn crontab_lines_equal_seconds_first_expressions() {
    let pairs = [
        ("*/15 * * * *", "0 */15 * * * *"),
        ("30 2 * * *", "0 30 2 * * *"),
        ("0 9 * * 1-5", "0 0 9 * * Mon-Fri"),
        ("0 12 * * 0", "0 0 12 * * Sun"),
        ("0 12 * * 7", "0 0 12 * * Sun"),
        ("5 4 * * sun", "0 5 4 * * 1"),
        ("0 0 1 1 *", "0 0 0 1 1 *"),
        ("0 */6 1-15 * *", "0 0 */6 1-15 * *"),
        ("@daily", "0 0 0 * * *"),
        ("@hourly", "0 0 * * * *"),
        ("@weekly", "0 0 0 * * Sun"),
        ("@monthly", "0 0 0 1 * *"),
        ("  30   2 *  * * ", "0 30 2 * * *"),
    ];
    for zone in [None, PARIS, NEW_YORK] {
        for (crontab, seconds_first) in pairs {
            let start = at("2026-02-20T00:00:00Z");
            let left: Vec<_> = schedule(crontab, zone).upcoming(start).take(40).collect();
            let right: Vec<_> = schedule(seconds_first, zone).upcoming(start).take(40).collect();
            assert_eq!(left.len(), 40, "{crontab}");
            assert_eq!(left, right, "{crontab} vs {seconds_first} in {zone:?}");
        }
    }
}

#[test]
fn invalid_expressions_are_typed_errors() {
    let field_counts = [("", 0), ("* * * *", 4), ("0 0 0 * * * 2026 x", 8), ("@every 5m", 2)];
    for (expr, count) in field_counts {
        let error = Schedule::parse(expr, None).expect_err(expr);
        assert_eq!(error, ScheduleError::FieldCount { expr: expr.to_owned(), count }, "{expr}");
    }
    let invalid = [
        ("61 * * * *", r#"minute "61": minutes must be at most 59 ('61' specified)"#),
        ("*/0 * * * *", r#"minute "*/0": range step cannot be zero"#),
        ("0 24 * * *", r#"hour "24": hours must be at most 23 ('24' specified)"#),
        ("0 0 32 * *", r#"day of month "32": days of month must be at most 31 ('32' specified)"#),
        ("0 0 * 13 *", r#"month "13": months must be at most 12 ('13' specified)"#),
        ("0 0 * * 8", r#"day of week "8" is not within 0-7"#),
        ("0 0 * * 5-1", r#"day of week "5-1": range runs backwards"#),
        ("0 0 * * 1/2", r#"day of week "1/2": a step needs a range or '*'"#),
        ("0 0 * * monday", r#"day of week "monday" is neither 0-7 nor a name like mon"#),
        ("0 61 * * * *", r#"minute "61": minutes must be at most 59 ('61' specified)"#),
        (
            "0 0 0 * * 0",
            r#"day of week "0": days of week must be greater than or equal to 1 ('0' specified)"#,
        ),
        ("0 0 9 * * Mon-Sun", r#"day of week "Mon-Sun": invalid named range for days of week: mon-sun"#),
        ("0 0 0 * * Funday", r#"day of week "Funday": 'funday' is not a valid day of the week"#),
        (
            "0 0 0 L * *",
            r#"day of month "L": the 'days of month' field does not support using names. 'l' specified"#,
        ),
        ("0 0 0 * * * 1969", r#"year "1969" is not valid"#),
        ("0 0 0 1 1 * 99999999999", r#"year "99999999999" is not valid"#),
        ("@reboot", "@reboot is not a time schedule"),
        (
            "@fortnightly",
            "unknown keyword: expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly",
        ),
    ];
    for (expr, reason) in invalid {
        let error = Schedule::parse(expr, PARIS).expect_err(expr);
        assert_eq!(
            error,
            ScheduleError::Invalid { expr: expr.to_owned(), reason: reason.to_owned() },
            "{expr}"
        );
        assert_eq!(error.to_string(), format!("invalid cron expression {expr:?}: {reason}"));
    }
}

#[test]
fn unknown_time_zones_are_named() {
    for zone in ["Europe/Pariss", "", "europe/paris", "+02:00", "Mars/Olympus_Mons"] {
        let error = Schedule::parse("*/15 * * * *", Some(zone)).expect_err(zone);
        assert_eq!(
            error,
            ScheduleError::UnknownTimeZone { expr: "*/15 * * * *".to_owned(), zone: zone.to_owned() },
            "{zone}"
        );
        assert!(error.to_string().starts_with(&format!("unknown time zone {zone:?}")), "{error}");
    }
    let paris = schedule("@daily", Some(" Europe/Paris "));
    assert_eq!(paris.time_zone(), "Europe/Paris");
    assert_eq!(paris.to_string(), "@daily (Europe/Paris)");
    assert_eq!(schedule("@daily", None).time_zone(), "UTC");
    assert_eq!(schedule("@daily", None).expression(), "@daily");
}

/// A schedule, the last run, now, and the latest fire time in (last run, now].
struct Missed {
    zone: Option<&'static str>,
    expr: &'static str,
    last_run: Option<&'static str>,
    now: &'static str,
    missed: Option<&'static str>,
}

const MISSED: &[Missed] = &[
    // First start: no last run, no catch-up.
    Missed { zone: None, expr: "0 * * * *", last_run: None, now: "2026-06-01T15:30:00Z", missed: None },
    // A downtime of five hours: one catch-up run, for the latest missed time.
    Missed {
        zone: None,
        expr: "0 * * * *",
        last_run: Some("2026-06-01T10:00:00Z"),
        now: "2026-06-01T15:30:00Z",
        missed: Some("2026-06-01T15:00:00Z"),
    },
    // Nothing due yet, and `now` itself counts.
    Missed {
        zone: None,
        expr: "0 * * * *",
        last_run: Some("2026-06-01T10:00:00Z"),
        now: "2026-06-01T10:59:59.999Z",
        missed: None,
    },
    Missed {
        zone: None,
        expr: "0 * * * *",
        last_run: Some("2026-06-01T10:00:00Z"),
        now: "2026-06-01T11:00:00Z",
        missed: Some("2026-06-01T11:00:00Z"),
    },
    // A clock that went backwards: nothing is missed.
    Missed {
        zone: None,
        expr: "0 * * * *",
        last_run: Some("2026-06-01T12:00:00Z"),
        now: "2026-06-01T11:30:00Z",
        missed: None,
    },
    // Down over the paris spring-forward day: the gap run (01:00Z) is the latest missed.
    Missed {
        zone: PARIS,
        expr: "30 2 * * *",
        last_run: Some("2026-03-28T01:30:00Z"),
        now: "2026-03-29T01:00:00Z",
        missed: Some("2026-03-29T01:00:00Z"),
    },
    // Down through the paris repeated hour: the second pass fires nothing, so the last run covers it.
    Missed {
        zone: PARIS,
        expr: "*/15 * * * *",
        last_run: Some("2026-10-25T00:45:00Z"),
        now: "2026-10-25T01:55:00Z",
        missed: None,
    },
    Missed {
        zone: PARIS,
        expr: "*/15 * * * *",
        last_run: Some("2026-10-25T00:20:00Z"),
        now: "2026-10-25T01:40:00Z",
        missed: Some("2026-10-25T00:45:00Z"),
    },
    // Down over the new york fall-back night.
    Missed {
        zone: NEW_YORK,
        expr: "30 1 * * *",
        last_run: Some("2026-10-31T05:30:00Z"),
        now: "2026-11-01T06:45:00Z",
        missed: Some("2026-11-01T05:30:00Z"),
    },
    // A long downtime of a frequent schedule.
    Missed {
        zone: NEW_YORK,
        expr: "* * * * *",
        last_run: Some("2025-01-01T00:00:00Z"),
        now: "2026-06-15T10:07:30Z",
        missed: Some("2026-06-15T10:07:00Z"),
    },
    // Years named in the expression: the latest run is in the last named year.
    Missed {
        zone: PARIS,
        expr: "0 0 12 * * * 2024,2025",
        last_run: Some("2024-06-01T10:00:00Z"),
        now: "2026-03-10T12:00:00Z",
        missed: Some("2025-12-31T11:00:00Z"),
    },
    // A weekly schedule, down for three weeks.
    Missed {
        zone: PARIS,
        expr: "0 6 * * mon",
        last_run: Some("2026-03-02T05:00:00Z"),
        now: "2026-03-26T12:00:00Z",
        missed: Some("2026-03-23T05:00:00Z"),
    },
];

#[test]
fn missed_runs_across_a_downtime() {
    for (row, case) in MISSED.iter().enumerate() {
        let missed = schedule(case.expr, case.zone).missed(case.last_run.map(at), at(case.now));
        assert_eq!(missed, case.missed.map(at), "row {row}: {} after {:?}", case.expr, case.last_run);
    }
}

#[test]
fn daily_schedules_fire_once_every_day_for_a_year() {
    let cases = [
        ("Europe/Paris", "30 2 * * *"),
        ("Europe/Paris", "0 0 0 * * *"),
        ("Europe/Paris", "0 9 * * *"),
        ("America/New_York", "0 30 2 * * *"),
        ("America/New_York", "30 1 * * *"),
        ("America/New_York", "@midnight"),
        ("UTC", "0 30 2 * * *"),
    ];
    for (zone, expr) in cases {
        let tz: Tz = zone.parse().expect("a test zone");
        let fires: Vec<_> =
            schedule(expr, Some(zone)).upcoming(at("2025-12-31T12:00:00Z")).take(400).collect();
        assert_eq!(fires.len(), 400, "{zone} {expr}");
        for pair in fires.windows(2) {
            let [earlier, later] = pair else { continue };
            assert!(earlier < later, "{zone} {expr}: {earlier} then {later}");
            let (day, next_day) =
                (earlier.with_timezone(&tz).date_naive(), later.with_timezone(&tz).date_naive());
            assert_eq!(day.succ_opt(), Some(next_day), "{zone} {expr}: {earlier} then {later}");
        }
    }
}

#[test]
fn hourly_and_quarter_hourly_fire_once_per_wall_time_for_a_year() {
    // A local year has 8760 wall hours; the skipped 02:00 merges with 03:00, the repeated hour runs once.
    for (zone, expr, per_year, longest_pause) in [
        ("Europe/Paris", "0 * * * *", 8759, TimeDelta::hours(2)),
        ("America/New_York", "@hourly", 8759, TimeDelta::hours(2)),
        ("Europe/Paris", "*/15 * * * *", 8760 * 4 - 4, TimeDelta::minutes(75)),
        ("UTC", "0 * * * *", 8760, TimeDelta::hours(1)),
    ] {
        let tz: Tz = zone.parse().expect("a test zone");
        let year_start =
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date").and_hms_opt(0, 0, 0).expect("a time");
        let start = year_start.and_local_timezone(tz).single().expect("unambiguous").to_utc();
        let fires: Vec<_> = schedule(expr, Some(zone))
            .upcoming(start - TimeDelta::seconds(1))
            .take_while(|fire| fire.with_timezone(&tz).year() == 2026)
            .collect();
        assert_eq!(fires.len(), per_year, "{zone} {expr}");
        for pair in fires.windows(2) {
            let [earlier, later] = pair else { continue };
            assert!(
                earlier < later && *later - *earlier <= longest_pause,
                "{zone} {expr}: {earlier} {later}"
            );
        }
    }
}
