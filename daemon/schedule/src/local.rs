//! Wall-clock times of a time zone and the instants at which they fire: the DST rules live here.
//!
//! A *wall time* is what a clock on the wall of the zone shows, to the second (`NaiveDateTime`). The cron
//! crate enumerates the wall times an expression matches; [`fire_instant`] maps each to one instant:
//! - a wall time that occurs once fires then;
//! - a wall time that occurs twice (the hour repeated when clocks fall back) fires at its first occurrence;
//! - a wall time that never occurs (skipped when clocks spring forward) fires at the first instant after the
//!   gap, i.e. at the moment the clocks jump.
//!
//! This map never decreases as the wall time grows, which is what lets [`high_water`] turn "strictly after
//! this instant" into "strictly after this wall time".

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// How far [`first_wall`] looks ahead: no DST gap or repeated hour lasts longer than a day.
const LOOK_AHEAD: TimeDelta = TimeDelta::days(1);

/// The instant at which the matching wall time `wall` of zone `tz` fires (see the module docs).
///
/// `None` only if the zone data has a gap with no end within a day, which no real zone has.
pub(crate) fn fire_instant(tz: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(instant) => Some(instant.to_utc()),
        LocalResult::Ambiguous(first, _) => Some(first.to_utc()),
        LocalResult::None => {
            let end = first_wall(wall, |probe| !matches!(tz.from_local_datetime(&probe), LocalResult::None))?;
            tz.from_local_datetime(&end).earliest().map(|instant| instant.to_utc())
        }
    }
}

/// The latest whole-second wall time whose fire instant is at or before `instant`.
///
/// Usually the wall time at `instant`, truncated to the second. When `instant` lies in the *second* pass
/// through a repeated hour, the clock has already shown the later wall times of that hour once, so the
/// answer is the last second before the repeated hour ends.
pub(crate) fn high_water(tz: Tz, instant: DateTime<Utc>) -> Option<NaiveDateTime> {
    let wall = instant.with_timezone(&tz).naive_local().with_nanosecond(0)?;
    match tz.from_local_datetime(&wall) {
        LocalResult::Ambiguous(_, second) if instant >= second.to_utc() => {
            let end = first_wall(wall, |probe| {
                !matches!(tz.from_local_datetime(&probe), LocalResult::Ambiguous(..))
            })?;
            end.checked_sub_signed(TimeDelta::seconds(1))
        }
        _ => Some(wall),
    }
}

/// The first whole-second wall time after `start` for which `reached` holds.
///
/// `reached` must be false at `start` and switch to true once, within [`LOOK_AHEAD`]: doubling steps find
/// a wall time past the switch, then bisection finds the switch to the second (zone data can switch at any
/// second, not only on the hour).
fn first_wall(start: NaiveDateTime, reached: impl Fn(NaiveDateTime) -> bool) -> Option<NaiveDateTime> {
    let mut below = start;
    let mut step = TimeDelta::seconds(1);
    let mut above = loop {
        let probe = start.checked_add_signed(step)?;
        if reached(probe) {
            break probe;
        }
        if step > LOOK_AHEAD {
            return None;
        }
        below = probe;
        step = step.checked_mul(2)?;
    };
    while above - below > TimeDelta::seconds(1) {
        let middle = below.checked_add_signed(TimeDelta::seconds((above - below).num_seconds() / 2))?;
        if reached(middle) { above = middle } else { below = middle }
    }
    Some(above)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn wall(day: u32, hour: u32, minute: u32, month: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day)
            .and_then(|date| date.and_hms_opt(hour, minute, 0))
            .unwrap_or_default()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn gap_times_fire_when_the_clocks_jump() {
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(fire_instant(paris, wall(29, 2, 0, 3)), Some(utc("2026-03-29T01:00:00Z")));
        assert_eq!(fire_instant(paris, wall(29, 2, 59, 3)), Some(utc("2026-03-29T01:00:00Z")));
        assert_eq!(fire_instant(paris, wall(29, 3, 0, 3)), Some(utc("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn repeated_times_fire_at_their_first_occurrence() {
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(fire_instant(paris, wall(25, 2, 30, 10)), Some(utc("2026-10-25T00:30:00Z")));
        assert_eq!(fire_instant(paris, wall(25, 3, 0, 10)), Some(utc("2026-10-25T02:00:00Z")));
    }

    #[test]
    fn high_water_in_the_second_pass_is_the_end_of_the_repeated_hour() {
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(high_water(paris, utc("2026-10-25T00:30:00Z")), Some(wall(25, 2, 30, 10)));
        let end = wall(25, 3, 0, 10) - TimeDelta::seconds(1);
        assert_eq!(high_water(paris, utc("2026-10-25T01:30:00.5Z")), Some(end));
        assert_eq!(high_water(paris, utc("2026-10-25T01:00:00Z")), Some(end));
        assert_eq!(high_water(paris, utc("2026-10-25T02:00:00Z")), Some(wall(25, 3, 0, 10)));
    }

    #[test]
    fn first_wall_finds_the_switch_to_the_second() {
        let start = wall(1, 0, 0, 1);
        let switch = start + TimeDelta::seconds(4321);
        assert_eq!(first_wall(start, |probe| probe >= switch), Some(switch));
        assert_eq!(first_wall(start, |_| false), None);
    }
}
