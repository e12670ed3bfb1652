//! [`Schedule`]: a parsed cron expression in a time zone, asked "when next?" and "what did we miss?".

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use cron::TimeUnitSpec;

use crate::{ScheduleError, expr, local};

/// How many matching wall times one search looks at before giving up. The first one is the answer except
/// in zone data no real zone has; the bound only guarantees that a search ends.
const SEARCH_LIMIT: usize = 64;

/// When a data pool is polled: a cron expression evaluated in UTC or in one IANA time zone.
///
/// Build it with [`Schedule::parse`]; ask it with [`Schedule::next_after`] and [`Schedule::missed`]. All
/// questions take the current time as an argument: the schedule never reads a clock.
#[derive(Debug, Clone)]
pub struct Schedule {
    expr: String,
    zone: Tz,
    /// The cron crate's schedules whose union this is: one, or two for a crontab line whose day of month and
    /// day of week are both restricted.
    engines: Vec<cron::Schedule>,
}

impl Schedule {
    /// Parses `expr` and, if given, the IANA time zone `tz` (for example `"Europe/Paris"`).
    ///
    /// `expr` is a crontab(5) line of 5 fields (`*/15 * * * *`), the cron crate's 6 or 7 fields with seconds
    /// first (`0 */15 * * * *`, `0 0 12 * * * 2027`), or a keyword: `@yearly`, `@annually`, `@monthly`,
    /// `@weekly`, `@daily`, `@midnight`, `@hourly`. Without `tz` the schedule runs in UTC.
    pub fn parse(expr: &str, tz: Option<&str>) -> Result<Self, ScheduleError> {
        let engines = expr::compile(expr)?;
        let zone = match tz {
            None => Tz::UTC,
            Some(name) => name.trim().parse::<Tz>().map_err(|_| ScheduleError::UnknownTimeZone {
                expr: expr.to_owned(),
                zone: name.to_owned(),
            })?,
        };
        Ok(Self { expr: expr.to_owned(), zone, engines })
    }

    /// The expression as configured.
    pub fn expression(&self) -> &str {
        &self.expr
    }

    /// The IANA name of the time zone the schedule runs in, `"UTC"` unless one was configured.
    pub fn time_zone(&self) -> &'static str {
        self.zone.name()
    }

    /// The first fire time strictly after `after`, or `None` if the schedule never fires again (it names
    /// only past years, or `after` is past 2100, the last year the cron crate knows).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (earliest, latest) = search_bounds()?;
        if after >= latest {
            return None;
        }
        let after = after.max(earliest);
        let mut wall = local::high_water(self.zone, after)?;
        for _ in 0..SEARCH_LIMIT {
            wall = self.next_wall(wall)?;
            if let Some(instant) = local::fire_instant(self.zone, wall).filter(|instant| *instant > after) {
                return Some(instant);
            }
        }
        None
    }

    /// The fire times strictly after `after`, in increasing order.
    pub fn upcoming(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        std::iter::successors(self.next_after(after), move |previous| self.next_after(*previous))
    }

    /// The latest fire time in `(last_run, now]`: the run that is due because the daemon was not running
    /// (or was busy) when it should have fired.
    ///
    /// The daemon runs once for all missed fire times together and logs this one; it does not replay each.
    /// On a first start there is no `last_run` and nothing is missed: `None`, the schedule simply starts.
    pub fn missed(&self, last_run: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let last_run = last_run?;
        self.latest_at_or_before(now).filter(|latest| *latest > last_run)
    }

    /// The latest fire time at or before `instant`.
    fn latest_at_or_before(&self, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (earliest, latest) = search_bounds()?;
        if instant < earliest {
            return None;
        }
        let instant = instant.min(latest);
        let mut bound = local::high_water(self.zone, instant)?.checked_add_signed(TimeDelta::seconds(1))?;
        for _ in 0..SEARCH_LIMIT {
            bound = self.wall_before(bound)?;
            if let Some(fired) = local::fire_instant(self.zone, bound).filter(|fired| *fired <= instant) {
                return Some(fired);
            }
        }
        None
    }

    /// The first matching wall time strictly after `wall`.
    fn next_wall(&self, wall: NaiveDateTime) -> Option<NaiveDateTime> {
        let start = Utc.from_utc_datetime(&wall);
        self.engines
            .iter()
            .filter_map(|engine| engine.after(&start).next())
            .min()
            .map(|next| next.naive_utc())
    }

    /// The last matching wall time strictly before `wall`.
    fn wall_before(&self, wall: NaiveDateTime) -> Option<NaiveDateTime> {
        self.engines.iter().filter_map(|engine| engine_before(engine, wall)).max()
    }
}

/// The last wall time `engine` matches strictly before `wall`.
///
/// Works around the cron crate 0.17 searching backwards from a year its expression excludes: it then keeps
/// that year's month and day as upper bounds in the earlier years (from 2026-03-10, `0 0 12 * * * 2025`
/// would give 2025-03-09 instead of 2025-12-31). Searching from the start of an excluded year avoids it.
fn engine_before(engine: &cron::Schedule, wall: NaiveDateTime) -> Option<NaiveDateTime> {
    let year_excluded = u32::try_from(wall.year()).map_or(true, |year| !engine.years().includes(year));
    let bound =
        if year_excluded { NaiveDate::from_ymd_opt(wall.year(), 1, 1)?.and_hms_opt(0, 0, 0)? } else { wall };
    engine.after(&Utc.from_utc_datetime(&bound)).next_back().map(|prev| prev.naive_utc())
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.expr, self.zone.name())
    }
}

/// The instants between which searches run: the cron crate knows the years 1970 to 2100 (wall time), and
/// outside a margin of a month around them nothing fires. Keeping searches inside also keeps every date
/// computation far from chrono's limits.
fn search_bounds() -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let earliest = NaiveDate::from_ymd_opt(1969, 12, 1)?.and_hms_opt(0, 0, 0)?.and_utc();
    let latest = NaiveDate::from_ymd_opt(2101, 1, 2)?.and_hms_opt(0, 0, 0)?.and_utc();
    Some((earliest, latest))
}
