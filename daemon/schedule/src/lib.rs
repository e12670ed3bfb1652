//! When gdsn-sync polls its data pools: cron schedules with explicit time-zone rules, missed runs, and the
//! retry delays around them.
//!
//! The product's design names the `cron` crate, and it stays the engine: it enumerates the wall-clock times
//! an expression matches. This crate is the small wrapper that fixes what the daemon cannot live with:
//! - **Crontab lines.** The cron crate only reads 6 or 7 fields, seconds first. [`Schedule::parse`] also
//!   takes ordinary 5-field crontab(5) lines (`*/15 * * * *`), with crontab's meaning: day of week 0 or 7 is
//!   Sunday (the cron crate counts 1 = Sunday), and when both day fields are restricted either one matching
//!   is enough. Keywords `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly` and `@annually`
//!   work too. 6- and 7-field expressions keep the cron crate's own meaning.
//! - **UTC by default.** Without a configured time zone the schedule is evaluated in UTC and DST never
//!   matters. With one (an IANA name, through `chrono-tz`) the rules below apply.
//! - **DST.** Across a DST change the cron crate skips wall times that do not exist and fires twice for
//!   wall times that exist twice. Here, in a time zone:
//!   - a wall time that does not exist (clocks spring forward over it) fires **once, when the clocks
//!     jump**: in Europe/Paris, 02:30 on 2026-03-29 fires at 03:00 CEST = 01:00Z;
//!   - a wall time that exists twice (clocks fall back over it) fires **once, at its first occurrence**: in
//!     Europe/Paris, 02:30 on 2026-10-25 fires at 02:30 CEST = 00:30Z, not again at 01:30Z;
//!   - more generally, every matching wall time fires exactly once, and frequent schedules follow from
//!     that rule rather than from a special case. Across spring forward, every 15 minutes goes 01:45 CET,
//!     03:00 CEST (once for the whole skipped hour), 03:15 CEST; hourly goes 00:00Z, 01:00Z, 02:00Z as in
//!     UTC. Across fall back, every 15 minutes runs through 02:00–02:45 in the first pass only, then waits
//!     for 03:00 CET: a pause of 1 h 15 min in real time (hourly: 02:00 CEST, then 03:00 CET, two hours
//!     apart). The repeated hour is never polled twice and no day loses its daily run. A schedule that
//!     must tick evenly in real time should be left in UTC.
//! - **Injected clock.** Every question takes the current time as an argument ([`Schedule::next_after`],
//!   [`Schedule::missed`]); nothing here reads a clock or sleeps, so tests are exact and instant.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use gdsn_schedule::Schedule;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let nightly = Schedule::parse("30 2 * * *", Some("Europe/Paris"))?;
//! let saturday: DateTime<Utc> = "2026-03-28T12:00:00Z".parse()?;
//! // 02:30 does not exist on 2026-03-29 in Paris: the run happens when the clocks jump to 03:00.
//! assert_eq!(nightly.next_after(saturday), Some("2026-03-29T01:00:00Z".parse()?));
//! // Down since Friday night's run: one catch-up run is due, for Sunday's missed time.
//! let friday_run = "2026-03-27T01:30:00Z".parse()?;
//! let sunday_noon = "2026-03-29T10:00:00Z".parse()?;
//! assert_eq!(nightly.missed(Some(friday_run), sunday_noon), Some("2026-03-29T01:00:00Z".parse()?));
//! # Ok(())
//! # }
//! ```
//!
//! [`Backoff`] and [`jitter`] are the delays around a poll: exponential backoff with full jitter after
//! failures, and a stable per-source offset to spread sources that share a schedule.
//!
//! Useful for: computing when to poll, what a downtime missed, and how long to wait after a failure.
//! Not useful for: running anything. There is no timer, task or async here; the daemon's loop sleeps until
//! [`Schedule::next_after`] and runs the poll itself. Fire times are limited to the years the cron crate
//! knows (1970 to 2100).

mod backoff;
mod error;
mod expr;
mod local;
mod schedule;

pub use backoff::{Backoff, RandomSource, SplitMix64, jitter};
pub use error::ScheduleError;
pub use schedule::Schedule;
