//! The UTC offset of a local time in a pool's zone, for timestamps that
//! carry none.

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use time::{PrimitiveDateTime, UtcOffset};

/// The offset of `local` in `tz`. A time that occurs twice (clocks fall
/// back) takes its first occurrence; a time that does not exist (clocks
/// spring forward) takes the offset in force before the jump, as if the
/// pool's clock had not been moved yet.
pub(crate) fn offset_at(tz: Tz, local: PrimitiveDateTime) -> UtcOffset {
    let date =
        NaiveDate::from_ymd_opt(local.year(), u32::from(u8::from(local.month())), u32::from(local.day()));
    let Some(naive) = date.and_then(|d| {
        d.and_hms_opt(u32::from(local.hour()), u32::from(local.minute()), u32::from(local.second()))
    }) else {
        return UtcOffset::UTC;
    };
    let offset = match tz.offset_from_local_datetime(&naive) {
        chrono::LocalResult::Single(offset) | chrono::LocalResult::Ambiguous(offset, _) => offset.fix(),
        // In the gap: read the wall time as if it were UTC to find the
        // offset just before the jump (an hour earlier is still before it).
        chrono::LocalResult::None => tz.offset_from_utc_datetime(&(naive - chrono::Duration::hours(3))).fix(),
    };
    UtcOffset::from_whole_seconds(offset.local_minus_utc()).unwrap_or(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn offset(tz: Tz, local: PrimitiveDateTime) -> i32 {
        offset_at(tz, local).whole_seconds()
    }

    #[test]
    fn paris_summer_winter_and_both_dst_days() {
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(offset(paris, datetime!(2026-01-15 10:00)), 3600);
        assert_eq!(offset(paris, datetime!(2026-07-15 10:00)), 7200);
        // 02:30 does not exist on 2026-03-29: the offset before the jump.
        assert_eq!(offset(paris, datetime!(2026-03-29 02:30)), 3600);
        // 02:30 happens twice on 2026-10-25: the first (summer) one.
        assert_eq!(offset(paris, datetime!(2026-10-25 02:30)), 7200);
    }

    #[test]
    fn new_york_is_behind_utc() {
        let new_york = chrono_tz::America::New_York;
        assert_eq!(offset(new_york, datetime!(2026-01-15 10:00)), -5 * 3600);
        assert_eq!(offset(new_york, datetime!(2026-07-15 10:00)), -4 * 3600);
        assert_eq!(offset(new_york, datetime!(2026-03-08 02:30)), -5 * 3600);
    }
}
