//! From the configured text to the cron crate's schedules.
//!
//! Two dialects are accepted and told apart by their number of fields:
//! - 6 or 7 fields (seconds first, optional year) go to the cron crate as they are, with its semantics
//!   (day of week 1 = Sunday … 7 = Saturday; day of month and day of week must both match);
//! - 5 fields are a crontab(5) line: seconds `0` is prepended, the day-of-week field is translated
//!   (crontab counts 0 or 7 = Sunday, 1 = Monday) and, as crontab(5) says, when both the day of month and the
//!   day of week are restricted (neither starts with `*`), a day matching *either* fires. The cron crate only
//!   knows "both", so such a line becomes two cron schedules whose union is the schedule.

use std::str::FromStr;

use crate::ScheduleError;

/// Day names in crontab order: index 0 is Sunday, as in crontab(5).
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// One or two cron schedules whose union is the schedule `expr` describes.
pub(crate) fn compile(expr: &str) -> Result<Vec<cron::Schedule>, ScheduleError> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    match fields.as_slice() {
        [keyword] if keyword.starts_with('@') => Ok(vec![engine(expr, keyword_line(expr, keyword)?)?]),
        [minute, hour, day, month, weekday] => crontab(expr, [minute, hour, day, month, weekday]),
        _ if matches!(fields.len(), 6 | 7) => Ok(vec![engine(expr, &fields.join(" "))?]),
        _ => Err(ScheduleError::FieldCount { expr: expr.to_owned(), count: fields.len() }),
    }
}

/// The cron crate's keyword for a crontab `@` keyword, with crontab's aliases.
fn keyword_line<'k>(expr: &str, keyword: &'k str) -> Result<&'k str, ScheduleError> {
    match keyword.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => Ok("@yearly"),
        "@monthly" => Ok("@monthly"),
        "@weekly" => Ok("@weekly"),
        "@daily" | "@midnight" => Ok("@daily"),
        "@hourly" => Ok("@hourly"),
        "@reboot" => Err(ScheduleError::invalid(expr, "@reboot is not a time schedule")),
        _ => Err(ScheduleError::invalid(
            expr,
            "unknown keyword: expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly",
        )),
    }
}

/// Translates a crontab(5) line (minute, hour, day of month, month, day of week) to cron schedules.
fn crontab(
    expr: &str,
    [minute, hour, day, month, weekday]: [&str; 5],
) -> Result<Vec<cron::Schedule>, ScheduleError> {
    let weekdays = crontab_weekdays(weekday).map_err(|reason| ScheduleError::invalid(expr, reason))?;
    let line = |day: &str, weekday: &str| format!("0 {minute} {hour} {day} {month} {weekday}");
    if restricted(day) && restricted(weekday) {
        Ok(vec![engine(expr, &line(day, "*"))?, engine(expr, &line("*", &weekdays))?])
    } else {
        Ok(vec![engine(expr, &line(day, &weekdays))?])
    }
}

/// Whether a crontab day field restricts the days, in the sense of crontab(5): it does not start with `*`.
fn restricted(field: &str) -> bool {
    !field.starts_with('*') && !field.starts_with('?')
}

/// Parses `line` with the cron crate; its errors are reported against the configured `expr`.
fn engine(expr: &str, line: &str) -> Result<cron::Schedule, ScheduleError> {
    cron::Schedule::from_str(line)
        .map_err(|error| ScheduleError::invalid(expr, reason(line, &error.to_string())))
}

/// A one-line, lower-case reason from a cron crate error, naming the field at fault.
///
/// The cron crate reports the line it parsed, a caret under the failing position, and (not always) a cause
/// in capitalised English. The line is not what the operator wrote when it was a crontab line, so the
/// field is named instead.
fn reason(line: &str, message: &str) -> String {
    let mut parts = message.lines();
    let (_, caret) = (parts.next(), parts.next());
    let cause = tidy(&parts.collect::<Vec<_>>().join(" "));
    let field = caret.and_then(|caret| caret.find('^')).and_then(|column| field_at(line, column));
    match (field, cause.is_empty()) {
        (Some((name, text)), true) => format!("{name} {text:?} is not valid"),
        (Some((name, text)), false) => format!("{name} {text:?}: {cause}"),
        (None, _) => tidy(&message.lines().collect::<Vec<_>>().join(" ")),
    }
}

/// The name and text of the field of a seconds-first `line` at byte `column`.
fn field_at(line: &str, column: usize) -> Option<(&'static str, &str)> {
    const NAMES: [&str; 7] = ["second", "minute", "hour", "day of month", "month", "day of week", "year"];
    let before = line.get(..column)?;
    let started = before.ends_with(|c: char| !c.is_whitespace());
    let index = before.split_whitespace().count().saturating_sub(usize::from(started));
    Some((NAMES.get(index)?, line.split_whitespace().nth(index)?))
}

/// A cause from the cron crate in the project's style: lower case (the field's own text is quoted as
/// written beside it), no final period, and "at most" where the cron crate says "less than" of an inclusive
/// maximum.
fn tidy(text: &str) -> String {
    let text = text.trim().to_lowercase().replace(". (", " (").replace(".)", ")");
    text.replace("must be less than", "must be at most").trim_end_matches('.').to_owned()
}

/// The crontab(5) day-of-week field as a list of day names the cron crate reads the same way.
///
/// Accepts `*`, numbers 0–7 (0 and 7 are Sunday), three-letter names, ranges `a-b`, steps `*/s` and
/// `a-b/s`, and comma-separated lists of those.
fn crontab_weekdays(field: &str) -> Result<String, String> {
    let mut days = [false; 7];
    for item in field.split(',') {
        for day in weekday_item(item)? {
            days[day % 7] = true;
        }
    }
    if days.iter().all(|&day| day) {
        return Ok("*".to_owned());
    }
    let names: Vec<&str> = WEEKDAYS.iter().zip(days).filter(|(_, on)| *on).map(|(name, _)| *name).collect();
    Ok(names.join(","))
}

/// The days (0–7, crontab numbering) of one item of a day-of-week list.
fn weekday_item(item: &str) -> Result<std::iter::StepBy<std::ops::RangeInclusive<usize>>, String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(weekday_step(step)?)),
        None => (item, None),
    };
    let (first, last) = match range.split_once('-') {
        _ if range == "*" => (0, 6),
        Some((first, last)) => (weekday(first)?, range_end(last)?),
        None if step.is_some() => return Err(format!("day of week {item:?}: a step needs a range or '*'")),
        None => (weekday(range)?, weekday(range)?),
    };
    if first > last {
        return Err(format!("day of week {item:?}: range runs backwards"));
    }
    Ok((first..=last).step_by(step.unwrap_or(1)))
}

/// The end of a day-of-week range: `sun` there means the Sunday at the end of the week (7).
fn range_end(text: &str) -> Result<usize, String> {
    if text.eq_ignore_ascii_case("sun") { Ok(7) } else { weekday(text) }
}

/// One day of the week in crontab numbering: 0–7 or a three-letter English name.
fn weekday(text: &str) -> Result<usize, String> {
    if let Ok(number) = text.parse::<usize>() {
        return if number <= 7 { Ok(number) } else { Err(format!("day of week {text:?} is not within 0-7")) };
    }
    WEEKDAYS
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
        .ok_or_else(|| format!("day of week {text:?} is neither 0-7 nor a name like mon"))
}

/// A step of a day-of-week item: a positive number.
fn weekday_step(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(step) if step > 0 => Ok(step),
        _ => Err(format!("day of week step {text:?} is not a positive number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crontab_weekdays_are_translated_to_names() {
        let table = [
            ("*", "*"),
            ("0", "Sun"),
            ("7", "Sun"),
            ("1", "Mon"),
            ("1-5", "Mon,Tue,Wed,Thu,Fri"),
            ("mon-fri", "Mon,Tue,Wed,Thu,Fri"),
            ("5-7", "Sun,Fri,Sat"),
            ("fri-sun", "Sun,Fri,Sat"),
            ("*/2", "Sun,Tue,Thu,Sat"),
            ("1-5/2", "Mon,Wed,Fri"),
            ("0,3,SAT", "Sun,Wed,Sat"),
            ("0-6", "*"),
            ("1-7", "*"),
        ];
        for (field, expected) in table {
            assert_eq!(crontab_weekdays(field).as_deref(), Ok(expected), "{field}");
        }
    }

    #[test]
    fn bad_crontab_weekdays_are_rejected() {
        for field in ["8", "5-1", "*/0", "1/2", "monday", "", "1,,2", "x-y", "*/x", "-1"] {
            assert!(crontab_weekdays(field).is_err(), "{field}");
        }
    }

    #[test]
    fn both_day_fields_restricted_means_either() {
        assert_eq!(compile("0 0 1 * 1").map(|schedules| schedules.len()), Ok(2));
        assert_eq!(compile("0 0 1 * *").map(|schedules| schedules.len()), Ok(1));
        assert_eq!(compile("0 0 */2 * 1").map(|schedules| schedules.len()), Ok(1));
        assert_eq!(compile("0 0 0 1 * Mon").map(|schedules| schedules.len()), Ok(1));
    }

    #[test]
    fn keywords_and_aliases_compile() {
        for keyword in
            ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@HOURLY"]
        {
            assert!(compile(keyword).is_ok(), "{keyword}");
        }
        for keyword in ["@reboot", "@every", "@"] {
            assert!(matches!(compile(keyword), Err(ScheduleError::Invalid { .. })), "{keyword}");
        }
    }
}
